/* The reconstruction loss of models_mae.py's forward_loss, a block per
 * patch row. */

/* x <- (x - mean) / sqrt(var + eps), var unbiased as torch.var */
static __global__ void normalize_rows_kernel(float *x, int n_cols, float eps)
{
	float *row = x + (size_t)blockIdx.x * n_cols;
	float sum = 0;
	for (int c = threadIdx.x; c < n_cols; c += blockDim.x)
		sum += row[c];
	float mean = block_reduce(sum, op_sum()) / n_cols;
	float var_sum = 0;
	for (int c = threadIdx.x; c < n_cols; c += blockDim.x)
		var_sum += (row[c] - mean) * (row[c] - mean);
	var_sum = block_reduce(var_sum, op_sum());
	float var = n_cols > 1 ? var_sum / (n_cols - 1) : 0.0f;
	float s = 1.0f / sqrtf(var + eps);
	for (int c = threadIdx.x; c < n_cols; c += blockDim.x)
		row[c] = (row[c] - mean) * s;
}

static __global__ void mse_rows_kernel(float *row_loss, float *dpred, const float *pred,
				const float *target, float weight, int n_cols)
{
	size_t r = blockIdx.x;
	const float *p = pred + r * n_cols, *t = target + r * n_cols;
	float *dp = dpred + r * n_cols;
	float sum = 0;
	for (int c = threadIdx.x; c < n_cols; c += blockDim.x) {
		float diff = p[c] - t[c];
		sum += diff * diff;
		dp[c] = weight * 2.0f * diff / n_cols;
	}
	sum = block_reduce(sum, op_sum());
	if (threadIdx.x == 0)
		row_loss[r] = sum / n_cols;
}
