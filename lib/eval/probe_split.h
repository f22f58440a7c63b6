/* linprobe --split: one stream divided into a training and a test set,
 * either by a fraction of the ids (drawn by the seed: probe_set_hold_out)
 * or by a prefix of the ids (ImageNet-style "val/" names, a data set's
 * "train:"/"test:" ids), and the records read into a set on the way. */
#ifndef MASKPIPE_PROBE_SPLIT_H
#define MASKPIPE_PROBE_SPLIT_H

#include <stdint.h>

#include "eval/probe_data.h"

typedef struct probe_split {
	double fraction;    /* > 0: the share of the ids that is the test set */
	const char *prefix; /* fraction 0: test records' ids start with it */
	uint8_t *take;      /* [examples read] whether the id has the prefix */
	size_t take_cap;
} probe_split;

/* SPEC is a number, the fraction (in (0, 1), else -1 with a message), or
 * else the prefix. */
int probe_split_parse(probe_split *s, const char *spec);

/* Moves the test examples of `from` (all read, the split's records) to
 * `to`, keeping their order. */
int probe_split_apply(probe_split *s, probe_set *from, probe_set *to, uint64_t seed);
void probe_split_free(probe_split *s);

/* Where probe_read_record puts a record: set, and when split (may be NULL)
 * splits by prefix, whether its id has the prefix. */
typedef struct probe_reading {
	probe_set *set;
	int pixels; /* the image's pixels are the features, not `emb` */
	probe_split *split;
} probe_reading;

/* Adds the example of record r to the reading (a probe_reading); the
 * message names the field and the problem ("no id to split by"). Has the
 * form of a reader's per-record callback. */
int probe_read_record(void *reading, const rec *r);

#endif
