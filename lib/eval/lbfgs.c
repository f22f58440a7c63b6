#include "eval/lbfgs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

static double dot(const double *a, const double *b, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

static double max_abs(const double *a, size_t n)
{
	double m = 0;
	for (size_t i = 0; i < n; i++)
		m = fmax(m, fabs(a[i]));
	return m;
}

/* dir = -H g by the two-loop recursion (Algorithm 7.4), the pairs stored
 * in a ring: s[j], y[j] for the k newest, newest at (head - 1) mod m. */
static void two_loop(double *dir, const double *g, size_t n, double *const *s, double *const *y,
		     const double *rho, double *alpha, int m, int k, int head)
{
	for (size_t i = 0; i < n; i++)
		dir[i] = -g[i];
	for (int t = 0; t < k; t++) {
		int j = (head - 1 - t + m) % m;
		alpha[j] = rho[j] * dot(s[j], dir, n);
		for (size_t i = 0; i < n; i++)
			dir[i] -= alpha[j] * y[j][i];
	}
	if (k > 0) {
		/* H0 = (s'y / y'y) I, eq. 7.20 */
		int j = (head - 1 + m) % m;
		double gamma = 1.0 / (rho[j] * dot(y[j], y[j], n));
		for (size_t i = 0; i < n; i++)
			dir[i] *= gamma;
	}
	for (int t = k - 1; t >= 0; t--) {
		int j = (head - 1 - t + m) % m;
		double beta = rho[j] * dot(y[j], dir, n);
		for (size_t i = 0; i < n; i++)
			dir[i] += (alpha[j] - beta) * s[j][i];
	}
}

int lbfgs_minimize(lbfgs_fn fn, void *ctx, double *x, size_t n, const lbfgs_opts *opts,
		   lbfgs_report *report)
{
	int m = opts->history > 0 ? opts->history : 10;
	double *buf = calloc((size_t)(2 * m + 4) * n + 2 * (size_t)m, sizeof(double));
	double **s = malloc(2 * (size_t)m * sizeof(double *));
	if (!buf || !s) {
		free(buf);
		free(s);
		return err_set("out of memory");
	}
	double **y = s + m;
	for (int j = 0; j < m; j++) {
		s[j] = buf + (size_t)j * n;
		y[j] = buf + (size_t)(m + j) * n;
	}
	double *g = buf + (size_t)2 * m * n, *dir = g + n, *x_new = dir + n, *g_new = x_new + n;
	double *rho = g_new + n, *alpha = rho + m;
	lbfgs_report rep = {0, 1, fn(x, g, n, ctx)};
	int rc = 0, k = 0, head = 0;
	while (rep.iterations < opts->max_iter && isfinite(rep.f) && max_abs(g, n) > opts->gtol) {
		two_loop(dir, g, n, s, y, rho, alpha, m, k, head);
		double slope = dot(g, dir, n);
		if (!(slope < 0)) {
			/* rounding made the direction uphill: restart from steepest descent */
			k = 0;
			for (size_t i = 0; i < n; i++)
				dir[i] = -g[i];
			slope = -dot(g, g, n);
		}
		/* the first step is scaled to unit length, later ones start at 1 (§7.2) */
		double step = k == 0 ? fmin(1.0, 1.0 / sqrt(-slope)) : 1.0, f_new = 0;
		int accepted = 0;
		for (int tries = 0; tries < 40; tries++, step *= 0.5) {
			for (size_t i = 0; i < n; i++)
				x_new[i] = x[i] + step * dir[i];
			f_new = fn(x_new, g_new, n, ctx);
			rep.evaluations++;
			if (isfinite(f_new) && f_new <= rep.f + 1e-4 * step * slope) {
				accepted = 1;
				break;
			}
		}
		if (!accepted)
			break;
		rep.iterations++;
		double *s_new = s[head], *y_new = y[head];
		for (size_t i = 0; i < n; i++) {
			s_new[i] = x_new[i] - x[i];
			y_new[i] = g_new[i] - g[i];
		}
		double sy = dot(s_new, y_new, n);
		/* a pair without positive curvature would break H's positive
		 * definiteness; it is dropped (§7.2) */
		if (sy > 1e-12 * dot(y_new, y_new, n)) {
			rho[head] = 1.0 / sy;
			head = (head + 1) % m;
			k = k < m ? k + 1 : m;
		}
		double decrease = rep.f - f_new;
		memcpy(x, x_new, n * sizeof(double));
		memcpy(g, g_new, n * sizeof(double));
		rep.f = f_new;
		if (decrease <= opts->ftol * fmax(1.0, fabs(f_new)))
			break;
	}
	if (!isfinite(rep.f))
		rc = err_set("the objective is not finite");
	if (report)
		*report = rep;
	free(buf);
	free(s);
	return rc;
}
