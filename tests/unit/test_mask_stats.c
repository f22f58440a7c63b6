/* mask-stats' figures on masks whose answers are known by hand. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "common/err.h"
#include "mask/mask_stats.h"
#include "stream/rec_path.h"

static void add(mask_stats *s, const char *id, uint8_t bits)
{
	rec r;
	rec_init(&r);
	const patch_grid g = {1, 2, 2};
	rec_set_str(&r, "id", id);
	rec_set_grid(&r, &g);
	rec_set_mask(&r, &bits, 4);
	CHECK_EQ(mask_stats_add(s, &r), 0);
	rec_free(&r);
}

static int near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

static void figures_of_known_masks(void)
{
	/* id a: 0b0011 then 0b1100 (distance 4); id b: 0b0011 twice
	 * (distance 0); positions 0 and 1 hidden 3 times, 2 and 3 once */
	mask_stats s;
	mask_stats_init(&s);
	add(&s, "a", 0x3);
	add(&s, "b", 0x3);
	add(&s, "a", 0xc);
	add(&s, "b", 0x3);
	mask_summary sum;
	CHECK_EQ(mask_stats_summary(&s, &sum), 0);
	CHECK_EQ(sum.n_masks, 4);
	CHECK(near(sum.mean_ratio, 0.5));
	CHECK(near(sum.min_freq, 0.25) && near(sum.max_freq, 0.75));
	CHECK_EQ(sum.n_pairs, 2);
	CHECK(near(sum.diversity, (4.0 / 4 + 0) / 2));
	double p = 3.0 / 8, q = 1.0 / 8;
	CHECK(near(sum.entropy, -(2 * p * log2(p) + 2 * q * log2(q)) / 2));
	img heat = {0};
	CHECK_EQ(mask_stats_heatmap(&s, 2, &heat), 0);
	CHECK(heat.w == 4 && heat.h == 4 && heat.c == 1);
	CHECK_EQ(heat.px[0], 191);
	CHECK_EQ(heat.px[15], 64);
	img_free(&heat);
	mask_stats_free(&s);
}

static void bad_records_are_errors(void)
{
	mask_stats s;
	mask_stats_init(&s);
	add(&s, "a", 1);
	rec r;
	rec_init(&r);
	const patch_grid other = {1, 3, 3};
	rec_set_str(&r, "id", "b");
	rec_set_grid(&r, &other);
	CHECK_EQ(mask_stats_add(&s, &r), -1);
	CHECK(strstr(err_msg(), "no 'mask'") != NULL);
	uint8_t bits[2] = {0};
	rec_set_mask(&r, bits, 9);
	CHECK_EQ(mask_stats_add(&s, &r), -1);
	CHECK(strstr(err_msg(), "3x3 grid among masks of 2x2") != NULL);
	rec_free(&r);
	mask_stats_free(&s);
	mask_stats_init(&s);
	mask_summary sum;
	CHECK_EQ(mask_stats_summary(&s, &sum), -1);
	mask_stats_free(&s);
}

/* The frequencies as text, the label of a stream and its file name. */
static void frequencies_label_and_file_name(void)
{
	mask_stats s;
	mask_stats_init(&s);
	add(&s, "a", 0x3);
	add(&s, "b", 0x1);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	mask_stats_print_freq(f, &s);
	fclose(f);
	CHECK_STR(text, "1.0000 0.5000\n0.0000 0.0000\n");
	free(text);
	mask_stats_free(&s);

	rec h;
	rec_init(&h);
	char *label = mask_stats_label(&h, NULL);
	CHECK_STR(label, "-");
	free(label);
	label = mask_stats_label(&h, "dir/x.rec");
	CHECK_STR(label, "dir/x.rec");
	free(label);
	rec_set_str(&h, "mask_strategy", ".block/r0.5");
	label = mask_stats_label(&h, "dir/x.rec");
	CHECK_STR(label, ".block/r0.5");
	char name[REC_PATH_PART_MAX + 1];
	CHECK_EQ(path_safe_name(name, label), 11);
	CHECK_STR(name, "_block_r0.5");
	free(label);
	CHECK_EQ(path_safe_name(name, ".."), 2);
	CHECK_STR(name, "__");
	rec_set_int(&h, "mask_strategy", 3);
	CHECK(mask_stats_label(&h, "x") == NULL);
	rec_free(&h);
}

int main(void)
{
	RUN(figures_of_known_masks);
	RUN(bad_records_are_errors);
	RUN(frequencies_label_and_file_name);
	return check_exit();
}
