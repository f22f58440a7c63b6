#include "image/patch_grid.h"

#include <string.h>

#include "common/err.h"
#include "stream/mpk.h"

uint32_t mask_count(const uint8_t *bits, uint32_t n_patches)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < n_patches / 8; i++)
		n += (uint32_t)__builtin_popcount(bits[i]);
	for (uint32_t i = n_patches / 8 * 8; i < n_patches; i++)
		n += (uint32_t)mask_bit(bits, i);
	return n;
}

int rec_set_grid(rec *r, const patch_grid *g)
{
	msgpack_packer *pk = rec_pack_begin(r, "grid");
	msgpack_pack_map(pk, 3);
	msgpack_pack_str_with_body(pk, "p", 1);
	msgpack_pack_uint32(pk, g->p);
	msgpack_pack_str_with_body(pk, "gh", 2);
	msgpack_pack_uint32(pk, g->gh);
	msgpack_pack_str_with_body(pk, "gw", 2);
	msgpack_pack_uint32(pk, g->gw);
	return rec_pack_end(r);
}

int rec_get_grid(const rec *r, patch_grid *g)
{
	const rec_field *f = rec_get(r, "grid");
	if (!f)
		return 1;
	mpk m = mpk_of(f->val, f->val_len);
	uint32_t n_pairs;
	if (mpk_read_map(&m, &n_pairs) < 0)
		return err_prefix("field 'grid': ");
	uint32_t *slots[3] = {&g->p, &g->gh, &g->gw};
	const char *names[3] = {"p", "gh", "gw"};
	int seen = 0;
	for (uint32_t i = 0; i < n_pairs; i++) {
		const char *key;
		uint32_t key_len;
		if (mpk_read_str(&m, &key, &key_len) < 0)
			return err_prefix("field 'grid': key %u: ", i);
		int k = 0;
		while (k < 3 && !(strlen(names[k]) == key_len && memcmp(names[k], key, key_len) == 0))
			k++;
		if (k == 3) {
			if (mpk_skip(&m) < 0)
				return err_prefix("field 'grid': ");
			continue;
		}
		if (seen & 1 << k)
			return err_set("field 'grid': key '%s' appears twice", names[k]);
		uint64_t v;
		if (mpk_read_uint(&m, &v) < 0)
			return err_prefix("field 'grid.%s': ", names[k]);
		if (v == 0 || v > GRID_MAX_PATCHES)
			return err_set("field 'grid.%s' is %llu, not in [1, %u]", names[k],
				       (unsigned long long)v, GRID_MAX_PATCHES);
		*slots[k] = (uint32_t)v;
		seen |= 1 << k;
	}
	for (int k = 0; k < 3; k++)
		if (!(seen & 1 << k))
			return err_set("field 'grid' lacks %s", names[k]);
	if ((uint64_t)g->gh * g->gw > GRID_MAX_PATCHES)
		return err_set("field 'grid' has %ux%u patches, more than %u", g->gh, g->gw,
			       GRID_MAX_PATCHES);
	/* the patches lie in the image, from its top-left corner (mae-recon's
	 * panels are wider than the grid) */
	img_view v;
	int rc = rec_get_img(r, &v);
	if (rc < 0)
		return -1;
	if (rc == 0 && ((uint64_t)g->gh * g->p > v.h || (uint64_t)g->gw * g->p > v.w))
		return err_set("field 'grid' of %ux%u patches of %u px does not fit the %ux%u image",
			       g->gw, g->gh, g->p, v.w, v.h);
	return 0;
}

int rec_set_boxcount(rec *r, const uint16_t *counts, uint32_t n_patches)
{
	msgpack_packer *pk = rec_pack_begin(r, "boxcount");
	msgpack_pack_bin(pk, (size_t)n_patches * 2);
	for (uint32_t i = 0; i < n_patches; i++) {
		uint8_t le[2] = {(uint8_t)counts[i], (uint8_t)(counts[i] >> 8)};
		msgpack_pack_bin_body(pk, le, 2);
	}
	return rec_pack_end(r);
}

int rec_get_boxcount(const rec *r, uint16_t *counts, uint32_t n_patches)
{
	const uint8_t *data;
	uint32_t len;
	int rc = rec_get_bin(r, "boxcount", &data, &len);
	if (rc != 0)
		return rc;
	if (len != (uint64_t)n_patches * 2)
		return err_set("field 'boxcount' has %u bytes, the grid's %u patches need %llu", len,
			       n_patches, (unsigned long long)n_patches * 2);
	for (uint32_t i = 0; i < n_patches; i++)
		counts[i] = (uint16_t)(data[2 * i] | data[2 * i + 1] << 8);
	return 0;
}

int rec_set_mask(rec *r, const uint8_t *bits, uint32_t n_patches)
{
	return rec_set_bin(r, "mask", bits, mask_bytes(n_patches));
}

int rec_get_mask(const rec *r, const uint8_t **bits, uint32_t n_patches)
{
	uint32_t len;
	int rc = rec_get_bin(r, "mask", bits, &len);
	if (rc != 0)
		return rc;
	if (len != mask_bytes(n_patches))
		return err_set("field 'mask' has %u bytes, the grid's %u patches need %zu", len,
			       n_patches, mask_bytes(n_patches));
	return 0;
}

/* [lo, hi) cells of side p that the pixel span [a, a + len) overlaps,
 * clipped to n cells; 0 if none. */
static int span_cells(int64_t a, int64_t len, uint32_t p, uint32_t n, uint32_t *lo, uint32_t *hi)
{
	int64_t end = a + len, limit = (int64_t)p * n;
	if (len <= 0 || end <= 0 || a >= limit)
		return 0;
	if (a < 0)
		a = 0;
	if (end > limit)
		end = limit;
	*lo = (uint32_t)(a / p);
	*hi = (uint32_t)((end + p - 1) / p);
	return 1;
}

int grid_box_cells(const patch_grid *g, const box *b, uint32_t *x0, uint32_t *y0,
		   uint32_t *x1, uint32_t *y1)
{
	return span_cells(b->x, b->w, g->p, g->gw, x0, x1) &&
	       span_cells(b->y, b->h, g->p, g->gh, y0, y1);
}

void grid_boxcount(const patch_grid *g, const box *boxes, size_t n_boxes, uint16_t *counts)
{
	memset(counts, 0, sizeof *counts * grid_patches(g));
	for (size_t i = 0; i < n_boxes; i++) {
		uint32_t x0, y0, x1, y1;
		if (!grid_box_cells(g, &boxes[i], &x0, &y0, &x1, &y1))
			continue;
		for (uint32_t y = y0; y < y1; y++)
			for (uint32_t x = x0; x < x1; x++)
				if (counts[y * g->gw + x] < UINT16_MAX)
					counts[y * g->gw + x]++;
	}
}
