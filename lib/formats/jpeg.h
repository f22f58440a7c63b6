/* JPEG to struct img, in memory, through libjpeg(-turbo); image_jpeg_*, as
 * jpeg_* is libjpeg's namespace. */
#ifndef MASKPIPE_FORMATS_JPEG_H
#define MASKPIPE_FORMATS_JPEG_H

#include <stddef.h>
#include <stdint.h>

#include "common/img.h"

/* Decodes a baseline or progressive JPEG: grayscale stays gray (c = 1),
 * everything else becomes RGB (c = 3), CMYK and YCCK included (Adobe
 * files store CMYK inverted; a file with an Adobe marker is read so).
 * Damage libjpeg can recover from (a truncated scan, a bad marker) only
 * warns, and warnings are ignored: the image is decoded as best it can be
 * (the missing part gray). What libjpeg cannot recover from is an error
 * "JPEG: <libjpeg's message>". out is unchanged on error. */
int image_jpeg_decode(const uint8_t *data, size_t len, img *out);

#endif
