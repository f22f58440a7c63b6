/* GELU, and the softmax rows of attention. */
#include <math.h>

#include "cpu.h"

void cpu_gelu_forward(float *out, const float *inp, size_t n)
{
#pragma omp parallel for schedule(static) num_threads(cpu_n_threads) if (n > CPU_PARALLEL_MIN)
	for (size_t i = 0; i < n; i++)
		out[i] = 0.5f * inp[i] * (1.0f + erff(inp[i] * (float)M_SQRT1_2));
}

void cpu_gelu_backward(float *dinp, const float *inp, const float *dout, size_t n)
{
	/* d/dx x Phi(x) = Phi(x) + x phi(x) */
	const float inv_sqrt_2pi = 0.3989422804014327f;
#pragma omp parallel for schedule(static) num_threads(cpu_n_threads) if (n > CPU_PARALLEL_MIN)
	for (size_t i = 0; i < n; i++) {
		float x = inp[i];
		float cdf = 0.5f * (1.0f + erff(x * (float)M_SQRT1_2));
		float pdf = inv_sqrt_2pi * expf(-0.5f * x * x);
		dinp[i] = dout[i] * (cdf + x * pdf);
	}
}

static void softmax_row(float *row, int n_cols)
{
	float max = -INFINITY;
	for (int c = 0; c < n_cols; c++)
		max = row[c] > max ? row[c] : max;
	float sum = 0;
	for (int c = 0; c < n_cols; c++) {
		row[c] = expf(row[c] - max);
		sum += row[c];
	}
	float inv = 1.0f / sum;
	for (int c = 0; c < n_cols; c++)
		row[c] *= inv;
}

void cpu_softmax_rows(float *x, int n_rows, int n_cols)
{
	for (int r = 0; r < n_rows; r++)
		softmax_row(x + (size_t)r * n_cols, n_cols);
}

void cpu_softmax_backward_rows(float *d, const float *p, int n_rows, int n_cols)
{
	for (int r = 0; r < n_rows; r++) {
		float *dr = d + (size_t)r * n_cols;
		const float *pr = p + (size_t)r * n_cols;
		float dot = 0;
		for (int c = 0; c < n_cols; c++)
			dot += dr[c] * pr[c];
		for (int c = 0; c < n_cols; c++)
			dr[c] = pr[c] * (dr[c] - dot);
	}
}
