/* patchify's geometry: an optional resize, a crop (fixed-size random crop
 * or MAE's RandomResizedCrop), a horizontal flip, applied as one
 * resampling to the image and, with the same mapping, to the `boxes` and
 * the `segments` label map. */
#ifndef MASKPIPE_AUGMENT_H
#define MASKPIPE_AUGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "image/boxes.h"
#include "common/img.h"
#include "common/rng.h"

enum crop_kind {
	CROP_NONE,   /* the whole (resized) image */
	CROP_RANDOM, /* a size x size window at a uniform random offset */
	CROP_RRC,    /* RandomResizedCrop (torchvision, as MAE's main_pretrain.py uses it) */
};

typedef struct augment_opts {
	uint32_t resize;             /* first resize to resize x resize; 0: keep the size */
	uint32_t size;               /* output side; 0: the (resized) image's own size */
	int crop;                    /* enum crop_kind */
	double scale_min, scale_max; /* RRC: area fraction, MAE: 0.2 .. 1.0 */
	double ratio_min, ratio_max; /* RRC: aspect w/h, log-uniform, 3/4 .. 4/3 */
	int flip;                    /* horizontal flip with probability 1/2 */
	double min_box_keep;         /* a box keeps at least this part of its area or goes */
} augment_opts;

/* The source rectangle (in source pixels, fractional) that becomes the
 * out_w x out_h output, mirrored when flip is set. */
typedef struct crop_rect {
	double x, y, w, h;
	uint32_t out_w, out_h;
	int flip;
} crop_rect;

/* Draws the rectangle for a src_w x src_h image: 0, or -1 when the image
 * is smaller than a fixed-size crop. */
int augment_plan(const augment_opts *opt, uint32_t src_w, uint32_t src_h, rng *g, crop_rect *c);

/* dst (allocated here, c->out_w x c->out_h, src's channels) = the
 * rectangle, bilinear with half-pixel centres (an unscaled integer window
 * is copied exactly). */
int augment_image(const img_view *src, const crop_rect *c, img *dst);

/* dst[out_h * out_w] = the rectangle of the src_w x src_h label map,
 * nearest neighbour: labels are not blended. */
void augment_labels(const uint32_t *src, uint32_t src_w, uint32_t src_h, const crop_rect *c,
		    uint32_t *dst);

/* Maps the boxes in place into output coordinates, clipped to the output;
 * a box keeping less than min_keep of its mapped area, or less than a
 * pixel a side, is dropped. Returns how many remain, in their order. */
size_t augment_boxes(box *boxes, size_t n_boxes, const crop_rect *c, double min_keep);

#endif
