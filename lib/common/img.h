/* An 8-bit image: the `img` field of the record stream. */
#ifndef MASKPIPE_IMG_H
#define MASKPIPE_IMG_H

#include <stddef.h>
#include <stdint.h>

/* Limits that turn absurd sizes from corrupt headers into clear errors
 * before anything is allocated: a side, and an encoded image file read
 * whole. The pixels an image may have are set at run time (sizelimit.h). */
#define IMG_MAX_DIM 65536u
#define IMG_MAX_BYTES ((size_t)1 << 30)

typedef struct img {
	uint32_t w, h, c; /* c is 1 (gray), 3 (RGB); 2 and 4 only transiently */
	uint8_t *px;      /* h*w*c bytes, row-major HWC, owned */
} img;

/* An image whose pixels belong to someone else (a record, say). */
typedef struct img_view {
	uint32_t w, h, c;
	const uint8_t *px;
} img_view;

static inline img_view img_view_of(const img *im)
{
	img_view v = {im->w, im->h, im->c, im->px};
	return v;
}

/* Checks w, h, c against the limits (IMG_MAX_DIM a side, limit_max_pixels
 * in all); returns 0 or -1 with a message. */
int img_check_dims(uint64_t w, uint64_t h, uint64_t c);

/* Allocates px (uninitialised) after img_check_dims(); frees what im held. */
int img_alloc(img *im, uint32_t w, uint32_t h, uint32_t c);

void img_free(img *im);

static inline size_t img_bytes(const img *im)
{
	return (size_t)im->w * im->h * im->c;
}

/* ITU-R 601 luma with PIL's rounding: L = R*299/1000 + G*587/1000 +
 * B*114/1000, in 16-bit fixed point. */
static inline uint8_t img_luma(const uint8_t *rgb)
{
	return (uint8_t)((rgb[0] * 19595u + rgb[1] * 38470u + rgb[2] * 7471u + 0x8000u) >> 16);
}

/* Converts in place to `channels` (1 or 3): gray->RGB replicates, RGB->gray
 * uses ITU-R 601 luma with PIL's fixed-point rounding, and a 2- or 4-channel
 * image loses its alpha first. channels == 0 only drops alpha. */
int img_convert(img *im, uint32_t channels);

/* Copies src, each pixel grown to a scale x scale block, into dst at
 * (x0, y0); src and dst have the same channels and src fits. */
void img_blit_scaled(img *dst, uint32_t x0, uint32_t y0, const img_view *src, uint32_t scale);

/* A contact sheet: the tiles row by row in `cols` columns (0: a square
 * grid), in cells the size of the largest tile times `scale`, 1 px apart,
 * on `background`. Gray tiles become RGB (in place) if any has colour. */
int img_sheet(img *sheet, img *tiles, size_t n_tiles, uint32_t cols, uint32_t scale,
	      uint8_t background);

#endif
