/* GELU, and the softmax rows of attention. */

static __global__ void gelu_forward_kernel(float *out, const float *inp, size_t n)
{
	size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
	if (i < n)
		out[i] = 0.5f * inp[i] * (1.0f + erff(inp[i] * (float)M_SQRT1_2));
}

/* d/dx x Phi(x) = Phi(x) + x phi(x) */
static __global__ void gelu_backward_kernel(float *dinp, const float *inp, const float *dout, size_t n)
{
	const float inv_sqrt_2pi = 0.3989422804014327f;
	size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
	if (i >= n)
		return;
	float x = inp[i];
	float cdf = 0.5f * (1.0f + erff(x * (float)M_SQRT1_2));
	float pdf = inv_sqrt_2pi * expf(-0.5f * x * x);
	dinp[i] = dout[i] * (cdf + x * pdf);
}

/* a block per row, in place */
static __global__ void softmax_rows_kernel(float *x, int n_cols)
{
	float *row = x + (size_t)blockIdx.x * n_cols;
	float max = -INFINITY;
	for (int c = threadIdx.x; c < n_cols; c += blockDim.x)
		max = fmaxf(max, row[c]);
	max = block_reduce(max, op_max());
	float sum = 0;
	for (int c = threadIdx.x; c < n_cols; c += blockDim.x) {
		row[c] = expf(row[c] - max);
		sum += row[c];
	}
	float inv = 1.0f / block_reduce(sum, op_sum());
	for (int c = threadIdx.x; c < n_cols; c += blockDim.x)
		row[c] *= inv;
}

/* d <- p * (d - sum_j d_j p_j), a block per row */
static __global__ void softmax_backward_rows_kernel(float *d, const float *p, int n_cols)
{
	float *dr = d + (size_t)blockIdx.x * n_cols;
	const float *pr = p + (size_t)blockIdx.x * n_cols;
	float dot = 0;
	for (int c = threadIdx.x; c < n_cols; c += blockDim.x)
		dot += dr[c] * pr[c];
	dot = block_reduce(dot, op_sum());
	for (int c = threadIdx.x; c < n_cols; c += blockDim.x)
		dr[c] = pr[c] * (dr[c] - dot);
}
