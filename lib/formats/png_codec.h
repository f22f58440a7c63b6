/* PNG to and from struct img, in memory, through libpng. The functions are
 * image_png_*: png_* is libpng's namespace. */
#ifndef MASKPIPE_FORMATS_PNG_CODEC_H
#define MASKPIPE_FORMATS_PNG_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "common/img.h"

/* Decodes any PNG (every colour type and bit depth, interlaced or not) to
 * 8 bits per sample: 16-bit samples are rounded (v / 257), 1/2/4-bit gray
 * is stretched to 0..255, a palette becomes RGB. Transparency is kept as an
 * alpha channel (c = 2 or 4, tRNS included) for the caller to drop with
 * img_convert(). Colour profiles and gamma are ignored: the samples are
 * returned as stored. On error returns -1 with "not a PNG file",
 * "PNG: truncated", "PNG: IDAT: CRC error", ...; out is then unchanged. */
int image_png_decode(const uint8_t *data, size_t len, img *out);

/* Encodes an 8-bit image of 1 to 4 channels (gray, gray+alpha, RGB, RGBA)
 * into a new malloc'd buffer. */
int image_png_encode(const img *im, uint8_t **out, size_t *out_len);

/* Writes im as a PNG file that appears whole or not at all, through
 * atomic_write_file (atomic.h); every message names path. */
int image_png_write_file(const char *path, const img *im);

#endif
