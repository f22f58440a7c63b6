#include "ssearch/ss_pixels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "ssearch/filter.h"

void ss_pixels_free(ss_pixels *p)
{
	free(p->colour_slot);
	free(p->texture_slot);
	memset(p, 0, sizeof *p);
}

/* The x and y Gaussian derivatives of one channel. */
static void derivatives(const uint8_t *px, uint32_t w, uint32_t h, uint32_t c, uint32_t ch,
			float *dx, float *dy, float *plane, float *tmp)
{
	kernel1d smooth, deriv;
	kernel_gaussian(&smooth, 1.0, 0);
	kernel_gaussian(&deriv, 1.0, 1);
	size_t n_px = (size_t)w * h;
	for (size_t i = 0; i < n_px; i++)
		plane[i] = px[i * c + ch];
	filter_separable(plane, dx, tmp, w, h, &deriv, &smooth);
	filter_separable(plane, dy, tmp, w, h, &smooth, &deriv);
}

int ss_pixels_compute(ss_pixels *p, const uint8_t *px, uint32_t w, uint32_t h, uint32_t c)
{
	size_t n_px = (size_t)w * h;
	ss_pixels_free(p);
	p->w = w;
	p->h = h;
	p->c = c;
	p->colour_slot = malloc(n_px * c);
	p->texture_slot = malloc(n_px * c * SS_ORIENTATIONS);
	float *buf = malloc((3 * n_px + filter_tmp_floats(w, h)) * sizeof *buf);
	float *response = malloc(n_px * SS_ORIENTATIONS * sizeof *response);
	if (!p->colour_slot || !p->texture_slot || !buf || !response) {
		free(buf);
		free(response);
		ss_pixels_free(p);
		return err_set("out of memory for the features of a %ux%u image", w, h);
	}
	for (size_t i = 0; i < n_px * c; i++)
		p->colour_slot[i] = (uint8_t)(i % c * SS_COLOUR_BINS + px[i] * SS_COLOUR_BINS / 256);

	float *dx = buf, *dy = buf + n_px;
	float cosines[SS_ORIENTATIONS], sines[SS_ORIENTATIONS];
	for (int o = 0; o < SS_ORIENTATIONS; o++) {
		double angle = o * 2.0 * M_PI / SS_ORIENTATIONS;
		cosines[o] = (float)cos(angle);
		sines[o] = (float)sin(angle);
	}
	for (uint32_t ch = 0; ch < c; ch++) {
		derivatives(px, w, h, c, ch, dx, dy, buf + 2 * n_px, buf + 3 * n_px);
		float max[SS_ORIENTATIONS] = {0};
		/* a Gaussian derivative steers: d/dtheta = cos(theta) d/dx + sin(theta) d/dy
		 * (Freeman & Adelson 1991); opposite directions give the two signs */
		for (size_t i = 0; i < n_px; i++)
			for (int o = 0; o < SS_ORIENTATIONS; o++) {
				float d = cosines[o] * dx[i] + sines[o] * dy[i];
				d = d > 0 ? d : 0;
				response[i * SS_ORIENTATIONS + o] = d;
				max[o] = d > max[o] ? d : max[o];
			}
		for (size_t i = 0; i < n_px; i++)
			for (int o = 0; o < SS_ORIENTATIONS; o++) {
				float scale = max[o] > 0 ? SS_TEXTURE_BINS / max[o] : 0;
				int bin = (int)(response[i * SS_ORIENTATIONS + o] * scale);
				bin = bin < SS_TEXTURE_BINS ? bin : SS_TEXTURE_BINS - 1;
				p->texture_slot[(i * c + ch) * SS_ORIENTATIONS + o] =
					(uint8_t)((ch * SS_ORIENTATIONS + o) * SS_TEXTURE_BINS + bin);
			}
	}
	free(buf);
	free(response);
	return 0;
}
