/* The operands of bf16 GEMMs: n_batch stored row-major matrices (rows x
 * cols, leading dimension ld, stride apart) rounded to bfloat16 (to
 * nearest, ties to even) into packed copies (leading dimension cols,
 * rows * cols apart), the input cuBLAS's bf16 GEMMs read. */
static __global__ void bf16_pack_kernel(__nv_bfloat16 *dst, const float *src, int rows, int cols,
				 int ld, long long stride, size_t n)
{
	size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
	if (i >= n)
		return;
	size_t per = (size_t)rows * cols;
	size_t batch = i / per, r = i % per / cols, c = i % cols;
	dst[i] = __float2bfloat16_rn(src[batch * stride + r * ld + c]);
}
