/* ColorMAE's colour-noise masks (Hinojosa, Liu & Ghanem, "ColorMAE:
 * Exploring data-independent masking strategies in Masked AutoEncoders",
 * ECCV 2024, sec. 3.2, and models/utils/masking_generator.py of
 * carlosh93/ColorMAE): white noise filtered by Gaussian blurs, kept in a
 * bank computed once per run; each mask is a random window of a random
 * pattern, flipped at random both ways, thresholded to the exact count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "mask/mask.h"

/* A standard normal draw (Box-Muller). */
static double normal(rng *g)
{
	double u = 1.0 - rng_uniform(g), v = rng_uniform(g);
	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* out = in blurred by a Gaussian of sigma (in cells), separable, with
 * wrap-around edges so a pattern has no border that its windows could see. */
static int blur(const float *in, float *out, uint32_t side, double sigma)
{
	int radius = (int)ceil(3 * sigma);
	if ((uint32_t)radius >= side)
		return err_set("a blur of sigma %g needs patterns wider than %u", sigma, side);
	double kernel[2 * radius + 1], sum = 0;
	for (int k = -radius; k <= radius; k++)
		sum += kernel[k + radius] = exp(-(double)k * k / (2 * sigma * sigma));
	float *rows = malloc(sizeof *rows * side * side);
	if (!rows)
		return err_set("out of memory");
	for (uint32_t y = 0; y < side; y++)
		for (uint32_t x = 0; x < side; x++) {
			double acc = 0;
			for (int k = -radius; k <= radius; k++)
				acc += kernel[k + radius] * in[y * side + (x + side + k) % side];
			rows[y * side + x] = (float)(acc / sum);
		}
	for (uint32_t y = 0; y < side; y++)
		for (uint32_t x = 0; x < side; x++) {
			double acc = 0;
			for (int k = -radius; k <= radius; k++)
				acc += kernel[k + radius] * rows[((y + side + k) % side) * side + x];
			out[y * side + x] = (float)(acc / sum);
		}
	free(rows);
	return 0;
}

/* out = the colour's filter of the white noise w. */
static int filter(int color, const float *w, float *out, float *tmp, uint32_t side,
		  double sigma1, double sigma2)
{
	size_t n = (size_t)side * side;
	switch (color) {
	case NOISE_WHITE:
		memcpy(out, w, n * sizeof *out);
		return 0;
	case NOISE_RED:
		return blur(w, out, side, sigma2);
	case NOISE_BLUE:
		if (blur(w, out, side, sigma1) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			out[i] = w[i] - out[i];
		return 0;
	default: /* green, and purple = white - green */
		if (blur(w, out, side, sigma1) < 0 || blur(w, tmp, side, sigma2) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			out[i] = color == NOISE_GREEN ? out[i] - tmp[i] : w[i] - (out[i] - tmp[i]);
		return 0;
	}
}

int noise_bank_make(noise_bank *bank, int color, double sigma1, double sigma2, uint32_t side,
		    uint32_t n_patterns, uint64_t seed)
{
	size_t n = (size_t)side * side;
	*bank = (noise_bank){color, side, n_patterns, malloc(sizeof(float) * n * n_patterns)};
	float *white = malloc(sizeof(float) * n), *tmp = malloc(sizeof(float) * n);
	int rc = bank->values && white && tmp ? 0 : err_set("out of memory");
	for (uint32_t k = 0; rc == 0 && k < n_patterns; k++) {
		rng g;
		rng_seed(&g, seed, k);
		for (size_t i = 0; i < n; i++)
			white[i] = (float)normal(&g);
		rc = filter(color, white, bank->values + k * n, tmp, side, sigma1, sigma2);
	}
	free(white);
	free(tmp);
	if (rc < 0)
		noise_bank_free(bank);
	return rc;
}

void noise_bank_free(noise_bank *bank)
{
	free(bank->values);
	bank->values = NULL;
}

void mask_noise(uint8_t *bits, const noise_bank *bank, const patch_grid *grid, uint32_t n_hidden,
		rng *g, float *weight, uint64_t *keys)
{
	uint32_t side = bank->side;
	const float *pattern = bank->values + rng_below(g, bank->n_patterns) * (size_t)side * side;
	uint32_t top = (uint32_t)rng_below(g, side - grid->gh + 1);
	uint32_t left = (uint32_t)rng_below(g, side - grid->gw + 1);
	uint32_t flip_x = (uint32_t)rng_below(g, 2), flip_y = (uint32_t)rng_below(g, 2);
	for (uint32_t y = 0; y < grid->gh; y++)
		for (uint32_t x = 0; x < grid->gw; x++) {
			uint32_t sy = top + (flip_y ? grid->gh - 1 - y : y);
			uint32_t sx = left + (flip_x ? grid->gw - 1 - x : x);
			weight[y * grid->gw + x] = pattern[(size_t)sy * side + sx];
		}
	mask_lowest(bits, weight, grid_patches(grid), n_hidden, keys);
}
