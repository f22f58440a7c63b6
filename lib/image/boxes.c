#include "image/boxes.h"

#include "common/err.h"
#include "common/grow.h"
#include "stream/mpk.h"

int rec_set_boxes(rec *r, const box *boxes, size_t n)
{
	msgpack_packer *pk = rec_pack_begin(r, "boxes");
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++) {
		msgpack_pack_array(pk, 4);
		msgpack_pack_int32(pk, boxes[i].x);
		msgpack_pack_int32(pk, boxes[i].y);
		msgpack_pack_int32(pk, boxes[i].w);
		msgpack_pack_int32(pk, boxes[i].h);
	}
	return rec_pack_end(r);
}

static int read_coord(mpk *m, int32_t *v)
{
	int64_t x;
	if (mpk_read_int(m, &x) < 0)
		return -1;
	if (x < -(int64_t)IMG_MAX_DIM || x > (int64_t)IMG_MAX_DIM)
		return err_set("%lld is out of range", (long long)x);
	*v = (int32_t)x;
	return 0;
}

int rec_get_boxes(const rec *r, box **boxes, size_t *cap, size_t *n)
{
	*n = 0;
	const rec_field *f = rec_get(r, "boxes");
	if (!f)
		return 1;
	mpk m = mpk_of(f->val, f->val_len);
	uint32_t n_boxes;
	if (mpk_read_array(&m, &n_boxes) < 0)
		return err_prefix("field 'boxes': ");
	/* a box takes 5 bytes at least: a corrupt count fails before the allocation */
	if ((uint64_t)n_boxes * 5 > mpk_left(&m))
		return err_set("field 'boxes': %u boxes in %zu bytes", n_boxes, mpk_left(&m));
	if (grow_array(boxes, cap, n_boxes, sizeof **boxes) < 0)
		return -1;
	for (uint32_t i = 0; i < n_boxes; i++) {
		box *b = &(*boxes)[i];
		uint32_t n_coords;
		if (mpk_read_array(&m, &n_coords) < 0)
			return err_prefix("field 'boxes' item %u: ", i);
		if (n_coords != 4)
			return err_set("field 'boxes' item %u: %u numbers, expected [x, y, w, h]", i,
				       n_coords);
		if (read_coord(&m, &b->x) < 0 || read_coord(&m, &b->y) < 0 ||
		    read_coord(&m, &b->w) < 0 || read_coord(&m, &b->h) < 0)
			return err_prefix("field 'boxes' item %u: ", i);
		if (b->w < 0 || b->h < 0)
			return err_set("field 'boxes' item %u: negative size %dx%d", i, b->w, b->h);
	}
	*n = n_boxes;
	return 0;
}

double box_iou(const box *a, const box *b)
{
	int64_t x0 = a->x > b->x ? a->x : b->x;
	int64_t y0 = a->y > b->y ? a->y : b->y;
	int64_t x1 = (int64_t)a->x + a->w < (int64_t)b->x + b->w ? (int64_t)a->x + a->w
								   : (int64_t)b->x + b->w;
	int64_t y1 = (int64_t)a->y + a->h < (int64_t)b->y + b->h ? (int64_t)a->y + a->h
								   : (int64_t)b->y + b->h;
	int64_t inter = x1 > x0 && y1 > y0 ? (x1 - x0) * (y1 - y0) : 0;
	int64_t uni = (int64_t)a->w * a->h + (int64_t)b->w * b->h - inter;
	return uni > 0 ? (double)inter / (double)uni : 0.0;
}

static void paint(img *im, int64_t x0, int64_t y0, int64_t x1, int64_t y1, const uint8_t rgb[3])
{
	x0 = x0 < 0 ? 0 : x0;
	y0 = y0 < 0 ? 0 : y0;
	x1 = x1 > im->w ? im->w : x1;
	y1 = y1 > im->h ? im->h : y1;
	uint8_t gray = img_luma(rgb);
	for (int64_t y = y0; y < y1; y++)
		for (int64_t x = x0; x < x1; x++) {
			uint8_t *px = im->px + ((size_t)y * im->w + (size_t)x) * im->c;
			for (uint32_t k = 0; k < im->c; k++)
				px[k] = im->c >= 3 ? (k < 3 ? rgb[k] : 255) : gray;
		}
}

void img_draw_box(img *im, const box *b, const uint8_t rgb[3], uint32_t thickness)
{
	int64_t x0 = b->x, y0 = b->y, x1 = (int64_t)b->x + b->w, y1 = (int64_t)b->y + b->h;
	int64_t t = thickness;
	if (b->w <= 0 || b->h <= 0)
		return;
	paint(im, x0, y0, x1, y0 + t, rgb);
	paint(im, x0, y1 - t, x1, y1, rgb);
	paint(im, x0, y0, x0 + t, y1, rgb);
	paint(im, x1 - t, y0, x1, y1, rgb);
}

void img_draw_boxes(img *im, const box *boxes, size_t n, uint32_t scale)
{
	static const uint8_t palette[8][3] = {
		{238, 102, 119}, {68, 119, 170}, {34, 136, 51}, {204, 187, 68},
		{102, 204, 238}, {170, 51, 119}, {187, 187, 187}, {255, 255, 255},
	};
	/* drawn last first, so the best boxes stay on top where lines cross */
	for (size_t i = n; i-- > 0;) {
		box scaled = {boxes[i].x * (int32_t)scale, boxes[i].y * (int32_t)scale,
			      boxes[i].w * (int32_t)scale, boxes[i].h * (int32_t)scale};
		img_draw_box(im, &scaled, palette[i % 8], 1);
	}
}
