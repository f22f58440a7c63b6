/* Index lists and pixel arrays of an MAE batch. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "mae/mae_batch.h"
#include "mae/mae_input_norm.h"

void mae_batch_init(mae_batch *b)
{
	memset(b, 0, sizeof *b);
}

void mae_batch_init_for(mae_batch *b, const backend *be)
{
	mae_batch_init(b);
	b->host_of = be;
}

/* frees the arrays; the batch keeps its host memory's owner */
static void release(mae_batch *b)
{
	const backend *host_of = b->host_of;
	if (host_of)
		host_of->host_free(b->mem);
	else
		free(b->mem);
	mae_batch_init_for(b, host_of);
}

void mae_batch_free(mae_batch *b)
{
	release(b);
	mae_batch_init(b);
}

/* Lays out the arrays for n images of L patches of K values from base, or
 * only counts their bytes when base is NULL; returns the bytes used. */
static size_t layout(mae_batch *b, char *base, size_t n, size_t L, size_t K)
{
	size_t tokens = n * (L + 1), patches = n * L, used = 0;
	/* whole cache lines each */
#define TAKE(array, n_bytes) \
	(array = base ? (void *)(base + used) : NULL, used += ((n_bytes) + 63) / 64 * 64)
	TAKE(b->enc_offsets, (n + 1) * sizeof(int));
	TAKE(b->dec_offsets, (n + 1) * sizeof(int));
	TAKE(b->vis_offsets, (n + 1) * sizeof(int));
	TAKE(b->pred_offsets, (n + 1) * sizeof(int));
	TAKE(b->enc_att_offsets, (n + 1) * sizeof(size_t));
	TAKE(b->dec_att_offsets, (n + 1) * sizeof(size_t));
	TAKE(b->patches, patches * K * sizeof(float));
	TAKE(b->targets, patches * K * sizeof(float));
	TAKE(b->enc_pos_idx, tokens * sizeof(int32_t));
	TAKE(b->enc_patch_rows, patches * sizeof(int32_t));
	TAKE(b->patch_image, patches * sizeof(int32_t));
	TAKE(b->cls_rows, n * sizeof(int32_t));
	TAKE(b->dec_pos_idx, tokens * sizeof(int32_t));
	TAKE(b->dec_from_enc, tokens * sizeof(int32_t));
	TAKE(b->dec_mask_rows, patches * sizeof(int32_t));
	TAKE(b->pred_rows, patches * sizeof(int32_t));
	TAKE(b->pred_patch, patches * sizeof(int32_t));
	TAKE(b->zeros, (patches + n) * sizeof(int32_t));
#undef TAKE
	return used;
}

/* Sizes every array for n_images full images, in one block (one
 * cudaHostAlloc when page-locked, each of which is slow): a later batch of
 * the same size never reallocates. */
static int reserve(mae_batch *b, const mae_config *cfg, int n_images)
{
	if (n_images <= b->cap_images)
		return 0;
	size_t L = (size_t)mae_n_patches(cfg), K = (size_t)mae_patch_dim(cfg);
	size_t n = (size_t)n_images;
	release(b);
	size_t n_bytes = layout(b, NULL, n, L, K);
	b->mem = b->host_of ? b->host_of->host_alloc(n_bytes) : malloc(n_bytes);
	if (!b->mem)
		return err_set("out of memory for a batch of %d images", n_images);
	layout(b, b->mem, n, L, K);
	memset(b->zeros, 0, n * (L + 1) * sizeof(int32_t));
	b->cap_images = n_images;
	b->cap_tokens = n * (L + 1);
	return 0;
}

/* patch p of an HWC image, in the order (c, py, px) or (py, px, c) */
static void copy_patch(float *out, const uint8_t *px, const mae_config *cfg, int p, int chw)
{
	int P = cfg->patch, C = cfg->in_chans, grid = mae_grid(cfg);
	int y0 = p / grid * P, x0 = p % grid * P;
	for (int py = 0; py < P; py++)
		for (int qx = 0; qx < P; qx++)
			for (int c = 0; c < C; c++) {
				uint8_t v = px[((size_t)(y0 + py) * cfg->img_size + x0 + qx) * C + c];
				size_t at = chw ? ((size_t)c * P + py) * P + qx
						: ((size_t)py * P + qx) * C + c;
				out[at] = (float)mae_input_value(cfg, v, c);
			}
}

int mae_batch_build(mae_batch *b, const mae_config *cfg, const uint8_t *const *pixels,
		    const uint8_t *const *masks, int n_images, int pred_all)
{
	if (reserve(b, cfg, n_images) < 0)
		return -1;
	int L = mae_n_patches(cfg), K = mae_patch_dim(cfg);
	int enc_heads = cfg->heads, dec_heads = cfg->dec_heads;
	int tok = 0, vis = 0, hid = 0, pred = 0;
	static _Atomic uint64_t builds;
	b->build = atomic_fetch_add(&builds, 1) + 1;
	b->n_images = n_images;
	b->enc_offsets[0] = b->dec_offsets[0] = b->vis_offsets[0] = b->pred_offsets[0] = 0;
	b->enc_att_offsets[0] = b->dec_att_offsets[0] = 0;
	for (int i = 0; i < n_images; i++) {
		int dec0 = i * (L + 1);
		const uint8_t *mask = masks ? masks[i] : NULL;
		b->cls_rows[i] = tok;
		b->enc_pos_idx[tok] = 0;
		b->dec_from_enc[tok] = dec0;
		tok++;
		/* visible patches in ascending order; the reference keeps them in
		 * its shuffled order, which attention does not see (the position
		 * embeddings are added first) */
		for (int p = 0; p < L; p++) {
			int dec_row = dec0 + 1 + p;
			if (mae_mask_bit(mask, p)) {
				b->dec_mask_rows[hid++] = dec_row;
			} else {
				copy_patch(b->patches + (size_t)vis * K, pixels[i], cfg, p, 1);
				b->patch_image[vis] = i;
				b->enc_patch_rows[vis++] = tok;
				b->enc_pos_idx[tok] = 1 + p;
				b->dec_from_enc[tok] = dec_row;
				tok++;
			}
			if (pred_all || mae_mask_bit(mask, p)) {
				copy_patch(b->targets + (size_t)pred * K, pixels[i], cfg, p, 0);
				b->pred_rows[pred] = dec_row;
				b->pred_patch[pred++] = i * L + p;
			}
		}
		for (int t = 0; t <= L; t++)
			b->dec_pos_idx[dec0 + t] = t;
		b->enc_offsets[i + 1] = tok;
		b->dec_offsets[i + 1] = dec0 + L + 1;
		b->vis_offsets[i + 1] = vis;
		b->pred_offsets[i + 1] = pred;
		size_t enc_len = (size_t)(tok - b->enc_offsets[i]);
		b->enc_att_offsets[i + 1] = b->enc_att_offsets[i] + enc_heads * enc_len * enc_len;
		b->dec_att_offsets[i + 1] =
			b->dec_att_offsets[i] + (size_t)dec_heads * (L + 1) * (L + 1);
	}
	b->n_enc_tokens = tok;
	b->n_visible = vis;
	b->n_hidden = hid;
	b->n_pred = pred;
	return 0;
}
