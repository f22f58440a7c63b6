/* The random generator of one record: seeded from the user's seed, the
 * record's `id` and `epoch` and what the randomness is for, so a record gets
 * the same draws whatever the order or the company it comes in, one epoch
 * is reproducible on its own, and epochs differ. */
#ifndef MASKPIPE_REC_RNG_H
#define MASKPIPE_REC_RNG_H

#include <stdint.h>

#include "stream/rec.h"
#include "common/rng.h"

/* Salts keeping the stages' draws apart when they are given one seed. */
#define REC_RNG_PATCHIFY 0x7061746368696679ull
#define REC_RNG_MASK 0x6d61736b67656eull

/* Seeds g for record r: 0, or -1 when r has no string `id` (randomness
 * keyed on processing order would break reproducibility) or a non-integer
 * `epoch`. An absent `epoch` counts as 0. */
int rec_rng_seed(rng *g, const rec *r, uint64_t seed, uint64_t salt);

#endif
