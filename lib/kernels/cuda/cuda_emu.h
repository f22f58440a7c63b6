/* The emulation shim: just enough of CUDA for the backend's .cu sources to
 * compile for the host (g++, C++20) and run on the CPU, so every kernel is
 * tested here, where no GPU exists. Each launch runs the blocks one after
 * the other; the threads of a block are pthreads (a pool, kept between
 * launches) meeting at one barrier,
 * so __syncthreads is that barrier, __shared__ variables are statics (one
 * block is alive at a time), and a warp shuffle is an exchange through a
 * static buffer between two barriers (every thread of the block must make
 * the call, which the kernels do). The runtime is host memory; kernels,
 * memsets and cuBLAS calls run at once in the calling thread whatever their
 * stream, and cuBLAS GEMMs are CBLAS calls in its column-major convention,
 * so the backend's row-major-to-column-major argument swap is tested too.
 * A non-blocking stream (the backend's copy stream) is the exception: it
 * carries host-to-device copies alone, which wait in its queue until
 * something waits for them (an event recorded after them, a synchronize,
 * cudaFreeHost), the latest a GPU could run them, so a missing wait reads
 * stale data; a copy from pageable memory runs at once, as the driver's
 * staging makes it on a GPU. cuda_emu_counts.h counts what the copy path
 * did. Only what cuda_backend.cu uses is here. */
#ifndef MASKPIPE_CUDA_EMU_H
#define MASKPIPE_CUDA_EMU_H

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "kernels/cuda/cuda_emu_counts.h"
#include "kernels/bf16.h"

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static

struct emu_uint3 {
	unsigned x, y, z;
};
static __thread emu_uint3 threadIdx, blockIdx;
static emu_uint3 blockDim, gridDim;

/* the most threads a block may have, as on every GPU built for */
#define EMU_MAX_THREADS 1024

static pthread_barrier_t emu_block_barrier;
/* whether this thread met the barrier in the current block: a kernel that
 * never does (element-wise ones, where the threads of a block call
 * __syncthreads all or none) lets each thread run its blocks without
 * waiting for the others */
static __thread int emu_synced;

static inline void __syncthreads(void)
{
	emu_synced = 1;
	pthread_barrier_wait(&emu_block_barrier);
}

/* doubles hold floats exactly, so one buffer serves both */
static double emu_exchange[EMU_MAX_THREADS];

template <typename T> static inline T __shfl_xor_sync(unsigned mask, T v, int lane_mask)
{
	(void)mask;
	emu_exchange[threadIdx.x] = (double)v;
	__syncthreads();
	T other = (T)emu_exchange[threadIdx.x ^ (unsigned)lane_mask];
	__syncthreads();
	return other;
}

/* defined in the header: the shim is compiled once, into cuda_emu.o */
cuda_emu_counts cuda_emu_counted;

static void emu_unsupported(const char *what)
{
	fprintf(stderr, "cuda_emu.h: %s is not emulated\n", what);
	exit(1);
}

/* A stream: nothing of its own, unless it is a copy stream (queued), whose
 * copies wait in copies[0..n_copies); n_issued and n_done count its copies
 * ever queued and ever run, the positions events mark. */
struct emu_copy {
	void *dst;
	const void *src;
	size_t n_bytes;
};
typedef struct emu_stream {
	int queued;
	emu_copy *copies;
	size_t n_copies, cap_copies;
	unsigned long long n_issued, n_done;
} *cudaStream_t;

/* streams and events are never destroyed: a few for the process */
#define EMU_MAX_STREAMS 4
static emu_stream emu_streams[EMU_MAX_STREAMS];
static int emu_n_streams;

/* runs the copies of s up to position (a count of copies issued) */
static void emu_run_copies(emu_stream *s, unsigned long long position)
{
	size_t n = 0;
	while (s->n_done < position && n < s->n_copies) {
		memmove(s->copies[n].dst, s->copies[n].src, s->copies[n].n_bytes);
		n++;
		s->n_done++;
	}
	if (n) {
		memmove(s->copies, s->copies + n, (s->n_copies - n) * sizeof *s->copies);
		s->n_copies -= n;
	}
}

static void emu_run_all_copies(void)
{
	for (int i = 0; i < emu_n_streams; i++)
		emu_run_copies(&emu_streams[i], emu_streams[i].n_issued);
}

/* The threads of a block: a pool started on the first launch and kept
 * (starting threads per launch costs more than the kernels here); a
 * launch of n threads wakes workers 0 to n-1, which run every block. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t start, done;
	unsigned generation, n_workers, n_active, n_finished;
	void (*body)(const void *);
	const void *ctx;
} emu_pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
	      0, 0, 0, 0, NULL, NULL};

static void *emu_worker(void *p)
{
	unsigned seen = 0;
	threadIdx = {(unsigned)(uintptr_t)p, 0, 0};
	pthread_mutex_lock(&emu_pool.lock);
	for (;;) {
		while (emu_pool.generation == seen)
			pthread_cond_wait(&emu_pool.start, &emu_pool.lock);
		seen = emu_pool.generation;
		if (threadIdx.x >= emu_pool.n_active)
			continue;
		pthread_mutex_unlock(&emu_pool.lock);
		for (unsigned b = 0; b < gridDim.x; b++) {
			blockIdx = {b, 0, 0};
			emu_synced = 0;
			emu_pool.body(emu_pool.ctx);
			/* the next block reuses the statics standing for shared memory */
			if (emu_synced)
				__syncthreads();
		}
		pthread_mutex_lock(&emu_pool.lock);
		if (++emu_pool.n_finished == emu_pool.n_active)
			pthread_cond_signal(&emu_pool.done);
	}
	return NULL;
}

template <typename F> static void emu_call(const void *body)
{
	(*(const F *)body)();
}

template <typename F>
static void emu_launch(cudaStream_t stream, int n_blocks, int n_threads, F body)
{
	if (stream && stream->queued)
		emu_unsupported("a kernel on a copy stream");
	if (n_blocks < 1 || n_threads < 1 || n_threads > EMU_MAX_THREADS) {
		fprintf(stderr, "emu_launch: bad launch of %d blocks of %d threads\n", n_blocks,
			n_threads);
		exit(1);
	}
	pthread_mutex_lock(&emu_pool.lock);
	while (emu_pool.n_workers < (unsigned)n_threads) {
		pthread_t t;
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 1 << 20);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, emu_worker, (void *)(uintptr_t)emu_pool.n_workers)) {
			fprintf(stderr, "emu_launch: cannot start a thread\n");
			exit(1);
		}
		pthread_attr_destroy(&attr);
		emu_pool.n_workers++;
	}
	gridDim = {(unsigned)n_blocks, 1, 1};
	blockDim = {(unsigned)n_threads, 1, 1};
	pthread_barrier_init(&emu_block_barrier, NULL, (unsigned)n_threads);
	emu_pool.body = emu_call<F>;
	emu_pool.ctx = &body;
	emu_pool.n_active = (unsigned)n_threads;
	emu_pool.n_finished = 0;
	emu_pool.generation++;
	pthread_cond_broadcast(&emu_pool.start);
	while (emu_pool.n_finished < emu_pool.n_active)
		pthread_cond_wait(&emu_pool.done, &emu_pool.lock);
	pthread_mutex_unlock(&emu_pool.lock);
	pthread_barrier_destroy(&emu_block_barrier);
}

/* the runtime */
typedef enum { cudaSuccess = 0, cudaErrorMemoryAllocation = 2 } cudaError_t;
typedef enum {
	cudaMemcpyHostToDevice = 1,
	cudaMemcpyDeviceToHost = 2,
	cudaMemcpyDeviceToDevice = 3
} cudaMemcpyKind;
enum { cudaStreamNonBlocking = 1, cudaEventDisableTiming = 2, cudaHostAllocDefault = 0 };
typedef struct emu_event {
	emu_stream *stream;
	unsigned long long position;
} *cudaEvent_t;
#define EMU_MAX_EVENTS 8
static emu_event emu_events[EMU_MAX_EVENTS];
static int emu_n_events;

/* the memory the emulated device reports free: enough for the tests */
#define EMU_DEVICE_BYTES ((size_t)128 << 20)

static inline const char *cudaGetErrorString(cudaError_t rc)
{
	return rc == cudaSuccess ? "no error" : "out of memory";
}

static inline cudaError_t cudaGetLastError(void)
{
	return cudaSuccess;
}

static inline cudaError_t cudaGetDeviceCount(int *n)
{
	*n = 1;
	return cudaSuccess;
}

static inline cudaError_t cudaSetDevice(int device)
{
	(void)device;
	return cudaSuccess;
}

static inline cudaError_t cudaMemGetInfo(size_t *free_bytes, size_t *total_bytes)
{
	*free_bytes = *total_bytes = EMU_DEVICE_BYTES;
	return cudaSuccess;
}

static inline cudaError_t cudaMalloc(void **p, size_t n_bytes)
{
	*p = calloc(1, n_bytes);
	return *p ? cudaSuccess : cudaErrorMemoryAllocation;
}

static inline cudaError_t cudaFree(void *p)
{
	free(p);
	return cudaSuccess;
}

static inline cudaError_t cudaStreamCreateWithFlags(cudaStream_t *s, unsigned flags)
{
	if (emu_n_streams == EMU_MAX_STREAMS)
		emu_unsupported("more streams");
	*s = &emu_streams[emu_n_streams++];
	(*s)->queued = flags == cudaStreamNonBlocking;
	return cudaSuccess;
}

static inline cudaError_t cudaStreamCreate(cudaStream_t *s)
{
	return cudaStreamCreateWithFlags(s, 0);
}

static inline cudaError_t cudaStreamSynchronize(cudaStream_t s)
{
	emu_run_copies(s, s->n_issued);
	return cudaSuccess;
}

static inline cudaError_t cudaEventCreateWithFlags(cudaEvent_t *e, unsigned flags)
{
	(void)flags;
	if (emu_n_events == EMU_MAX_EVENTS)
		emu_unsupported("more events");
	*e = &emu_events[emu_n_events++];
	return cudaSuccess;
}

static inline cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t s)
{
	e->stream = s;
	e->position = s->n_issued;
	return cudaSuccess;
}

/* Work on s issued from now on comes after what e marks: the copies before
 * it run now, when s is the compute stream (whose work runs at once); a
 * copy stream waiting for the compute stream has nothing to wait for. */
static inline cudaError_t cudaStreamWaitEvent(cudaStream_t s, cudaEvent_t e, unsigned flags)
{
	(void)flags;
	if (!e->stream)
		return cudaSuccess;
	if (s->queued && e->stream->queued)
		emu_unsupported("a copy stream waiting for another");
	if (e->stream->queued) {
		emu_run_copies(e->stream, e->position);
		cuda_emu_counted.copy_waits++;
	} else if (s->queued) {
		cuda_emu_counted.compute_waits++;
	}
	return cudaSuccess;
}

/* page-locked allocations: [start, start + n_bytes) each */
static struct {
	const char *start;
	size_t n_bytes;
} *emu_pinned;
static size_t emu_n_pinned, emu_cap_pinned;

static inline cudaError_t cudaHostAlloc(void **p, size_t n_bytes, unsigned flags)
{
	(void)flags;
	if (emu_n_pinned == emu_cap_pinned) {
		size_t cap = emu_cap_pinned ? 2 * emu_cap_pinned : 16;
		void *grown = realloc(emu_pinned, cap * sizeof *emu_pinned);
		if (!grown)
			return cudaErrorMemoryAllocation;
		emu_pinned = (decltype(emu_pinned))grown;
		emu_cap_pinned = cap;
	}
	if (!(*p = malloc(n_bytes)))
		return cudaErrorMemoryAllocation;
	emu_pinned[emu_n_pinned].start = (const char *)*p;
	emu_pinned[emu_n_pinned++].n_bytes = n_bytes;
	cuda_emu_counted.host_allocs++;
	return cudaSuccess;
}

static inline cudaError_t cudaFreeHost(void *p)
{
	/* as on a GPU, freeing page-locked memory waits for the device */
	emu_run_all_copies();
	for (size_t i = 0; i < emu_n_pinned; i++)
		if (emu_pinned[i].start == p) {
			emu_pinned[i] = emu_pinned[--emu_n_pinned];
			free(p);
			return cudaSuccess;
		}
	emu_unsupported("cudaFreeHost of memory cudaHostAlloc did not give");
	return cudaSuccess;
}

static inline int emu_is_pinned(const void *p, size_t n_bytes)
{
	const char *c = (const char *)p;
	for (size_t i = 0; i < emu_n_pinned; i++)
		if (c >= emu_pinned[i].start &&
		    c + n_bytes <= emu_pinned[i].start + emu_pinned[i].n_bytes)
			return 1;
	return 0;
}

static inline cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t n_bytes,
					  cudaMemcpyKind kind, cudaStream_t s)
{
	if (!s->queued) {
		memmove(dst, src, n_bytes);
		return cudaSuccess;
	}
	if (kind != cudaMemcpyHostToDevice)
		emu_unsupported("a copy stream's copy other than host to device");
	s->n_issued++;
	if (!emu_is_pinned(src, n_bytes)) {
		cuda_emu_counted.pageable_copies++;
		emu_run_copies(s, s->n_issued - 1);
		memmove(dst, src, n_bytes);
		s->n_done++;
		return cudaSuccess;
	}
	if (s->n_copies == s->cap_copies) {
		size_t cap = s->cap_copies ? 2 * s->cap_copies : 16;
		void *grown = realloc(s->copies, cap * sizeof *s->copies);
		if (!grown)
			return cudaErrorMemoryAllocation;
		s->copies = (emu_copy *)grown;
		s->cap_copies = cap;
	}
	s->copies[s->n_copies++] = {dst, src, n_bytes};
	cuda_emu_counted.queued_copies++;
	return cudaSuccess;
}

static inline cudaError_t cudaMemsetAsync(void *p, int value, size_t n_bytes, cudaStream_t s)
{
	if (s->queued)
		emu_unsupported("a memset on a copy stream");
	memset(p, value, n_bytes);
	return cudaSuccess;
}

/* cuBLAS */
typedef enum { CUBLAS_STATUS_SUCCESS = 0, CUBLAS_STATUS_ALLOC_FAILED = 3 } cublasStatus_t;
typedef enum { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1 } cublasOperation_t;
typedef enum { CUDA_R_32F = 0, CUDA_R_16BF = 14 } cudaDataType;
typedef enum { CUBLAS_COMPUTE_32F = 68, CUBLAS_COMPUTE_32F_FAST_TF32 = 77 } cublasComputeType_t;
typedef enum { CUBLAS_GEMM_DEFAULT = -1 } cublasGemmAlgo_t;
typedef struct emu_cublas *cublasHandle_t;

static inline cublasStatus_t cublasCreate(cublasHandle_t *h)
{
	*h = NULL;
	return CUBLAS_STATUS_SUCCESS;
}

static inline cublasStatus_t cublasDestroy(cublasHandle_t h)
{
	(void)h;
	return CUBLAS_STATUS_SUCCESS;
}

static inline cublasStatus_t cublasSetStream(cublasHandle_t h, cudaStream_t s)
{
	(void)h;
	if (s->queued)
		emu_unsupported("cuBLAS on a copy stream");
	return CUBLAS_STATUS_SUCCESS;
}

static inline cublasStatus_t cublasSetWorkspace(cublasHandle_t h, void *workspace,
						size_t n_bytes)
{
	(void)h, (void)workspace, (void)n_bytes;
	return CUBLAS_STATUS_SUCCESS;
}

/* bfloat16 as cuda_bf16.h has it: the upper 16 bits of a float32 */
struct __nv_bfloat16 {
	uint16_t bits;
};

static inline __nv_bfloat16 __float2bfloat16_rn(float x)
{
	float rounded = bf16_round(x);
	uint32_t u;
	memcpy(&u, &rounded, sizeof u);
	return {(uint16_t)(u >> 16)};
}

/* One batch's stored column-major operand (rows x cols, leading dimension
 * ld) as float32: the memory itself, or for bf16 a copy widened into
 * `wide` (exact: every bf16 value is a float32). */
static inline const float *emu_gemm_operand(const void *p, cudaDataType type, long long offset,
					    int rows, int cols, int ld, float *wide)
{
	if (type == CUDA_R_32F)
		return (const float *)p + offset;
	const uint16_t *h = (const uint16_t *)p + offset;
	for (int c = 0; c < cols; c++)
		for (int r = 0; r < rows; r++) {
			uint32_t u = (uint32_t)h[(size_t)c * ld + r] << 16;
			memcpy(&wide[(size_t)c * ld + r], &u, sizeof u);
		}
	return wide;
}

/* float32 C from float32 or bf16 operands, accumulated in float32 (a
 * product of two bf16 values is exact in float32, so this is the tensor
 * cores' arithmetic up to the order of the sums); host scalars (cuBLAS's
 * default pointer mode); TF32 runs as float32 here */
static inline cublasStatus_t
cublasGemmStridedBatchedEx(cublasHandle_t h, cublasOperation_t trans_a,
			   cublasOperation_t trans_b, int m, int n, int k, const void *alpha,
			   const void *a, cudaDataType a_type, int lda, long long stride_a,
			   const void *b, cudaDataType b_type, int ldb, long long stride_b,
			   const void *beta, void *c, cudaDataType c_type, int ldc,
			   long long stride_c, int n_batch, cublasComputeType_t compute,
			   cublasGemmAlgo_t algo)
{
	(void)h, (void)c_type, (void)compute, (void)algo;
	/* the stored shapes: op(A) is m x k, op(B) k x n */
	int a_rows = trans_a == CUBLAS_OP_T ? k : m, a_cols = trans_a == CUBLAS_OP_T ? m : k;
	int b_rows = trans_b == CUBLAS_OP_T ? n : k, b_cols = trans_b == CUBLAS_OP_T ? k : n;
	float *a_wide = NULL, *b_wide = NULL;
	if (a_type != CUDA_R_32F && !(a_wide = (float *)malloc((size_t)lda * a_cols * 4 + 4)))
		return CUBLAS_STATUS_ALLOC_FAILED;
	if (b_type != CUDA_R_32F && !(b_wide = (float *)malloc((size_t)ldb * b_cols * 4 + 4))) {
		free(a_wide);
		return CUBLAS_STATUS_ALLOC_FAILED;
	}
	for (int i = 0; i < n_batch; i++)
		cblas_sgemm(CblasColMajor, trans_a == CUBLAS_OP_T ? CblasTrans : CblasNoTrans,
			    trans_b == CUBLAS_OP_T ? CblasTrans : CblasNoTrans, m, n, k,
			    *(const float *)alpha,
			    emu_gemm_operand(a, a_type, i * stride_a, a_rows, a_cols, lda, a_wide), lda,
			    emu_gemm_operand(b, b_type, i * stride_b, b_rows, b_cols, ldb, b_wide), ldb,
			    *(const float *)beta, (float *)c + i * stride_c, ldc);
	free(a_wide);
	free(b_wide);
	return CUBLAS_STATUS_SUCCESS;
}

#endif
