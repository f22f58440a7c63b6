/* The `boxes` and `segments` fields, box IoU, box drawing and rec-png's
 * pictures. */
#include <stdlib.h>
#include <string.h>

#include "image/boxes.h"
#include "image/rec_picture.h"
#include "check.h"
#include "common/err.h"
#include "stream/mpk.h"

static void boxes_round_trip(void)
{
	const box in[3] = {{0, 0, 5, 7}, {-3, 2, 1, 1}, {100, 200, 0, 9}};
	rec r;
	rec_init(&r);
	CHECK_EQ(rec_set_boxes(&r, in, 3), 0);
	box *out = NULL;
	size_t cap = 0, n = 99;
	CHECK_EQ(rec_get_boxes(&r, &out, &cap, &n), 0);
	CHECK_EQ(n, 3);
	for (size_t i = 0; i < n && i < 3; i++)
		CHECK(out[i].x == in[i].x && out[i].y == in[i].y && out[i].w == in[i].w &&
		      out[i].h == in[i].h);
	CHECK_EQ(rec_set_boxes(&r, in, 0), 0);
	CHECK_EQ(rec_get_boxes(&r, &out, &cap, &n), 0);
	CHECK_EQ(n, 0);
	rec_clear(&r);
	CHECK_EQ(rec_get_boxes(&r, &out, &cap, &n), 1);
	free(out);
	rec_free(&r);
}

/* msgpack bytes of a `boxes` value, and the word the error must name */
static void rejects(const char *what, const uint8_t *val, size_t len, const char *word)
{
	rec r;
	rec_init(&r);
	rec_set_raw(&r, "boxes", val, len);
	box *out = NULL;
	size_t cap = 0, n;
	int rc = rec_get_boxes(&r, &out, &cap, &n);
	if (rc != -1 || !strstr(err_msg(), word))
		fprintf(stderr, "%s: rc %d, message '%s'\n", what, rc, err_msg());
	CHECK_EQ(rc, -1);
	CHECK(strstr(err_msg(), word) != NULL);
	free(out);
	rec_free(&r);
}

static void boxes_bad_shapes_are_errors(void)
{
	const uint8_t not_array[] = {0x05};
	const uint8_t three_numbers[] = {0x91, 0x93, 1, 2, 3, 0xc0};
	const uint8_t negative_side[] = {0x91, 0x94, 1, 2, 0xff, 3};
	const uint8_t string_coord[] = {0x91, 0x94, 0xa1, 'x', 2, 3, 4};
	const uint8_t huge_count[] = {0xdd, 0x7f, 0xff, 0xff, 0xff, 0x94, 1, 2, 3, 4};
	rejects("not an array", not_array, sizeof not_array, "expected array");
	rejects("three numbers", three_numbers, sizeof three_numbers, "[x, y, w, h]");
	rejects("negative side", negative_side, sizeof negative_side, "negative");
	rejects("string coordinate", string_coord, sizeof string_coord, "item 0");
	rejects("huge count", huge_count, sizeof huge_count, "boxes in");
}

static void iou_of_known_boxes(void)
{
	const box a = {0, 0, 10, 10}, b = {5, 0, 10, 10}, c = {20, 20, 3, 3}, empty = {0, 0, 0, 5};
	CHECK(box_iou(&a, &a) == 1.0);
	CHECK(box_iou(&a, &b) > 50.0 / 150.0 - 1e-12 && box_iou(&a, &b) < 50.0 / 150.0 + 1e-12);
	CHECK(box_iou(&a, &c) == 0.0);
	CHECK(box_iou(&a, &empty) == 0.0);
	CHECK(box_iou(&empty, &empty) == 0.0);
}

static void drawing_outlines_and_clips(void)
{
	img im = {0};
	CHECK_EQ(img_alloc(&im, 6, 5, 3), 0);
	memset(im.px, 0, img_bytes(&im));
	const uint8_t red[3] = {255, 0, 0};
	const box b = {1, 1, 4, 3}, outside = {-10, -10, 30, 30};
	img_draw_box(&im, &b, red, 1);
	int n_red = 0;
	for (uint32_t y = 0; y < im.h; y++)
		for (uint32_t x = 0; x < im.w; x++) {
			const uint8_t *px = im.px + (y * im.w + x) * 3;
			int on_outline = x >= 1 && x <= 4 && y >= 1 && y <= 3 &&
					 (x == 1 || x == 4 || y == 1 || y == 3);
			CHECK_EQ(px[0], on_outline ? 255 : 0);
			CHECK_EQ(px[1], 0);
			n_red += px[0] == 255;
		}
	CHECK_EQ(n_red, 10);
	img_draw_box(&im, &outside, red, 2); /* wholly clipped away: nothing drawn, no crash */
	CHECK_EQ(img_convert(&im, 1), 0);
	memset(im.px, 0, img_bytes(&im));
	img_draw_box(&im, &b, red, 9); /* thicker than the box: filled */
	CHECK_EQ(im.px[2 * im.w + 2], img_luma(red));
	CHECK_EQ(im.px[0], 0);
	img_free(&im);
}

static void segments_round_trip_and_bad_labels(void)
{
	const uint32_t labels[6] = {0, 0, 1, 2, 70000, 2};
	rec r;
	rec_init(&r);
	CHECK_EQ(rec_set_segments(&r, labels, 3, 2, 70001), 0);
	uint32_t *out = NULL, w, h, n;
	size_t cap = 0;
	CHECK_EQ(rec_get_segments(&r, &out, &cap, &w, &h, &n), 0);
	CHECK(w == 3 && h == 2 && n == 70001);
	for (int i = 0; i < 6; i++)
		CHECK_EQ(out[i], labels[i]);
	CHECK_EQ(rec_set_segments(&r, labels, 3, 2, 70000), 0);
	CHECK_EQ(rec_get_segments(&r, &out, &cap, &w, &h, &n), -1);
	CHECK(strstr(err_msg(), "pixel 4 has label 70000") != NULL);
	CHECK_EQ(rec_set_segments(&r, labels, 0, 2, 3), 0);
	CHECK_EQ(rec_get_segments(&r, &out, &cap, &w, &h, &n), -1);
	CHECK(strstr(err_msg(), "empty") != NULL);
	rec_clear(&r);
	CHECK_EQ(rec_get_segments(&r, &out, &cap, &w, &h, &n), 1);
	free(out);
	rec_free(&r);
}

/* A record's picture: scaled by pixel repetition; with boxes, in RGB with
 * only the first n_boxes drawn. */
static void pictures_scale_and_draw_boxes(void)
{
	uint8_t px[4] = {10, 20, 30, 40};
	img_view view = {2, 2, 1, px};
	rec r;
	rec_init(&r);
	img out = {0};
	box *scratch = NULL;
	size_t cap = 0;
	CHECK_EQ(rec_picture(&out, &r, &view, 3, -1, &scratch, &cap), 0);
	CHECK(out.w == 6 && out.h == 6 && out.c == 1);
	CHECK(out.px[0] == 10 && out.px[2] == 10 && out.px[3] == 20 && out.px[6 * 3 + 5] == 40);
	const box two[2] = {{0, 0, 2, 2}, {1, 1, 1, 1}};
	CHECK_EQ(rec_set_boxes(&r, two, 2), 0);
	img all = {0}, first = {0};
	CHECK_EQ(rec_picture(&all, &r, &view, 2, 0, &scratch, &cap), 0);
	CHECK_EQ(rec_picture(&first, &r, &view, 2, 1, &scratch, &cap), 0);
	CHECK(all.c == 3 && first.c == 3 && all.w == 4);
	img by_hand = {0};
	CHECK_EQ(rec_picture(&by_hand, &r, &view, 2, -1, &scratch, &cap), 0);
	CHECK_EQ(img_convert(&by_hand, 3), 0);
	img_draw_boxes(&by_hand, two, 1, 2);
	CHECK(memcmp(by_hand.px, first.px, (size_t)4 * 4 * 3) == 0);
	CHECK(memcmp(all.px, first.px, (size_t)4 * 4 * 3) != 0);
	img_free(&out);
	img_free(&all);
	img_free(&first);
	img_free(&by_hand);
	free(scratch);
	rec_free(&r);
}

int main(void)
{
	RUN(boxes_round_trip);
	RUN(boxes_bad_shapes_are_errors);
	RUN(iou_of_known_boxes);
	RUN(drawing_outlines_and_clips);
	RUN(segments_round_trip_and_bad_labels);
	RUN(pictures_scale_and_draw_boxes);
	return check_exit();
}
