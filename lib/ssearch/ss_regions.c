#include "ssearch/ss_regions.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"

void ss_regions_free(ss_regions *r)
{
	free(r->size);
	free(r->bbox);
	free(r->colour);
	free(r->texture);
	free(r->pairs);
	memset(r, 0, sizeof *r);
}

/* Stable counting sort of the pairs by the 32 bits at `shift`, each below
 * n_keys; start has room for n_keys + 1 counts. */
static void sort_pairs_by(const uint64_t *from, uint64_t *to, size_t n, int shift, size_t *start,
			  uint32_t n_keys)
{
	memset(start, 0, ((size_t)n_keys + 1) * sizeof *start);
	for (size_t i = 0; i < n; i++)
		start[(uint32_t)(from[i] >> shift) + 1]++;
	for (uint32_t k = 0; k < n_keys; k++)
		start[k + 1] += start[k];
	for (size_t i = 0; i < n; i++)
		to[start[(uint32_t)(from[i] >> shift)]++] = from[i];
}

/* Pairs of touching regions, each once: a pixel and its right, lower and
 * two lower diagonal neighbours, at most 4 pairs a pixel. */
static int find_pairs(ss_regions *r, const uint32_t *labels, uint32_t w, uint32_t h)
{
	if (grow_array(&r->pairs, &r->cap_pairs, 4 * (size_t)w * h, sizeof *r->pairs) < 0)
		return -1;
	size_t n = 0;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			const uint32_t *at = labels + (size_t)y * w + x;
			uint32_t neighbours[4], n_neighbours = 0;
			if (x + 1 < w)
				neighbours[n_neighbours++] = at[1];
			if (y + 1 < h)
				neighbours[n_neighbours++] = at[w];
			if (y + 1 < h && x + 1 < w)
				neighbours[n_neighbours++] = at[w + 1];
			if (y + 1 < h && x > 0)
				neighbours[n_neighbours++] = at[w - 1];
			for (uint32_t k = 0; k < n_neighbours; k++) {
				uint32_t a = at[0], b = neighbours[k];
				uint64_t pair = a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
				/* a border gives the same pair pixel after pixel: kept once */
				if (a != b && (n == 0 || r->pairs[n - 1] != pair))
					r->pairs[n++] = pair;
			}
		}
	if (n > 1) {
		/* by b, then stably by a: ordered by (a, b) in time linear in the
		 * pairs and the regions */
		uint64_t *by_b = malloc(n * sizeof *by_b);
		size_t *start = malloc(((size_t)r->n + 1) * sizeof *start);
		if (!by_b || !start) {
			free(by_b);
			free(start);
			return err_set("out of memory for the neighbours of %u regions", r->n);
		}
		sort_pairs_by(r->pairs, by_b, n, 0, start, r->n);
		sort_pairs_by(by_b, r->pairs, n, 32, start, r->n);
		free(by_b);
		free(start);
	}
	size_t n_unique = 0;
	for (size_t i = 0; i < n; i++)
		if (n_unique == 0 || r->pairs[i] != r->pairs[n_unique - 1])
			r->pairs[n_unique++] = r->pairs[i];
	r->n_pairs = n_unique;
	return 0;
}

/* A feature plane of pixel slots and where its slots count in a region's
 * counts. */
typedef struct plane {
	const uint8_t *slot; /* [n_px] */
	uint32_t offset;
} plane;

/* Adds 1 to each pixel's region's count of the pixel's slot in each of
 * three planes. Three planes in one sweep, whose counts differ: one plane
 * at a time adds to the same count pixel after pixel in flat areas, each
 * addition waiting on the last, and all planes at once has each pixel
 * touch lines n_px apart, which share a set of the L1 cache. Every image
 * has 9 planes a channel (colour, and 8 texture directions). */
static void count_three(uint32_t *counts, size_t hist_len, const uint32_t *labels, size_t n_px,
			const plane *planes)
{
	const uint8_t *s0 = planes[0].slot, *s1 = planes[1].slot, *s2 = planes[2].slot;
	uint32_t o0 = planes[0].offset, o1 = planes[1].offset, o2 = planes[2].offset;
	for (size_t i = 0; i < n_px; i++) {
		uint32_t *region = counts + labels[i] * hist_len;
		region[o0 + s0[i]]++;
		region[o1 + s1[i]]++;
		region[o2 + s2[i]]++;
	}
}

int ss_regions_compute(ss_regions *r, const ss_pixels *p, const uint32_t *labels, uint32_t n)
{
	size_t n_px = (size_t)p->w * p->h;
	uint32_t c = p->c, n_texture = c * SS_ORIENTATIONS;
	free(r->size);
	free(r->bbox);
	free(r->colour);
	free(r->texture);
	r->n = n;
	r->n_px = (uint32_t)n_px;
	r->colour_len = c * SS_COLOUR_BINS;
	r->texture_len = n_texture * SS_TEXTURE_BINS;
	size_t hist_len = r->colour_len + r->texture_len;
	r->size = calloc(n, sizeof *r->size);
	r->bbox = malloc(n * sizeof *r->bbox);
	r->colour = malloc((size_t)n * r->colour_len * sizeof *r->colour);
	r->texture = malloc((size_t)n * r->texture_len * sizeof *r->texture);
	/* integer counts first: adding 1 to a float is slower and no more exact */
	uint32_t *counts = calloc((size_t)n * hist_len, sizeof *counts);
	if (!r->size || !r->bbox || !r->colour || !r->texture || !counts) {
		free(counts);
		return err_set("out of memory for %u regions", n);
	}
	for (uint32_t i = 0; i < n; i++)
		r->bbox[i] = (ss_bbox){INT32_MAX, INT32_MAX, -1, -1};
	/* a run of one label along a row at a time: pixel by pixel, each would
	 * wait on the last to update the same box and size */
	for (int32_t y = 0; y < (int32_t)p->h; y++) {
		const uint32_t *row = labels + (size_t)y * p->w;
		for (int32_t x = 0, end; x < (int32_t)p->w; x = end) {
			for (end = x + 1; end < (int32_t)p->w && row[end] == row[x]; end++)
				;
			ss_bbox *b = &r->bbox[row[x]];
			b->x0 = x < b->x0 ? x : b->x0;
			b->y0 = y < b->y0 ? y : b->y0;
			b->x1 = end - 1 > b->x1 ? end - 1 : b->x1;
			b->y1 = y > b->y1 ? y : b->y1;
			r->size[row[x]] += (uint32_t)(end - x);
		}
	}
	plane planes[SS_MAX_CHANNELS * (1 + SS_ORIENTATIONS)];
	uint32_t n_planes = 0;
	for (uint32_t k = 0; k < c; k++)
		planes[n_planes++] = (plane){p->colour_slot + k * n_px, 0};
	for (uint32_t k = 0; k < n_texture; k++)
		planes[n_planes++] = (plane){p->texture_slot + k * n_px, r->colour_len};
	for (uint32_t k = 0; k < n_planes; k += 3)
		count_three(counts, hist_len, labels, n_px, planes + k);
	for (uint32_t j = 0; j < n; j++) {
		/* L1 normalisation: c colour and 8c texture values counted per pixel */
		float colour_scale = 1.0f / ((float)r->size[j] * c);
		float texture_scale = colour_scale / SS_ORIENTATIONS;
		const uint32_t *colour = counts + (size_t)j * hist_len;
		const uint32_t *texture = colour + r->colour_len;
		for (uint32_t k = 0; k < r->colour_len; k++)
			r->colour[(size_t)j * r->colour_len + k] = (float)colour[k] * colour_scale;
		for (uint32_t k = 0; k < r->texture_len; k++)
			r->texture[(size_t)j * r->texture_len + k] = (float)texture[k] * texture_scale;
	}
	free(counts);
	return find_pairs(r, labels, p->w, p->h);
}
