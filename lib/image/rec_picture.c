#include "image/rec_picture.h"

#include "common/err.h"

int rec_picture(img *out, const rec *r, const img_view *view, uint32_t scale, int64_t n_boxes,
		box **boxes, size_t *boxes_cap)
{
	if (img_alloc(out, view->w * scale, view->h * scale, view->c) < 0)
		return err_prefix("scaled %u times: ", scale);
	img_blit_scaled(out, 0, 0, view, scale);
	if (n_boxes < 0)
		return 0;
	size_t n;
	if (rec_get_boxes(r, boxes, boxes_cap, &n) < 0 || (out->c < 3 && img_convert(out, 3) < 0))
		return -1;
	if (n_boxes && (size_t)n_boxes < n)
		n = (size_t)n_boxes;
	img_draw_boxes(out, *boxes, n, scale);
	return 0;
}
