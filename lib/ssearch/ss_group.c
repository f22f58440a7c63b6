/* Hierarchical grouping (Uijlings et al. 2013, algorithm 1), with a heap
 * of candidate merges instead of a rescanned similarity set: an entry is
 * stale once either region has changed, which its versions tell. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "ssearch/selsearch.h"
#include "ssearch/ss_regions.h"

typedef struct candidate {
	float similarity;
	uint32_t a, b;
	uint32_t version_a, version_b;
} candidate;

typedef struct grouping {
	const ss_regions *r;
	unsigned sims;
	/* a merged region takes the slot of its first part: slot b then
	 * points to it through merged_into, as a union-find */
	uint32_t *size, *version, *merged_into;
	ss_bbox *bbox;
	float *colour, *texture;
	/* each live region's neighbours, possibly naming dead slots, in
	 * `pool` from nbr_start[i], nbr_len[i] long */
	uint32_t *pool, *nbr_start, *nbr_len, *stamp;
	size_t pool_len, pool_cap;
	candidate *heap;
	size_t heap_len, heap_cap;
} grouping;

static uint32_t representative(grouping *g, uint32_t i)
{
	while (g->merged_into[i] != i) {
		g->merged_into[i] = g->merged_into[g->merged_into[i]];
		i = g->merged_into[i];
	}
	return i;
}

static float intersection(const float *x, const float *y, uint32_t len)
{
	float sum = 0;
	for (uint32_t k = 0; k < len; k++)
		sum += x[k] < y[k] ? x[k] : y[k];
	return sum;
}

static ss_bbox bbox_union(ss_bbox a, ss_bbox b)
{
	return (ss_bbox){a.x0 < b.x0 ? a.x0 : b.x0, a.y0 < b.y0 ? a.y0 : b.y0,
			 a.x1 > b.x1 ? a.x1 : b.x1, a.y1 > b.y1 ? a.y1 : b.y1};
}

/* eq. 2-5: histogram intersections for colour and texture, the share of
 * the image left to the rest for size, and for fill how little of the
 * joint bounding box the two leave empty */
static float similarity(const grouping *g, uint32_t a, uint32_t b)
{
	const ss_regions *r = g->r;
	float n_px = (float)r->n_px, s = 0;
	if (g->sims & SIM_COLOUR)
		s += intersection(g->colour + (size_t)a * r->colour_len,
				  g->colour + (size_t)b * r->colour_len, r->colour_len);
	if (g->sims & SIM_TEXTURE)
		s += intersection(g->texture + (size_t)a * r->texture_len,
				  g->texture + (size_t)b * r->texture_len, r->texture_len);
	if (g->sims & SIM_SIZE)
		s += 1.0f - (float)(g->size[a] + g->size[b]) / n_px;
	if (g->sims & SIM_FILL) {
		ss_bbox u = bbox_union(g->bbox[a], g->bbox[b]);
		float area = (float)(u.x1 - u.x0 + 1) * (float)(u.y1 - u.y0 + 1);
		s += 1.0f - (area - (float)g->size[a] - (float)g->size[b]) / n_px;
	}
	return s;
}

/* x goes before y: more similar first, then the lower region numbers */
static int before(const candidate *x, const candidate *y)
{
	if (x->similarity != y->similarity)
		return x->similarity > y->similarity;
	return x->a != y->a ? x->a < y->a : x->b < y->b;
}

static int heap_push(grouping *g, uint32_t a, uint32_t b)
{
	if (grow_array(&g->heap, &g->heap_cap, g->heap_len + 1, sizeof *g->heap) < 0)
		return -1;
	candidate c = {similarity(g, a, b), a < b ? a : b, a < b ? b : a, 0, 0};
	c.version_a = g->version[c.a];
	c.version_b = g->version[c.b];
	size_t i = g->heap_len++;
	while (i > 0 && before(&c, &g->heap[(i - 1) / 2])) {
		g->heap[i] = g->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	g->heap[i] = c;
	return 0;
}

static candidate heap_pop(grouping *g)
{
	candidate top = g->heap[0], last = g->heap[--g->heap_len];
	size_t i = 0;
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= g->heap_len)
			break;
		if (child + 1 < g->heap_len && before(&g->heap[child + 1], &g->heap[child]))
			child++;
		if (!before(&g->heap[child], &last))
			break;
		g->heap[i] = g->heap[child];
		i = child;
	}
	if (g->heap_len > 0)
		g->heap[i] = last;
	return top;
}

static void mix(float *into, const float *from, uint32_t len, float w_into, float w_from)
{
	for (uint32_t k = 0; k < len; k++)
		into[k] = into[k] * w_into + from[k] * w_from;
}

/* Region b joins a: sizes add, boxes unite, histograms average weighted
 * by size (section 3.2: no pixel is visited again), neighbour lists merge. */
static int merge(grouping *g, uint32_t a, uint32_t b)
{
	const ss_regions *r = g->r;
	float total = (float)(g->size[a] + g->size[b]);
	float w_a = (float)g->size[a] / total, w_b = (float)g->size[b] / total;
	if (g->sims & SIM_COLOUR)
		mix(g->colour + (size_t)a * r->colour_len, g->colour + (size_t)b * r->colour_len,
		    r->colour_len, w_a, w_b);
	if (g->sims & SIM_TEXTURE)
		mix(g->texture + (size_t)a * r->texture_len,
		    g->texture + (size_t)b * r->texture_len, r->texture_len, w_a, w_b);
	g->size[a] += g->size[b];
	g->bbox[a] = bbox_union(g->bbox[a], g->bbox[b]);
	g->merged_into[b] = a;
	g->version[a]++;
	g->version[b]++;

	size_t need = g->pool_len + g->nbr_len[a] + g->nbr_len[b];
	if (grow_array(&g->pool, &g->pool_cap, need, sizeof *g->pool) < 0)
		return -1;
	uint32_t start = (uint32_t)g->pool_len, len = 0;
	g->stamp[a] = a + 1; /* a stamp of i + 1 marks a neighbour already taken for i */
	const uint32_t parts[2] = {a, b};
	for (int p = 0; p < 2; p++)
		for (uint32_t k = 0; k < g->nbr_len[parts[p]]; k++) {
			uint32_t n = representative(g, g->pool[g->nbr_start[parts[p]] + k]);
			if (g->stamp[n] != a + 1) {
				g->stamp[n] = a + 1;
				g->pool[start + len++] = n;
			}
		}
	g->pool_len = start + len;
	g->nbr_start[a] = start;
	g->nbr_len[a] = len;
	for (uint32_t k = 0; k < len; k++)
		if (heap_push(g, a, g->pool[start + k]) < 0)
			return -1;
	/* stamps are per region number: clear them for the next merge into a */
	for (uint32_t k = 0; k < len; k++)
		g->stamp[g->pool[start + k]] = 0;
	g->stamp[a] = 0;
	return 0;
}

static void grouping_free(grouping *g)
{
	free(g->size);
	free(g->version);
	free(g->merged_into);
	free(g->bbox);
	free(g->colour);
	free(g->texture);
	free(g->pool);
	free(g->nbr_start);
	free(g->nbr_len);
	free(g->stamp);
	free(g->heap);
}

static int grouping_init(grouping *g, const ss_regions *r, unsigned sims)
{
	uint32_t n = r->n;
	*g = (grouping){.r = r, .sims = sims};
	g->size = malloc(n * sizeof *g->size);
	g->version = calloc(n, sizeof *g->version);
	g->merged_into = malloc(n * sizeof *g->merged_into);
	g->bbox = malloc(n * sizeof *g->bbox);
	g->nbr_start = malloc(n * sizeof *g->nbr_start);
	g->nbr_len = calloc(n, sizeof *g->nbr_len);
	g->stamp = calloc(n, sizeof *g->stamp);
	if (sims & SIM_COLOUR)
		g->colour = malloc((size_t)n * r->colour_len * sizeof *g->colour);
	if (sims & SIM_TEXTURE)
		g->texture = malloc((size_t)n * r->texture_len * sizeof *g->texture);
	if (!g->size || !g->version || !g->merged_into || !g->bbox || !g->nbr_start ||
	    !g->nbr_len || !g->stamp || ((sims & SIM_COLOUR) && !g->colour) ||
	    ((sims & SIM_TEXTURE) && !g->texture) ||
	    grow_array(&g->pool, &g->pool_cap, 2 * r->n_pairs, sizeof *g->pool) < 0)
		return err_set("out of memory grouping %u regions", n);
	memcpy(g->size, r->size, n * sizeof *g->size);
	memcpy(g->bbox, r->bbox, n * sizeof *g->bbox);
	if (g->colour)
		memcpy(g->colour, r->colour, (size_t)n * r->colour_len * sizeof *g->colour);
	if (g->texture)
		memcpy(g->texture, r->texture, (size_t)n * r->texture_len * sizeof *g->texture);
	for (uint32_t i = 0; i < n; i++)
		g->merged_into[i] = i;
	/* the pairs are sorted by (a, b): count, then place both directions */
	for (size_t k = 0; k < r->n_pairs; k++) {
		g->nbr_len[r->pairs[k] >> 32]++;
		g->nbr_len[(uint32_t)r->pairs[k]]++;
	}
	uint32_t start = 0;
	for (uint32_t i = 0; i < n; i++) {
		g->nbr_start[i] = start;
		start += g->nbr_len[i];
		g->nbr_len[i] = 0;
	}
	g->pool_len = start;
	for (size_t k = 0; k < r->n_pairs; k++) {
		uint32_t a = (uint32_t)(r->pairs[k] >> 32), b = (uint32_t)r->pairs[k];
		g->pool[g->nbr_start[a] + g->nbr_len[a]++] = b;
		g->pool[g->nbr_start[b] + g->nbr_len[b]++] = a;
		if (heap_push(g, a, b) < 0)
			return -1;
	}
	return 0;
}

int ss_group(const ss_regions *r, unsigned sims, ss_bbox *boxes, size_t *n_boxes)
{
	grouping g;
	int rc = grouping_init(&g, r, sims);
	size_t n = r->n;
	memcpy(boxes, r->bbox, n * sizeof *boxes);
	while (rc == 0 && g.heap_len > 0) {
		candidate c = heap_pop(&g);
		if (c.version_a != g.version[c.a] || c.version_b != g.version[c.b])
			continue; /* one side has merged since */
		rc = merge(&g, c.a, c.b);
		boxes[n++] = g.bbox[c.a];
	}
	grouping_free(&g);
	*n_boxes = n;
	return rc;
}
