/* GEMMs through CBLAS (OpenBLAS, kept to one thread), row-major. Threads
 * share a GEMM by blocks of C of a fixed size, each a GEMM of its own: the
 * blocks are the same for any thread count, so every element is computed
 * by the same arithmetic and results do not depend on the threads.
 *
 * In bf16 precision the operands are rounded to bfloat16 values (kept in
 * float32) before an fp32 GEMM: products of bf16 values are exact in
 * float32, so this is a bf16 GEMM with float32 accumulation, bit for bit
 * what bf16 hardware would sum in the same order. Neither library here
 * has a faster one for this CPU: Debian's OpenBLAS is built without
 * sbgemm, and oneDNN 2.6 creates no bf16 matmul without AVX-512. */
#include <cblas.h>
#include <stdio.h>
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

/* A stored operand of rows x cols (leading dimension ld) rounded to bf16
 * into a packed copy (leading dimension cols), which the caller frees.
 * The operations return nothing, so running out of memory here ends the
 * process with one line, as a failing CUDA call does (exit runs the
 * handlers that remove temporary outputs). */
static float *bf16_copy(const float *src, int rows, int cols, int ld)
{
	size_t n = (size_t)rows * cols;
	float *dst = malloc((n ? n : 1) * sizeof *dst);
	if (!dst) {
		fprintf(stderr, "out of memory for the bf16 operands of a GEMM (%zu bytes)\n",
			n * sizeof *dst);
		exit(1);
	}
#pragma omp parallel for schedule(static) num_threads(cpu_n_threads) if (n > CPU_PARALLEL_MIN)
	for (int r = 0; r < rows; r++)
		bf16_round_row(dst + (size_t)r * cols, src + (size_t)r * ld, cols);
	return dst;
}

/* The blocks of C shared by the threads, in float32. */
static void sgemm_blocks(int trans_a, int trans_b, int m, int n, int k, float alpha,
			 const float *a, int lda, const float *b, int ldb, float beta, float *c,
			 int ldc)
{
	/* split the longer side of C */
	int by_rows = m >= n;
	int extent = by_rows ? m : n;
	/* a function of the shape alone, never of the thread count */
	int block = ((extent + GEMM_MAX_BLOCKS - 1) / GEMM_MAX_BLOCKS + 15) / 16 * 16;
	block = block < GEMM_MIN_BLOCK ? GEMM_MIN_BLOCK : block;
	int n_blocks = (extent + block - 1) / block;
#pragma omp parallel for schedule(dynamic) num_threads(cpu_n_threads) if (n_blocks > 1)
	for (int blk = 0; blk < n_blocks; blk++) {
		int start = blk * block;
		int len = extent - start < block ? extent - start : block;
		if (by_rows) {
			const float *a_blk = trans_a ? a + start : a + (size_t)start * lda;
			sgemm(trans_a, trans_b, len, n, k, alpha, a_blk, lda, b, ldb, beta,
			      c + (size_t)start * ldc, ldc);
		} else {
			const float *b_blk = trans_b ? b + (size_t)start * ldb : b + start;
			sgemm(trans_a, trans_b, m, len, k, alpha, a, lda, b_blk, ldb, beta,
			      c + start, ldc);
		}
	}
}

/* One GEMM in the backend's precision, by blocks of C (shared by the
 * threads) or whole on the calling thread: the operands are rounded once,
 * before the blocks share them. */
static void gemm_in_precision(int blocked, int trans_a, int trans_b, int m, int n, int k,
			      float alpha, const float *a, int lda, const float *b, int ldb,
			      float beta, float *c, int ldc)
{
	if (m == 0 || n == 0)
		return;
	float *a16 = NULL, *b16 = NULL;
	if (cpu_precision == BACKEND_BF16 && k > 0) {
		/* op(a) is [m,k]: stored [k,m] when transposed, and b alike */
		a16 = bf16_copy(a, trans_a ? k : m, trans_a ? m : k, lda);
		b16 = bf16_copy(b, trans_b ? n : k, trans_b ? k : n, ldb);
		a = a16, lda = trans_a ? m : k;
		b = b16, ldb = trans_b ? k : n;
	}
	if (blocked)
		sgemm_blocks(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
	else
		sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
	free(a16);
	free(b16);
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
#pragma omp parallel for schedule(static) num_threads(cpu_n_threads) if (n_batch > 1)
	for (int i = 0; i < n_batch; i++)
		cpu_gemm_one(trans_a, trans_b, m, n, k, alpha, a + i * stride_a, lda,
			     b + i * stride_b, ldb, beta, c + i * stride_c, ldc);
}
