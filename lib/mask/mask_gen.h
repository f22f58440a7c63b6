/* mask-gen's work: a strategy by name, its options, and the `mask` of one
 * record from its `grid` (and `boxcount`, `boxes`, `segments`, `epoch` as
 * the strategy needs), drawn from (seed, id, epoch). */
#ifndef MASKPIPE_MASK_GEN_H
#define MASKPIPE_MASK_GEN_H

#include "mask/mask.h"
#include "mask/mask_schedule.h"
#include "stream/rec.h"

enum mask_kind { MASK_RANDOM, MASK_BLOCK, MASK_GRID, MASK_SYMMETRIC, MASK_OBJBOX, MASK_NOISE,
		 MASK_SEMANTIC };

typedef struct mask_gen_opts {
	int kind, color;          /* enum mask_kind; enum noise_color for MASK_NOISE */
	double ratio;             /* hidden fraction, unless use_schedule */
	int use_schedule;
	mask_schedule schedule;
	double lambda;            /* objbox */
	uint32_t min_block;       /* block */
	double sigma1, sigma2;    /* noise */
	uint32_t bank_side, bank_patterns;
	uint64_t seed;
} mask_gen_opts;

typedef struct mask_gen {
	mask_gen_opts opt;
	noise_bank bank;
	patch_regions regions;
	uint8_t *bits;
	uint32_t *idx;
	float *weight;
	uint64_t *keys;
	uint16_t *counts;
	size_t cap_bits, cap_idx, cap_weight, cap_keys, cap_counts;
	box *boxes;
	uint32_t *labels;
	size_t cap_boxes, cap_labels;
} mask_gen;

/* "random", "block", "grid", "symmetric", "objbox", "semantic",
 * "noise:white|red|green|blue|purple": 0, or -1 with a message. */
int mask_strategy_parse(const char *name, int *kind, int *color);

/* The ratio a strategy fixes by construction (grid 0.75, symmetric 0.5),
 * or a negative number when it takes --ratio. */
double mask_fixed_ratio(int kind);

/* Makes the noise bank when the strategy needs one. */
int mask_gen_init(mask_gen *mg, const mask_gen_opts *opt);

/* Sets r's `mask`: 0, or -1 with a message (no grid, a boxcount or
 * segments that do not match it, no id for a random strategy...). */
int mask_gen_record(mask_gen *mg, rec *r);

void mask_gen_free(mask_gen *mg);

#endif
