/* The per-pixel features of Selective Search's similarities (Uijlings et
 * al. 2013, section 3.2): each pixel's bin of the colour and texture
 * histograms, computed once per colour space for every segmentation. */
#ifndef MASKPIPE_SS_PIXELS_H
#define MASKPIPE_SS_PIXELS_H

#include <stdint.h>

#define SS_MAX_CHANNELS 3  /* of a colour space: every slot then fits a byte */
#define SS_COLOUR_BINS 25  /* per channel */
#define SS_ORIENTATIONS 8  /* Gaussian derivative directions, 45 degrees apart */
#define SS_TEXTURE_BINS 10 /* per orientation and channel */

/* An image in one colour space, binned: each pixel's slots in a region's
 * colour histogram (channel-major, SS_COLOUR_BINS per channel) and
 * texture histogram (channel, then orientation, SS_TEXTURE_BINS each).
 * A plane per feature, so that each is computed and counted in one
 * sweep along memory. */
typedef struct ss_pixels {
	uint32_t w, h, c;
	uint8_t *colour_slot;  /* [c][w*h] */
	uint8_t *texture_slot; /* [c * SS_ORIENTATIONS][w*h] */
} ss_pixels;

/* Bins the c-channel 8-bit image px, c <= SS_MAX_CHANNELS. Texture: the
 * derivative of a Gaussian of sigma 1 in each of 8 directions (steered
 * from x and y derivatives), its positive part, binned over [0, its
 * maximum in the image]. 0 or -1. */
int ss_pixels_compute(ss_pixels *p, const uint8_t *px, uint32_t w, uint32_t h, uint32_t c);
void ss_pixels_free(ss_pixels *p);

#endif
