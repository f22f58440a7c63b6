/* Felzenszwalb & Huttenlocher, "Efficient Graph-Based Image Segmentation",
 * IJCV 2004: the initial regions of Selective Search. */
#ifndef MASKPIPE_SEGMENT_H
#define MASKPIPE_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

/* The image of c interleaved 8-bit channels as float planes, channel
 * after channel, blurred by a Gaussian of sigma (0: not blurred) as the
 * paper does before building the graph: c*w*h floats. 0, or -1 out of
 * memory. */
int fh_smooth(const uint8_t *px, uint32_t w, uint32_t h, uint32_t c, double sigma, float *planes);

typedef struct fh_edge {
	uint32_t weight_bits; /* a non-negative float's bits order as the float does */
	uint32_t a, b;        /* pixel indices */
} fh_edge;

/* The grid graph of an image, its edges sorted by weight: built once and
 * segmented at every scale k, since the weights do not depend on k. */
typedef struct fh_graph {
	uint32_t n_px;
	fh_edge *edges; /* n_edges, lightest first, into buffer */
	size_t n_edges;
	fh_edge *buffer; /* room for the edges twice, for the sort */
	size_t cap_buffer;
} fh_graph;

/* Builds the graph of the smoothed planes (fh_smooth) with 4 or 8
 * neighbours per pixel, weighted by the Euclidean colour distance, sorted
 * by a stable radix sort on the float bits (exact, no quantisation; equal
 * weights keep raster order). g's memory is reused. 0, or -1. */
int fh_graph_build(fh_graph *g, const float *planes, uint32_t w, uint32_t h, uint32_t c,
		   int connectivity);
void fh_graph_free(fh_graph *g);

/* Segments the graph at scale k (the threshold tau(C) = k/|C|), then
 * merges the components below min_size into their lightest neighbours
 * (section 4.1). labels[i] gets pixel i's segment, numbered 0.. in
 * raster order of first appearance; *n_segments their count. 0, or -1. */
int fh_segment(const fh_graph *g, double k, uint32_t min_size, uint32_t *labels,
	       uint32_t *n_segments);

#endif
