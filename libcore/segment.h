/* Felzenszwalb & Huttenlocher, "Efficient Graph-Based Image Segmentation",
 * IJCV 2004: the initial regions of Selective Search. */
#ifndef MASKPIPE_SEGMENT_H
#define MASKPIPE_SEGMENT_H

#include <stdint.h>

typedef struct fh_params {
	double k;          /* scale of observation: the threshold tau(C) = k / |C| */
	uint32_t min_size; /* components smaller than this are merged away */
	int connectivity;  /* 4 (OpenCV's graph) or 8 (the paper's) */
} fh_params;

/* The image of c interleaved 8-bit channels as float planes, channel
 * after channel, blurred by a Gaussian of sigma (0: not blurred) as the
 * paper does before building the graph: c*w*h floats. Done once for all
 * the scales k an image is segmented at. 0, or -1 out of memory. */
int fh_smooth(const uint8_t *px, uint32_t w, uint32_t h, uint32_t c, double sigma, float *planes);

/* Segments the planes fh_smooth made. Edge weights are the Euclidean
 * colour distance of neighbours; edges are sorted by a stable radix sort
 * on their float bits (exact, no quantisation). labels[y*w + x] gets the
 * pixel's segment, numbered 0.. in raster order of first appearance;
 * *n_segments their count. 0, or -1 out of memory. */
int fh_segment(const float *planes, uint32_t w, uint32_t h, uint32_t c, const fh_params *p,
	       uint32_t *labels, uint32_t *n_segments);

#endif
