/* Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed.,
 * Algorithm 7.4 and 7.5) for smooth convex objectives such as the linear
 * probe's regularised cross-entropy: no step size to tune, and it
 * converges in a few hundred evaluations where SGD needs many epochs. */
#ifndef MASKPIPE_LBFGS_H
#define MASKPIPE_LBFGS_H

#include <stddef.h>

/* The objective: returns f(x) and writes its gradient into grad[n]. */
typedef double (*lbfgs_fn)(const double *x, double *grad, size_t n, void *ctx);

typedef struct lbfgs_opts {
	int history;     /* correction pairs kept (m); 10 when 0 */
	int max_iter;    /* iterations (each one line search) */
	double ftol;     /* stop when f falls by less than ftol * max(1, |f|) */
	double gtol;     /* stop when max |grad| <= gtol */
} lbfgs_opts;

typedef struct lbfgs_report {
	int iterations, evaluations;
	double f;
} lbfgs_report;

/* Minimises fn from x (overwritten with the minimiser found). The line
 * search backtracks from the unit step until the Armijo condition holds,
 * so every iterate lowers f. 0, or -1 (out of memory, or a non-finite
 * objective) with a message. */
int lbfgs_minimize(lbfgs_fn fn, void *ctx, double *x, size_t n, const lbfgs_opts *opts,
		   lbfgs_report *report);

#endif
