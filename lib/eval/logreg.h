/* Multinomial logistic regression, the linear probe of MAE (He et al. 2022,
 * §4 "linear probing"): scores = x W' + b, softmax cross-entropy, an L2
 * penalty on W (not on b), fitted by L-BFGS. */
#ifndef MASKPIPE_LOGREG_H
#define MASKPIPE_LOGREG_H

#include <stddef.h>
#include <stdint.h>

typedef struct logreg {
	size_t dim;
	int n_classes;
	float *w; /* [n_classes, dim], the layout of PyTorch's nn.Linear */
	float *b; /* [n_classes] */
} logreg;

/* A zero model (uniform predictions). */
int logreg_init(logreg *m, size_t dim, int n_classes);
void logreg_free(logreg *m);

typedef struct logreg_fit_report {
	int iterations, evaluations;
	double loss; /* the regularised objective at the end */
} logreg_fit_report;

/* Minimises mean cross-entropy + wd/2 ||W||^2 over the n examples x [n,
 * dim] with classes cls [n] in [0, n_classes) (examples with cls < 0 are
 * skipped), starting from m's current values (a warm start), for at most
 * max_iter L-BFGS iterations. With scale [dim] (may be NULL), L-BFGS works
 * on W / scale (per feature): the same minimum, reached sooner when scale
 * evens out the curvature (see linprobe.c). */
int logreg_fit(logreg *m, const float *x, const int32_t *cls, size_t n, double wd,
	       const float *scale, int max_iter, logreg_fit_report *report);

/* scores [n, n_classes] = x W' + b. */
void logreg_scores(const logreg *m, const float *x, size_t n, float *scores);

/* The objective into *objective and its gradient (dw [n_classes, dim], db
 * [n_classes]), as logreg_fit minimises it; exposed for the gradient
 * check. 0, or -1 with a message. */
int logreg_loss(const logreg *m, const float *x, const int32_t *cls, size_t n, double wd,
		float *dw, float *db, double *objective);

#endif
