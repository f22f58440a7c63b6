/* The patch geometry of a record (man 5 maskpipe-rec): `grid` {p, gh, gw},
 * `boxcount` (u16 LE per patch) and `mask` (bitset, 1 = hidden), and the
 * patches a box touches. */
#ifndef MASKPIPE_PATCH_GRID_H
#define MASKPIPE_PATCH_GRID_H

#include <stddef.h>
#include <stdint.h>

#include "image/boxes.h"
#include "stream/rec.h"

/* No grid may have more patches than this: a corrupt `grid` is an error,
 * not an allocation of gigabytes. */
#define GRID_MAX_PATCHES (1u << 20)

typedef struct patch_grid {
	uint32_t p;      /* patch side, pixels */
	uint32_t gh, gw; /* patches down and across */
} patch_grid;

static inline uint32_t grid_patches(const patch_grid *g)
{
	return g->gh * g->gw;
}

static inline size_t mask_bytes(uint32_t n_patches)
{
	return (n_patches + 7) / 8;
}

static inline int mask_bit(const uint8_t *bits, uint32_t i)
{
	return bits[i / 8] >> (i % 8) & 1;
}

static inline void mask_set(uint8_t *bits, uint32_t i)
{
	bits[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* Number of hidden patches among n. */
uint32_t mask_count(const uint8_t *bits, uint32_t n_patches);

int rec_set_grid(rec *r, const patch_grid *g);

/* 0 found, 1 absent, -1 wrong type or a zero, over-large or incomplete
 * grid, or one that does not fit the record's img, if it has one: gh*p
 * rows and gw*p columns at most (message names the field). */
int rec_get_grid(const rec *r, patch_grid *g);

int rec_set_boxcount(rec *r, const uint16_t *counts, uint32_t n_patches);

/* Copies `boxcount` into counts[0..n_patches): 0, 1 absent, -1 not a bin
 * of 2 * n_patches bytes. */
int rec_get_boxcount(const rec *r, uint16_t *counts, uint32_t n_patches);

int rec_set_mask(rec *r, const uint8_t *bits, uint32_t n_patches);

/* A view of `mask`: 0, 1 absent, -1 not a bin of mask_bytes(n) bytes. */
int rec_get_mask(const rec *r, const uint8_t **bits, uint32_t n_patches);

/* The patches box b covers at least partly (a positive overlap area):
 * rows [*y0, *y1), columns [*x0, *x1); 0 if none (empty or outside). */
int grid_box_cells(const patch_grid *g, const box *b, uint32_t *x0, uint32_t *y0,
		   uint32_t *x1, uint32_t *y1);

/* counts[i] = how many of the boxes touch patch i, saturating at 65535. */
void grid_boxcount(const patch_grid *g, const box *boxes, size_t n_boxes, uint16_t *counts);

#endif
