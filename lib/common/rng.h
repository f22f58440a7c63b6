/* The one random number generator of maskpipe: xoshiro256** (Blackman &
 * Vigna), seeded through splitmix64. Every random choice derives from the
 * user's --seed and the identity of what is being randomised (an epoch, a
 * record id), never from the order of work, so results do not depend on
 * threads or on which records came before. */
#ifndef MASKPIPE_RNG_H
#define MASKPIPE_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct rng {
	uint64_t s[4];
} rng;

/* A generator for (seed, stream): distinct streams are independent. */
void rng_seed(rng *g, uint64_t seed, uint64_t stream);

/* A 64-bit hash of bytes (for deriving streams from ids). */
uint64_t rng_hash(const void *data, size_t len, uint64_t salt);

uint64_t rng_u64(rng *g);

/* Uniform in [0, bound), unbiased (Lemire's method); bound > 0. */
uint64_t rng_below(rng *g, uint64_t bound);

/* Uniform double in [0, 1) with 53 random bits. */
double rng_uniform(rng *g);
/* Standard normal (Box-Muller: one draw per two uniforms). */
double rng_normal(rng *g);

/* Fisher-Yates shuffle of idx[0..n). */
void rng_shuffle(rng *g, uint32_t *idx, size_t n);

/* idx = a random permutation of 0..n-1 for (seed, stream). */
void rng_permutation(uint32_t *idx, size_t n, uint64_t seed, uint64_t stream);

#endif
