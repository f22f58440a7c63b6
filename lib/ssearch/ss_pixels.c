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

/* running maxima kept side by side, so the loop vectorises: one SSE register */
enum { LANES = 4 };

/* The derivative in direction (cos_o, sin_o), its positive part. A
 * Gaussian derivative steers: d/dtheta = cos(theta) d/dx + sin(theta) d/dy
 * (Freeman & Adelson 1991); opposite directions give the two signs. */
static inline float steered(float cos_o, float sin_o, float dx, float dy)
{
	float d = cos_o * dx + sin_o * dy;
	return d > 0 ? d : 0;
}

/* The largest steered response of the image (max is exact: lanes give the
 * one maximum in any order). */
static float steered_max(const float *dx, const float *dy, size_t n_px, float cos_o, float sin_o)
{
	float lane_max[LANES] = {0};
	size_t i = 0;
	for (; i + LANES <= n_px; i += LANES)
		for (int j = 0; j < LANES; j++) {
			float d = steered(cos_o, sin_o, dx[i + j], dy[i + j]);
			lane_max[j] = d > lane_max[j] ? d : lane_max[j];
		}
	float max = 0;
	for (; i < n_px; i++) {
		float d = steered(cos_o, sin_o, dx[i], dy[i]);
		max = d > max ? d : max;
	}
	for (int j = 0; j < LANES; j++)
		max = lane_max[j] > max ? lane_max[j] : max;
	return max;
}

/* Each pixel's slot for one channel and direction: the response binned
 * over [0, max], the maximum in the last bin. */
static void steered_slots(const float *dx, const float *dy, size_t n_px, float cos_o,
			  float sin_o, float max, uint8_t first_slot, uint8_t *slot)
{
	float scale = max > 0 ? SS_TEXTURE_BINS / max : 0;
	for (size_t i = 0; i < n_px; i++) {
		int bin = (int)(steered(cos_o, sin_o, dx[i], dy[i]) * scale);
		bin = bin < SS_TEXTURE_BINS ? bin : SS_TEXTURE_BINS - 1;
		slot[i] = (uint8_t)(first_slot + bin);
	}
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
	if (!p->colour_slot || !p->texture_slot || !buf) {
		free(buf);
		ss_pixels_free(p);
		return err_set("out of memory for the features of a %ux%u image", w, h);
	}
	for (uint32_t ch = 0; ch < c; ch++)
		for (size_t i = 0; i < n_px; i++)
			p->colour_slot[ch * n_px + i] =
				(uint8_t)(ch * SS_COLOUR_BINS + px[i * c + ch] * SS_COLOUR_BINS / 256);

	kernel1d smooth, deriv;
	kernel_gaussian(&smooth, 1.0, 0);
	kernel_gaussian(&deriv, 1.0, 1);
	float cosines[SS_ORIENTATIONS], sines[SS_ORIENTATIONS];
	for (int o = 0; o < SS_ORIENTATIONS; o++) {
		double angle = o * 2.0 * M_PI / SS_ORIENTATIONS;
		cosines[o] = (float)cos(angle);
		sines[o] = (float)sin(angle);
	}
	float *dx = buf, *dy = buf + n_px, *plane = buf + 2 * n_px, *tmp = buf + 3 * n_px;
	for (uint32_t ch = 0; ch < c; ch++) {
		for (size_t i = 0; i < n_px; i++)
			plane[i] = px[i * c + ch];
		filter_separable(plane, dx, tmp, w, h, &deriv, &smooth);
		filter_separable(plane, dy, tmp, w, h, &smooth, &deriv);
		for (uint32_t o = 0; o < SS_ORIENTATIONS; o++) {
			uint32_t feature = ch * SS_ORIENTATIONS + o;
			float max = steered_max(dx, dy, n_px, cosines[o], sines[o]);
			steered_slots(dx, dy, n_px, cosines[o], sines[o], max,
				      (uint8_t)(feature * SS_TEXTURE_BINS),
				      p->texture_slot + feature * n_px);
		}
	}
	free(buf);
	return 0;
}
