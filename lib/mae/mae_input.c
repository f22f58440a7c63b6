/* Checking a record's img, grid and mask against an MAE config. */
#include <string.h>

#include "common/err.h"
#include "mae/mae_input.h"
#include "stream/mpk.h"

/* The `grid` map {p, gh, gw} (man 5 maskpipe-rec). */
static int read_grid(const rec *r, int64_t *p, int64_t *gh, int64_t *gw)
{
	const rec_field *f = rec_get(r, "grid");
	if (!f)
		return err_set("no field 'grid' (run the images through patchify)");
	mpk m = mpk_of(f->val, f->val_len);
	uint32_t n_pairs;
	if (mpk_read_map(&m, &n_pairs) < 0)
		return err_set("field 'grid' is not a map");
	*p = *gh = *gw = -1;
	for (uint32_t i = 0; i < n_pairs; i++) {
		const char *key;
		uint32_t key_len;
		int64_t v;
		if (mpk_read_str(&m, &key, &key_len) < 0)
			return err_set("field 'grid' has a key that is not a string");
		int64_t *slot = key_len == 1 && key[0] == 'p'                   ? p
				: key_len == 2 && memcmp(key, "gh", 2) == 0 ? gh
				: key_len == 2 && memcmp(key, "gw", 2) == 0 ? gw
									    : NULL;
		if (!slot) {
			if (mpk_skip(&m) < 0)
				return err_set("field 'grid' is truncated");
			continue;
		}
		if (mpk_read_int(&m, &v) < 0)
			return err_set("field 'grid.%.*s' is not an integer", (int)key_len, key);
		*slot = v;
	}
	if (*p < 0 || *gh < 0 || *gw < 0)
		return err_set("field 'grid' needs p, gh and gw");
	return 0;
}

int mae_record_input(const rec *r, const mae_config *cfg, int need_mask, const uint8_t **px,
		     const uint8_t **mask)
{
	img_view v;
	int rc = rec_get_img(r, &v);
	if (rc == 1)
		return err_set("no field 'img'");
	if (rc < 0)
		return -1;
	if (v.w != (uint32_t)cfg->img_size || v.h != (uint32_t)cfg->img_size ||
	    v.c != (uint32_t)cfg->in_chans)
		return err_set("image %ux%ux%u, the model takes %dx%dx%d", v.w, v.h, v.c,
			       cfg->img_size, cfg->img_size, cfg->in_chans);
	*px = v.px;
	*mask = NULL;
	if (!need_mask)
		return 0;
	int64_t p, gh, gw;
	if (read_grid(r, &p, &gh, &gw) < 0)
		return -1;
	if (p != cfg->patch || gh != mae_grid(cfg) || gw != mae_grid(cfg))
		return err_set("field 'grid' is %lldx%lld patches of %lld px, the model's is %dx%d "
			       "of %d px", (long long)gh, (long long)gw, (long long)p, mae_grid(cfg),
			       mae_grid(cfg), cfg->patch);
	const uint8_t *bits;
	uint32_t len;
	rc = rec_get_bin(r, "mask", &bits, &len);
	if (rc == 1)
		return err_set("no field 'mask' (run the records through mask-gen)");
	if (rc < 0)
		return -1;
	int n_patches = mae_n_patches(cfg);
	if (len != (uint32_t)(n_patches + 7) / 8)
		return err_set("field 'mask' has %u bytes, %d patches need %d", len, n_patches,
			       (n_patches + 7) / 8);
	*mask = bits;
	return 0;
}

int mae_batch_input(const recbatch *b, const mae_config *cfg, int need_mask,
		    const uint8_t **px, const uint8_t **mask, const char *stream)
{
	for (int i = 0; i < b->n; i++)
		if (mae_record_input(&b->recs[i], cfg, need_mask, &px[i], &mask[i]) < 0) {
			char where[128];
			return err_prefix("%s: %s: ", stream,
					  rec_describe(&b->recs[i], where, sizeof where));
		}
	return 0;
}
