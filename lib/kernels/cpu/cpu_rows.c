/* Row gathers and scatters, element-wise sums and the bias of linear layers. */
#include <string.h>

#include "kernels/cpu/cpu.h"

void cpu_copy_rows(float *dst, const int32_t *dst_idx, const float *src, const int32_t *src_idx,
		   int n_rows, int n_cols, int accumulate)
{
	if (accumulate) {
		/* destinations may repeat: one pass in order of i, so sums are
		 * the same whatever the thread count */
		for (int i = 0; i < n_rows; i++) {
			float *d = dst + (size_t)(dst_idx ? dst_idx[i] : i) * n_cols;
			const float *s = src + (size_t)(src_idx ? src_idx[i] : i) * n_cols;
#pragma omp simd
			for (int c = 0; c < n_cols; c++)
				d[c] += s[c];
		}
		return;
	}
#pragma omp parallel for schedule(static) num_threads(cpu_n_threads) \
	if ((size_t)n_rows * n_cols > CPU_PARALLEL_MIN)
	for (int i = 0; i < n_rows; i++)
		memcpy(dst + (size_t)(dst_idx ? dst_idx[i] : i) * n_cols,
		       src + (size_t)(src_idx ? src_idx[i] : i) * n_cols, sizeof(float) * n_cols);
}

VECTOR_CLONES void cpu_scale(float *x, float s, size_t n)
{
#pragma omp simd
	for (size_t i = 0; i < n; i++)
		x[i] *= s;
}

VECTOR_CLONES double cpu_sum_squares(const float *x, size_t n)
{
	double sum = 0;
#pragma omp simd reduction(+ : sum)
	for (size_t i = 0; i < n; i++)
		sum += (double)x[i] * x[i];
	return sum;
}

VECTOR_CLONES void cpu_set_rows(float *out, const float *base, const float *row, int n_rows,
				int n_cols)
{
#pragma omp parallel for schedule(static) num_threads(cpu_n_threads) \
	if ((size_t)n_rows * n_cols > CPU_PARALLEL_MIN)
	for (int r = 0; r < n_rows; r++) {
		float *o = out + (size_t)r * n_cols;
		if (!base) {
			memcpy(o, row, sizeof(float) * n_cols);
			continue;
		}
		const float *in = base + (size_t)r * n_cols;
#pragma omp simd
		for (int c = 0; c < n_cols; c++)
			o[c] = in[c] + row[c];
	}
}

VECTOR_CLONES void cpu_bias_backward(float *dbias, const float *dout, int n_rows, int n_cols)
{
	/* threads take columns, each summed over the rows in order */
	int n_blocks = (n_cols + CPU_COL_BLOCK - 1) / CPU_COL_BLOCK;
#pragma omp parallel for schedule(static) num_threads(cpu_n_threads) \
	if ((size_t)n_rows * n_cols > CPU_PARALLEL_MIN)
	for (int blk = 0; blk < n_blocks; blk++) {
		int c0 = blk * CPU_COL_BLOCK;
		int c1 = c0 + CPU_COL_BLOCK < n_cols ? c0 + CPU_COL_BLOCK : n_cols;
		for (int r = 0; r < n_rows; r++) {
			const float *row = dout + (size_t)r * n_cols;
#pragma omp simd
			for (int c = c0; c < c1; c++)
				dbias[c] += row[c];
		}
	}
}
