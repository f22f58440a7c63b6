/* GELU, and the softmax rows of attention. */
#include <math.h>
#include <string.h>

#include "kernels/cpu/cpu.h"

/* glibc's libmvec has vector versions of these (since 2.35; libm links
 * it): declared so, the GELU loops run 4 to 16 lanes at a time instead of
 * calling the scalar functions element by element */
#pragma omp declare simd notinbranch
float erff(float x);
#pragma omp declare simd notinbranch
float expf(float x);

/* Blocks of CPU_BLOCK: vector and scalar erff may differ in the last bit,
 * so which elements take which must not depend on the threads. */

/* a multiple of every clone's vector width in floats (4, 8, 16) */
#define GELU_SPAN 16

static inline void gelu_span(float *out, const float *inp, size_t n)
{
#pragma omp simd
	for (size_t i = 0; i < n; i++)
		out[i] = 0.5f * inp[i] * (1.0f + erff(inp[i] * (float)M_SQRT1_2));
}

/* Every element takes the vector erff of full vectors: the last n %
 * GELU_SPAN elements go through a zero-padded span of their own instead of
 * the scalar remainder loop. Which elements are last depends on the batch
 * (n = tokens x width), so otherwise an image's activations would differ
 * in the last bit with the batch when the width is not a multiple of the
 * vector width; this way they do not (mae_model.per_image). */
VECTOR_CLONES void cpu_gelu_forward(float *out, const float *inp, size_t n)
{
	size_t n_full = n / GELU_SPAN * GELU_SPAN;
	size_t n_blocks = (n_full + CPU_BLOCK - 1) / CPU_BLOCK;
#pragma omp parallel for schedule(static) num_threads(cpu_n_threads) \
	if (n_full > CPU_PARALLEL_MIN)
	for (size_t blk = 0; blk < n_blocks; blk++) {
		size_t end = (blk + 1) * CPU_BLOCK < n_full ? (blk + 1) * CPU_BLOCK : n_full;
		gelu_span(out + blk * CPU_BLOCK, inp + blk * CPU_BLOCK, end - blk * CPU_BLOCK);
	}
	if (n_full < n) {
		float in_tail[GELU_SPAN] = {0}, out_tail[GELU_SPAN];
		memcpy(in_tail, inp + n_full, (n - n_full) * sizeof(float));
		gelu_span(out_tail, in_tail, GELU_SPAN);
		memcpy(out + n_full, out_tail, (n - n_full) * sizeof(float));
	}
}

VECTOR_CLONES void cpu_gelu_backward(float *dinp, const float *inp, const float *dout, size_t n)
{
	/* d/dx x Phi(x) = Phi(x) + x phi(x) */
	const float inv_sqrt_2pi = 0.3989422804014327f;
	size_t n_blocks = (n + CPU_BLOCK - 1) / CPU_BLOCK;
#pragma omp parallel for schedule(static) num_threads(cpu_n_threads) if (n > CPU_PARALLEL_MIN)
	for (size_t blk = 0; blk < n_blocks; blk++) {
		size_t end = (blk + 1) * CPU_BLOCK < n ? (blk + 1) * CPU_BLOCK : n;
#pragma omp simd
		for (size_t i = blk * CPU_BLOCK; i < end; i++) {
			float x = inp[i];
			float cdf = 0.5f * (1.0f + erff(x * (float)M_SQRT1_2));
			float pdf = inv_sqrt_2pi * expf(-0.5f * x * x);
			dinp[i] = dout[i] * (cdf + x * pdf);
		}
	}
}

static inline void softmax_row(float *row, int n_cols)
{
	float max = -INFINITY;
#pragma omp simd reduction(max : max)
	for (int c = 0; c < n_cols; c++)
		max = row[c] > max ? row[c] : max;
	float sum = 0;
#pragma omp simd reduction(+ : sum)
	for (int c = 0; c < n_cols; c++) {
		row[c] = expf(row[c] - max);
		sum += row[c];
	}
	float inv = 1.0f / sum;
#pragma omp simd
	for (int c = 0; c < n_cols; c++)
		row[c] *= inv;
}

VECTOR_CLONES void cpu_softmax_rows(float *x, int n_rows, int n_cols)
{
	for (int r = 0; r < n_rows; r++)
		softmax_row(x + (size_t)r * n_cols, n_cols);
}

VECTOR_CLONES void cpu_softmax_backward_rows(float *d, const float *p, int n_rows, int n_cols)
{
	for (int r = 0; r < n_rows; r++) {
		float *dr = d + (size_t)r * n_cols;
		const float *pr = p + (size_t)r * n_cols;
		float dot = 0;
#pragma omp simd reduction(+ : dot)
		for (int c = 0; c < n_cols; c++)
			dot += dr[c] * pr[c];
#pragma omp simd
		for (int c = 0; c < n_cols; c++)
			dr[c] = pr[c] * (dr[c] - dot);
	}
}
