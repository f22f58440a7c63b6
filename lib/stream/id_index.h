/* A hash index from record id to position in a recstore, for rec-join. */
#ifndef MASKPIPE_ID_INDEX_H
#define MASKPIPE_ID_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "stream/rec_store.h"

typedef struct idindex {
	const recstore *store;
	char **ids;      /* ids[i]: a copy of record i's id (may hold NUL bytes) */
	uint32_t *id_lens;
	uint32_t *slots; /* open addressing: record number + 1, 0 = empty */
	size_t n_slots;  /* a power of two, at least twice the records */
} idindex;

/* Indexes every record of s by its `id` string. Fails on a record without
 * one or an id seen twice; the message names the record ("record 17: ...")
 * for the caller to prefix with the stream's name. */
int idindex_build(idindex *ix, const recstore *s);

/* Position of the record with this id, or -1. */
int64_t idindex_find(const idindex *ix, const char *id, size_t id_len);

void idindex_free(idindex *ix);

#endif
