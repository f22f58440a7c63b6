/* GEMMs through CBLAS (OpenBLAS), row-major. */
#include <cblas.h>

#include "cpu.h"

void cpu_gemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
	      int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
	if (m == 0 || n == 0)
		return;
	cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
		    trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c,
		    ldc);
}

void cpu_gemm_strided(int trans_a, int trans_b, int m, int n, int k, float alpha,
		      const float *a, int lda, long stride_a, const float *b, int ldb,
		      long stride_b, float beta, float *c, int ldc, long stride_c, int n_batch)
{
	for (int i = 0; i < n_batch; i++)
		cpu_gemm(trans_a, trans_b, m, n, k, alpha, a + i * stride_a, lda, b + i * stride_b,
			 ldb, beta, c + i * stride_c, ldc);
}
