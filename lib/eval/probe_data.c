#include "eval/probe_data.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/rng.h"

/* A key's salt, so held-out draws are unrelated to other uses of id hashes */
#define HOLD_OUT_STREAM 0x686f6c646f7574ULL

void probe_set_init(probe_set *s)
{
	memset(s, 0, sizeof *s);
}

void probe_set_free(probe_set *s)
{
	free(s->x);
	free(s->label);
	free(s->key);
	free(s->cls);
	probe_set_init(s);
}

static int reserve(probe_set *s, size_t need)
{
	if (need <= s->cap)
		return 0;
	size_t cap = s->cap < 1024 ? 1024 : s->cap;
	while (cap < need)
		cap *= 2;
	float *x = realloc(s->x, cap * s->dim * sizeof(float));
	if (x)
		s->x = x;
	int64_t *label = realloc(s->label, cap * sizeof(int64_t));
	if (label)
		s->label = label;
	uint64_t *key = realloc(s->key, cap * sizeof(uint64_t));
	if (key)
		s->key = key;
	if (!x || !label || !key)
		return err_set("out of memory for %zu examples of %zu features", need, s->dim);
	s->cap = cap;
	return 0;
}

int probe_set_add(probe_set *s, const float *x, size_t dim, int64_t label, uint64_t key)
{
	if (s->n == 0 && s->cap == 0)
		s->dim = dim;
	if (dim != s->dim)
		return err_set("%zu features, the earlier records had %zu", dim, s->dim);
	if (reserve(s, s->n + 1) < 0)
		return -1;
	memcpy(s->x + s->n * dim, x, dim * sizeof(float));
	s->label[s->n] = label;
	s->key[s->n] = key;
	s->n++;
	return 0;
}

int probe_record_label(const rec *r, int64_t *label, uint64_t *key)
{
	int rc = rec_get_int(r, "label", label);
	if (rc == 1)
		return err_set("no label");
	if (rc < 0)
		return -1;
	/* a class index (maskpipe-rec(5)); the rest would become classes of
	 * their own, and the head's float32 labels could not keep them */
	if (*label < 0 || *label >= PROBE_MAX_CLASSES)
		return err_set("label %" PRId64 ": not a class index (0 to %d)", *label,
			       PROBE_MAX_CLASSES - 1);
	const char *id;
	uint32_t id_len;
	*key = rec_get_str(r, "id", &id, &id_len) == 0 ? rng_hash(id, id_len, 0)
						       : rng_hash(&r->index, sizeof r->index, 1);
	return 0;
}

int probe_set_add_record(probe_set *s, const rec *r, int use_pixels)
{
	int64_t label;
	uint64_t key;
	if (probe_record_label(r, &label, &key) < 0)
		return -1;
	int rc;
	if (use_pixels) {
		img_view v;
		rc = rec_get_img(r, &v);
		if (rc == 1)
			return err_set("no img");
		if (rc < 0)
			return -1;
		size_t dim = (size_t)v.w * v.h * v.c;
		if (s->n == 0 && s->cap == 0)
			s->dim = dim;
		if (dim != s->dim)
			return err_set("image %ux%ux%u has %zu pixel values, the earlier records had %zu",
				       v.w, v.h, v.c, dim, s->dim);
		if (reserve(s, s->n + 1) < 0)
			return -1;
		float *x = s->x + s->n * dim;
		for (size_t i = 0; i < dim; i++)
			x[i] = v.px[i] * (1.0f / 255);
		s->label[s->n] = label;
		s->key[s->n] = key;
		s->n++;
		return 0;
	}
	const uint8_t *bin;
	uint32_t len;
	rc = rec_get_bin(r, "emb", &bin, &len);
	if (rc == 1)
		return err_set("no emb (give --pixels to probe the raw pixels)");
	if (rc < 0)
		return -1;
	if (len == 0 || len % sizeof(float))
		return err_set("field 'emb': %u bytes, not a positive number of float32", len);
	size_t dim = len / sizeof(float);
	float *x = malloc(len);
	if (!x)
		return err_set("out of memory");
	/* float32 little-endian, as on every machine this runs on */
	memcpy(x, bin, len);
	for (size_t i = 0; i < dim && rc == 0; i++)
		if (!isfinite(x[i]))
			rc = err_set("field 'emb': value %zu is not finite", i);
	if (rc == 0)
		rc = probe_set_add(s, x, dim, label, key);
	free(x);
	return rc;
}

int probe_set_move(probe_set *from, probe_set *to, const uint8_t *take)
{
	size_t kept = 0;
	for (size_t i = 0; i < from->n; i++) {
		if (take[i]) {
			if (probe_set_add(to, from->x + i * from->dim, from->dim, from->label[i],
					  from->key[i]) < 0)
				return -1;
			continue;
		}
		memmove(from->x + kept * from->dim, from->x + i * from->dim, from->dim * sizeof(float));
		from->label[kept] = from->label[i];
		from->key[kept] = from->key[i];
		kept++;
	}
	from->n = kept;
	return 0;
}

int probe_set_hold_out(probe_set *from, probe_set *to, double fraction, uint64_t seed)
{
	uint8_t *take = malloc(from->n ? from->n : 1);
	if (!take)
		return err_set("out of memory");
	for (size_t i = 0; i < from->n; i++) {
		rng g;
		rng_seed(&g, seed ^ from->key[i], HOLD_OUT_STREAM);
		take[i] = rng_uniform(&g) < fraction;
	}
	int rc = probe_set_move(from, to, take);
	free(take);
	return rc;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int probe_classes_of(probe_classes *c, const probe_set *s)
{
	return probe_classes_from(c, s->label, s->n);
}

int probe_classes_from(probe_classes *c, const int64_t *label, size_t n_labels)
{
	c->n = 0;
	c->label = malloc((n_labels ? n_labels : 1) * sizeof(int64_t));
	if (!c->label)
		return err_set("out of memory");
	if (n_labels == 0)
		return 0;
	memcpy(c->label, label, n_labels * sizeof(int64_t));
	qsort(c->label, n_labels, sizeof(int64_t), cmp_i64);
	size_t n = 1;
	for (size_t i = 1; i < n_labels; i++)
		if (c->label[i] != c->label[n - 1])
			c->label[n++] = c->label[i];
	if (n > PROBE_MAX_CLASSES)
		return err_set("%zu distinct labels: too many classes", n);
	c->n = (int)n;
	return 0;
}

void probe_classes_free(probe_classes *c)
{
	free(c->label);
	c->label = NULL;
	c->n = 0;
}

int probe_classes_find(const probe_classes *c, int64_t label)
{
	int lo = 0, hi = c->n;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (c->label[mid] < label)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n && c->label[lo] == label ? lo : -1;
}

int probe_set_classify(probe_set *s, const probe_classes *c)
{
	return probe_classify(&s->cls, s->label, s->n, c);
}

int probe_classify(int32_t **cls, const int64_t *label, size_t n, const probe_classes *c)
{
	int32_t *out = realloc(*cls, (n ? n : 1) * sizeof(int32_t));
	if (!out)
		return err_set("out of memory");
	*cls = out;
	for (size_t i = 0; i < n; i++)
		out[i] = probe_classes_find(c, label[i]);
	return 0;
}

int probe_moments(const probe_set *s, float *mean, float *sd)
{
	double *sum = calloc(2 * (s->dim ? s->dim : 1), sizeof(double));
	if (!sum)
		return err_set("out of memory");
	double *sum_sq = sum + s->dim;
	/* two passes (mean, then squared deviations): the one-pass formula
	 * loses the variance of features with a large mean to cancellation */
	for (size_t i = 0; i < s->n; i++)
		for (size_t j = 0; j < s->dim; j++)
			sum[j] += s->x[i * s->dim + j];
	for (size_t j = 0; j < s->dim; j++)
		sum[j] /= s->n ? (double)s->n : 1.0;
	for (size_t i = 0; i < s->n; i++)
		for (size_t j = 0; j < s->dim; j++) {
			double d = s->x[i * s->dim + j] - sum[j];
			sum_sq[j] += d * d;
		}
	for (size_t j = 0; j < s->dim; j++) {
		double var = s->n ? sum_sq[j] / (double)s->n : 0;
		mean[j] = (float)sum[j];
		sd[j] = var > 1e-12 ? (float)sqrt(var) : 1.0f;
	}
	free(sum);
	return 0;
}

void probe_standardise(probe_set *s, const float *mean, const float *sd)
{
	for (size_t i = 0; i < s->n; i++)
		for (size_t j = 0; j < s->dim; j++)
			s->x[i * s->dim + j] = (s->x[i * s->dim + j] - mean[j]) / sd[j];
}
