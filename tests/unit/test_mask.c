/* The masking strategies: exact hidden counts, reproducibility, and the
 * shape each paper defines (uniform frequencies, fixed patterns,
 * contiguous blocks, box-covered patches kept, noise spectra, whole
 * regions), the schedule, and bad records. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "common/err.h"
#include "mask/mask_gen.h"

static const patch_grid grid14 = {2, 14, 14};

/* a record with id, epoch, grid and optional boxes */
static void make_record(rec *r, const char *id, int64_t epoch, const patch_grid *g)
{
	rec_clear(r);
	rec_set_str(r, "id", id);
	rec_set_int(r, "epoch", epoch);
	rec_set_grid(r, g);
	const box boxes[] = {{2, 2, 8, 8}, {10, 12, 12, 10}, {0, 20, 6, 8}};
	rec_set_boxes(r, boxes, 3);
	uint16_t counts[196];
	grid_boxcount(g, boxes, 3, counts);
	rec_set_boxcount(r, counts, grid_patches(g));
}

static const char *const strategies[] = {"random", "block", "grid", "symmetric", "objbox",
					 "semantic", "noise:white", "noise:red", "noise:green",
					 "noise:blue", "noise:purple"};
enum { N_STRATEGIES = sizeof strategies / sizeof *strategies };

static void init_gen(mask_gen *mg, const char *strategy, double ratio)
{
	mask_gen_opts opt = {.ratio = ratio, .lambda = 0.5, .min_block = 16, .sigma1 = 1,
			     .sigma2 = 2, .bank_side = 64, .bank_patterns = 2, .seed = 11};
	CHECK_EQ(mask_strategy_parse(strategy, &opt.kind, &opt.color), 0);
	if (mask_fixed_ratio(opt.kind) >= 0)
		opt.ratio = mask_fixed_ratio(opt.kind);
	CHECK_EQ(mask_gen_init(mg, &opt), 0);
}

static int same_mask(const rec *a, const rec *b)
{
	const rec_field *fa = rec_get(a, "mask"), *fb = rec_get(b, "mask");
	return fa && fb && fa->val_len == fb->val_len && memcmp(fa->val, fb->val, fa->val_len) == 0;
}

static void every_strategy_exact_and_reproducible(void)
{
	const double ratios[] = {0, 0.1, 0.5, 0.75, 0.9};
	rec a, b;
	rec_init(&a);
	rec_init(&b);
	for (int s = 0; s < N_STRATEGIES; s++)
		for (int k = 0; k < 5; k++) {
			mask_gen mg;
			init_gen(&mg, strategies[s], ratios[k]);
			uint32_t expected = mask_hidden_count(mg.opt.ratio, 196);
			int differ = 0;
			for (int i = 0; i < 20; i++) {
				char id[16];
				snprintf(id, sizeof id, "img%d", i);
				make_record(&a, id, 0, &grid14);
				make_record(&b, id, 0, &grid14);
				CHECK_EQ(mask_gen_record(&mg, &a), 0);
				CHECK_EQ(mask_gen_record(&mg, &b), 0);
				CHECK(same_mask(&a, &b));
				const uint8_t *bits;
				CHECK_EQ(rec_get_mask(&a, &bits, 196), 0);
				if (mask_count(bits, 196) != expected)
					fprintf(stderr, "%s ratio %g: %u hidden, expected %u\n", strategies[s],
						ratios[k], mask_count(bits, 196), expected);
				CHECK_EQ(mask_count(bits, 196), expected);
				make_record(&b, id, 1, &grid14);
				CHECK_EQ(mask_gen_record(&mg, &b), 0);
				differ += !same_mask(&a, &b);
			}
			/* fixed patterns and empty masks cannot differ; symmetric
			 * has two patterns; semantic with three boxes has few
			 * choices (semantic_keeps_whole_regions varies it) */
			int random = strcmp(strategies[s], "grid") && ratios[k] > 0 &&
				     strcmp(strategies[s], "symmetric") && strcmp(strategies[s], "semantic");
			if (random && differ < 18)
				fprintf(stderr, "%s ratio %g: only %d of 20 differ\n", strategies[s],
					ratios[k], differ);
			CHECK(!random || differ >= 18);
			mask_gen_free(&mg);
		}
	rec_free(&a);
	rec_free(&b);
}

static void random_frequencies_are_uniform(void)
{
	/* 4000 masks of 49 patches at 0.75: each position's hidden count is
	 * near 3000; chi-square with 48 degrees of freedom stays below 90
	 * (p < 1e-4 for a uniform sampler) */
	uint32_t counts[49] = {0}, scratch[49];
	rng r;
	rng_seed(&r, 3, 0);
	for (int i = 0; i < 4000; i++) {
		uint8_t bits[7] = {0};
		mask_random(bits, 49, 37, &r, scratch);
		for (uint32_t p = 0; p < 49; p++)
			counts[p] += (uint32_t)mask_bit(bits, p);
	}
	double expected = 4000.0 * 37 / 49, chi2 = 0;
	for (int p = 0; p < 49; p++)
		chi2 += (counts[p] - expected) * (counts[p] - expected) / expected;
	CHECK(chi2 < 90);
	CHECK(chi2 > 10);
}

static void grid_and_checkerboard_patterns(void)
{
	const patch_grid g = {1, 4, 6};
	uint8_t bits[3] = {0};
	mask_grid(bits, &g);
	for (uint32_t i = 0; i < 24; i++)
		CHECK_EQ(mask_bit(bits, i), !(i / 6 % 2 == 0 && i % 6 % 2 == 0));
	CHECK_EQ(mask_count(bits, 24), 18);
	for (uint32_t parity = 0; parity < 2; parity++) {
		memset(bits, 0, sizeof bits);
		mask_checkerboard(bits, &g, parity);
		for (uint32_t i = 0; i < 24; i++)
			CHECK_EQ(mask_bit(bits, i), (i / 6 + i % 6) % 2 == parity);
	}
}

/* sizes of the 4-connected components of hidden patches */
static uint32_t components(const uint8_t *bits, const patch_grid *g, uint32_t *sizes)
{
	uint32_t n = grid_patches(g), label[1024] = {0}, stack[1024], n_comp = 0;
	for (uint32_t s = 0; s < n; s++) {
		if (!mask_bit(bits, s) || label[s])
			continue;
		uint32_t top = 0, size = 0;
		stack[top++] = s;
		label[s] = ++n_comp;
		while (top) {
			uint32_t i = stack[--top], y = i / g->gw, x = i % g->gw;
			size++;
			int32_t next[4] = {x ? (int32_t)i - 1 : -1, x + 1 < g->gw ? (int32_t)i + 1 : -1,
					   y ? (int32_t)(i - g->gw) : -1,
					   y + 1 < g->gh ? (int32_t)(i + g->gw) : -1};
			for (int k = 0; k < 4; k++)
				if (next[k] >= 0 && mask_bit(bits, (uint32_t)next[k]) && !label[next[k]]) {
					label[next[k]] = n_comp;
					stack[top++] = (uint32_t)next[k];
				}
		}
		sizes[n_comp - 1] = size;
	}
	return n_comp;
}

static void blocks_are_contiguous_and_large(void)
{
	rng r;
	rng_seed(&r, 4, 0);
	uint32_t scratch[196], sizes[196];
	for (int i = 0; i < 300; i++) {
		uint8_t bits[25] = {0};
		uint32_t n_hidden = 16 + (uint32_t)rng_below(&r, 150);
		mask_block(bits, &grid14, n_hidden, 16, &r, scratch);
		CHECK_EQ(mask_count(bits, 196), n_hidden);
		uint32_t n_comp = components(bits, &grid14, sizes);
		for (uint32_t c = 0; c < n_comp; c++)
			CHECK(sizes[c] >= 16);
	}
	/* fewer than a block: one contiguous region */
	uint8_t bits[25] = {0};
	mask_block(bits, &grid14, 9, 16, &r, scratch);
	CHECK_EQ(components(bits, &grid14, sizes), 1);
	CHECK_EQ(sizes[0], 9);
}

static void objbox_lambda_one_keeps_most_covered(void)
{
	uint16_t counts[20];
	for (int i = 0; i < 20; i++)
		counts[i] = (uint16_t)((i * 7) % 20); /* a permutation of 0..19 */
	float weight[20];
	uint64_t keys[20];
	rng r;
	rng_seed(&r, 1, 1);
	uint8_t bits[3] = {0};
	mask_objbox(bits, counts, 20, 15, 1.0, &r, weight, keys);
	for (int i = 0; i < 20; i++)
		CHECK_EQ(mask_bit(bits, (uint32_t)i), counts[i] < 15);
	/* lambda 0: pure noise, different from the box order for some seed */
	memset(bits, 0, sizeof bits);
	mask_objbox(bits, counts, 20, 15, 0.0, &r, weight, keys);
	int same = 1;
	for (int i = 0; i < 20; i++)
		same &= mask_bit(bits, (uint32_t)i) == (counts[i] < 15);
	CHECK(!same);
}

/* Mean power per frequency bin of the pattern in three radial bands (in
 * cycles per patch): low [0, 0.07), mid [0.1, 0.22), high [0.3, 0.5]. */
static void band_power(const float *v, uint32_t side, double *low, double *mid, double *high)
{
	double *re = calloc((size_t)side * side, sizeof *re), *im = calloc((size_t)side * side, sizeof *im);
	double *re2 = calloc((size_t)side * side, sizeof *re2), *im2 = calloc((size_t)side * side, sizeof *im2);
	/* separable DFT: rows, then columns */
	for (uint32_t y = 0; y < side; y++)
		for (uint32_t u = 0; u < side; u++)
			for (uint32_t x = 0; x < side; x++) {
				double a = -2 * M_PI * u * x / side;
				re[y * side + u] += v[y * side + x] * cos(a);
				im[y * side + u] += v[y * side + x] * sin(a);
			}
	for (uint32_t u = 0; u < side; u++)
		for (uint32_t w = 0; w < side; w++)
			for (uint32_t y = 0; y < side; y++) {
				double a = -2 * M_PI * w * y / side, c = cos(a), s = sin(a);
				re2[w * side + u] += re[y * side + u] * c - im[y * side + u] * s;
				im2[w * side + u] += re[y * side + u] * s + im[y * side + u] * c;
			}
	double sum[3] = {0};
	int n[3] = {0};
	for (uint32_t w = 0; w < side; w++)
		for (uint32_t u = 0; u < side; u++) {
			double fu = (u < side / 2 ? u : (double)u - side) / side;
			double fw = (w < side / 2 ? w : (double)w - side) / side;
			double f = sqrt(fu * fu + fw * fw);
			int band = f > 0 && f < 0.07 ? 0 : f >= 0.1 && f < 0.22 ? 1 : f >= 0.3 && f <= 0.5 ? 2 : -1;
			if (band < 0)
				continue;
			sum[band] += re2[w * side + u] * re2[w * side + u] + im2[w * side + u] * im2[w * side + u];
			n[band]++;
		}
	*low = sum[0] / n[0];
	*mid = sum[1] / n[1];
	*high = sum[2] / n[2];
	free(re);
	free(im);
	free(re2);
	free(im2);
}

static void noise_colours_have_their_spectra(void)
{
	double low[5], mid[5], high[5];
	for (int c = 0; c < 5; c++) {
		noise_bank bank;
		CHECK_EQ(noise_bank_make(&bank, c, 1, 2, 64, 1, 9), 0);
		band_power(bank.values, 64, &low[c], &mid[c], &high[c]);
		noise_bank_free(&bank);
	}
	CHECK(low[NOISE_WHITE] / high[NOISE_WHITE] > 0.6 && low[NOISE_WHITE] / high[NOISE_WHITE] < 1.6);
	CHECK(mid[NOISE_WHITE] / high[NOISE_WHITE] > 0.7 && mid[NOISE_WHITE] / high[NOISE_WHITE] < 1.4);
	CHECK(low[NOISE_RED] > 3 * mid[NOISE_RED] && mid[NOISE_RED] > 10 * high[NOISE_RED]);
	CHECK(high[NOISE_BLUE] > 5 * low[NOISE_BLUE] && high[NOISE_BLUE] > mid[NOISE_BLUE]);
	CHECK(mid[NOISE_GREEN] > 3 * low[NOISE_GREEN] && mid[NOISE_GREEN] > 3 * high[NOISE_GREEN]);
	CHECK(low[NOISE_PURPLE] > 1.5 * mid[NOISE_PURPLE] && high[NOISE_PURPLE] > 1.5 * mid[NOISE_PURPLE]);
}

/* 1 if every region is all visible, all hidden, or (at most one) partly */
static int regions_whole(const uint8_t *bits, const patch_regions *pr, int *n_partial)
{
	*n_partial = 0;
	for (uint32_t r = 0; r < pr->n_regions; r++) {
		uint32_t n_visible = 0, size = pr->start[r + 1] - pr->start[r];
		for (uint32_t j = pr->start[r]; j < pr->start[r + 1]; j++)
			n_visible += !mask_bit(bits, pr->patches[j]);
		*n_partial += n_visible > 0 && n_visible < size;
	}
	return *n_partial <= 1;
}

static void semantic_keeps_whole_regions(void)
{
	/* an 8x8 grid of 1-px patches; segments: four 4x4 quadrants */
	const patch_grid g = {1, 8, 8};
	uint32_t labels[64];
	for (uint32_t i = 0; i < 64; i++)
		labels[i] = (i / 8 >= 4) * 2 + (i % 8 >= 4);
	patch_regions pr = {0};
	CHECK_EQ(regions_from_segments(&pr, &g, labels), 0);
	CHECK_EQ(pr.n_regions, 4);
	uint32_t *scratch = NULL;
	size_t cap = 0;
	rng r;
	rng_seed(&r, 2, 2);
	uint8_t bits[8];
	/* 32 visible = exactly two quadrants */
	CHECK_EQ(mask_semantic(bits, &g, &pr, 32, &r, &scratch, &cap), 0);
	int n_partial;
	CHECK(regions_whole(bits, &pr, &n_partial));
	CHECK_EQ(n_partial, 0);
	CHECK_EQ(mask_count(bits, 64), 32);
	/* 20 visible: one quadrant and 4 patches of another, contiguous */
	CHECK_EQ(mask_semantic(bits, &g, &pr, 44, &r, &scratch, &cap), 0);
	CHECK_EQ(mask_count(bits, 64), 44);
	CHECK(regions_whole(bits, &pr, &n_partial));
	CHECK_EQ(n_partial, 1);
	/* other draws reveal other quadrants */
	uint8_t first[8];
	CHECK_EQ(mask_semantic(first, &g, &pr, 32, &r, &scratch, &cap), 0);
	int differ = 0;
	for (int i = 0; i < 10; i++) {
		CHECK_EQ(mask_semantic(bits, &g, &pr, 32, &r, &scratch, &cap), 0);
		differ += memcmp(first, bits, sizeof bits) != 0;
	}
	CHECK(differ > 0);
	/* majority vote over 2x2 patches: a patch of 3 ones and a zero is 1 */
	const patch_grid g2 = {2, 1, 2};
	uint32_t votes[8] = {1, 1, 0, 0, 1, 0, 1, 1};
	CHECK_EQ(regions_from_segments(&pr, &g2, votes), 0);
	CHECK_EQ(pr.n_regions, 2);
	/* boxes: one box region, then the background's two components */
	const patch_grid g3 = {1, 3, 5};
	const box wall = {2, 0, 1, 3};
	CHECK_EQ(regions_from_boxes(&pr, &g3, &wall, 1), 0);
	CHECK_EQ(pr.n_regions, 3);
	CHECK_EQ(pr.start[1], 3);
	CHECK_EQ(pr.start[3], 15);
	patch_regions_free(&pr);
	free(scratch);
}

static void schedules_step_and_interpolate(void)
{
	mask_schedule s = {0};
	CHECK_EQ(mask_schedule_parse(&s, "0:0.2,20:0.4,40:0.5,60:0.6,80:0.7"), 0);
	CHECK_EQ(s.n_keys, 5);
	CHECK(mask_schedule_ratio(&s, 0) == 0.2);
	CHECK(mask_schedule_ratio(&s, 19) == 0.2);
	CHECK(mask_schedule_ratio(&s, 20) == 0.4);
	CHECK(mask_schedule_ratio(&s, 500) == 0.7);
	s.linear = 1;
	CHECK(fabs(mask_schedule_ratio(&s, 10) - 0.3) < 1e-12);
	CHECK(fabs(mask_schedule_ratio(&s, 50) - 0.55) < 1e-12);
	CHECK(mask_schedule_ratio(&s, 90) == 0.7);
	CHECK_EQ(mask_schedule_parse(&s, "5:0.3"), 0);
	CHECK(mask_schedule_ratio(&s, 0) == 0.3);
	const char *bad[] = {"", "0:", "0:0.2,", "0:1", "0:-0.1", "5:0.2,5:0.3", "a:0.2", "0:0.2;1:0.3"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		CHECK_EQ(mask_schedule_parse(&s, bad[i]), -1);
	CHECK_EQ(mask_schedule_parse(&s, "0:1"), -1);
	CHECK(strstr(err_msg(), "not in [0, 1)") != NULL);
}

static void bad_records_are_errors(void)
{
	mask_gen mg;
	init_gen(&mg, "objbox", 0.75);
	rec r;
	rec_init(&r);
	rec_set_str(&r, "id", "x");
	CHECK_EQ(mask_gen_record(&mg, &r), -1);
	CHECK(strstr(err_msg(), "no 'grid'") != NULL);
	make_record(&r, "x", 0, &grid14);
	uint16_t counts[10] = {0};
	rec_set_boxcount(&r, counts, 10);
	CHECK_EQ(mask_gen_record(&mg, &r), -1);
	CHECK(strstr(err_msg(), "'boxcount' has 20 bytes") != NULL);
	mask_gen_free(&mg);
	init_gen(&mg, "semantic", 0.75);
	rec_clear(&r);
	rec_set_str(&r, "id", "x");
	rec_set_grid(&r, &grid14);
	CHECK_EQ(mask_gen_record(&mg, &r), -1);
	CHECK(strstr(err_msg(), "no 'segments' or 'boxes'") != NULL);
	mask_gen_free(&mg);
	int kind, color;
	CHECK_EQ(mask_strategy_parse("noise:pink", &kind, &color), -1);
	CHECK(strstr(err_msg(), "unknown strategy 'noise:pink'") != NULL);
	rec_free(&r);
}

int main(void)
{
	RUN(every_strategy_exact_and_reproducible);
	RUN(random_frequencies_are_uniform);
	RUN(grid_and_checkerboard_patterns);
	RUN(blocks_are_contiguous_and_large);
	RUN(objbox_lambda_one_keeps_most_covered);
	RUN(noise_colours_have_their_spectra);
	RUN(semantic_keeps_whole_regions);
	RUN(schedules_step_and_interpolate);
	RUN(bad_records_are_errors);
	return check_exit();
}
