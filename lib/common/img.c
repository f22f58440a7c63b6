#include "common/img.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/sizelimit.h"

int img_check_dims(uint64_t w, uint64_t h, uint64_t c)
{
	uint64_t max_pixels;
	if (w == 0 || h == 0)
		return err_set("image is empty (%llux%llu)", (unsigned long long)w,
			       (unsigned long long)h);
	if (c < 1 || c > 4)
		return err_set("image has %llu channels (1 to 4 allowed)", (unsigned long long)c);
	if (limit_max_pixels(&max_pixels) < 0)
		return -1;
	if (w > IMG_MAX_DIM || h > IMG_MAX_DIM)
		return err_set("image of %llux%llux%llu exceeds the limit of %u pixels a side",
			       (unsigned long long)w, (unsigned long long)h, (unsigned long long)c,
			       IMG_MAX_DIM);
	if (w * h > max_pixels)
		return err_set("image of %llux%llu has %llu pixels, over the limit of %llu "
			       "(MASKPIPE_MAX_PIXELS raises it)",
			       (unsigned long long)w, (unsigned long long)h,
			       (unsigned long long)(w * h), (unsigned long long)max_pixels);
	return 0;
}

int img_alloc(img *im, uint32_t w, uint32_t h, uint32_t c)
{
	if (img_check_dims(w, h, c) < 0)
		return -1;
	uint8_t *px = malloc((size_t)w * h * c);
	if (!px)
		return err_set("out of memory for a %ux%ux%u image", w, h, c);
	free(im->px);
	im->px = px;
	im->w = w;
	im->h = h;
	im->c = c;
	return 0;
}

void img_free(img *im)
{
	free(im->px);
	memset(im, 0, sizeof *im);
}

int img_convert(img *im, uint32_t channels)
{
	size_t n_px = (size_t)im->w * im->h;
	uint32_t colour = im->c >= 3 ? 3 : 1;
	if (channels != 0 && channels != 1 && channels != 3)
		return err_set("cannot convert to %u channels (1 or 3)", channels);
	if (colour != im->c) { /* drop alpha in place: the output never outruns the input */
		for (size_t i = 0; i < n_px; i++)
			memmove(im->px + i * colour, im->px + i * im->c, colour);
		im->c = colour;
	}
	if (channels == 0 || channels == im->c)
		return 0;
	if (channels == 1) {
		for (size_t i = 0; i < n_px; i++)
			im->px[i] = img_luma(im->px + 3 * i);
		im->c = 1;
		return 0;
	}
	uint8_t *rgb = malloc(n_px * 3);
	if (!rgb)
		return err_set("out of memory converting a %ux%u image to RGB", im->w, im->h);
	for (size_t i = 0; i < n_px; i++)
		rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = im->px[i];
	free(im->px);
	im->px = rgb;
	im->c = 3;
	return 0;
}
