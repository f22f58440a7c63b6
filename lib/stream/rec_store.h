/* Many records held in memory as their encoded bytes, one buffer for all
 * (a parsed record costs far more), for the tools that must see a whole
 * stream before writing: rec-shuffle, rec-repeat, rec-join's cache. */
#ifndef MASKPIPE_REC_STORE_H
#define MASKPIPE_REC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "stream/rec.h"
#include "stream/rec_io.h"

typedef struct recstore {
	uint8_t *bytes;
	size_t len, cap;
	size_t *offsets; /* n + 1 entries: record i is bytes[offsets[i] .. offsets[i+1]) */
	size_t n, cap_offsets;
} recstore;

void recstore_init(recstore *s);
void recstore_free(recstore *s);

int recstore_add(recstore *s, const rec *r);

/* Reads every record of rd into s. 0 or -1 (message from the reader). */
int recstore_read_all(recstore *s, rec_reader *rd);

/* Parses record i into r (r->index is set to i). */
int recstore_get(const recstore *s, size_t i, rec *r);

/* Writes every record once: in the order of rng_permutation(seed, epoch)
 * when shuffle is set, else as stored; with the `epoch` field set when
 * set_epoch is. The order depends only on seed, epoch and s->n. */
int recstore_write_pass(const recstore *s, rec_writer *w, uint64_t seed, int64_t epoch,
			int shuffle, int set_epoch);

#endif
