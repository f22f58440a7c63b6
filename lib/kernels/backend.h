/* The compute backend: the one narrow interface through which the MAE model
 * allocates memory and runs every operation on it (after ggml-backend), so
 * the model never knows whether a CPU or a GPU does the work. The CPU
 * backend (kernels/cpu) is the reference; a CUDA backend implements the same
 * table with cuBLAS and its own kernels.
 *
 * Conventions: matrices are row-major float32 in backend memory (pointers
 * from alloc); sizes are in elements unless named *_bytes; index arrays are
 * int32 in backend memory. Every operation's result is independent of the
 * thread count: work is split between threads only where each output
 * element keeps its own arithmetic order. */
#ifndef MASKPIPE_BACKEND_H
#define MASKPIPE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

enum { BACKEND_FP32, BACKEND_BF16 };

typedef struct backend {
	const char *name;

	/* Threads the operations may use (1 or more). */
	void (*set_threads)(int n_threads);
	/* The precision of every later matrix product (gemm, gemm_strided and
	 * the products inside attention): BACKEND_FP32, or BACKEND_BF16 as
	 * torch.autocast means it, operands rounded to bfloat16 (to nearest,
	 * ties to even), products accumulated in float32. Every other
	 * operation, and all memory, stays float32. */
	void (*set_precision)(int precision);

	/* Zero-filled memory, or NULL with a message (err.h). */
	void *(*alloc)(size_t n_bytes);
	void (*free)(void *p);
	void (*upload)(void *dst, const void *host_src, size_t n_bytes);
	void (*download)(void *host_dst, const void *src, size_t n_bytes);
	void (*zero)(void *p, size_t n_bytes);
	/* a copy within backend memory */
	void (*copy)(void *dst, const void *src, size_t n_bytes);

	/* c[m,n] = alpha * op(a) @ op(b) + beta * c, op(x) = x or x^T as
	 * trans_* says; op(a) is [m,k] and op(b) [k,n]. */
	void (*gemm)(int trans_a, int trans_b, int m, int n, int k, float alpha,
		     const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
	/* n_batch gemms, the i-th on a + i*stride_a, b + i*stride_b, c + i*stride_c
	 * (cublasSgemmStridedBatched on a GPU), for batches of equal shapes. */
	void (*gemm_strided)(int trans_a, int trans_b, int m, int n, int k, float alpha,
			     const float *a, int lda, long stride_a, const float *b, int ldb,
			     long stride_b, float beta, float *c, int ldc, long stride_c, int n_batch);

	/* Row copies of [.., n_cols] matrices, the gathers and scatters of
	 * visible patches: dst[dst_idx[i]] (+)= src[src_idx[i]] for i <
	 * n_rows, a NULL index meaning i itself. With accumulate set, dst_idx
	 * may repeat (a parameter's gradient summed over tokens); rows are then
	 * added in order of i. */
	void (*copy_rows)(float *dst, const int32_t *dst_idx, const float *src,
			  const int32_t *src_idx, int n_rows, int n_cols, int accumulate);
	/* out[r,:] = base[r,:] + row for every row, base NULL meaning zeros (a
	 * linear layer's bias and residual input, before the GEMM adds the
	 * product) */
	void (*set_rows)(float *out, const float *base, const float *row, int n_rows, int n_cols);
	/* dbias += sum over rows of dout[r,:] (rows in order) */
	void (*bias_backward)(float *dbias, const float *dout, int n_rows, int n_cols);

	/* out = (inp - mean) * rstd * w + b per row; mean and rstd [n_rows]
	 * are kept for the backward pass. */
	void (*layernorm_forward)(float *out, float *mean, float *rstd, const float *inp,
				  const float *w, const float *b, int n_rows, int n_cols, float eps);
	/* dinp += d/dinp, dw += d/dw, db += d/db of the layer norm. */
	void (*layernorm_backward)(float *dinp, float *dw, float *db, const float *dout,
				   const float *inp, const float *w, const float *mean,
				   const float *rstd, int n_rows, int n_cols);

	/* Exact GELU, x * Phi(x) (erf form, as torch.nn.GELU()). */
	void (*gelu_forward)(float *out, const float *inp, size_t n);
	/* dinp = dout * GELU'(inp) (overwrites). */
	void (*gelu_backward)(float *dinp, const float *inp, const float *dout, size_t n);

	/* Multi-head self-attention (timm's Attention after the qkv layer) over
	 * packed sequences: sequence s holds tokens [offsets[s], offsets[s+1])
	 * (host arrays, n_seqs + 1 long). q, k and v sit side by side in qkv
	 * [T, 3C], each head's hd = C/heads columns after the other's; per
	 * head out = softmax(q k^T / sqrt(hd)) v, into out [T, C]. att keeps
	 * sequence s's probabilities [heads, len, len] from att_offsets[s]. */
	void (*attention_forward)(float *out, float *att, const float *qkv, const int *offsets,
				  const size_t *att_offsets, int n_seqs, int dim, int heads);
	/* dqkv [T, 3C] (overwritten) from dout [T, C]; datt: scratch the size
	 * of att. */
	void (*attention_backward)(float *dqkv, float *datt, const float *dout, const float *att,
				   const float *qkv, const int *offsets, const size_t *att_offsets,
				   int n_seqs, int dim, int heads);

	/* Per row: x <- (x - mean) / sqrt(var + eps), var unbiased (the
	 * norm_pix_loss target of models_mae.py). */
	void (*normalize_rows)(float *x, int n_rows, int n_cols, float eps);
	/* Per row r: row_loss[r] = mean_c (pred - target)^2 and
	 * dpred = weight * d row_loss / d pred. */
	void (*mse_rows)(float *row_loss, float *dpred, const float *pred, const float *target,
			 float weight, int n_rows, int n_cols);

	/* One AdamW step (Loshchilov & Hutter 2019, as torch.optim.AdamW) on n
	 * parameters; step counts from 1. */
	void (*adamw)(float *param, const float *grad, float *m, float *v, size_t n, float lr,
		      float beta1, float beta2, float eps, float weight_decay, long step);
	/* sum of squares of x, in double, in a fixed order (gradient clipping) */
	double (*sum_squares)(const float *x, size_t n);
	/* x *= s */
	void (*scale)(float *x, float s, size_t n);

	/* Host memory for upload_async: page-locked on a GPU (cudaHostAlloc),
	 * without which no copy is asynchronous (from pageable memory the
	 * driver stages the bytes and returns when they are copied); malloc's
	 * on the CPU. NULL with a message. */
	void *(*host_alloc)(size_t n_bytes);
	void (*host_free)(void *p);
	/* Uploads that overlap the computing: the next batch copied in while
	 * the current one computes, on a queue of their own (CUDA: a second
	 * stream). upload_async queues a copy from host_alloc memory and
	 * returns. The copies up to an upload_fence form a group that starts
	 * after every operation issued before its first copy (they may
	 * overwrite memory those operations still read); wait_uploads makes
	 * every operation issued after it wait for the groups fenced so far.
	 * host_src must stay unchanged until a call that returns results to
	 * the host (download, sum_squares) issued after that wait_uploads has
	 * returned. The CPU backend copies at once and its fences do nothing:
	 * its operations run in the calling thread one after the other, so
	 * there is nothing for a copy to overlap, and a batch's bytes are a
	 * fraction of a percent of its step's work. */
	void (*upload_async)(void *dst, const void *host_src, size_t n_bytes);
	void (*upload_fence)(void);
	void (*wait_uploads)(void);
} backend;

#ifdef __cplusplus
extern "C" {
#endif

/* The CPU backend: OpenBLAS for the GEMMs, C loops for the rest. */
const backend *backend_cpu(void);

/* The CUDA backend (kernels/cuda: cuBLAS and CUDA C kernels) on device 0,
 * set up on the first call: a compute stream and a copy stream
 * (upload_async), one arena of device memory (90% of what is free, or
 * MASKPIPE_CUDA_MEM_MB), float32 GEMMs (TF32 with MASKPIPE_CUDA_TF32=1).
 * NULL with a message when the build has no CUDA or the machine no usable
 * device. */
const backend *backend_cuda(void);

/* Whether device is a name backend_for_device takes: cpu, cuda, or auto
 * (CUDA when a device is usable, else the CPU). */
int backend_device_known(const char *device);
/* The backend of a --device name; NULL with a message. */
const backend *backend_for_device(const char *device);

#ifdef __cplusplus
}
#endif

#endif
