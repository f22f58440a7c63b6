/* Sums and maxima over a block, the pieces of every row kernel: a warp
 * reduces by shuffles, the warps' results meet in shared memory, and every
 * thread adds them up in the same order, so all threads get the same
 * value. blockDim.x must be a multiple of WARP_SIZE, at most 1024, and
 * every thread of the block must call (the emulation's shuffles and
 * barriers count on it). */

struct op_sum {
	template <typename T> __device__ T operator()(T a, T b) const { return a + b; }
};
struct op_max {
	__device__ float operator()(float a, float b) const { return fmaxf(a, b); }
};

template <typename T, typename Op> static __device__ T block_reduce(T v, Op op)
{
	__shared__ T per_warp[1024 / WARP_SIZE];
	for (int lane_mask = WARP_SIZE / 2; lane_mask > 0; lane_mask /= 2)
		v = op(v, __shfl_xor_sync(0xffffffffu, v, lane_mask));
	/* a previous call may still be reading per_warp */
	__syncthreads();
	if (threadIdx.x % WARP_SIZE == 0)
		per_warp[threadIdx.x / WARP_SIZE] = v;
	__syncthreads();
	T total = per_warp[0];
	for (unsigned w = 1; w < blockDim.x / WARP_SIZE; w++)
		total = op(total, per_warp[w]);
	return total;
}
