#include "image/patchify.h"

#include <stdlib.h>

#include "common/err.h"
#include "common/grow.h"
#include "image/patch_grid.h"
#include "stream/rec_rng.h"

static int transform_segments(rec *r, const img_view *src, const crop_rect *c, patchify_work *wk)
{
	uint32_t w, h, n_segments;
	int rc = rec_get_segments(r, &wk->labels, &wk->cap_labels, &w, &h, &n_segments);
	if (rc != 0)
		return rc > 0 ? 0 : -1;
	if (w != src->w || h != src->h)
		return err_set("field 'segments' is %ux%u, the image %ux%u", w, h, src->w, src->h);
	if (grow_array(&wk->labels_out, &wk->cap_labels_out, (size_t)c->out_w * c->out_h,
		       sizeof *wk->labels_out) < 0)
		return -1;
	augment_labels(wk->labels, w, h, c, wk->labels_out);
	return rec_set_segments(r, wk->labels_out, c->out_w, c->out_h, n_segments);
}

int patchify_record(rec *r, const augment_opts *opt, uint32_t patch, uint64_t seed,
		    patchify_work *wk)
{
	img_view src;
	int rc = rec_get_img_gray_or_rgb(r, &src);
	if (rc == 1)
		return err_set("no 'img' field");
	if (rc < 0)
		return -1;
	rng g;
	int random = opt->crop != CROP_NONE || opt->flip;
	crop_rect c;
	if ((random && rec_rng_seed(&g, r, seed, REC_RNG_PATCHIFY) < 0) ||
	    augment_plan(opt, src.w, src.h, &g, &c) < 0)
		return -1;
	if (c.out_w % patch || c.out_h % patch)
		return err_set("the %ux%u output is not a whole number of %ux%u patches", c.out_w,
			       c.out_h, patch, patch);
	size_t n_boxes = 0;
	int has_boxes = rec_get_boxes(r, &wk->boxes, &wk->cap_boxes, &n_boxes);
	if (has_boxes < 0 || transform_segments(r, &src, &c, wk) < 0 ||
	    augment_image(&src, &c, &wk->out) < 0)
		return -1;
	/* src points into the record: every use of it comes before this */
	if (rec_set_img(r, &wk->out) < 0)
		return -1;
	patch_grid grid = {patch, c.out_h / patch, c.out_w / patch};
	if (rec_set_grid(r, &grid) < 0)
		return -1;
	if (has_boxes == 1)
		return 0;
	n_boxes = augment_boxes(wk->boxes, n_boxes, &c, opt->min_box_keep);
	if (grow_array(&wk->counts, &wk->cap_counts, grid_patches(&grid), sizeof *wk->counts) < 0)
		return -1;
	grid_boxcount(&grid, wk->boxes, n_boxes, wk->counts);
	if (rec_set_boxes(r, wk->boxes, n_boxes) < 0 ||
	    rec_set_boxcount(r, wk->counts, grid_patches(&grid)) < 0)
		return -1;
	return 0;
}

void patchify_work_free(patchify_work *wk)
{
	img_free(&wk->out);
	free(wk->boxes);
	free(wk->labels);
	free(wk->labels_out);
	free(wk->counts);
}
