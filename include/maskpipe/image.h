/* Images: 8-bit pixels, decoded from PNG or JPEG, written as PNG. */
#ifndef MP_IMAGE_H
#define MP_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "maskpipe/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An image of width x height pixels of `channels` bytes each (1 gray, 2
 * gray+alpha, 3 RGB, 4 RGBA), row-major: pixel (x, y) starts at
 * pixels[(y * width + x) * channels]. Every mp_image the library fills
 * owns its pixels: free them with mp_image_free. */
typedef struct mp_image {
	uint32_t width, height, channels;
	uint8_t *pixels;
} mp_image;

/* Decodes the PNG or JPEG in data[0..len) (told apart by their signatures)
 * into *out, converted to `channels`: 1 gray (ITU-R 601 luma, PIL's
 * rounding), 3 RGB, or 0 as stored (gray or RGB) with any alpha dropped, as
 * img-decode does. 16-bit PNG samples are rounded to 8 bits, palettes
 * expanded. 0, or -1 with a message (*out unchanged): not a PNG or JPEG,
 * damaged data, a size over the limits of maskpipe-rec(5). */
MP_API int mp_image_decode(const void *data, size_t len, int channels, mp_image *out);

/* mp_image_decode on the contents of the file at path (gzip-compressed
 * files are read through); every message names path. */
MP_API int mp_image_read_file(const char *path, int channels, mp_image *out);

/* Writes im as a PNG file that appears whole or not at all (a temporary
 * file renamed into place). 0, or -1 with a message naming path. */
MP_API int mp_image_write_png(const char *path, const mp_image *im);

/* Frees im's pixels and zeroes it; an image already freed or zeroed is
 * left alone. */
MP_API void mp_image_free(mp_image *im);

#ifdef __cplusplus
}
#endif

#endif
