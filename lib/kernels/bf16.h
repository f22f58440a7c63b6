/* bfloat16, the upper half of a float32: 8 exponent bits as float32's, 7
 * stored mantissa bits. A float32 rounded to it keeps its range and loses
 * precision only (relative error <= 2^-9); the product of two bf16 values
 * is exact in float32 (8 + 8 significant bits <= 24), so a product of
 * bf16 operands accumulated in float32 is what bf16 hardware computes
 * (vdpbf16ps, AMX, tensor cores), up to the order of the sums. */
#ifndef MASKPIPE_BF16_H
#define MASKPIPE_BF16_H

#include <stdint.h>
#include <string.h>

/* The bits of x rounded to the nearest bfloat16, ties to even (as torch's
 * x.bfloat16() and __float2bfloat16_rn); a NaN stays a (quiet) NaN, where
 * adding the rounding bias to its bits could carry it into infinity. */
static inline uint16_t bf16_bits(float x)
{
	uint32_t u;
	memcpy(&u, &x, sizeof u);
	/* a select rather than a branch, so that loops of it vectorise */
	u = (u & 0x7fffffffu) > 0x7f800000u ? u | 0x00400000u : u + 0x7fffu + ((u >> 16) & 1u);
	return (uint16_t)(u >> 16);
}

/* x rounded to the nearest bfloat16 (bf16_bits), as the float32 of equal
 * value */
static inline float bf16_round(float x)
{
	uint32_t u = (uint32_t)bf16_bits(x) << 16;
	memcpy(&x, &u, sizeof x);
	return x;
}

#endif
