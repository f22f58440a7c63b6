/* GEMMs through CBLAS (OpenBLAS, kept to one thread), row-major. Threads
 * share a GEMM by blocks of C of a fixed size, each a GEMM of its own: the
 * blocks are the same for any thread count, so every element is computed
 * by the same arithmetic and results do not depend on the threads. */
#include <cblas.h>

#include "kernels/cpu/cpu.h"

/* At most this many blocks of C per GEMM, none thinner than GEMM_MIN_BLOCK
 * rows or columns: each block packs the shared operand again (8 blocks
 * cost tiny64 training 9% on one thread, 2 blocks 1%), so there are as
 * few as the cores here need. */
#define GEMM_MAX_BLOCKS 2
#define GEMM_MIN_BLOCK 64

void cpu_gemm_one(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
		  int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
	if (m == 0 || n == 0)
		return;
	cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
		    trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c,
		    ldc);
}

void cpu_gemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
	      int lda, const float *b, int ldb, float beta, float *c, int ldc)
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
			cpu_gemm_one(trans_a, trans_b, len, n, k, alpha, a_blk, lda, b, ldb, beta,
				     c + (size_t)start * ldc, ldc);
		} else {
			const float *b_blk = trans_b ? b + (size_t)start * ldb : b + start;
			cpu_gemm_one(trans_a, trans_b, m, len, k, alpha, a, lda, b_blk, ldb, beta,
				     c + start, ldc);
		}
	}
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
