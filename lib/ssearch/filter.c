#include "ssearch/filter.h"

#include <math.h>
#include <stddef.h>

void kernel_gaussian(kernel1d *k, double sigma, int derivative)
{
	int radius = (int)lround(4.0 * sigma);
	radius = radius < 1 ? 1 : radius > FILTER_MAX_RADIUS ? FILTER_MAX_RADIUS : radius;
	k->radius = radius;
	double sum = 0, moment = 0;
	for (int x = -radius; x <= radius; x++) {
		double g = exp(-0.5 * x * x / (sigma * sigma));
		sum += g;
		moment += x * x * g / (sigma * sigma);
	}
	/* the derivative is normalised by sum(x * dg(x)), so a ramp of slope 1 gives 1 */
	for (int x = -radius; x <= radius; x++) {
		double g = exp(-0.5 * x * x / (sigma * sigma));
		k->tap[x + radius] = (float)(derivative ? x / (sigma * sigma) * g / moment : g / sum);
	}
}

/* Index i reflected into [0, n) without repeating the border (dcb|abcd|cba). */
static uint32_t reflect101(int64_t i, uint32_t n)
{
	if (n == 1)
		return 0;
	int64_t period = 2 * (int64_t)n - 2;
	i %= period;
	i = i < 0 ? i + period : i;
	return (uint32_t)(i < n ? i : period - i);
}

/* The interior of each row tap by tap, so the inner loop runs along
 * memory; only the border pixels resolve their taps one by one. */
static void filter_rows(const float *restrict src, float *restrict dst, uint32_t w, uint32_t h,
			const kernel1d *k)
{
	int r = k->radius;
	uint32_t lo = (uint32_t)r < w ? (uint32_t)r : w;     /* first interior pixel */
	uint32_t hi = w > (uint32_t)r ? w - (uint32_t)r : lo; /* past the last */
	hi = hi < lo ? lo : hi;
	for (uint32_t y = 0; y < h; y++) {
		const float *in = src + (size_t)y * w;
		float *out = dst + (size_t)y * w;
		for (uint32_t x = lo; x < hi; x++)
			out[x] = 0;
		for (int t = -r; t <= r; t++) {
			float tap = k->tap[t + r];
			const float *shifted = in + t;
			for (uint32_t x = lo; x < hi; x++)
				out[x] += tap * shifted[x];
		}
		for (uint32_t x = 0; x < w; x = x + 1 == lo ? hi : x + 1) {
			float acc = 0;
			for (int t = -r; t <= r; t++)
				acc += k->tap[t + r] * in[reflect101((int64_t)x + t, w)];
			out[x] = acc;
		}
	}
}

/* Row by row, so the inner loop runs along memory. */
static void filter_cols(const float *restrict src, float *restrict dst, uint32_t w, uint32_t h,
			const kernel1d *k)
{
	int r = k->radius;
	for (uint32_t y = 0; y < h; y++) {
		float *out = dst + (size_t)y * w;
		for (uint32_t x = 0; x < w; x++)
			out[x] = 0;
		for (int t = -r; t <= r; t++) {
			const float *in = src + (size_t)reflect101((int64_t)y + t, h) * w;
			float tap = k->tap[t + r];
			for (uint32_t x = 0; x < w; x++)
				out[x] += tap * in[x];
		}
	}
}

void filter_separable(const float *src, float *dst, float *tmp, uint32_t w, uint32_t h,
		      const kernel1d *kx, const kernel1d *ky)
{
	filter_rows(src, tmp, w, h, kx);
	filter_cols(tmp, dst, w, h, ky);
}
