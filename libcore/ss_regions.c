#include "ss_regions.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "filter.h"
#include "grow.h"

void ss_pixels_free(ss_pixels *p)
{
	free(p->colour_bin);
	free(p->texture_bin);
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
	p->colour_bin = malloc(n_px * c);
	p->texture_bin = malloc(n_px * c * SS_ORIENTATIONS);
	float *buf = malloc(4 * n_px * sizeof *buf);
	float *response = malloc(n_px * SS_ORIENTATIONS * sizeof *response);
	if (!p->colour_bin || !p->texture_bin || !buf || !response) {
		free(buf);
		free(response);
		ss_pixels_free(p);
		return err_set("out of memory for the features of a %ux%u image", w, h);
	}
	for (size_t i = 0; i < n_px * c; i++)
		p->colour_bin[i] = (uint8_t)(px[i] * SS_COLOUR_BINS / 256);

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
				p->texture_bin[(i * c + ch) * SS_ORIENTATIONS + o] =
					(uint8_t)(bin < SS_TEXTURE_BINS ? bin : SS_TEXTURE_BINS - 1);
			}
	}
	free(buf);
	free(response);
	return 0;
}

void ss_regions_free(ss_regions *r)
{
	free(r->size);
	free(r->bbox);
	free(r->colour);
	free(r->texture);
	free(r->pairs);
	memset(r, 0, sizeof *r);
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int add_pair(ss_regions *r, uint32_t a, uint32_t b)
{
	if (a == b)
		return 0;
	if (grow_array(&r->pairs, &r->cap_pairs, r->n_pairs + 1, sizeof *r->pairs) < 0)
		return -1;
	r->pairs[r->n_pairs++] = a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
	return 0;
}

/* Pairs of touching regions, each once: a pixel and its right, lower and
 * two lower diagonal neighbours. */
static int find_pairs(ss_regions *r, const uint32_t *labels, uint32_t w, uint32_t h)
{
	r->n_pairs = 0;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			const uint32_t *at = labels + (size_t)y * w + x;
			if ((x + 1 < w && add_pair(r, at[0], at[1]) < 0) ||
			    (y + 1 < h && add_pair(r, at[0], at[w]) < 0) ||
			    (y + 1 < h && x + 1 < w && add_pair(r, at[0], at[w + 1]) < 0) ||
			    (y + 1 < h && x > 0 && add_pair(r, at[0], at[w - 1]) < 0))
				return -1;
		}
	if (r->n_pairs > 1)
		qsort(r->pairs, r->n_pairs, sizeof *r->pairs, compare_u64);
	size_t n_unique = 0;
	for (size_t i = 0; i < r->n_pairs; i++)
		if (n_unique == 0 || r->pairs[i] != r->pairs[n_unique - 1])
			r->pairs[n_unique++] = r->pairs[i];
	r->n_pairs = n_unique;
	return 0;
}

int ss_regions_compute(ss_regions *r, const ss_pixels *p, const uint32_t *labels, uint32_t n)
{
	size_t n_px = (size_t)p->w * p->h;
	uint32_t c = p->c;
	free(r->size);
	free(r->bbox);
	free(r->colour);
	free(r->texture);
	r->n = n;
	r->n_px = (uint32_t)n_px;
	r->colour_len = c * SS_COLOUR_BINS;
	r->texture_len = c * SS_ORIENTATIONS * SS_TEXTURE_BINS;
	r->size = calloc(n, sizeof *r->size);
	r->bbox = malloc(n * sizeof *r->bbox);
	r->colour = calloc((size_t)n * r->colour_len, sizeof *r->colour);
	r->texture = calloc((size_t)n * r->texture_len, sizeof *r->texture);
	if (!r->size || !r->bbox || !r->colour || !r->texture)
		return err_set("out of memory for %u regions", n);
	for (uint32_t i = 0; i < n; i++)
		r->bbox[i] = (ss_bbox){INT32_MAX, INT32_MAX, -1, -1};
	for (size_t i = 0; i < n_px; i++) {
		uint32_t label = labels[i];
		int32_t x = (int32_t)(i % p->w), y = (int32_t)(i / p->w);
		ss_bbox *b = &r->bbox[label];
		b->x0 = x < b->x0 ? x : b->x0;
		b->y0 = y < b->y0 ? y : b->y0;
		b->x1 = x > b->x1 ? x : b->x1;
		b->y1 = y > b->y1 ? y : b->y1;
		r->size[label]++;
		float *colour = r->colour + (size_t)label * r->colour_len;
		float *texture = r->texture + (size_t)label * r->texture_len;
		for (uint32_t ch = 0; ch < c; ch++) {
			colour[ch * SS_COLOUR_BINS + p->colour_bin[i * c + ch]] += 1;
			const uint8_t *bins = p->texture_bin + (i * c + ch) * SS_ORIENTATIONS;
			for (int o = 0; o < SS_ORIENTATIONS; o++)
				texture[(ch * SS_ORIENTATIONS + o) * SS_TEXTURE_BINS + bins[o]] += 1;
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		/* L1 normalisation: each histogram counted c (colour) or 8c (texture)
		 * values per pixel */
		float colour_total = (float)r->size[i] * c;
		float texture_total = colour_total * SS_ORIENTATIONS;
		for (uint32_t k = 0; k < r->colour_len; k++)
			r->colour[(size_t)i * r->colour_len + k] /= colour_total;
		for (uint32_t k = 0; k < r->texture_len; k++)
			r->texture[(size_t)i * r->texture_len + k] /= texture_total;
	}
	return find_pairs(r, labels, p->w, p->h);
}
