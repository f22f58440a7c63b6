/* The images a contact sheet (img_sheet) gathers before it can be laid
 * out, bounded as they come by the pixel limit the sheet will be checked
 * against. */
#ifndef MASKPIPE_IMG_TILES_H
#define MASKPIPE_IMG_TILES_H

#include <stddef.h>
#include <stdint.h>

#include "common/img.h"

typedef struct img_tiles {
	img *items;
	size_t n, cap;
	uint64_t pixels; /* theirs, w*h summed */
} img_tiles;

/* Takes the picture over (*picture is left empty). A sheet has at least
 * the pixels of its tiles: once they pass limit_max_pixels, it cannot be
 * made, and gathering more would only take memory: -1 with a message. */
int img_tiles_add(img_tiles *t, img *picture);
void img_tiles_free(img_tiles *t);

#endif
