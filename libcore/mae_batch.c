/* Index lists and pixel arrays of an MAE batch. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mae_batch.h"

void mae_batch_init(mae_batch *b)
{
	memset(b, 0, sizeof *b);
}

void mae_batch_free(mae_batch *b)
{
	free(b->enc_offsets);
	free(b->dec_offsets);
	free(b->enc_att_offsets);
	free(b->dec_att_offsets);
	free(b->patches);
	free(b->targets);
	free(b->enc_pos_idx);
	free(b->enc_patch_rows);
	free(b->patch_image);
	free(b->cls_rows);
	free(b->dec_pos_idx);
	free(b->dec_from_enc);
	free(b->dec_mask_rows);
	free(b->pred_rows);
	free(b->pred_patch);
	free(b->zeros);
	mae_batch_init(b);
}

/* Sizes every array for n_images full images: a later batch of the same
 * size never reallocates. */
static int reserve(mae_batch *b, const mae_config *cfg, int n_images)
{
	if (n_images <= b->cap_images)
		return 0;
	size_t L = (size_t)mae_n_patches(cfg), K = (size_t)mae_patch_dim(cfg);
	size_t n = (size_t)n_images, tokens = n * (L + 1), patches = n * L;
	mae_batch_free(b);
	b->enc_offsets = malloc((n + 1) * sizeof(int));
	b->dec_offsets = malloc((n + 1) * sizeof(int));
	b->enc_att_offsets = malloc((n + 1) * sizeof(size_t));
	b->dec_att_offsets = malloc((n + 1) * sizeof(size_t));
	b->patches = malloc(patches * K * sizeof(float));
	b->targets = malloc(patches * K * sizeof(float));
	b->enc_pos_idx = malloc(tokens * sizeof(int32_t));
	b->enc_patch_rows = malloc(patches * sizeof(int32_t));
	b->patch_image = malloc(patches * sizeof(int32_t));
	b->cls_rows = malloc(n * sizeof(int32_t));
	b->dec_pos_idx = malloc(tokens * sizeof(int32_t));
	b->dec_from_enc = malloc(tokens * sizeof(int32_t));
	b->dec_mask_rows = malloc(patches * sizeof(int32_t));
	b->pred_rows = malloc(patches * sizeof(int32_t));
	b->pred_patch = malloc(patches * sizeof(int32_t));
	b->zeros = calloc(patches + n, sizeof(int32_t));
	if (!b->enc_offsets || !b->dec_offsets || !b->enc_att_offsets || !b->dec_att_offsets ||
	    !b->patches || !b->targets || !b->enc_pos_idx || !b->enc_patch_rows || !b->patch_image ||
	    !b->cls_rows ||
	    !b->dec_pos_idx || !b->dec_from_enc || !b->dec_mask_rows || !b->pred_rows ||
	    !b->pred_patch || !b->zeros) {
		mae_batch_free(b);
		return err_set("out of memory for a batch of %d images", n_images);
	}
	b->cap_images = n_images;
	b->cap_tokens = tokens;
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
				out[at] = v / 255.0f;
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
	b->n_images = n_images;
	b->enc_offsets[0] = b->dec_offsets[0] = 0;
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
