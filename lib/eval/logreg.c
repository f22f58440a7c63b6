#include "eval/logreg.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "eval/lbfgs.h"
#include "eval/softmax_ce.h"

int logreg_init(logreg *m, size_t dim, int n_classes)
{
	m->dim = dim;
	m->n_classes = n_classes;
	m->w = calloc((size_t)n_classes * dim, sizeof(float));
	m->b = calloc((size_t)n_classes, sizeof(float));
	if (!m->w || !m->b) {
		logreg_free(m);
		return err_set("out of memory for a %d x %zu classifier", n_classes, dim);
	}
	return 0;
}

void logreg_free(logreg *m)
{
	free(m->w);
	free(m->b);
	m->w = m->b = NULL;
}

void logreg_scores(const logreg *m, const float *x, size_t n, float *scores)
{
	int k = m->n_classes;
	for (size_t i = 0; i < n; i++)
		memcpy(scores + i * k, m->b, (size_t)k * sizeof(float));
	if (n > 0)
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, k, (int)m->dim, 1.0f, x,
			    (int)m->dim, m->w, (int)m->dim, 1.0f, scores, k);
}

/* Rows of examples per pass: the scores of a block stay in cache, and the
 * memory needed does not grow with the data set. */
#define BLOCK_ROWS 512

int logreg_loss(const logreg *m, const float *x, const int32_t *cls, size_t n, double wd,
		float *dw, float *db, double *objective)
{
	int k = m->n_classes;
	size_t dim = m->dim, n_used = 0;
	for (size_t i = 0; i < n; i++)
		n_used += cls[i] >= 0;
	float *scores = malloc((size_t)BLOCK_ROWS * k * sizeof(float));
	double *db_sum = calloc((size_t)k, sizeof(double));
	if (!scores || !db_sum) {
		free(scores);
		free(db_sum);
		return err_set("out of memory");
	}
	memset(dw, 0, (size_t)k * dim * sizeof(float));
	double loss = 0, inv_n = n_used ? 1.0 / (double)n_used : 0;
	for (size_t start = 0; start < n; start += BLOCK_ROWS) {
		size_t rows = n - start < BLOCK_ROWS ? n - start : BLOCK_ROWS;
		logreg_scores(m, x + start * dim, rows, scores);
		/* scores become d loss / d scores: (softmax - onehot) / n */
		for (size_t i = 0; i < rows; i++) {
			float *s = scores + i * k;
			int y = cls[start + i];
			if (y < 0) {
				memset(s, 0, (size_t)k * sizeof(float));
				continue;
			}
			loss += softmax_ce_row(s, k, y, 0, inv_n);
			for (int c = 0; c < k; c++)
				db_sum[c] += s[c];
		}
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, (int)dim, (int)rows, 1.0f,
			    scores, k, x + start * dim, (int)dim, 1.0f, dw, (int)dim);
	}
	double penalty = 0;
	for (size_t i = 0; i < (size_t)k * dim; i++) {
		penalty += (double)m->w[i] * m->w[i];
		dw[i] += (float)(wd * m->w[i]);
	}
	for (int c = 0; c < k; c++)
		db[c] = (float)db_sum[c];
	free(db_sum);
	free(scores);
	*objective = loss * inv_n + 0.5 * wd * penalty;
	return 0;
}

typedef struct fit_ctx {
	logreg *m;
	const float *x;
	const int32_t *cls;
	size_t n;
	double wd;
	const float *scale;
	float *dw, *db;
} fit_ctx;

static float scale_of(const fit_ctx *c, size_t i)
{
	return c->scale ? c->scale[i % c->m->dim] : 1.0f;
}

/* L-BFGS works on doubles (its two-loop sums need them); the model and the
 * GEMMs on floats. */
static double objective(const double *params, double *grad, size_t n_params, void *arg)
{
	fit_ctx *c = arg;
	size_t n_w = (size_t)c->m->n_classes * c->m->dim;
	for (size_t i = 0; i < n_w; i++)
		c->m->w[i] = (float)(params[i] * scale_of(c, i));
	for (size_t i = n_w; i < n_params; i++)
		c->m->b[i - n_w] = (float)params[i];
	double f;
	/* a value that is not finite stops L-BFGS with a message */
	if (logreg_loss(c->m, c->x, c->cls, c->n, c->wd, c->dw, c->db, &f) < 0)
		return NAN;
	for (size_t i = 0; i < n_w; i++)
		grad[i] = (double)c->dw[i] * scale_of(c, i);
	for (size_t i = n_w; i < n_params; i++)
		grad[i] = c->db[i - n_w];
	return f;
}

int logreg_fit(logreg *m, const float *x, const int32_t *cls, size_t n, double wd,
	       const float *scale, int max_iter, logreg_fit_report *report)
{
	size_t n_w = (size_t)m->n_classes * m->dim, n_params = n_w + (size_t)m->n_classes;
	double *params = malloc(n_params * sizeof(double));
	float *grad = malloc(n_params * sizeof(float));
	if (!params || !grad) {
		free(params);
		free(grad);
		return err_set("out of memory");
	}
	fit_ctx ctx = {m, x, cls, n, wd, scale, grad, grad + n_w};
	for (size_t i = 0; i < n_w; i++)
		params[i] = m->w[i] / scale_of(&ctx, i);
	for (size_t i = n_w; i < n_params; i++)
		params[i] = m->b[i - n_w];
	/* tolerances well below what changes a prediction: the probe's
	 * accuracy is then a property of the features, not of when we stopped */
	lbfgs_opts opts = {10, max_iter, 1e-9, 1e-6};
	lbfgs_report rep;
	int rc = lbfgs_minimize(objective, &ctx, params, n_params, &opts, &rep);
	if (rc == 0) {
		/* the model holds the last point evaluated, which may be a
		 * rejected trial step: set it to the minimiser */
		for (size_t i = 0; i < n_w; i++)
			m->w[i] = (float)(params[i] * scale_of(&ctx, i));
		for (size_t i = n_w; i < n_params; i++)
			m->b[i - n_w] = (float)params[i];
		if (report)
			*report = (logreg_fit_report){rep.iterations, rep.evaluations, rep.f};
	}
	free(params);
	free(grad);
	return rc;
}
