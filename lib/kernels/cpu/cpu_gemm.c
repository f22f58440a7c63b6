/* GEMMs, row-major. Threads share a GEMM by blocks of C of a fixed size,
 * each a GEMM of its own: the blocks are the same for any thread count, so
 * every element is computed by the same arithmetic and results do not
 * depend on the threads.
 *
 * A block is a oneDNN matmul where oneDNN has kernels for this CPU's
 * vector units (cpu_gemm_dnnl.c: AVX-512 for float32, AVX512_BF16 or AMX
 * for bf16), else an OpenBLAS call (kept to one thread). In bf16 precision
 * the operands are converted once per GEMM, before the blocks share them:
 * to bf16 for oneDNN; for OpenBLAS, and for the small per-head GEMMs of
 * the attention (cpu_gemm_one: a library call per head would cost more
 * than it saves), to bf16 values kept in float32: products of bf16 values
 * are exact in float32, so the float32 GEMM of the rounded operands is a
 * bf16 GEMM with float32 accumulation, bit for bit what bf16 hardware
 * would sum in the same order. */
#include <cblas.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

#include "kernels/backend.h"
#include "kernels/bf16.h"
#include "kernels/cpu/cpu.h"

/* At most this many blocks of C per GEMM, none thinner than GEMM_MIN_BLOCK
 * rows or columns: each block packs the shared operand again (8 blocks
 * cost tiny64 training 9% on one thread, 2 blocks 1%), so there are as
 * few as the cores here need. */
#define GEMM_MAX_BLOCKS 2
#define GEMM_MIN_BLOCK 64

int cpu_precision = BACKEND_FP32;

static void sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
		  int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
	cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
		    trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c,
		    ldc);
}

/* n values rounded to bf16 */
VECTOR_CLONES static void bf16_round_row(float *dst, const float *src, int n)
{
	for (int i = 0; i < n; i++)
		dst[i] = bf16_round(src[i]);
}

/* The converted operands of the thread's last GEMM, kept for its next: a
 * model's GEMMs repeat their sizes every step, and attention's heads run
 * on several threads at once, so each thread has its own. The operations
 * return nothing, so running out of memory here ends the process with one
 * line, as a failing CUDA call does (exit runs the handlers that remove
 * temporary outputs). */
static _Thread_local void *scratch;
static _Thread_local size_t scratch_cap;

static void *operand_scratch(size_t bytes)
{
	if (bytes > scratch_cap) {
		free(scratch);
		scratch = malloc(bytes);
		if (!scratch) {
			fprintf(stderr, "out of memory for the bf16 operands of a GEMM (%zu bytes)\n",
				bytes);
			exit(1);
		}
		scratch_cap = bytes;
	}
	return scratch;
}

/* A stored operand of rows x cols (leading dimension ld) rounded to bf16
 * values into dst (leading dimension cols); shared by the threads when
 * parallel (a GEMM by blocks, called outside any parallel region) */
static void bf16_round_pack(float *dst, const float *src, int rows, int cols, int ld,
			    int parallel)
{
	if (parallel && (size_t)rows * cols > CPU_PARALLEL_MIN) {
#pragma omp parallel for schedule(static) num_threads(cpu_n_threads)
		for (int r = 0; r < rows; r++)
			bf16_round_row(dst + (size_t)r * cols, src + (size_t)r * ld, cols);
		return;
	}
	/* no parallel region at all: within the attention's, even an
	 * inactive nested one costs libgomp system calls per head */
	for (int r = 0; r < rows; r++)
		bf16_round_row(dst + (size_t)r * cols, src + (size_t)r * ld, cols);
}

/* How the threads share C: blocks of `block` rows (by_rows: m >= n) or
 * columns, a function of the shape alone, never of the thread count */
typedef struct {
	int by_rows, block, n_blocks;
} gemm_split;

static gemm_split split_of(int m, int n)
{
	gemm_split s;
	/* split the longer side of C */
	s.by_rows = m >= n;
	int extent = s.by_rows ? m : n;
	s.block = ((extent + GEMM_MAX_BLOCKS - 1) / GEMM_MAX_BLOCKS + 15) / 16 * 16;
	s.block = s.block < GEMM_MIN_BLOCK ? GEMM_MIN_BLOCK : s.block;
	s.n_blocks = (extent + s.block - 1) / s.block;
	return s;
}

/* One block's GEMM: a and b are float32, or bf16 bits when bf16 */
typedef void block_gemm(int bf16, int trans_a, int trans_b, int m, int n, int k, float alpha,
			const void *a, int lda, const void *b, int ldb, float beta, float *c,
			int ldc);

static void openblas_block(int bf16, int trans_a, int trans_b, int m, int n, int k, float alpha,
			   const void *a, int lda, const void *b, int ldb, float beta, float *c,
			   int ldc)
{
	(void)bf16; /* float32 always: bf16 reaches OpenBLAS as rounded floats */
	sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

static void dnnl_block(int bf16, int trans_a, int trans_b, int m, int n, int k, float alpha,
		       const void *a, int lda, const void *b, int ldb, float beta, float *c,
		       int ldc)
{
	cpu_dnnl_gemm(bf16, m, n, k, alpha, a, lda, trans_a, b, ldb, trans_b, beta, c, ldc);
}

/* The blocks of C shared by the threads, each a GEMM of `run` on the
 * operands' rows or columns of the block (elements of `size` bytes) */
static void gemm_blocks(block_gemm *run, int bf16, int trans_a, int trans_b, int m, int n, int k,
			float alpha, const void *a, int lda, const void *b, int ldb, float beta,
			float *c, int ldc)
{
	const gemm_split sp = split_of(m, n);
	int extent = sp.by_rows ? m : n;
	size_t size = bf16 ? sizeof(uint16_t) : sizeof(float);
	const char *a_bytes = a, *b_bytes = b;
#pragma omp parallel for schedule(dynamic) num_threads(cpu_n_threads) if (sp.n_blocks > 1)
	for (int blk = 0; blk < sp.n_blocks; blk++) {
		size_t start = (size_t)blk * sp.block;
		int len = extent - (int)start < sp.block ? extent - (int)start : sp.block;
		if (sp.by_rows)
			run(bf16, trans_a, trans_b, len, n, k, alpha,
			    a_bytes + (trans_a ? start : start * lda) * size, lda, b, ldb, beta,
			    c + start * ldc, ldc);
		else
			run(bf16, trans_a, trans_b, m, len, k, alpha, a, lda,
			    b_bytes + (trans_b ? start * ldb : start) * size, ldb, beta, c + start,
			    ldc);
	}
}

/* n values to bf16 bits */
VECTOR_CLONES static void bf16_bits_row(uint16_t *dst, const float *src, int n)
{
	for (int i = 0; i < n; i++)
		dst[i] = bf16_bits(src[i]);
}

/* rows x cols floats (leading dimension ld) to bf16 bits, packed */
static void bf16_pack(uint16_t *dst, const float *src, int rows, int cols, int ld)
{
	size_t n = (size_t)rows * cols;
#pragma omp parallel for schedule(static) num_threads(cpu_n_threads) if (n > CPU_PARALLEL_MIN)
	for (int r = 0; r < rows; r++)
		bf16_bits_row(dst + (size_t)r * cols, src + (size_t)r * ld, cols);
}

/* One GEMM in the backend's precision, by blocks of C (shared by the
 * threads) or whole on the calling thread: the operands are converted
 * once, before the blocks share them. oneDNN takes the blocks where it
 * has kernels for this CPU; OpenBLAS the rest. */
static void gemm_in_precision(int blocked, int trans_a, int trans_b, int m, int n, int k,
			      float alpha, const float *a, int lda, const float *b, int ldb,
			      float beta, float *c, int ldc)
{
	if (m == 0 || n == 0)
		return;
	int bf16 = cpu_precision == BACKEND_BF16 && k > 0;
	/* op(a) is [m,k]: stored [k,m] when transposed, and b alike */
	int a_rows = trans_a ? k : m, a_cols = trans_a ? m : k;
	int b_rows = trans_b ? n : k, b_cols = trans_b ? k : n;
	if (blocked && k > 0 && cpu_dnnl_gemm_usable(bf16)) {
		if (!bf16) {
			gemm_blocks(dnnl_block, 0, trans_a, trans_b, m, n, k, alpha, a, lda, b,
				    ldb, beta, c, ldc);
			return;
		}
		/* bf16 bits as the operands are stored: oneDNN reads either
		 * orientation */
		uint16_t *a16 = operand_scratch(((size_t)m * k + (size_t)k * n) * sizeof *a16);
		uint16_t *b16 = a16 + (size_t)m * k;
		bf16_pack(a16, a, a_rows, a_cols, lda);
		bf16_pack(b16, b, b_rows, b_cols, ldb);
		gemm_blocks(dnnl_block, 1, trans_a, trans_b, m, n, k, alpha, a16, a_cols, b16,
			    b_cols, beta, c, ldc);
		return;
	}
	if (bf16) {
		float *a16 = operand_scratch(((size_t)m * k + (size_t)k * n) * sizeof *a16);
		float *b16 = a16 + (size_t)m * k;
		bf16_round_pack(a16, a, a_rows, a_cols, lda, blocked);
		bf16_round_pack(b16, b, b_rows, b_cols, ldb, blocked);
		a = a16, lda = a_cols;
		b = b16, ldb = b_cols;
	}
	if (blocked)
		gemm_blocks(openblas_block, 0, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb,
			    beta, c, ldc);
	else
		sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void cpu_gemm_one(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
		  int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
	gemm_in_precision(0, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void cpu_gemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
	      int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
	gemm_in_precision(1, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta,
			  c, ldc);
}

void cpu_gemm_strided(int trans_a, int trans_b, int m, int n, int k, float alpha,
		      const float *a, int lda, long stride_a, const float *b, int ldb,
		      long stride_b, float beta, float *c, int ldc, long stride_c, int n_batch)
{
	/* each GEMM whole, of one shape: the same arithmetic for every item,
	 * whatever the batch (an image's embedding does not depend on the
	 * images batched with it) */
	int dnnl = cpu_precision == BACKEND_FP32 && m > 0 && n > 0 && k > 0 &&
		   cpu_dnnl_gemm_usable(0);
#pragma omp parallel for schedule(static) num_threads(cpu_n_threads) if (n_batch > 1)
	for (int i = 0; i < n_batch; i++) {
		if (dnnl)
			cpu_dnnl_gemm(0, m, n, k, alpha, a + i * stride_a, lda, trans_a,
				      b + i * stride_b, ldb, trans_b, beta, c + i * stride_c, ldc);
		else
			cpu_gemm_one(trans_a, trans_b, m, n, k, alpha, a + i * stride_a, lda,
				     b + i * stride_b, ldb, beta, c + i * stride_c, ldc);
	}
}
