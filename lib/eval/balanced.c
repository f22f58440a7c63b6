/* The class-balanced subsets of few-label evaluation. */
#include "eval/balanced.h"

#include <stdlib.h>

#include "common/err.h"
#include "common/rng.h"

/* the subset's stream of draws */
#define SUBSET_STREAM 0x737562736574ULL

typedef struct ranked {
	uint64_t rank;
	uint32_t index;
	int32_t cls;
} ranked;

/* by class, then rank; the index breaks ties (equal ids) */
static int cmp_ranked(const void *pa, const void *pb)
{
	const ranked *a = pa, *b = pb;
	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int cmp_u32(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	return a < b ? -1 : a > b;
}

long balanced_subset(const uint64_t *key, const int32_t *cls, size_t n, int n_classes,
		     size_t n_take, uint64_t seed, uint32_t *idx)
{
	if (n > UINT32_MAX)
		return err_set("%zu images: too many for a subset", n);
	ranked *r = malloc((n ? n : 1) * sizeof *r);
	if (!r)
		return err_set("out of memory");
	size_t n_known = 0;
	uint64_t salt = rng_hash(&seed, sizeof seed, SUBSET_STREAM);
	for (size_t i = 0; i < n; i++)
		if (cls[i] >= 0) {
			uint64_t mixed = key[i] ^ salt;
			r[n_known++] = (ranked){rng_hash(&mixed, sizeof mixed, SUBSET_STREAM),
						(uint32_t)i, cls[i]};
		}
	qsort(r, n_known, sizeof *r, cmp_ranked);
	size_t taken = 0;
	for (size_t start = 0; start < n_known;) {
		int32_t c = r[start].cls;
		size_t end = start;
		while (end < n_known && r[end].cls == c)
			end++;
		size_t quota = n_take / (size_t)n_classes + ((size_t)c < n_take % (size_t)n_classes);
		for (size_t k = start; k < end && k - start < quota; k++)
			idx[taken++] = r[k].index;
		start = end;
	}
	free(r);
	qsort(idx, taken, sizeof *idx, cmp_u32);
	return (long)taken;
}
