/* Row gathers and scatters, the bias of linear layers, scaling and the sum
 * of squares. Sums over rows run in order of the row, one thread per
 * column, as the CPU backend sums them: deterministic, with no atomics. */

static __global__ void copy_rows_kernel(float *dst, const int32_t *dst_idx, const float *src,
				 const int32_t *src_idx, int n_cols)
{
	int i = blockIdx.x;
	float *d = dst + (size_t)(dst_idx ? dst_idx[i] : i) * n_cols;
	const float *s = src + (size_t)(src_idx ? src_idx[i] : i) * n_cols;
	for (int c = threadIdx.x; c < n_cols; c += blockDim.x)
		d[c] = s[c];
}

/* dst_idx may repeat: rows add in order of i, one thread per column */
static __global__ void add_rows_kernel(float *dst, const int32_t *dst_idx, const float *src,
				const int32_t *src_idx, int n_rows, int n_cols)
{
	int c = blockIdx.x * blockDim.x + threadIdx.x;
	if (c >= n_cols)
		return;
	for (int i = 0; i < n_rows; i++)
		dst[(size_t)(dst_idx ? dst_idx[i] : i) * n_cols + c] +=
			src[(size_t)(src_idx ? src_idx[i] : i) * n_cols + c];
}

static __global__ void set_rows_kernel(float *out, const float *base, const float *row, size_t n,
				int n_cols)
{
	size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
	if (i < n)
		out[i] = (base ? base[i] : 0.0f) + row[i % n_cols];
}

static __global__ void bias_backward_kernel(float *dbias, const float *dout, int n_rows, int n_cols)
{
	int c = blockIdx.x * blockDim.x + threadIdx.x;
	if (c >= n_cols)
		return;
	float sum = dbias[c];
	for (int r = 0; r < n_rows; r++)
		sum += dout[(size_t)r * n_cols + c];
	dbias[c] = sum;
}

static __global__ void scale_kernel(float *x, float s, size_t n)
{
	size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
	if (i < n)
		x[i] *= s;
}

/* per block, a strided share of x; a fixed grid, so a fixed order */
static __global__ void sum_squares_partial_kernel(double *partial, const float *x, size_t n)
{
	double sum = 0;
	for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
	     i += (size_t)gridDim.x * blockDim.x)
		sum += (double)x[i] * x[i];
	sum = block_reduce(sum, op_sum());
	if (threadIdx.x == 0)
		partial[blockIdx.x] = sum;
}

/* one block: the partial sums into partial[0] */
static __global__ void sum_partials_kernel(double *partial, int n_partial)
{
	double sum = 0;
	for (int i = threadIdx.x; i < n_partial; i += blockDim.x)
		sum += partial[i];
	sum = block_reduce(sum, op_sum());
	if (threadIdx.x == 0)
		partial[0] = sum;
}
