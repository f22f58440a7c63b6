/* A mask-ratio curriculum keyed on the record's epoch, as in the dynamic
 * masking schedule of Hata et al.: "0:0.2,20:0.4,40:0.5", stepwise (the
 * ratio of the last key at or before the epoch) or linear between keys;
 * before the first key its ratio, after the last the last. */
#ifndef MASKPIPE_MASK_SCHEDULE_H
#define MASKPIPE_MASK_SCHEDULE_H

#include <stdint.h>

#define SCHEDULE_MAX_KEYS 64

typedef struct mask_schedule {
	uint32_t n_keys;
	int64_t epoch[SCHEDULE_MAX_KEYS];
	double ratio[SCHEDULE_MAX_KEYS];
	int linear;
} mask_schedule;

/* Parses EPOCH:RATIO pairs, epochs increasing, ratios in [0, 1): 0 or -1
 * with a message naming the bad part. */
int mask_schedule_parse(mask_schedule *s, const char *text);

double mask_schedule_ratio(const mask_schedule *s, int64_t epoch);

#endif
