#include "stream/rec_store.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/rng.h"

void recstore_init(recstore *s)
{
	memset(s, 0, sizeof *s);
}

void recstore_free(recstore *s)
{
	free(s->bytes);
	free(s->offsets);
	memset(s, 0, sizeof *s);
}

int recstore_add(recstore *s, const rec *r)
{
	size_t size = rec_encoded_size(r);
	if (grow_array(&s->bytes, &s->cap, s->len + size, 1) < 0 ||
	    grow_array(&s->offsets, &s->cap_offsets, s->n + 2, sizeof *s->offsets) < 0)
		return -1;
	rec_encode(r, s->bytes + s->len);
	s->offsets[s->n] = s->len;
	s->len += size;
	s->offsets[++s->n] = s->len;
	return 0;
}

int recstore_read_all(recstore *s, rec_reader *rd)
{
	rec r;
	rec_init(&r);
	int rc;
	while ((rc = rec_reader_next(rd, &r)) > 0)
		if (recstore_add(s, &r) < 0) {
			rc = -1;
			break;
		}
	rec_free(&r);
	return rc < 0 ? -1 : 0;
}

int recstore_get(const recstore *s, size_t i, rec *r)
{
	if (rec_parse(r, s->bytes + s->offsets[i], s->offsets[i + 1] - s->offsets[i]) < 0)
		return -1;
	r->index = i;
	return 0;
}

int recstore_write_pass(const recstore *s, rec_writer *w, uint64_t seed, int64_t epoch,
			int shuffle, int set_epoch)
{
	uint32_t *order = NULL;
	if (shuffle) {
		if (s->n > UINT32_MAX)
			return err_set("too many records to shuffle (%zu)", s->n);
		if (!(order = malloc((s->n ? s->n : 1) * sizeof *order)))
			return err_set("out of memory for the order of %zu records", s->n);
		rng_permutation(order, s->n, seed, (uint64_t)epoch);
	}
	rec r;
	rec_init(&r);
	int rc = 0;
	for (size_t i = 0; i < s->n && rc == 0; i++) {
		rc = recstore_get(s, order ? order[i] : i, &r);
		if (rc == 0 && set_epoch)
			rc = rec_set_int(&r, "epoch", epoch);
		if (rc == 0)
			rc = rec_writer_put(w, &r);
	}
	rec_free(&r);
	free(order);
	return rc;
}
