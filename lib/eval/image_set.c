#include "eval/image_set.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "eval/balanced.h"
#include "mae/mae_input.h"

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

long image_set_balanced(const image_set *s, int n_classes, size_t n_take, uint64_t seed,
			uint32_t *idx)
{
	return balanced_subset(s->key, s->cls, s->n, n_classes, n_take, seed, idx);
}
