#include "ssearch/segment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "ssearch/filter.h"
#include "common/grow.h"

int fh_smooth(const uint8_t *px, uint32_t w, uint32_t h, uint32_t c, double sigma, float *planes)
{
	size_t n_px = (size_t)w * h;
	float *scratch = sigma > 0 ? malloc((n_px + filter_tmp_floats(w, h)) * sizeof *scratch)
				   : NULL;
	if (sigma > 0 && !scratch)
		return err_set("out of memory smoothing a %ux%u image", w, h);
	kernel1d k;
	if (sigma > 0)
		kernel_gaussian(&k, sigma, 0);
	for (uint32_t ch = 0; ch < c; ch++) {
		float *plane = planes + ch * n_px;
		float *raw = sigma > 0 ? scratch : plane;
		for (size_t i = 0; i < n_px; i++)
			raw[i] = px[i * c + ch];
		if (sigma > 0)
			filter_separable(raw, plane, scratch + n_px, w, h, &k, &k);
	}
	free(scratch);
	return 0;
}

static uint32_t weight_bits(const float *planes, size_t n_px, uint32_t c, size_t i, size_t j)
{
	float sum = 0;
	for (uint32_t ch = 0; ch < c; ch++) {
		float d = planes[ch * n_px + i] - planes[ch * n_px + j];
		sum += d * d;
	}
	float dist = sqrtf(sum);
	uint32_t bits;
	memcpy(&bits, &dist, sizeof bits);
	return bits;
}

/* Right and down neighbours, and with 8-connectivity the two diagonals
 * below: every pixel pair once. */
static size_t build_edges(const float *planes, uint32_t w, uint32_t h, uint32_t c,
			  int connectivity, fh_edge *edges)
{
	size_t n_px = (size_t)w * h, n = 0;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			size_t i = (size_t)y * w + x;
			if (x + 1 < w)
				edges[n++] = (fh_edge){weight_bits(planes, n_px, c, i, i + 1), (uint32_t)i,
						    (uint32_t)(i + 1)};
			if (y + 1 < h)
				edges[n++] = (fh_edge){weight_bits(planes, n_px, c, i, i + w), (uint32_t)i,
						    (uint32_t)(i + w)};
			if (connectivity == 8 && y + 1 < h && x + 1 < w)
				edges[n++] = (fh_edge){weight_bits(planes, n_px, c, i, i + w + 1),
						    (uint32_t)i, (uint32_t)(i + w + 1)};
			if (connectivity == 8 && y + 1 < h && x > 0)
				edges[n++] = (fh_edge){weight_bits(planes, n_px, c, i, i + w - 1),
						    (uint32_t)i, (uint32_t)(i + w - 1)};
		}
	return n;
}

/* LSD radix sort, a byte per pass, between the two buffers, with the
 * counts of all four bytes taken in one read; passes whose byte is the
 * same for all edges are skipped. Stable, so equal weights keep the
 * raster order. Returns the buffer that holds the result. */
static fh_edge *sort_edges(fh_edge *edges, fh_edge *spare, size_t n)
{
	size_t count[4][256] = {{0}};
	for (size_t i = 0; i < n; i++) {
		uint32_t bits = edges[i].weight_bits;
		count[0][bits & 0xff]++;
		count[1][bits >> 8 & 0xff]++;
		count[2][bits >> 16 & 0xff]++;
		count[3][bits >> 24]++;
	}
	for (int byte = 0; byte < 4; byte++) {
		int shift = 8 * byte;
		if (n == 0 || count[byte][edges[0].weight_bits >> shift & 0xff] == n)
			continue;
		size_t pos = 0;
		for (int v = 0; v < 256; v++) {
			size_t c = count[byte][v];
			count[byte][v] = pos;
			pos += c;
		}
		for (size_t i = 0; i < n; i++)
			spare[count[byte][edges[i].weight_bits >> shift & 0xff]++] = edges[i];
		fh_edge *sorted = spare;
		spare = edges;
		edges = sorted;
	}
	return edges;
}

typedef struct forest {
	uint32_t *parent, *size;
	float *threshold; /* Int(C) + k/|C| of each root (eq. 4 of the paper) */
} forest;

static uint32_t find(forest *f, uint32_t x)
{
	while (f->parent[x] != x) {
		f->parent[x] = f->parent[f->parent[x]]; /* path halving */
		x = f->parent[x];
	}
	return x;
}

static uint32_t join(forest *f, uint32_t a, uint32_t b)
{
	if (f->size[a] < f->size[b]) {
		uint32_t t = a;
		a = b;
		b = t;
	}
	f->parent[b] = a;
	f->size[a] += f->size[b];
	return a;
}

int fh_graph_build(fh_graph *g, const float *planes, uint32_t w, uint32_t h, uint32_t c,
		   int connectivity)
{
	size_t n_px = (size_t)w * h, max_edges = 4 * n_px;
	if (grow_array(&g->buffer, &g->cap_buffer, 2 * max_edges, sizeof *g->buffer) < 0)
		return err_prefix("the graph of a %ux%u image: ", w, h);
	g->n_px = (uint32_t)n_px;
	g->n_edges = build_edges(planes, w, h, c, connectivity, g->buffer);
	g->edges = sort_edges(g->buffer, g->buffer + max_edges, g->n_edges);
	return 0;
}

void fh_graph_free(fh_graph *g)
{
	free(g->buffer);
	memset(g, 0, sizeof *g);
}

int fh_segment(const fh_graph *g, double k_scale, uint32_t min_size, uint32_t *labels,
	       uint32_t *n_segments)
{
	size_t n_px = g->n_px;
	const fh_edge *edges = g->edges;
	forest f = {malloc(n_px * sizeof *f.parent), malloc(n_px * sizeof *f.size),
		    malloc(n_px * sizeof *f.threshold)};
	if (!f.parent || !f.size || !f.threshold) {
		free(f.parent);
		free(f.size);
		free(f.threshold);
		return err_set("out of memory segmenting %zu pixels", n_px);
	}
	float k = (float)k_scale;
	for (size_t i = 0; i < n_px; i++) {
		f.parent[i] = (uint32_t)i;
		f.size[i] = 1;
		f.threshold[i] = k;
	}
	/* Algorithm 1: merge when the edge is no heavier than either side's
	 * internal difference plus k/|C| */
	for (size_t i = 0; i < g->n_edges; i++) {
		uint32_t a = find(&f, edges[i].a), b = find(&f, edges[i].b);
		float weight;
		memcpy(&weight, &edges[i].weight_bits, sizeof weight);
		if (a != b && weight <= f.threshold[a] && weight <= f.threshold[b]) {
			uint32_t root = join(&f, a, b);
			f.threshold[root] = weight + k / (float)f.size[root];
		}
	}
	/* section 4.1: small components join their lightest neighbour */
	for (size_t i = 0; i < g->n_edges; i++) {
		uint32_t a = find(&f, edges[i].a), b = find(&f, edges[i].b);
		if (a != b && (f.size[a] < min_size || f.size[b] < min_size))
			join(&f, a, b);
	}

	uint32_t *label_of_root = f.size; /* sizes are no longer needed */
	for (size_t i = 0; i < n_px; i++)
		label_of_root[i] = UINT32_MAX;
	uint32_t n = 0;
	for (size_t i = 0; i < n_px; i++) {
		uint32_t root = find(&f, (uint32_t)i);
		if (label_of_root[root] == UINT32_MAX)
			label_of_root[root] = n++;
		labels[i] = label_of_root[root];
	}
	*n_segments = n;
	free(f.parent);
	free(f.size);
	free(f.threshold);
	return 0;
}
