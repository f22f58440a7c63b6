/* patchify's pieces: the grid, boxcount and mask fields, box counting, the
 * crop geometry on images, label maps and boxes, and whole records. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "common/err.h"
#include "image/patch_grid.h"
#include "image/patchify.h"
#include "stream/rec_rng.h"

static void grid_fields_round_trip(void)
{
	rec r;
	rec_init(&r);
	patch_grid g = {4, 7, 5}, back = {0};
	CHECK_EQ(rec_get_grid(&r, &back), 1);
	CHECK_EQ(rec_set_grid(&r, &g), 0);
	CHECK_EQ(rec_get_grid(&r, &back), 0);
	CHECK(back.p == 4 && back.gh == 7 && back.gw == 5);
	uint16_t counts[35], read[35];
	for (int i = 0; i < 35; i++)
		counts[i] = (uint16_t)(i * 1000);
	CHECK_EQ(rec_set_boxcount(&r, counts, 35), 0);
	CHECK_EQ(rec_get_boxcount(&r, read, 35), 0);
	CHECK_EQ(read[34], 34000);
	CHECK_EQ(rec_get_boxcount(&r, read, 34), -1);
	CHECK(strstr(err_msg(), "'boxcount' has 70 bytes") != NULL);
	uint8_t bits[5] = {0xff, 0, 1, 0, 4};
	const uint8_t *view;
	CHECK_EQ(rec_set_mask(&r, bits, 35), 0);
	CHECK_EQ(rec_get_mask(&r, &view, 35), 0);
	CHECK_EQ(mask_count(view, 35), 10);
	CHECK_EQ(mask_count(view, 34), 9);
	CHECK_EQ(rec_get_mask(&r, &view, 41), -1);
	rec_free(&r);
}

static void bad_grids_are_errors(void)
{
	const uint8_t zero_p[] = {0x83, 0xa1, 'p', 0, 0xa2, 'g', 'h', 1, 0xa2, 'g', 'w', 1};
	const uint8_t no_gw[] = {0x82, 0xa1, 'p', 2, 0xa2, 'g', 'h', 1};
	const uint8_t text_gh[] = {0x83, 0xa1, 'p', 2, 0xa2, 'g', 'h', 0xa1, 'x', 0xa2, 'g', 'w', 1};
	const uint8_t huge[] = {0x83, 0xa1, 'p', 2, 0xa2, 'g', 'h', 0xcd, 0x10, 0, 0xa2, 'g', 'w',
				0xcd, 0x10, 0};
	const struct { const uint8_t *val; size_t len; const char *word; } cases[] = {
		{zero_p, sizeof zero_p, "grid.p' is 0"},
		{no_gw, sizeof no_gw, "lacks gw"},
		{text_gh, sizeof text_gh, "grid.gh"},
		{huge, sizeof huge, "more than"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		rec r;
		rec_init(&r);
		rec_set_raw(&r, "grid", cases[i].val, cases[i].len);
		patch_grid g;
		CHECK_EQ(rec_get_grid(&r, &g), -1);
		if (!strstr(err_msg(), cases[i].word))
			fprintf(stderr, "case %zu: '%s'\n", i, err_msg());
		CHECK(strstr(err_msg(), cases[i].word) != NULL);
		rec_free(&r);
	}
}

static void boxes_counted_per_patch(void)
{
	/* 3x2 patches of 4 px; a box over the 2x2 top-left patches, one inside
	 * patch (2, 1), one touching nothing (ends exactly at the grid edge) */
	patch_grid g = {4, 2, 3};
	const box boxes[] = {{1, 1, 6, 4}, {9, 5, 2, 2}, {-5, 0, 5, 8}, {0, 0, 0, 8}};
	uint16_t counts[6];
	grid_boxcount(&g, boxes, 4, counts);
	const uint16_t expected[6] = {1, 1, 0, 1, 1, 1};
	for (int i = 0; i < 6; i++)
		CHECK_EQ(counts[i], expected[i]);
}

static void crop_and_flip_move_pixels_labels_and_boxes(void)
{
	img src = {0};
	CHECK_EQ(img_alloc(&src, 6, 5, 1), 0);
	uint32_t labels[30], out_labels[16];
	for (uint32_t i = 0; i < 30; i++) {
		src.px[i] = (uint8_t)i;
		labels[i] = i;
	}
	img_view view = img_view_of(&src);
	for (int flip = 0; flip < 2; flip++) {
		crop_rect c = {2, 1, 4, 4, 4, 4, flip};
		img out = {0};
		CHECK_EQ(augment_image(&view, &c, &out), 0);
		augment_labels(labels, 6, 5, &c, out_labels);
		for (uint32_t y = 0; y < 4; y++)
			for (uint32_t x = 0; x < 4; x++) {
				uint32_t sx = flip ? 2 + 3 - x : 2 + x;
				CHECK_EQ(out.px[y * 4 + x], (y + 1) * 6 + sx);
				CHECK_EQ(out_labels[y * 4 + x], (y + 1) * 6 + sx);
			}
		img_free(&out);
		box boxes[] = {{2, 1, 1, 1}, {0, 0, 4, 4}, {0, 0, 2, 1}, {3, 2, 2, 3}};
		CHECK_EQ(augment_boxes(boxes, 4, &c, 0.25), 3);
		/* {2,1,1,1} -> (0,0); {0,0,4,4} keeps 2x3 of 4x4; {3,2,2,3} -> (1,1) */
		CHECK_EQ(boxes[0].x, flip ? 3 : 0);
		CHECK(boxes[0].y == 0 && boxes[0].w == 1 && boxes[0].h == 1);
		CHECK_EQ(boxes[1].x, flip ? 2 : 0);
		CHECK(boxes[1].y == 0 && boxes[1].w == 2 && boxes[1].h == 3);
		CHECK_EQ(boxes[2].x, flip ? 1 : 1);
		CHECK(boxes[2].y == 1 && boxes[2].w == 2 && boxes[2].h == 3);
		box small[] = {{0, 0, 4, 4}};
		CHECK_EQ(augment_boxes(small, 1, &c, 0.5), 0);
	}
	img_free(&src);
}

static void scaling_maps_boxes_and_blends_pixels(void)
{
	/* a 4x4 image halved: each output pixel is the mean of a 2x2 block
	 * (bilinear at half-pixel centres), boxes halve */
	img src = {0};
	CHECK_EQ(img_alloc(&src, 4, 4, 1), 0);
	for (uint32_t i = 0; i < 16; i++)
		src.px[i] = (uint8_t)(i * 10);
	img_view view = img_view_of(&src);
	crop_rect c = {0, 0, 4, 4, 2, 2, 0};
	img out = {0};
	CHECK_EQ(augment_image(&view, &c, &out), 0);
	CHECK_EQ(out.px[0], 25);
	CHECK_EQ(out.px[3], 125);
	box b[] = {{2, 0, 2, 4}};
	CHECK_EQ(augment_boxes(b, 1, &c, 0.25), 1);
	CHECK(b[0].x == 1 && b[0].y == 0 && b[0].w == 1 && b[0].h == 2);
	img_free(&out);
	img_free(&src);
}

static void random_resized_crops_stay_in_range(void)
{
	augment_opts opt = {.crop = CROP_RRC, .size = 16, .scale_min = 0.2, .scale_max = 1,
			    .ratio_min = 0.75, .ratio_max = 4.0 / 3.0};
	rng g;
	rng_seed(&g, 5, 1);
	double min_frac = 1, max_frac = 0;
	for (int i = 0; i < 2000; i++) {
		crop_rect c;
		CHECK_EQ(augment_plan(&opt, 100, 80, &g, &c), 0);
		CHECK(c.x >= 0 && c.y >= 0 && c.x + c.w <= 100 && c.y + c.h <= 80);
		CHECK(c.out_w == 16 && c.out_h == 16);
		double frac = c.w * c.h / 8000, aspect = c.w / c.h;
		min_frac = frac < min_frac ? frac : min_frac;
		max_frac = frac > max_frac ? frac : max_frac;
		CHECK(aspect > 0.72 && aspect < 1.39); /* w and h are rounded */
	}
	CHECK(min_frac < 0.22 && min_frac > 0.19);
	CHECK(max_frac > 0.9 && max_frac <= 1.0);
	opt = (augment_opts){.crop = CROP_RANDOM, .size = 16};
	crop_rect c;
	CHECK_EQ(augment_plan(&opt, 10, 20, &g, &c), -1);
	CHECK(strstr(err_msg(), "smaller than the 16x16 crop") != NULL);
}

/* the img bytes of record `id` at `epoch` after patchify */
static void patchified(rec *r, const char *id, int64_t epoch, const augment_opts *opt,
		       patchify_work *wk)
{
	img im = {0};
	img_alloc(&im, 32, 32, 1);
	for (uint32_t i = 0; i < 32 * 32; i++)
		im.px[i] = (uint8_t)(i * 7 + i / 32);
	rec_clear(r);
	rec_set_str(r, "id", id);
	rec_set_int(r, "epoch", epoch);
	rec_set_img(r, &im);
	const box b = {8, 8, 12, 12};
	rec_set_boxes(r, &b, 1);
	img_free(&im);
	CHECK_EQ(patchify_record(r, opt, 4, 9, wk), 0);
}

static int same_field(const rec *a, const rec *b, const char *key)
{
	const rec_field *fa = rec_get(a, key), *fb = rec_get(b, key);
	return fa && fb && fa->val_len == fb->val_len && memcmp(fa->val, fb->val, fa->val_len) == 0;
}

static void records_are_reproducible_per_id_and_epoch(void)
{
	augment_opts opt = {.crop = CROP_RRC, .size = 16, .scale_min = 0.2, .scale_max = 1,
			    .ratio_min = 0.75, .ratio_max = 4.0 / 3.0, .flip = 1,
			    .min_box_keep = 0.25};
	patchify_work wk = {0};
	rec a, b;
	rec_init(&a);
	rec_init(&b);
	patchified(&a, "x", 3, &opt, &wk);
	patchified(&b, "x", 3, &opt, &wk);
	CHECK(same_field(&a, &b, "img") && same_field(&a, &b, "boxes"));
	patch_grid g;
	CHECK_EQ(rec_get_grid(&a, &g), 0);
	CHECK(g.p == 4 && g.gh == 4 && g.gw == 4);
	uint16_t counts[16];
	CHECK_EQ(rec_get_boxcount(&a, counts, 16), 0);
	int differ = 0;
	for (int epoch = 4; epoch < 8; epoch++) {
		patchified(&b, "x", epoch, &opt, &wk);
		differ += !same_field(&a, &b, "img");
	}
	CHECK(differ >= 3);
	rec_clear(&a);
	img im = {0};
	img_alloc(&im, 8, 8, 1);
	rec_set_img(&a, &im);
	img_free(&im);
	CHECK_EQ(patchify_record(&a, &opt, 4, 9, &wk), -1);
	CHECK(strstr(err_msg(), "no 'id'") != NULL);
	opt = (augment_opts){.size = 0};
	CHECK_EQ(patchify_record(&a, &opt, 3, 9, &wk), -1);
	CHECK(strstr(err_msg(), "not a whole number of 3x3 patches") != NULL);
	patchify_work_free(&wk);
	rec_free(&a);
	rec_free(&b);
}

int main(void)
{
	RUN(grid_fields_round_trip);
	RUN(bad_grids_are_errors);
	RUN(boxes_counted_per_patch);
	RUN(crop_and_flip_move_pixels_labels_and_boxes);
	RUN(scaling_maps_boxes_and_blends_pixels);
	RUN(random_resized_crops_stay_in_range);
	RUN(records_are_reproducible_per_id_and_epoch);
	return check_exit();
}
