/* The reconstruction loss of models_mae.py's forward_loss, per patch row. */
#include <math.h>

#include "kernels/cpu/cpu.h"

void cpu_normalize_rows(float *x, int n_rows, int n_cols, float eps)
{
#pragma omp parallel for schedule(static) num_threads(cpu_n_threads) \
	if ((size_t)n_rows * n_cols > CPU_PARALLEL_MIN)
	for (int r = 0; r < n_rows; r++) {
		float *row = x + (size_t)r * n_cols;
		float sum = 0;
		for (int c = 0; c < n_cols; c++)
			sum += row[c];
		float mean = sum / n_cols;
		float var_sum = 0;
		for (int c = 0; c < n_cols; c++)
			var_sum += (row[c] - mean) * (row[c] - mean);
		/* torch.var's default: unbiased, divided by n - 1 */
		float var = n_cols > 1 ? var_sum / (n_cols - 1) : 0.0f;
		float s = 1.0f / sqrtf(var + eps);
		for (int c = 0; c < n_cols; c++)
			row[c] = (row[c] - mean) * s;
	}
}

void cpu_mse_rows(float *row_loss, float *dpred, const float *pred, const float *target,
		  float weight, int n_rows, int n_cols)
{
#pragma omp parallel for schedule(static) num_threads(cpu_n_threads) \
	if ((size_t)n_rows * n_cols > CPU_PARALLEL_MIN)
	for (int r = 0; r < n_rows; r++) {
		const float *p = pred + (size_t)r * n_cols, *t = target + (size_t)r * n_cols;
		float *dp = dpred + (size_t)r * n_cols;
		float sum = 0;
		for (int c = 0; c < n_cols; c++) {
			float diff = p[c] - t[c];
			sum += diff * diff;
			dp[c] = weight * 2.0f * diff / n_cols;
		}
		row_loss[r] = sum / n_cols;
	}
}
