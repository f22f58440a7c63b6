#include "eval/softmax_ce.h"

#include <math.h>

double softmax_ce_row(float *s, int k, int y, double eps, double scale)
{
	float max = s[0];
	for (int c = 1; c < k; c++)
		max = s[c] > max ? s[c] : max;
	/* exp of the shifted scores: none overflows, the largest is 1 */
	double z = 0, mean_shifted = 0;
	for (int c = 0; c < k; c++) {
		z += exp((double)s[c] - max);
		mean_shifted += (double)s[c] - max;
	}
	double log_z = log(z);
	double loss = (1 - eps) * (log_z - ((double)s[y] - max));
	if (eps > 0)
		loss += eps * (log_z - mean_shifted / k);
	for (int c = 0; c < k; c++) {
		double p = exp((double)s[c] - max) / z;
		double target = (1 - eps) * (c == y) + eps / k;
		s[c] = (float)((p - target) * scale);
	}
	return loss;
}
