#include "eval/probe_basis.h"

#include <cblas.h>
#include <stdlib.h>

#include "common/err.h"

/* LAPACK's symmetric eigensolver (divide and conquer), from OpenBLAS,
 * which ships no prototype for it */
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
	     double *w, double *work, const int *lwork, int *iwork, const int *liwork, int *info);

int probe_eigenbasis(const float *x, size_t n, size_t dim, float *u, double *lambda)
{
	if (dim > PROBE_BASIS_MAX_DIM)
		return err_set("%zu features: too many for the eigenbasis", dim);
	int d = (int)dim;
	float *cov = calloc(dim * dim, sizeof(float));
	double *a = malloc(dim * dim * sizeof(double));
	int lwork = 1 + 6 * d + 2 * d * d, liwork = 3 + 5 * d, info = 0;
	double *work = malloc((size_t)lwork * sizeof(double));
	int *iwork = malloc((size_t)liwork * sizeof(int));
	int rc = 0;
	if (!cov || !a || !work || !iwork)
		rc = err_set("out of memory for a %zu x %zu covariance", dim, dim);
	if (rc == 0) {
		cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, d, (int)n, 1.0f / (float)n, x, d,
			    0.0f, cov, d);
		/* LAPACK is column-major: the upper triangle of a row-major
		 * matrix is its lower triangle */
		for (size_t i = 0; i < dim * dim; i++)
			a[i] = cov[i];
		dsyevd_("V", "L", &d, a, &d, lambda, work, &lwork, iwork, &liwork, &info);
		if (info != 0)
			rc = err_set("the eigensolver failed (info %d)", info);
	}
	/* a holds the eigenvectors as columns in column-major order, i.e. as
	 * rows of a row-major matrix: u[i][j] = a[j * dim + i] */
	for (size_t i = 0; rc == 0 && i < dim; i++)
		for (size_t j = 0; j < dim; j++)
			u[i * dim + j] = (float)a[j * dim + i];
	for (size_t j = 0; rc == 0 && j < dim; j++)
		lambda[j] = lambda[j] > 0 ? lambda[j] : 0;
	free(cov);
	free(a);
	free(work);
	free(iwork);
	return rc;
}
