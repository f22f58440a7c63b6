#include "common/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void rng_seed(rng *g, uint64_t seed, uint64_t stream)
{
	uint64_t state = seed;
	/* mixing the stream through splitmix first keeps (seed, stream) pairs
	 * like (1, 0) and (0, 1) apart */
	uint64_t mixed_stream = stream;
	state ^= splitmix64(&mixed_stream);
	for (int i = 0; i < 4; i++)
		g->s[i] = splitmix64(&state);
}

uint64_t rng_hash(const void *data, size_t len, uint64_t salt)
{
	/* FNV-1a, then a splitmix finaliser for avalanche */
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ull ^ salt;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return splitmix64(&h);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rng_u64(rng *g)
{
	uint64_t *s = g->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t rng_below(rng *g, uint64_t bound)
{
	__uint128_t m = (__uint128_t)rng_u64(g) * bound;
	uint64_t low = (uint64_t)m;
	if (low < bound) {
		uint64_t threshold = -bound % bound;
		while (low < threshold) {
			m = (__uint128_t)rng_u64(g) * bound;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double rng_uniform(rng *g)
{
	return (double)(rng_u64(g) >> 11) * 0x1.0p-53;
}

double rng_normal(rng *g)
{
	/* Box-Muller; 1 - u keeps the log finite */
	double u = 1.0 - rng_uniform(g), v = rng_uniform(g);
	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

void rng_shuffle(rng *g, uint32_t *idx, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)rng_below(g, i);
		uint32_t t = idx[i - 1];
		idx[i - 1] = idx[j];
		idx[j] = t;
	}
}

void rng_permutation(uint32_t *idx, size_t n, uint64_t seed, uint64_t stream)
{
	rng g;
	rng_seed(&g, seed, stream);
	for (size_t i = 0; i < n; i++)
		idx[i] = (uint32_t)i;
	rng_shuffle(&g, idx, n);
}
