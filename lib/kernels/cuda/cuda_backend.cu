/* The CUDA backend: cuBLAS for the GEMMs, the kernels of the *.cuh files
 * for the rest, all on one compute stream, in memory from one device arena
 * allocated on first use (arena.h); a second stream for the uploads that
 * overlap the computing (upload_async). One translation unit, compiled twice:
 * by nvcc into the real backend (backend_cuda), and by g++ with CUDA_EMU
 * into the emulation the tests run on the CPU (backend_cuda_emu). */
#include <math.h>
#include <string.h>

#include "kernels/cuda/cuda_compat.h"

extern "C" {
#include "kernels/cuda/arena.h"
#include "kernels/backend.h"
#include "common/err.h"
}

#include "kernels/cuda/reduce.cuh"

#include "kernels/cuda/activations.cuh"
#include "kernels/cuda/bf16.cuh"
#include "kernels/cuda/adamw.cuh"
#include "kernels/cuda/layernorm.cuh"
#include "kernels/cuda/loss.cuh"
#include "kernels/cuda/rows.cuh"

#ifdef CUDA_EMU
#define BACKEND_GETTER backend_cuda_emu
#define BACKEND_NAME "cuda-emu"
#else
#define BACKEND_GETTER backend_cuda
#define BACKEND_NAME "cuda"
#endif

/* threads per block: element-wise kernels, and the row kernels whose block
 * reduces one row (rows here are 8 to 1024 wide: two warps each take a
 * few values of a row, as llm.c's row kernels do) */
#define THREADS 256
#define ROW_THREADS 64
/* the most blocks of the sum of squares' first pass */
#define SUM_BLOCKS 64
/* cuBLAS's workspace, from the arena so that cuBLAS allocates nothing of
 * its own during a run (32 MiB: its guide's figure for Hopper, more than
 * the 4 MiB the older GPUs want) */
#define CUBLAS_WORKSPACE_BYTES ((size_t)32 << 20)

static struct {
	cudaStream_t stream;
	/* upload_async's stream; uploads_done is recorded on it at each
	 * upload_fence, compute_mark on the compute stream before each group
	 * of copies; group_open: a group has begun and is not fenced yet */
	cudaStream_t copy_stream;
	cudaEvent_t uploads_done, compute_mark;
	int group_open;
	cublasHandle_t blas;
	cublasComputeType_t compute;
	int precision;
	/* the packed bf16 operands of one GEMM, grown to the largest yet */
	__nv_bfloat16 *bf16;
	size_t bf16_bytes;
	char *base;
	arena mem;
	double *sum_partial;
} dev;

static int blocks_for(size_t n, int threads)
{
	return (int)((n + threads - 1) / threads);
}

static void cuda_set_threads(int n_threads)
{
	(void)n_threads;
}

static void cuda_set_precision(int precision)
{
	dev.precision = precision;
}

static void *cuda_alloc(size_t n_bytes)
{
	long long offset = arena_take(&dev.mem, n_bytes);
	if (offset < 0)
		return NULL;
	void *p = dev.base + offset;
	CUDA_CHECK(cudaMemsetAsync(p, 0, n_bytes, dev.stream));
	return p;
}

static void cuda_free(void *p)
{
	if (p)
		arena_give(&dev.mem, (size_t)((char *)p - dev.base));
}

static void cuda_upload(void *dst, const void *host_src, size_t n_bytes)
{
	if (!n_bytes)
		return;
	CUDA_CHECK(cudaMemcpyAsync(dst, host_src, n_bytes, cudaMemcpyHostToDevice, dev.stream));
	/* the caller may reuse host_src at once */
	CUDA_CHECK(cudaStreamSynchronize(dev.stream));
}

static void cuda_download(void *host_dst, const void *src, size_t n_bytes)
{
	if (!n_bytes)
		return;
	CUDA_CHECK(cudaMemcpyAsync(host_dst, src, n_bytes, cudaMemcpyDeviceToHost, dev.stream));
	CUDA_CHECK(cudaStreamSynchronize(dev.stream));
}

static void *cuda_host_alloc(size_t n_bytes)
{
	void *p = NULL;
	cudaError_t rc = cudaHostAlloc(&p, n_bytes ? n_bytes : 1, cudaHostAllocDefault);
	if (rc != cudaSuccess) {
		err_set("cannot allocate %zu bytes of page-locked host memory: %s", n_bytes,
			cudaGetErrorString(rc));
		return NULL;
	}
	return p;
}

static void cuda_host_free(void *p)
{
	if (!p)
		return;
	/* a copy from p may still be queued */
	CUDA_CHECK(cudaStreamSynchronize(dev.copy_stream));
	CUDA_CHECK(cudaFreeHost(p));
}

static void cuda_upload_async(void *dst, const void *host_src, size_t n_bytes)
{
	if (!n_bytes)
		return;
	if (!dev.group_open) {
		/* the group may overwrite memory that kernels issued before still
		 * read (the previous batch's inputs): it waits for them */
		CUDA_CHECK(cudaEventRecord(dev.compute_mark, dev.stream));
		CUDA_CHECK(cudaStreamWaitEvent(dev.copy_stream, dev.compute_mark, 0));
		dev.group_open = 1;
	}
	CUDA_CHECK(cudaMemcpyAsync(dst, host_src, n_bytes, cudaMemcpyHostToDevice,
				   dev.copy_stream));
}

static void cuda_upload_fence(void)
{
	CUDA_CHECK(cudaEventRecord(dev.uploads_done, dev.copy_stream));
	dev.group_open = 0;
}

/* on the device: the host goes on issuing work */
static void cuda_wait_uploads(void)
{
	CUDA_CHECK(cudaStreamWaitEvent(dev.stream, dev.uploads_done, 0));
}

static void cuda_zero(void *p, size_t n_bytes)
{
	if (n_bytes)
		CUDA_CHECK(cudaMemsetAsync(p, 0, n_bytes, dev.stream));
}

static void cuda_copy(void *dst, const void *src, size_t n_bytes)
{
	if (n_bytes)
		CUDA_CHECK(cudaMemcpyAsync(dst, src, n_bytes, cudaMemcpyDeviceToDevice, dev.stream));
}

/* Room for n bf16 values in the scratch. The old range goes back to the
 * arena at once: the stream runs in order, so whatever reuses it runs
 * after the GEMMs that read it. No room ends the process as a failing
 * CUDA call does (the operations return nothing). */
static __nv_bfloat16 *bf16_scratch(size_t n)
{
	size_t n_bytes = n * sizeof(__nv_bfloat16);
	if (n_bytes > dev.bf16_bytes) {
		cuda_free(dev.bf16);
		dev.bf16 = NULL, dev.bf16_bytes = 0;
		long long offset = arena_take(&dev.mem, n_bytes);
		if (offset < 0) {
			fprintf(stderr, "the bf16 operands of a GEMM: %s\n", err_msg());
			exit(1);
		}
		dev.bf16 = (__nv_bfloat16 *)(dev.base + offset);
		dev.bf16_bytes = n_bytes;
	}
	return dev.bf16;
}

/* n_batch stored matrices (rows x cols) packed as bf16 at dst; their
 * stride in the packed copy (0 for one matrix shared by the batch). */
static long long bf16_pack(__nv_bfloat16 *dst, const float *src, int rows, int cols, int ld,
			   long long stride, int n_batch)
{
	size_t n = (size_t)rows * cols * (stride ? n_batch : 1);
	if (n)
		LAUNCH(bf16_pack_kernel, blocks_for(n, THREADS), THREADS, dev.stream, dst, src,
		       rows, cols, ld, stride, n);
	return stride ? (long long)rows * cols : 0;
}

/* Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: cuBLAS
 * gets the operands swapped, and m and n with them. In bf16 the operands
 * are packed as bf16 first and the products accumulate in float32
 * (tensor cores on sm_80 and later). */
static void cuda_gemm_strided(int trans_a, int trans_b, int m, int n, int k, float alpha,
			      const float *a, int lda, long stride_a, const float *b, int ldb,
			      long stride_b, float beta, float *c, int ldc, long stride_c,
			      int n_batch)
{
	if (m == 0 || n == 0 || n_batch == 0)
		return;
	const void *a_op = a, *b_op = b;
	cudaDataType type = CUDA_R_32F;
	cublasComputeType_t compute = dev.compute;
	long long a_stride = stride_a, b_stride = stride_b;
	if (dev.precision == BACKEND_BF16) {
		/* op(a) is [m,k]: stored [k,m] when transposed, and b alike */
		int a_rows = trans_a ? k : m, a_cols = trans_a ? m : k;
		int b_rows = trans_b ? n : k, b_cols = trans_b ? k : n;
		size_t a_n = (size_t)a_rows * a_cols * (stride_a ? n_batch : 1);
		size_t b_n = (size_t)b_rows * b_cols * (stride_b ? n_batch : 1);
		/* b's copy after a's, on cuBLAS's 256-byte alignment */
		size_t b_at = (a_n + 127) / 128 * 128;
		__nv_bfloat16 *scratch = bf16_scratch(b_at + b_n);
		a_stride = bf16_pack(scratch, a, a_rows, a_cols, lda, stride_a, n_batch);
		b_stride = bf16_pack(scratch + b_at, b, b_rows, b_cols, ldb, stride_b, n_batch);
		a_op = scratch, lda = a_cols;
		b_op = scratch + b_at, ldb = b_cols;
		type = CUDA_R_16BF;
		compute = CUBLAS_COMPUTE_32F;
	}
	CUBLAS_CHECK(cublasGemmStridedBatchedEx(
		dev.blas, trans_b ? CUBLAS_OP_T : CUBLAS_OP_N, trans_a ? CUBLAS_OP_T : CUBLAS_OP_N,
		n, m, k, &alpha, b_op, type, ldb, b_stride, a_op, type, lda, a_stride, &beta, c,
		CUDA_R_32F, ldc, stride_c, n_batch, compute, CUBLAS_GEMM_DEFAULT));
}

static void cuda_gemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
		      int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
	cuda_gemm_strided(trans_a, trans_b, m, n, k, alpha, a, lda, 0, b, ldb, 0, beta, c, ldc, 0,
			  1);
}

static void cuda_copy_rows(float *dst, const int32_t *dst_idx, const float *src,
			   const int32_t *src_idx, int n_rows, int n_cols, int accumulate)
{
	if (n_rows == 0 || n_cols == 0)
		return;
	if (accumulate)
		LAUNCH(add_rows_kernel, blocks_for(n_cols, ROW_THREADS), ROW_THREADS, dev.stream,
		       dst, dst_idx, src, src_idx, n_rows, n_cols);
	else
		LAUNCH(copy_rows_kernel, n_rows, ROW_THREADS, dev.stream, dst, dst_idx, src,
		       src_idx, n_cols);
}

static void cuda_set_rows(float *out, const float *base, const float *row, int n_rows,
			  int n_cols)
{
	size_t n = (size_t)n_rows * n_cols;
	if (n)
		LAUNCH(set_rows_kernel, blocks_for(n, THREADS), THREADS, dev.stream, out, base, row,
		       n, n_cols);
}

static void cuda_bias_backward(float *dbias, const float *dout, int n_rows, int n_cols)
{
	if (n_cols)
		LAUNCH(bias_backward_kernel, blocks_for(n_cols, ROW_THREADS), ROW_THREADS,
		       dev.stream, dbias, dout, n_rows, n_cols);
}

static void cuda_layernorm_forward(float *out, float *mean, float *rstd, const float *inp,
				   const float *w, const float *b, int n_rows, int n_cols,
				   float eps)
{
	if (n_rows)
		LAUNCH(layernorm_forward_kernel, n_rows, ROW_THREADS, dev.stream, out, mean, rstd,
		       inp, w, b, n_cols, eps);
}

static void cuda_layernorm_backward(float *dinp, float *dw, float *db, const float *dout,
				    const float *inp, const float *w, const float *mean,
				    const float *rstd, int n_rows, int n_cols)
{
	if (n_rows == 0)
		return;
	LAUNCH(layernorm_backward_inp_kernel, n_rows, ROW_THREADS, dev.stream, dinp, dout, inp, w,
	       mean, rstd, n_cols);
	LAUNCH(layernorm_backward_params_kernel, blocks_for(n_cols, ROW_THREADS), ROW_THREADS,
	       dev.stream, dw, db, dout, inp, mean, rstd, n_rows, n_cols);
}

static void cuda_gelu_forward(float *out, const float *inp, size_t n)
{
	if (n)
		LAUNCH(gelu_forward_kernel, blocks_for(n, THREADS), THREADS, dev.stream, out, inp,
		       n);
}

static void cuda_gelu_backward(float *dinp, const float *inp, const float *dout, size_t n)
{
	if (n)
		LAUNCH(gelu_backward_kernel, blocks_for(n, THREADS), THREADS, dev.stream, dinp,
		       inp, dout, n);
}

/* Per sequence, its heads as one batch of GEMMs: head h's q, k and v start
 * h*hd columns into the qkv rows, its probabilities h*len*len into att. */
static void cuda_attention_forward(float *out, float *att, const float *qkv, const int *offsets,
				   const size_t *att_offsets, int n_seqs, int dim, int heads)
{
	int hd = dim / heads, ld = 3 * dim;
	float scale = 1.0f / sqrtf((float)hd);
	for (int s = 0; s < n_seqs; s++) {
		int t0 = offsets[s], len = offsets[s + 1] - t0;
		if (len == 0)
			continue;
		long sq = (long)len * len;
		const float *q = qkv + (size_t)t0 * ld, *k = q + dim, *v = q + 2 * dim;
		float *p = att + att_offsets[s];
		cuda_gemm_strided(0, 1, len, len, hd, scale, q, ld, hd, k, ld, hd, 0.0f, p, len, sq,
				  heads);
		LAUNCH(softmax_rows_kernel, heads * len, ROW_THREADS, dev.stream, p, len);
		cuda_gemm_strided(0, 0, len, hd, len, 1.0f, p, len, sq, v, ld, hd, 0.0f,
				  out + (size_t)t0 * dim, dim, hd, heads);
	}
}

static void cuda_attention_backward(float *dqkv, float *datt, const float *dout,
				    const float *att, const float *qkv, const int *offsets,
				    const size_t *att_offsets, int n_seqs, int dim, int heads)
{
	int hd = dim / heads, ld = 3 * dim;
	float scale = 1.0f / sqrtf((float)hd);
	for (int s = 0; s < n_seqs; s++) {
		int t0 = offsets[s], len = offsets[s + 1] - t0;
		if (len == 0)
			continue;
		long sq = (long)len * len;
		size_t col = (size_t)t0 * ld;
		const float *q = qkv + col, *k = q + dim, *v = q + 2 * dim;
		float *dq = dqkv + col, *dk = dq + dim, *dv = dq + 2 * dim;
		const float *dy = dout + (size_t)t0 * dim;
		const float *p = att + att_offsets[s];
		float *dp = datt + att_offsets[s];
		/* dP = dY V^T, dV = P^T dY */
		cuda_gemm_strided(0, 1, len, len, hd, 1.0f, dy, dim, hd, v, ld, hd, 0.0f, dp, len, sq,
				  heads);
		cuda_gemm_strided(1, 0, len, hd, len, 1.0f, p, len, sq, dy, dim, hd, 0.0f, dv, ld, hd,
				  heads);
		/* dS from dP through the softmax; S = scale q k^T */
		LAUNCH(softmax_backward_rows_kernel, heads * len, ROW_THREADS, dev.stream, dp, p,
		       len);
		cuda_gemm_strided(0, 0, len, hd, len, scale, dp, len, sq, k, ld, hd, 0.0f, dq, ld, hd,
				  heads);
		cuda_gemm_strided(1, 0, len, hd, len, scale, dp, len, sq, q, ld, hd, 0.0f, dk, ld, hd,
				  heads);
	}
}

static void cuda_normalize_rows(float *x, int n_rows, int n_cols, float eps)
{
	if (n_rows)
		LAUNCH(normalize_rows_kernel, n_rows, ROW_THREADS, dev.stream, x, n_cols, eps);
}

static void cuda_mse_rows(float *row_loss, float *dpred, const float *pred, const float *target,
			  float weight, int n_rows, int n_cols)
{
	if (n_rows)
		LAUNCH(mse_rows_kernel, n_rows, ROW_THREADS, dev.stream, row_loss, dpred, pred,
		       target, weight, n_cols);
}

static void cuda_adamw(float *param, const float *grad, float *m, float *v, size_t n, float lr,
		       float beta1, float beta2, float eps, float weight_decay, long step)
{
	/* the bias corrections in double, as torch computes them in Python */
	float step_size = lr / (float)(1.0 - pow(beta1, (double)step));
	float bias2_sqrt = (float)sqrt(1.0 - pow(beta2, (double)step));
	if (n)
		LAUNCH(adamw_kernel, blocks_for(n, THREADS), THREADS, dev.stream, param, grad, m, v,
		       n, lr, beta1, beta2, eps, weight_decay, step_size, bias2_sqrt);
}

static double cuda_sum_squares(const float *x, size_t n)
{
	double sum = 0;
	if (n == 0)
		return sum;
	/* a grid that depends on n alone: the same order of sums every time */
	int n_blocks = blocks_for(n, THREADS) < SUM_BLOCKS ? blocks_for(n, THREADS) : SUM_BLOCKS;
	LAUNCH(sum_squares_partial_kernel, n_blocks, THREADS, dev.stream, dev.sum_partial, x, n);
	LAUNCH(sum_partials_kernel, 1, WARP_SIZE, dev.stream, dev.sum_partial, n_blocks);
	cuda_download(&sum, dev.sum_partial, sizeof sum);
	return sum;
}

static void cuda_scale(float *x, float s, size_t n)
{
	if (n)
		LAUNCH(scale_kernel, blocks_for(n, THREADS), THREADS, dev.stream, x, s, n);
}

static const backend cuda_backend = {
	.name = BACKEND_NAME,
	.set_threads = cuda_set_threads,
	.set_precision = cuda_set_precision,
	.alloc = cuda_alloc,
	.free = cuda_free,
	.upload = cuda_upload,
	.download = cuda_download,
	.zero = cuda_zero,
	.copy = cuda_copy,
	.gemm = cuda_gemm,
	.gemm_strided = cuda_gemm_strided,
	.copy_rows = cuda_copy_rows,
	.set_rows = cuda_set_rows,
	.bias_backward = cuda_bias_backward,
	.layernorm_forward = cuda_layernorm_forward,
	.layernorm_backward = cuda_layernorm_backward,
	.gelu_forward = cuda_gelu_forward,
	.gelu_backward = cuda_gelu_backward,
	.attention_forward = cuda_attention_forward,
	.attention_backward = cuda_attention_backward,
	.normalize_rows = cuda_normalize_rows,
	.mse_rows = cuda_mse_rows,
	.adamw = cuda_adamw,
	.sum_squares = cuda_sum_squares,
	.scale = cuda_scale,
	.host_alloc = cuda_host_alloc,
	.host_free = cuda_host_free,
	.upload_async = cuda_upload_async,
	.upload_fence = cuda_upload_fence,
	.wait_uploads = cuda_wait_uploads,
};

/* The arena takes MASKPIPE_CUDA_MEM_MB, or 90% of what the device has
 * free (the rest for cuBLAS's workspace and the runtime). */
static size_t arena_bytes(void)
{
	const char *env = getenv("MASKPIPE_CUDA_MEM_MB");
	if (env && atol(env) > 0)
		return (size_t)atol(env) << 20;
	size_t free_bytes, total_bytes;
	CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
	return free_bytes / 10 * 9;
}

/* Device 0: streams, cuBLAS and the arena; -1 with the reason on failure. */
static int device_init(void)
{
	int n_devices = 0;
	cudaError_t rc = cudaGetDeviceCount(&n_devices);
	if (rc != cudaSuccess || n_devices == 0)
		return err_set("no CUDA device: %s",
			       rc != cudaSuccess ? cudaGetErrorString(rc) : "none found");
	CUDA_CHECK(cudaSetDevice(0));
	CUDA_CHECK(cudaStreamCreate(&dev.stream));
	/* non-blocking: no implicit order with the legacy default stream, so
	 * nothing but the events orders its copies */
	CUDA_CHECK(cudaStreamCreateWithFlags(&dev.copy_stream, cudaStreamNonBlocking));
	CUDA_CHECK(cudaEventCreateWithFlags(&dev.uploads_done, cudaEventDisableTiming));
	CUDA_CHECK(cudaEventCreateWithFlags(&dev.compute_mark, cudaEventDisableTiming));
	CUBLAS_CHECK(cublasCreate(&dev.blas));
	CUBLAS_CHECK(cublasSetStream(dev.blas, dev.stream));
	/* TF32 rounds the GEMMs' inputs to 10 mantissa bits: only when asked */
	const char *tf32 = getenv("MASKPIPE_CUDA_TF32");
	dev.compute = tf32 && strcmp(tf32, "1") == 0 ? CUBLAS_COMPUTE_32F_FAST_TF32
						     : CUBLAS_COMPUTE_32F;
	size_t bytes = arena_bytes();
	void *base = NULL;
	if ((rc = cudaMalloc(&base, bytes)) != cudaSuccess)
		return err_set("cannot allocate the device arena of %zu MiB: %s", bytes >> 20,
			       cudaGetErrorString(rc));
	dev.base = (char *)base;
	void *workspace;
	if (arena_init(&dev.mem, bytes) < 0 ||
	    !(dev.sum_partial = (double *)cuda_alloc(SUM_BLOCKS * sizeof(double))) ||
	    !(workspace = cuda_alloc(CUBLAS_WORKSPACE_BYTES)))
		return -1;
	CUBLAS_CHECK(cublasSetWorkspace(dev.blas, workspace, CUBLAS_WORKSPACE_BYTES));
	return 0;
}

/* The backend on first use; NULL with the reason when there is no usable
 * device (no driver, or no GPU), the same reason on every call. */
extern "C" const backend *BACKEND_GETTER(void)
{
	static int state; /* 0 not tried, 1 ready, -1 unusable */
	static char reason[256];
	if (state == 0) {
		state = device_init() == 0 ? 1 : -1;
		if (state < 0)
			snprintf(reason, sizeof reason, "%s", err_msg());
	}
	if (state < 0) {
		err_set("%s", reason);
		return NULL;
	}
	return &cuda_backend;
}
