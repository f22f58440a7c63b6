/* The `boxes` field: object proposals as an array of [x, y, w, h] integer
 * arrays in `img` pixel coordinates, best first (man 5 maskpipe-rec). */
#ifndef MASKPIPE_BOXES_H
#define MASKPIPE_BOXES_H

#include <stddef.h>
#include <stdint.h>

#include "common/img.h"
#include "stream/rec.h"

typedef struct box {
	int32_t x, y, w, h;
} box;

/* Sets `boxes` to the n boxes, in order. */
int rec_set_boxes(rec *r, const box *boxes, size_t n);

/* Reads `boxes` into *boxes (grown with grow_array, *cap items allocated;
 * both may start at NULL/0 and are reused across records): 0 found, 1
 * absent (*n = 0), -1 wrong type or shape, or a box with a negative side. */
int rec_get_boxes(const rec *r, box **boxes, size_t *cap, size_t *n);

/* Intersection over union; 0 when either box is empty. */
double box_iou(const box *a, const box *b);

/* Draws the outline of b, `thickness` px wide inside the box, clipped to
 * the image, in `rgb` (its luma on a gray image). */
void img_draw_box(img *im, const box *b, const uint8_t rgb[3], uint32_t thickness);

/* Draws the outlines of n boxes given in the coordinates of an image
 * `scale` times smaller than im, 1 px wide, the first in red and the next
 * in the colours of a fixed palette of 8 (Paul Tol's bright scheme), so
 * ranks can be told apart. im must have 3 or 4 channels. */
void img_draw_boxes(img *im, const box *boxes, size_t n, uint32_t scale);

#endif
