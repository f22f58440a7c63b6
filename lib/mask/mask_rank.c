/* Hiding by weight: the patches of lowest weight, and the object-box
 * strategy's weights. */
#include <string.h>

#include "mask/mask.h"

/* A float's bits as an unsigned integer of the same order. */
static uint32_t float_order(float v)
{
	uint32_t u;
	memcpy(&u, &v, sizeof u);
	return u & 0x80000000u ? ~u : u | 0x80000000u;
}

static void swap_keys(uint64_t *keys, uint32_t i, uint32_t j)
{
	uint64_t t = keys[i];
	keys[i] = keys[j];
	keys[j] = t;
}

/* Moves the k smallest of n distinct keys to keys[0..k) (quickselect,
 * Lomuto partition around the middle key). */
static void select_smallest(uint64_t *keys, uint32_t n, uint32_t k)
{
	uint32_t lo = 0, hi = n;
	if (k == 0 || k >= n)
		return;
	while (lo + 1 < hi) {
		swap_keys(keys, lo + (hi - lo) / 2, hi - 1);
		uint64_t pivot = keys[hi - 1];
		uint32_t store = lo;
		for (uint32_t i = lo; i < hi - 1; i++)
			if (keys[i] < pivot)
				swap_keys(keys, i, store++);
		swap_keys(keys, store, hi - 1);
		if (store == k || store + 1 == k)
			return;
		if (k < store)
			hi = store;
		else
			lo = store + 1;
	}
}

void mask_lowest(uint8_t *bits, const float *weight, uint32_t n_patches, uint32_t n_hidden,
		 uint64_t *keys)
{
	/* weight order in the high half, index in the low: distinct keys,
	 * ties broken by index */
	for (uint32_t i = 0; i < n_patches; i++)
		keys[i] = (uint64_t)float_order(weight[i]) << 32 | i;
	select_smallest(keys, n_patches, n_hidden);
	for (uint32_t i = 0; i < n_hidden; i++)
		mask_set(bits, (uint32_t)keys[i]);
}

void mask_objbox(uint8_t *bits, const uint16_t *boxcount, uint32_t n_patches, uint32_t n_hidden,
		 double lambda, rng *g, float *weight, uint64_t *keys)
{
	uint16_t lo = UINT16_MAX, hi = 0;
	for (uint32_t i = 0; i < n_patches; i++) {
		lo = boxcount[i] < lo ? boxcount[i] : lo;
		hi = boxcount[i] > hi ? boxcount[i] : hi;
	}
	double span = hi > lo ? hi - lo : 1;
	for (uint32_t i = 0; i < n_patches; i++) {
		double b = hi > lo ? (boxcount[i] - lo) / span : 0;
		weight[i] = (float)(lambda * b + (1 - lambda) * rng_uniform(g));
	}
	mask_lowest(bits, weight, n_patches, n_hidden, keys);
}
