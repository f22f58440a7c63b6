/* A single encoded image held in memory, whatever its format. */
#ifndef MASKPIPE_FORMATS_IMAGE_H
#define MASKPIPE_FORMATS_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "common/img.h"

/* "png" or "jpeg" when the bytes start with that format's signature (the
 * names imgsrc_opts.format takes), else NULL. */
const char *image_format_of(const uint8_t *data, size_t len);

/* Decodes a PNG or JPEG, told apart by their signatures. */
int image_decode(const uint8_t *data, size_t len, img *out);

#endif
