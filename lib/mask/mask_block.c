/* BEiT's blockwise masking (Bao et al., "BEiT: BERT Pre-Training of Image
 * Transformers", ICLR 2022, Algorithm 1, and masking_generator.py of
 * microsoft/unilm): rectangles of area s ~ U[min_block, remaining] and
 * aspect r ~ logU[0.3, 1/0.3], a = sqrt(s r) rows by sqrt(s / r) columns
 * at a uniform position, ten tries each, until the count is reached.
 *
 * Two departures make the count exact and every block at least min_block
 * patches, as the issue asks: a rectangle is accepted only if it has at
 * least min_block patches (BEiT's rounding can make it smaller), and when
 * fewer than min_block patches remain (or no rectangle fits), the rest
 * grows the hidden region by visible patches 4-adjacent to it, one
 * uniformly chosen at a time, so no new island appears. With no block at
 * all (n_hidden < min_block, or a grid too small), the growth starts from
 * one uniformly chosen patch: one contiguous region. */
#include <math.h>

#include "mask/mask.h"

/* Hides a random rectangle if it fits; returns the patches it added. */
static uint32_t try_block(uint8_t *bits, const patch_grid *grid, uint32_t remaining,
			  uint32_t min_block, rng *g)
{
	double log_lo = log(0.3), log_hi = log(1 / 0.3);
	for (int attempt = 0; attempt < 10; attempt++) {
		double area = min_block + (remaining - min_block) * rng_uniform(g);
		double aspect = exp(log_lo + (log_hi - log_lo) * rng_uniform(g));
		uint32_t h = (uint32_t)round(sqrt(area * aspect));
		uint32_t w = (uint32_t)round(sqrt(area / aspect));
		/* BEiT's strict bounds: a block never spans the whole grid */
		if (h * w < min_block || w >= grid->gw || h >= grid->gh)
			continue;
		uint32_t top = (uint32_t)rng_below(g, grid->gh - h + 1);
		uint32_t left = (uint32_t)rng_below(g, grid->gw - w + 1);
		uint32_t added = 0;
		for (uint32_t y = top; y < top + h; y++)
			for (uint32_t x = left; x < left + w; x++)
				added += !mask_bit(bits, y * grid->gw + x);
		if (added == 0 || added > remaining)
			continue;
		for (uint32_t y = top; y < top + h; y++)
			for (uint32_t x = left; x < left + w; x++)
				mask_set(bits, y * grid->gw + x);
		return added;
	}
	return 0;
}

static int touches_hidden(const uint8_t *bits, const patch_grid *grid, uint32_t i)
{
	uint32_t y = i / grid->gw, x = i % grid->gw;
	return (x > 0 && mask_bit(bits, i - 1)) || (x + 1 < grid->gw && mask_bit(bits, i + 1)) ||
	       (y > 0 && mask_bit(bits, i - grid->gw)) ||
	       (y + 1 < grid->gh && mask_bit(bits, i + grid->gw));
}

void mask_block(uint8_t *bits, const patch_grid *grid, uint32_t n_hidden, uint32_t min_block,
		rng *g, uint32_t *scratch)
{
	uint32_t n_patches = grid_patches(grid), hidden = 0;
	while (n_hidden - hidden >= min_block) {
		uint32_t added = try_block(bits, grid, n_hidden - hidden, min_block, g);
		if (!added)
			break;
		hidden += added;
	}
	if (hidden == 0 && n_hidden > 0) {
		mask_set(bits, (uint32_t)rng_below(g, n_patches));
		hidden = 1;
	}
	while (hidden < n_hidden) {
		uint32_t n_frontier = 0;
		for (uint32_t i = 0; i < n_patches; i++)
			if (!mask_bit(bits, i) && touches_hidden(bits, grid, i))
				scratch[n_frontier++] = i;
		mask_set(bits, scratch[rng_below(g, n_frontier)]);
		hidden++;
	}
}
