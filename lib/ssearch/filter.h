/* Separable filtering of float image planes: Gaussian smoothing before
 * graph segmentation (Felzenszwalb & Huttenlocher 2004, section 4) and the
 * Gaussian derivatives of Selective Search's texture feature. Borders
 * reflect without repeating the edge pixel (OpenCV's BORDER_REFLECT_101). */
#ifndef MASKPIPE_FILTER_H
#define MASKPIPE_FILTER_H

#include <stddef.h>
#include <stdint.h>

/* The largest kernel radius the filters take, and so the largest sigma. */
#define FILTER_MAX_RADIUS 32
#define FILTER_SIGMA_MAX (FILTER_MAX_RADIUS / 4.0)

/* A 1-D kernel of 2*radius+1 taps, tap[radius] at the centre. */
typedef struct kernel1d {
	int radius;
	float tap[2 * FILTER_MAX_RADIUS + 1];
} kernel1d;

/* The sampled Gaussian of `sigma`, normalised to sum 1, of OpenCV's size
 * for float images (radius round(4 sigma), at least 1); `derivative` gives
 * its first derivative -x/sigma^2 g(x) instead, scaled so that it maps a
 * unit ramp to 1. sigma in (0, FILTER_SIGMA_MAX]. */
void kernel_gaussian(kernel1d *k, double sigma, int derivative);

/* The floats filter_separable's tmp holds for a w x h image: the image
 * filtered along rows, and one row with its borders. */
size_t filter_tmp_floats(uint32_t w, uint32_t h);

/* dst = src filtered by kx along rows then ky along columns; tmp holds
 * filter_tmp_floats(w, h) floats; dst may not alias src or tmp. Each
 * pixel's sum runs over the taps in order, so the result is the same
 * float for float however the loops are cut. */
void filter_separable(const float *src, float *dst, float *tmp, uint32_t w, uint32_t h,
		      const kernel1d *kx, const kernel1d *ky);

#endif
