#include "eval/linprobe.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "eval/probe_basis.h"
#include "common/rng.h"

/* The validation draw's salt: unrelated to the --split draw of the same ids */
#define VALIDATION_STREAM 0x76616c6964ULL

void linprobe_free(linprobe *p)
{
	free(p->mean);
	free(p->sd);
	logreg_free(&p->head);
	memset(p, 0, sizeof *p);
}

/* The coordinates the fits work in: the standardised features, or their
 * projection on the eigenbasis (probe_basis.h) with its eigenvalues. */
typedef struct coords {
	const float *x;       /* [n, dim] */
	const double *lambda; /* [dim], NULL: no basis */
	float *scale;         /* [dim] for the current wd */
} coords;

static const float *scale_for(coords *c, size_t dim, double wd)
{
	if (!c->lambda)
		return NULL;
	/* a direction the features never vary in (lambda 0: LayerNorm outputs
	 * sum to a constant) gets the scale of a weak one, not an infinite one */
	double floor = 0;
	for (size_t j = 0; j < dim; j++)
		floor = fmax(floor, c->lambda[j]);
	floor *= 1e-6;
	for (size_t j = 0; j < dim; j++)
		c->scale[j] = (float)(1 / sqrt(fmax(c->lambda[j], floor) + wd + 1e-30));
	return c->scale;
}

/* Top-1 accuracy on the examples with cls >= 0. */
static double accuracy(const logreg *m, const float *x, const int32_t *cls, size_t n,
		       float *scores)
{
	logreg_scores(m, x, n, scores);
	size_t right = 0, used = 0;
	for (size_t i = 0; i < n; i++) {
		if (cls[i] < 0)
			continue;
		const float *s = scores + i * m->n_classes;
		int best = 0;
		for (int c = 1; c < m->n_classes; c++)
			best = s[c] > s[best] ? c : best;
		right += best == cls[i];
		used++;
	}
	return used ? (double)right / used : 0;
}

/* Splits cls into the fitted part and the held-out part (-1 elsewhere). */
static size_t split_validation(const probe_set *s, double fraction, uint64_t seed, int32_t *fit,
			       int32_t *val)
{
	size_t n_val = 0;
	for (size_t i = 0; i < s->n; i++) {
		rng g;
		rng_seed(&g, seed ^ s->key[i], VALIDATION_STREAM);
		int held = rng_uniform(&g) < fraction;
		fit[i] = held ? -1 : s->cls[i];
		val[i] = held ? s->cls[i] : -1;
		n_val += held;
	}
	return n_val;
}

/* The sweep: candidates fitted on the training part, each warm-started
 * from the previous one's solution (the regularisation path, strongest
 * first, converges in fewer iterations than fits from zero); the best
 * validation accuracy wins, ties going to the stronger decay. The head is
 * left at the winner's solution, the start of the final fit. */
static int sweep(linprobe *p, const probe_set *train, coords *xc, const linprobe_opts *opts)
{
	size_t n = train->n, n_params = p->head.dim * p->head.n_classes;
	int32_t *fit = malloc(2 * (n ? n : 1) * sizeof(int32_t));
	float *scores = malloc((n ? n : 1) * p->head.n_classes * sizeof(float));
	float *best_w = malloc(n_params * sizeof(float)), *best_b = malloc(p->head.n_classes * sizeof(float));
	int rc = 0;
	if (!fit || !scores || !best_w || !best_b)
		rc = err_set("out of memory");
	int32_t *val = fit + n;
	if (rc == 0)
		p->n_val = split_validation(train, opts->val_fraction, opts->seed, fit, val);
	if (rc == 0 && p->n_val == 0)
		rc = err_set("no training example is held out to choose the weight decay "
			     "(more examples, a larger validation fraction, or one --wd)");
	/* a candidate is judged after 2/5 of the final fit's iterations (warm
	 * started from its neighbour's solution): its validation accuracy has
	 * about settled by then, and the sweep is most of the cost */
	int best = -1, sweep_iter = opts->max_iter * 2 / 5 > 0 ? opts->max_iter * 2 / 5 : 1;
	for (int i = 0; rc == 0 && i < opts->n_wd; i++) {
		rc = logreg_fit(&p->head, xc->x, fit, n, opts->wd[i],
				scale_for(xc, train->dim, opts->wd[i]), sweep_iter, NULL);
		if (rc < 0)
			break;
		p->val_top1[i] = accuracy(&p->head, xc->x, val, n, scores);
		if (best < 0 || p->val_top1[i] > p->val_top1[best]) {
			best = i;
			memcpy(best_w, p->head.w, n_params * sizeof(float));
			memcpy(best_b, p->head.b, p->head.n_classes * sizeof(float));
		}
	}
	if (rc == 0) {
		p->wd = opts->wd[best];
		memcpy(p->head.w, best_w, n_params * sizeof(float));
		memcpy(p->head.b, best_b, p->head.n_classes * sizeof(float));
	}
	free(fit);
	free(scores);
	free(best_w);
	free(best_b);
	return rc;
}

/* Projects the standardised features on their eigenbasis: into *rotated
 * (new), with u and lambda. */
static int to_eigenbasis(const probe_set *train, float **rotated, float **u, double **lambda)
{
	size_t dim = train->dim;
	*rotated = malloc(train->n * dim * sizeof(float));
	*u = malloc(dim * dim * sizeof(float));
	*lambda = malloc(dim * sizeof(double));
	if (!*rotated || !*u || !*lambda)
		return err_set("out of memory");
	if (probe_eigenbasis(train->x, train->n, dim, *u, *lambda) < 0)
		return -1;
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)train->n, (int)dim, (int)dim,
		    1.0f, train->x, (int)dim, *u, (int)dim, 0.0f, *rotated, (int)dim);
	return 0;
}

/* The sweep and the final fit, in the coordinates xc. */
static int fit_all(linprobe *p, const probe_set *train, coords *xc, const linprobe_opts *opts)
{
	p->wd = opts->wd[0];
	if (opts->n_wd > 1 && sweep(p, train, xc, opts) < 0)
		return -1;
	logreg_fit_report rep;
	if (logreg_fit(&p->head, xc->x, train->cls, train->n, p->wd, scale_for(xc, train->dim, p->wd),
		       opts->max_iter, &rep) < 0)
		return -1;
	p->iterations = rep.iterations;
	return 0;
}

int linprobe_fit(linprobe *p, probe_set *train, int n_classes, const linprobe_opts *opts)
{
	memset(p, 0, sizeof *p);
	if (train->n == 0)
		return err_set("no training examples");
	size_t dim = train->dim;
	p->mean = malloc(dim * sizeof(float));
	p->sd = malloc(dim * sizeof(float));
	float *scale = malloc(dim * sizeof(float)), *rotated = NULL, *u = NULL;
	double *lambda = NULL;
	int rc = 0;
	if (!p->mean || !p->sd || !scale)
		rc = err_set("out of memory");
	if (rc == 0)
		rc = probe_moments(train, p->mean, p->sd);
	if (rc == 0)
		rc = logreg_init(&p->head, dim, n_classes);
	coords xc = {train->x, NULL, scale};
	if (rc == 0) {
		probe_standardise(train, p->mean, p->sd);
		if (dim <= PROBE_BASIS_MAX_DIM) {
			rc = to_eigenbasis(train, &rotated, &u, &lambda);
			xc = (coords){rotated, lambda, scale};
		}
	}
	if (rc == 0)
		rc = fit_all(p, train, &xc, opts);
	if (rc == 0 && u) {
		/* back from the eigenbasis: W = W_rotated U' */
		float *w = malloc((size_t)n_classes * dim * sizeof(float));
		if (!w) {
			rc = err_set("out of memory");
		} else {
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n_classes, (int)dim,
				    (int)dim, 1.0f, p->head.w, (int)dim, u, (int)dim, 0.0f, w,
				    (int)dim);
			free(p->head.w);
			p->head.w = w;
		}
	}
	free(scale);
	free(rotated);
	free(u);
	free(lambda);
	if (rc < 0)
		linprobe_free(p);
	return rc;
}
