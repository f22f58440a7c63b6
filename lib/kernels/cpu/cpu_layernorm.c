/* Layer norm (Ba et al. 2016) forward and backward, per row of C values;
 * the backward is the closed form llm.c's layernorm_backward uses. */
#include <math.h>

#include "kernels/cpu/cpu.h"

VECTOR_CLONES void cpu_layernorm_forward(float *out, float *mean, float *rstd, const float *inp,
			   const float *w, const float *b, int n_rows, int n_cols, float eps)
{
#pragma omp parallel for schedule(static) num_threads(cpu_n_threads) \
	if ((size_t)n_rows * n_cols > CPU_PARALLEL_MIN)
	for (int r = 0; r < n_rows; r++) {
		const float *x = inp + (size_t)r * n_cols;
		float *y = out + (size_t)r * n_cols;
		float sum = 0;
#pragma omp simd reduction(+ : sum)
		for (int c = 0; c < n_cols; c++)
			sum += x[c];
		float m = sum / n_cols;
		float var_sum = 0;
#pragma omp simd reduction(+ : var_sum)
		for (int c = 0; c < n_cols; c++)
			var_sum += (x[c] - m) * (x[c] - m);
		/* biased variance, as torch.nn.LayerNorm */
		float s = 1.0f / sqrtf(var_sum / n_cols + eps);
#pragma omp simd
		for (int c = 0; c < n_cols; c++)
			y[c] = (x[c] - m) * s * w[c] + b[c];
		mean[r] = m;
		rstd[r] = s;
	}
}

VECTOR_CLONES void cpu_layernorm_backward(float *dinp, float *dw, float *db, const float *dout,
			    const float *inp, const float *w, const float *mean,
			    const float *rstd, int n_rows, int n_cols)
{
#pragma omp parallel for schedule(static) num_threads(cpu_n_threads) \
	if ((size_t)n_rows * n_cols > CPU_PARALLEL_MIN)
	for (int r = 0; r < n_rows; r++) {
		const float *x = inp + (size_t)r * n_cols, *dy = dout + (size_t)r * n_cols;
		float *dx = dinp + (size_t)r * n_cols;
		float m = mean[r], s = rstd[r];
		/* dx = s * (g - mean(g) - xhat * mean(g * xhat)), g = dy * w */
		float g_mean = 0, gx_mean = 0;
#pragma omp simd reduction(+ : g_mean, gx_mean)
		for (int c = 0; c < n_cols; c++) {
			float g = dy[c] * w[c];
			g_mean += g;
			gx_mean += g * (x[c] - m) * s;
		}
		g_mean /= n_cols;
		gx_mean /= n_cols;
#pragma omp simd
		for (int c = 0; c < n_cols; c++) {
			float xhat = (x[c] - m) * s;
			dx[c] += s * (dy[c] * w[c] - g_mean - xhat * gx_mean);
		}
	}
	/* the parameter gradients sum over rows: threads take columns, each
	 * summed over the rows in order */
	int n_blocks = (n_cols + CPU_COL_BLOCK - 1) / CPU_COL_BLOCK;
#pragma omp parallel for schedule(static) num_threads(cpu_n_threads) \
	if ((size_t)n_rows * n_cols > CPU_PARALLEL_MIN)
	for (int blk = 0; blk < n_blocks; blk++) {
		int c0 = blk * CPU_COL_BLOCK;
		int c1 = c0 + CPU_COL_BLOCK < n_cols ? c0 + CPU_COL_BLOCK : n_cols;
		for (int r = 0; r < n_rows; r++) {
			const float *x = inp + (size_t)r * n_cols, *dy = dout + (size_t)r * n_cols;
			float m = mean[r], s = rstd[r];
#pragma omp simd
			for (int c = c0; c < c1; c++) {
				dw[c] += dy[c] * (x[c] - m) * s;
				db[c] += dy[c];
			}
		}
	}
}
