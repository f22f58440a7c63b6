#include "stream/id_index.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/rng.h"

static size_t slot_of(const idindex *ix, const char *id, size_t id_len)
{
	return (size_t)rng_hash(id, id_len, 0) & (ix->n_slots - 1);
}

int64_t idindex_find(const idindex *ix, const char *id, size_t id_len)
{
	for (size_t s = slot_of(ix, id, id_len);; s = (s + 1) & (ix->n_slots - 1)) {
		uint32_t entry = ix->slots[s];
		if (!entry)
			return -1;
		if (ix->id_lens[entry - 1] == id_len && memcmp(ix->ids[entry - 1], id, id_len) == 0)
			return entry - 1;
	}
}

void idindex_free(idindex *ix)
{
	for (size_t i = 0; ix->ids && i < ix->store->n; i++)
		free(ix->ids[i]);
	free(ix->ids);
	free(ix->id_lens);
	free(ix->slots);
	memset(ix, 0, sizeof *ix);
}

int idindex_build(idindex *ix, const recstore *s)
{
	memset(ix, 0, sizeof *ix);
	ix->store = s;
	if (s->n >= UINT32_MAX / 2)
		return err_set("too many records to index (%zu)", s->n);
	ix->n_slots = 16;
	while (ix->n_slots < 2 * s->n)
		ix->n_slots *= 2;
	ix->ids = calloc(s->n ? s->n : 1, sizeof *ix->ids);
	ix->id_lens = calloc(s->n ? s->n : 1, sizeof *ix->id_lens);
	ix->slots = calloc(ix->n_slots, sizeof *ix->slots);
	if (!ix->ids || !ix->id_lens || !ix->slots) {
		idindex_free(ix);
		return err_set("out of memory indexing %zu records", s->n);
	}
	rec r;
	rec_init(&r);
	int rc = 0;
	for (size_t i = 0; i < s->n && rc == 0; i++) {
		const char *id;
		uint32_t id_len;
		if (recstore_get(s, i, &r) < 0 || (rc = rec_get_str(&r, "id", &id, &id_len)) < 0) {
			rc = err_prefix("record %zu: ", i);
			break;
		}
		if (rc == 1) {
			rc = err_set("record %zu: no 'id' field", i);
			break;
		}
		int64_t seen = idindex_find(ix, id, id_len);
		if (seen >= 0) {
			rc = err_set("record %zu: id '%.*s' already given to record %lld", i,
				     (int)id_len, id, (long long)seen);
			break;
		}
		if (!(ix->ids[i] = malloc(id_len ? id_len : 1))) {
			rc = err_set("out of memory");
			break;
		}
		memcpy(ix->ids[i], id, id_len);
		ix->id_lens[i] = id_len;
		size_t slot = slot_of(ix, id, id_len);
		while (ix->slots[slot])
			slot = (slot + 1) & (ix->n_slots - 1);
		ix->slots[slot] = (uint32_t)i + 1;
	}
	rec_free(&r);
	if (rc < 0)
		idindex_free(ix);
	return rc;
}
