/* mask-stats' figures on masks whose answers are known by hand. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "common/err.h"
#include "common/mkdirs.h"
#include "formats/fileio.h"
#include "formats/png_codec.h"
#include "mask/mask_stats.h"
#include "mask/mask_stats_files.h"
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

/* The whole file at dir/name, a string in *text: its length, or -1. */
static long read_text(const char *dir, const char *name, char **text)
{
	char path[700];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	uint8_t *data = NULL;
	size_t len = 0;
	*text = NULL;
	if (datafile_read_all(path, 1 << 20, &data, &len) < 0)
		return -1;
	*text = calloc(len + 1, 1);
	memcpy(*text, data, len);
	free(data);
	return (long)len;
}

/* A stream's two files, named for its strategy (a second stream of one
 * strategy gets _2), hold its heat map and its frequencies. */
static void files_of_a_stream(void)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/stats", check_tmpdir());
	CHECK_EQ(mkdirs(dir), 0);
	mask_stats s;
	mask_stats_init(&s);
	add(&s, "a", 0x3);
	add(&s, "b", 0x1);
	char *earlier[] = {"other", ".block/r0.5"};
	CHECK_EQ(mask_stats_write_files(&s, ".block/r0.5", earlier, 1, dir, 2), 0);
	CHECK_EQ(mask_stats_write_files(&s, ".block/r0.5", earlier, 2, dir, 3), 0);
	char *text;
	CHECK_EQ(read_text(dir, "_block_r0.5.txt", &text), 28);
	CHECK_STR(text, "1.0000 0.5000\n0.0000 0.0000\n");
	free(text);
	CHECK_EQ(read_text(dir, "_block_r0.5_2.txt", &text), 28);
	free(text);
	/* the PNGs: the heat maps, 2 and 3 pixels per patch */
	img heat = {0}, back = {0};
	uint8_t *data = NULL;
	size_t len = 0;
	char path[700];
	for (uint32_t cell = 2; cell <= 3; cell++) {
		snprintf(path, sizeof path, "%s/_block_r0.5%s.png", dir, cell == 3 ? "_2" : "");
		CHECK_EQ(datafile_read_all(path, 1 << 20, &data, &len), 0);
		CHECK_EQ(image_png_decode(data, len, &back), 0);
		CHECK_EQ(mask_stats_heatmap(&s, cell, &heat), 0);
		CHECK(back.w == heat.w && back.h == heat.h && back.c == heat.c);
		CHECK(back.w == 2 * cell && memcmp(back.px, heat.px, (size_t)heat.w * heat.h) == 0);
		free(data);
		data = NULL;
		img_free(&back);
		img_free(&heat);
	}
	/* a heat map past the pixel limit: an error, and neither file */
	setenv("MASKPIPE_MAX_PIXELS", "10", 1);
	CHECK_EQ(mask_stats_write_files(&s, "big", NULL, 0, dir, 2), -1);
	unsetenv("MASKPIPE_MAX_PIXELS");
	CHECK(strstr(err_msg(), "heat map of 2 pixels per patch: ") == err_msg());
	CHECK_EQ(read_text(dir, "big.png", &text), -1);
	CHECK_EQ(read_text(dir, "big.txt", &text), -1);
	mask_stats_free(&s);
}

int main(void)
{
	RUN(figures_of_known_masks);
	RUN(bad_records_are_errors);
	RUN(frequencies_label_and_file_name);
	RUN(files_of_a_stream);
	return check_exit();
}
