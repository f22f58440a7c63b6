/* The masking strategies of mask-gen. Each fills a zeroed bitset `bits`
 * (man 5 maskpipe-rec: bit i set = patch i hidden) for a gh x gw grid,
 * patch i at row i / gw, column i % gw, hiding exactly n_hidden patches
 * where the strategy takes a ratio. Random choices come from g only. */
#ifndef MASKPIPE_MASK_H
#define MASKPIPE_MASK_H

#include <stddef.h>
#include <stdint.h>

#include "image/boxes.h"
#include "image/patch_grid.h"
#include "common/rng.h"

/* The hidden count of a ratio: round(ratio * n_patches), halves up. */
uint32_t mask_hidden_count(double ratio, uint32_t n_patches);

/* MAE (He et al., CVPR 2022, sec. 3): a uniformly random subset of
 * n_hidden patches. scratch holds n_patches items. */
void mask_random(uint8_t *bits, uint32_t n_patches, uint32_t n_hidden, rng *g, uint32_t *scratch);

/* BEiT's blockwise masking (Bao et al., ICLR 2022, Algorithm 1): blocks
 * of at least min_block patches, aspect ratio log-uniform in [0.3, 1/0.3],
 * until the count is reached; the last few patches grow the blocks (see
 * mask_block.c). scratch holds n_patches items. */
void mask_block(uint8_t *bits, const patch_grid *grid, uint32_t n_hidden, uint32_t min_block,
		rng *g, uint32_t *scratch);

/* Grid-wise sampling (MAE, fig. 6): the top-left patch of every 2x2
 * cell stays visible, the other three are hidden. */
void mask_grid(uint8_t *bits, const patch_grid *grid);

/* Checkerboard masking (Nguyen & Park, ICPR 2024): patches with
 * (row + column) % 2 == parity hidden. */
void mask_checkerboard(uint8_t *bits, const patch_grid *grid, uint32_t parity);

/* Hides the n_hidden patches of lowest weight; equal weights hide the
 * lower index first. keys holds n_patches items. */
void mask_lowest(uint8_t *bits, const float *weight, uint32_t n_patches, uint32_t n_hidden,
		 uint64_t *keys);

/* The object-box strategy: weight = lambda * b + (1 - lambda) * u, b the
 * min-max-normalised box count of the patch (0 everywhere when all counts
 * are equal), u uniform in [0, 1); the lowest weights hidden, so patches
 * covered by many boxes stay visible. weight and keys hold n_patches. */
void mask_objbox(uint8_t *bits, const uint16_t *boxcount, uint32_t n_patches, uint32_t n_hidden,
		 double lambda, rng *g, float *weight, uint64_t *keys);

/* ColorMAE (Hinojosa et al., ECCV 2024): filtered-noise patterns. */
enum noise_color { NOISE_WHITE, NOISE_RED, NOISE_GREEN, NOISE_BLUE, NOISE_PURPLE };

typedef struct noise_bank {
	int color;
	uint32_t side, n_patterns;
	float *values; /* n_patterns patterns of side x side, row-major */
} noise_bank;

/* Makes n_patterns side x side patterns of the colour from white Gaussian
 * noise W seeded by seed: red G(sigma2)*W, blue W - G(sigma1)*W, green
 * G(sigma1)*W - G(sigma2)*W, purple W - green; G a Gaussian blur with
 * wrap-around edges, sigmas in patches. */
int noise_bank_make(noise_bank *bank, int color, double sigma1, double sigma2, uint32_t side,
		    uint32_t n_patterns, uint64_t seed);
void noise_bank_free(noise_bank *bank);

/* ColorMAE's masking: a random pattern of the bank, a random gh x gw
 * window of it, randomly flipped both ways; the n_hidden lowest values
 * hidden (their code keeps the strongest values visible). The grid must
 * fit the bank. weight and keys hold n_patches. */
void mask_noise(uint8_t *bits, const noise_bank *bank, const patch_grid *grid, uint32_t n_hidden,
		rng *g, float *weight, uint64_t *keys);

/* Regions of patches for the semantic strategy, as lists: region k holds
 * patches[start[k] .. start[k + 1]). A patch may be in several. */
typedef struct patch_regions {
	uint32_t n_regions;
	uint32_t *start, *patches;
	size_t cap_start, cap_patches;
	uint32_t *label, *pixels; /* scratch */
	size_t cap_label, cap_pixels;
} patch_regions;

/* One region per box (the patches it touches), then one per 4-connected
 * component of the patches no box touches. */
int regions_from_boxes(patch_regions *pr, const patch_grid *grid, const box *boxes, size_t n_boxes);

/* Each patch takes the most frequent segment label of its pixels
 * (the smallest label on ties); one region per 4-connected component of
 * patches of one label. labels is gh*p x gw*p. */
int regions_from_segments(patch_regions *pr, const patch_grid *grid, const uint32_t *labels);

void patch_regions_free(patch_regions *pr);

/* Segment-preserving masking after Miao et al. (IEEE SPL 2024): regions
 * in random order, each made visible whole while it fits the visible
 * budget n_patches - n_hidden; the budget's remainder comes from the first
 * region that did not fit, grown breadth-first from a random patch (see
 * mask_semantic.c). *scratch (grown here) holds 2 * n_patches + n_regions. */
int mask_semantic(uint8_t *bits, const patch_grid *grid, const patch_regions *pr,
		  uint32_t n_hidden, rng *g, uint32_t **scratch, size_t *cap_scratch);

#endif
