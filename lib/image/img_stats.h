/* Per-channel statistics of the pixels of many images (rec-stats): the
 * mean and standard deviation that normalise a model's inputs
 * (mae-train --input-norm), as torchvision's Normalize takes them. */
#ifndef MASKPIPE_IMG_STATS_H
#define MASKPIPE_IMG_STATS_H

#include <stdint.h>

#include "common/img.h"

/* A histogram of each channel's bytes: exact whatever the number and
 * order of the images, so the figures are the same for any input order. */
typedef struct img_stats {
	uint32_t chans;        /* of the first image; 0 before it */
	uint64_t n_images;
	uint64_t counts[4][256];
} img_stats;

void img_stats_init(img_stats *s);
/* Adds an image's pixels: 0, or -1 with a message when its channel count
 * is not the first image's. */
int img_stats_add(img_stats *s, const img_view *v);
/* Mean and population standard deviation of channel c's pixels in [0, 1]
 * units (v / 255), in double from the exact counts; 0 and 0 with no
 * pixels. */
void img_stats_channel(const img_stats *s, uint32_t c, double *mean, double *std);

#endif
