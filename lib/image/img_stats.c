/* Per-channel pixel statistics from exact histograms. */
#include <math.h>
#include <string.h>

#include "common/err.h"
#include "image/img_stats.h"

void img_stats_init(img_stats *s)
{
	memset(s, 0, sizeof *s);
}

int img_stats_add(img_stats *s, const img_view *v)
{
	if (v->c < 1 || v->c > 4)
		return err_set("an image of %u channels", v->c);
	if (s->chans && v->c != s->chans)
		return err_set("an image of %u channel%s after images of %u", v->c,
			       v->c == 1 ? "" : "s", s->chans);
	s->chans = v->c;
	size_t n = (size_t)v->w * v->h;
	for (size_t i = 0; i < n; i++)
		for (uint32_t c = 0; c < v->c; c++)
			s->counts[c][v->px[i * v->c + c]]++;
	s->n_images++;
	return 0;
}

void img_stats_channel(const img_stats *s, uint32_t c, double *mean, double *std)
{
	double n = 0, sum = 0;
	for (int v = 0; v < 256; v++) {
		n += (double)s->counts[c][v];
		sum += (double)s->counts[c][v] * v;
	}
	*mean = *std = 0;
	if (n == 0)
		return;
	double m = sum / n, var = 0;
	/* about the mean, not E[x^2] - E[x]^2: no cancellation */
	for (int v = 0; v < 256; v++)
		var += (double)s->counts[c][v] * (v - m) * (v - m);
	*mean = m / 255.0;
	*std = sqrt(var / n) / 255.0;
}
