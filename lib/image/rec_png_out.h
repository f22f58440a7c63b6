/* Where rec-png's pictures go: each record's as its own PNG file (named
 * by rec_png_path_made), or all of them as the tiles of one contact sheet
 * written at the end. */
#ifndef MASKPIPE_REC_PNG_OUT_H
#define MASKPIPE_REC_PNG_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/img.h"
#include "common/img_tiles.h"
#include "stream/rec.h"

typedef struct rec_png_out {
	const char *dir;        /* a file per record into dir (made already), */
	const char *sheet_path; /* or, when set, one sheet of all the pictures */
	uint32_t cols;          /* the sheet's columns, 0: a square grid */
	int by_label;           /* the files in a subdirectory per class */
	char **classes;         /* the header's class names, for by_label; owned */
	size_t n_classes;
	FILE *names;            /* gets the name of each file written, a line
				 * each, or NULL */
	img_tiles tiles;        /* the sheet's pictures so far */
} rec_png_out;

/* Writes picture as r's file, or takes it over (*picture is left empty)
 * as a tile of the sheet. 0, or -1 with a message. */
int rec_png_out_add(rec_png_out *out, const rec *r, img *picture);

/* Writes the sheet of the pictures added, when out makes one; a sheet of
 * none is an error. 0, or -1 with a message that names the sheet. */
int rec_png_out_finish(rec_png_out *out);

/* Frees the tiles and the classes. */
void rec_png_out_free(rec_png_out *out);

#endif
