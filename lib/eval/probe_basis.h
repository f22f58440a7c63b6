/* The eigenbasis of the features' second moments, the coordinates in
 * which the linear probe's L-BFGS converges fast: the Hessian of the
 * cross-entropy is about (X'X / n) (x) (diag(p) - pp') (Böhning 1992), so
 * in the eigenbasis, each coordinate scaled by 1 / sqrt(lambda + wd), its
 * curvature is about even. On standardised raw pixels this cuts the
 * iterations to a fit several-fold. */
#ifndef MASKPIPE_PROBE_BASIS_H
#define MASKPIPE_PROBE_BASIS_H

#include <stddef.h>

/* Above this many features the basis costs more than it saves. */
#define PROBE_BASIS_MAX_DIM 2048

/* u [dim, dim] (column j the eigenvector of lambda[j]) and lambda [dim] of
 * X'X / n for x [n, dim]. */
int probe_eigenbasis(const float *x, size_t n, size_t dim, float *u, double *lambda);

#endif
