/* A single encoded image held in memory, whatever its format. */
#ifndef MASKPIPE_FORMATS_IMAGE_H
#define MASKPIPE_FORMATS_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "img.h"

/* Decodes a PNG or JPEG, told apart by their signatures. */
int image_decode(const uint8_t *data, size_t len, img *out);

#endif
