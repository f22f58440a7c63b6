/* MAE's uniform masking and the hidden count every ratio-taking strategy
 * uses. */
#include <math.h>

#include "mask/mask.h"

uint32_t mask_hidden_count(double ratio, uint32_t n_patches)
{
	return (uint32_t)floor(ratio * n_patches + 0.5);
}

void mask_random(uint8_t *bits, uint32_t n_patches, uint32_t n_hidden, rng *g, uint32_t *scratch)
{
	/* the first n_hidden steps of a Fisher-Yates shuffle: a uniform subset */
	for (uint32_t i = 0; i < n_patches; i++)
		scratch[i] = i;
	for (uint32_t i = 0; i < n_hidden; i++) {
		uint32_t j = i + (uint32_t)rng_below(g, n_patches - i);
		uint32_t chosen = scratch[j];
		scratch[j] = scratch[i];
		scratch[i] = chosen;
		mask_set(bits, chosen);
	}
}
