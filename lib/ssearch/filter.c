#include "ssearch/filter.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

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

size_t filter_tmp_floats(uint32_t w, uint32_t h)
{
	return (size_t)w * h + w + 2 * FILTER_MAX_RADIUS;
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

/* Pixels whose sums stay in registers together: two halves of 8, which
 * GCC turns into two pairs of SSE registers (a loop of 16 it would not
 * unroll). */
enum { HALF = 8, BLOCK = 2 * HALF };

/* out[x] for BLOCK pixels from x (see weighted_sum). */
static inline void sum_block(float *restrict out, const float *const *in, const float *tap,
			     int n_taps, uint32_t x)
{
	float low[HALF] = {0}, high[HALF] = {0};
	for (int t = 0; t < n_taps; t++) {
		const float *from = in[t] + x;
		for (int j = 0; j < HALF; j++)
			low[j] += tap[t] * from[j];
		for (int j = 0; j < HALF; j++)
			high[j] += tap[t] * from[HALF + j];
	}
	memcpy(out + x, low, sizeof low);
	memcpy(out + x + HALF, high, sizeof high);
}

/* out[x] = the sum over t of tap[t] * in[t][x], for x < n, added in the
 * order of t from 0: every pixel, border or not, gets the same float
 * operations in the same order, so the result does not depend on how the
 * loop is cut. Blocks keep their sums in registers across the taps
 * instead of storing them after each; a last block that would run past n
 * moves back to end at n, computing some pixels again, to the same
 * floats. */
static void weighted_sum(float *restrict out, const float *const *in, const float *tap,
			 int n_taps, uint32_t n)
{
	if (n >= BLOCK) {
		for (uint32_t x = 0; x + BLOCK <= n; x += BLOCK)
			sum_block(out, in, tap, n_taps, x);
		if (n % BLOCK)
			sum_block(out, in, tap, n_taps, n - BLOCK);
		return;
	}
	for (uint32_t x = 0; x < n; x++) {
		float acc = 0;
		for (int t = 0; t < n_taps; t++)
			acc += tap[t] * in[t][x];
		out[x] = acc;
	}
}

/* Each row is copied with its reflected borders around it, so that every
 * pixel reads its taps at fixed offsets. */
static void filter_rows(const float *src, float *dst, float *line, uint32_t w, uint32_t h,
			const kernel1d *k)
{
	int r = k->radius;
	const float *taps[2 * FILTER_MAX_RADIUS + 1];
	for (int t = 0; t <= 2 * r; t++)
		taps[t] = line + t;
	for (uint32_t y = 0; y < h; y++) {
		const float *in = src + (size_t)y * w;
		memcpy(line + r, in, w * sizeof *in);
		for (int t = 1; t <= r; t++) {
			line[r - t] = in[reflect101(-t, w)];
			line[r + w - 1 + t] = in[reflect101((int64_t)w - 1 + t, w)];
		}
		weighted_sum(dst + (size_t)y * w, taps, k->tap, 2 * r + 1, w);
	}
}

/* A row at a time, each tap a whole (reflected) row of the input. */
static void filter_cols(const float *src, float *dst, uint32_t w, uint32_t h, const kernel1d *k)
{
	int r = k->radius;
	const float *rows[2 * FILTER_MAX_RADIUS + 1];
	for (uint32_t y = 0; y < h; y++) {
		for (int t = 0; t <= 2 * r; t++)
			rows[t] = src + (size_t)reflect101((int64_t)y + t - r, h) * w;
		weighted_sum(dst + (size_t)y * w, rows, k->tap, 2 * r + 1, w);
	}
}

void filter_separable(const float *src, float *dst, float *tmp, uint32_t w, uint32_t h,
		      const kernel1d *kx, const kernel1d *ky)
{
	filter_rows(src, tmp, tmp + (size_t)w * h, w, h, kx);
	filter_cols(tmp, dst, w, h, ky);
}
