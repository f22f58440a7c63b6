#include "eval/knn.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

/* test rows whose similarities to every training example are held at once */
#define CHUNK_ROWS 256

/* Copies rows [n, dim] scaled to unit length (zero rows stay zero). */
static float *normalised(const float *x, size_t n, size_t dim)
{
	float *out = malloc((n ? n : 1) * dim * sizeof(float));
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		double ss = 0;
		for (size_t j = 0; j < dim; j++)
			ss += (double)x[i * dim + j] * x[i * dim + j];
		float scale = ss > 0 ? (float)(1 / sqrt(ss)) : 0;
		for (size_t j = 0; j < dim; j++)
			out[i * dim + j] = x[i * dim + j] * scale;
	}
	return out;
}

/* Keeps the k best (similarity, index) pairs in descending order, ties
 * broken by the lower index: insertion into a short sorted list. */
static void top_k(const float *sim, const int32_t *cls, size_t n, int k, float *best_sim,
		  int32_t *best_idx, int *n_best)
{
	int have = 0;
	for (size_t i = 0; i < n; i++) {
		if (cls[i] < 0 || (have == k && sim[i] <= best_sim[k - 1]))
			continue;
		int pos = have < k ? have++ : k - 1;
		while (pos > 0 && sim[i] > best_sim[pos - 1]) {
			best_sim[pos] = best_sim[pos - 1];
			best_idx[pos] = best_idx[pos - 1];
			pos--;
		}
		best_sim[pos] = sim[i];
		best_idx[pos] = (int32_t)i;
	}
	*n_best = have;
}

int knn_votes(const float *train, const int32_t *train_cls, size_t n_train, const float *test,
	      size_t n_test, size_t dim, int k, double temperature, int n_classes, float *votes)
{
	float *tr = normalised(train, n_train, dim), *te = normalised(test, n_test, dim);
	float *sim = malloc((size_t)CHUNK_ROWS * (n_train ? n_train : 1) * sizeof(float));
	float *best_sim = malloc((size_t)k * sizeof(float));
	int32_t *best_idx = malloc((size_t)k * sizeof(int32_t));
	int rc = 0;
	if (!tr || !te || !sim || !best_sim || !best_idx)
		rc = err_set("out of memory for k-NN on %zu x %zu examples", n_test, n_train);
	memset(votes, 0, n_test * (size_t)n_classes * sizeof(float));
	for (size_t start = 0; rc == 0 && start < n_test && n_train > 0; start += CHUNK_ROWS) {
		size_t rows = n_test - start < CHUNK_ROWS ? n_test - start : CHUNK_ROWS;
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)n_train, (int)dim,
			    1.0f, te + start * dim, (int)dim, tr, (int)dim, 0.0f, sim, (int)n_train);
		for (size_t r = 0; r < rows; r++) {
			int n_best;
			top_k(sim + r * n_train, train_cls, n_train, k, best_sim, best_idx, &n_best);
			float *v = votes + (start + r) * n_classes;
			for (int j = 0; j < n_best; j++)
				v[train_cls[best_idx[j]]] += (float)exp(best_sim[j] / temperature);
		}
	}
	free(tr);
	free(te);
	free(sim);
	free(best_sim);
	free(best_idx);
	return rc;
}
