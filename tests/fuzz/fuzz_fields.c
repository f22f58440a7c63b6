/* libFuzzer target for the record-field decoders: any bytes parsed as one
 * record, then every decoder the tools use on a record (img, segments,
 * boxes, grid, boxcount, mask, emb and label, id lists, the MAE's input,
 * the JSON of rec-cat, field selection and merging, mask statistics, and
 * patchify and mask-gen, which decode what they transform) must give a
 * value or a clean error, never a crash, a leak or an out-of-bounds read. */
#include <stdint.h>
#include <stdlib.h>

#include "image/boxes.h"
#include "stream/rec_fields.h"
#include "mae/mae_input.h"
#include "mask/mask_gen.h"
#include "mask/mask_stats.h"
#include "image/patch_grid.h"
#include "image/patchify.h"
#include "eval/probe_data.h"
#include "stream/rec.h"
#include "stream/rec_json.h"

/* decoders that only read the record */
static void read_fields(const rec *r)
{
	img_view v;
	rec_get_img(r, &v);
	uint32_t *labels = NULL, w, h, n;
	size_t cap = 0;
	rec_get_segments(r, &labels, &cap, &w, &h, &n);
	free(labels);
	box *boxes = NULL;
	size_t n_boxes;
	cap = 0;
	rec_get_boxes(r, &boxes, &cap, &n_boxes);
	free(boxes);
	patch_grid g;
	if (rec_get_grid(r, &g) == 0 && grid_patches(&g) <= 1 << 16) {
		uint16_t *counts = malloc(grid_patches(&g) * sizeof *counts + 1);
		const uint8_t *bits;
		if (counts)
			rec_get_boxcount(r, counts, grid_patches(&g));
		free(counts);
		rec_get_mask(r, &bits, grid_patches(&g));
	}
	char **strs;
	size_t n_strs;
	if (rec_get_strs(r, "classes", &strs, &n_strs) == 0)
		rec_free_strs(strs, n_strs);
	char what[128];
	rec_describe(r, what, sizeof what);

	probe_set ps;
	for (int pixels = 0; pixels < 2; pixels++) {
		probe_set_init(&ps);
		probe_set_add_record(&ps, r, pixels);
		probe_set_free(&ps);
	}
	const mae_config cfg = {.img_size = 8, .in_chans = 3, .patch = 4, .dim = 8, .depth = 1,
				.heads = 2, .dec_dim = 8, .dec_depth = 1, .dec_heads = 2,
				.mlp_ratio = 4};
	const uint8_t *px, *mask;
	mae_record_input(r, &cfg, 1, &px, &mask);

	mask_stats ms;
	mask_stats_init(&ms);
	mask_stats_add(&ms, r);
	mask_stats_free(&ms);

	json_buf jb = {0};
	rec_json_line(&jb, r, 0);
	rec_json_line(&jb, r, REC_JSON_FULL);
	json_buf_free(&jb);
}

/* the transforming stages, each on its own copy */
static void transform(const uint8_t *data, size_t size)
{
	rec r;
	rec_init(&r);
	patchify_work wk = {0};
	const augment_opts aug = {.crop = CROP_NONE, .scale_min = 0.2, .scale_max = 1,
				  .ratio_min = 0.75, .ratio_max = 4.0 / 3, .min_box_keep = 0.25};
	if (rec_parse(&r, data, size) == 0)
		patchify_record(&r, &aug, 4, 1, &wk);
	patchify_work_free(&wk);
	for (int kind = MASK_RANDOM; kind <= MASK_SEMANTIC; kind++) {
		if (kind == MASK_NOISE) /* the noise bank takes seconds to make */
			continue;
		mask_gen mg = {0};
		mask_gen_opts opt = {.kind = kind, .ratio = 0.5, .lambda = 0.5, .min_block = 2,
				     .seed = 1};
		rec_clear(&r);
		if (mask_gen_init(&mg, &opt) == 0 && rec_parse(&r, data, size) == 0)
			mask_gen_record(&mg, &r);
		mask_gen_free(&mg);
	}

	/* rec-cut and rec-join's selection and merging, then the encoder */
	rec other;
	rec_init(&other);
	fieldlist fl;
	rec_clear(&r);
	if (rec_parse(&r, data, size) == 0 && rec_parse(&other, data, size) == 0 &&
	    fieldlist_parse(&fl, "id,img,boxes") == 0) {
		rec_select(&r, &fl, 0);
		rec_merge(&r, &other, &fl, 1);
		rec_merge(&r, &other, NULL, 0);
		uint8_t *out = malloc(rec_encoded_size(&r));
		if (out)
			rec_encode(&r, out);
		free(out);
		fieldlist_free(&fl);
	}
	rec_free(&other);
	rec_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rec r;
	rec_init(&r);
	if (rec_parse(&r, data, size) == 0) {
		read_fields(&r);
		transform(data, size);
	}
	rec_free(&r);
	return 0;
}
