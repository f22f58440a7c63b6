/* Layer norm (Ba et al. 2016) forward and backward, a block per row; the
 * backward is the closed form the CPU backend uses. */

static __global__ void layernorm_forward_kernel(float *out, float *mean, float *rstd, const float *inp,
					 const float *w, const float *b, int n_cols, float eps)
{
	const float *x = inp + (size_t)blockIdx.x * n_cols;
	float *y = out + (size_t)blockIdx.x * n_cols;
	float sum = 0;
	for (int c = threadIdx.x; c < n_cols; c += blockDim.x)
		sum += x[c];
	float m = block_reduce(sum, op_sum()) / n_cols;
	float var_sum = 0;
	for (int c = threadIdx.x; c < n_cols; c += blockDim.x)
		var_sum += (x[c] - m) * (x[c] - m);
	/* biased variance, as torch.nn.LayerNorm */
	float s = 1.0f / sqrtf(block_reduce(var_sum, op_sum()) / n_cols + eps);
	for (int c = threadIdx.x; c < n_cols; c += blockDim.x)
		y[c] = (x[c] - m) * s * w[c] + b[c];
	if (threadIdx.x == 0) {
		mean[blockIdx.x] = m;
		rstd[blockIdx.x] = s;
	}
}

/* dx += s * (g - mean(g) - xhat * mean(g * xhat)), g = dy * w */
static __global__ void layernorm_backward_inp_kernel(float *dinp, const float *dout, const float *inp,
					      const float *w, const float *mean, const float *rstd,
					      int n_cols)
{
	size_t row = blockIdx.x;
	const float *x = inp + row * n_cols, *dy = dout + row * n_cols;
	float *dx = dinp + row * n_cols;
	float m = mean[row], s = rstd[row];
	float g_sum = 0, gx_sum = 0;
	for (int c = threadIdx.x; c < n_cols; c += blockDim.x) {
		float g = dy[c] * w[c];
		g_sum += g;
		gx_sum += g * (x[c] - m) * s;
	}
	float g_mean = block_reduce(g_sum, op_sum()) / n_cols;
	float gx_mean = block_reduce(gx_sum, op_sum()) / n_cols;
	for (int c = threadIdx.x; c < n_cols; c += blockDim.x) {
		float xhat = (x[c] - m) * s;
		dx[c] += s * (dy[c] * w[c] - g_mean - xhat * gx_mean);
	}
}

/* dw += sum_rows dy * xhat, db += sum_rows dy: a thread per column */
static __global__ void layernorm_backward_params_kernel(float *dw, float *db, const float *dout,
						 const float *inp, const float *mean,
						 const float *rstd, int n_rows, int n_cols)
{
	int c = blockIdx.x * blockDim.x + threadIdx.x;
	if (c >= n_cols)
		return;
	float dw_sum = dw[c], db_sum = db[c];
	for (int r = 0; r < n_rows; r++) {
		float dy = dout[(size_t)r * n_cols + c];
		dw_sum += dy * (inp[(size_t)r * n_cols + c] - mean[r]) * rstd[r];
		db_sum += dy;
	}
	dw[c] = dw_sum;
	db[c] = db_sum;
}
