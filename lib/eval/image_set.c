#include "eval/image_set.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "mae/mae_input.h"
#include "common/rng.h"

/* the salt of a subset draw, so it is unrelated to other uses of id hashes */
#define SUBSET_STREAM 0x737562736574ULL

void image_set_init(image_set *s, const mae_config *cfg)
{
	memset(s, 0, sizeof *s);
	s->img_bytes = (size_t)cfg->img_size * cfg->img_size * cfg->in_chans;
}

void image_set_free(image_set *s)
{
	free(s->px);
	free(s->label);
	free(s->key);
	free(s->cls);
	memset(s, 0, sizeof *s);
}

static int reserve(image_set *s, size_t n)
{
	if (n <= s->cap)
		return 0;
	size_t cap = s->cap ? s->cap * 2 : 256;
	if (cap < n)
		cap = n;
	uint8_t *px = realloc(s->px, cap * s->img_bytes);
	if (px)
		s->px = px;
	int64_t *label = realloc(s->label, cap * sizeof *label);
	if (label)
		s->label = label;
	uint64_t *key = realloc(s->key, cap * sizeof *key);
	if (key)
		s->key = key;
	if (!px || !label || !key)
		return err_set("out of memory for %zu images", n);
	s->cap = cap;
	return 0;
}

int image_set_add_record(image_set *s, const rec *r, const mae_config *cfg)
{
	const uint8_t *px, *mask;
	int64_t label;
	uint64_t key;
	if (mae_record_input(r, cfg, 0, &px, &mask) < 0 || probe_record_label(r, &label, &key) < 0 ||
	    reserve(s, s->n + 1) < 0)
		return -1;
	memcpy(s->px + s->n * s->img_bytes, px, s->img_bytes);
	s->label[s->n] = label;
	s->key[s->n] = key;
	s->n++;
	return 0;
}

int image_set_classify(image_set *s, const probe_classes *c)
{
	return probe_classify(&s->cls, s->label, s->n, c);
}

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

long image_set_balanced(const image_set *s, int n_classes, size_t n_take, uint64_t seed,
			uint32_t *idx)
{
	if (s->n > UINT32_MAX)
		return err_set("%zu images: too many for a subset", s->n);
	ranked *r = malloc((s->n ? s->n : 1) * sizeof *r);
	if (!r)
		return err_set("out of memory");
	size_t n_known = 0;
	uint64_t salt = rng_hash(&seed, sizeof seed, SUBSET_STREAM);
	for (size_t i = 0; i < s->n; i++)
		if (s->cls[i] >= 0) {
			uint64_t mixed = s->key[i] ^ salt;
			r[n_known++] = (ranked){rng_hash(&mixed, sizeof mixed, SUBSET_STREAM),
						(uint32_t)i, s->cls[i]};
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
