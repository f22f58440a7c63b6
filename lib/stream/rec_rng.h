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
/* 0: Selective Search's boxes were first keyed on the bare hash of the id,
 * and keeping it keeps every stream of boxes the same. */
#define REC_RNG_SSEARCH 0

/* Seeds g for record r: 0, or -1 when r has no string `id` (randomness
 * keyed on processing order would break reproducibility) or a non-integer
 * `epoch`. An absent `epoch` counts as 0. */
int rec_rng_seed(rng *g, const rec *r, uint64_t seed, uint64_t salt);

/* The stream (of rng_seed) of a stage whose draws depend on the image
 * alone, the same in every epoch and whatever the record's place: the one
 * rec_rng_seed gives epoch 0 for r's `id`, or r's index in the stream when
 * it has no string `id` (a stream without ids still gets its draws, which
 * then follow the order). Selective Search's ranking takes it with salt
 * REC_RNG_SSEARCH. */
uint64_t rec_rng_image_stream(const rec *r, uint64_t salt);

#endif
