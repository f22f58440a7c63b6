/* The features Selective Search groups regions by (Uijlings et al. 2013,
 * section 3.2): per initial region, size, bounding box, L1-normalised
 * colour and texture histograms (from the pixels' bins, ss_pixels.h), and
 * which regions touch it. */
#ifndef MASKPIPE_SS_REGIONS_H
#define MASKPIPE_SS_REGIONS_H

#include <stddef.h>
#include <stdint.h>

#include "ssearch/ss_pixels.h"

typedef struct ss_bbox {
	int32_t x0, y0, x1, y1; /* inclusive */
} ss_bbox;

typedef struct ss_regions {
	uint32_t n, n_px;
	uint32_t colour_len, texture_len; /* histogram lengths */
	uint32_t *size;                   /* [n] pixels */
	ss_bbox *bbox;                    /* [n] */
	float *colour, *texture;          /* [n][colour_len], [n][texture_len], each sums to 1 */
	uint64_t *pairs;                  /* touching regions a < b as a << 32 | b, sorted */
	size_t n_pairs, cap_pairs;
} ss_regions;

/* The regions of a segmentation (labels in [0, n) per pixel of p), with
 * pixels touching across a side or a corner making regions adjacent. */
int ss_regions_compute(ss_regions *r, const ss_pixels *p, const uint32_t *labels, uint32_t n);
void ss_regions_free(ss_regions *r);

/* Groups the regions greedily, most similar neighbours first, by the sum
 * of the similarities in `sims` (SIM_* of selsearch.h), until one region
 * is left (section 3.1). boxes gets every region's box in the order of
 * creation: the r->n initial ones, then one per merge (*n_boxes in all,
 * 2n - 1 for a connected image). Ties break on region numbers, so the
 * result is fully determined. 0 or -1. */
int ss_group(const ss_regions *r, unsigned sims, ss_bbox *boxes, size_t *n_boxes);

#endif
