/* A batch for the MAE, built on the host from images and their masks: the
 * visible patches' pixels, the targets, and the index lists by which the
 * model gathers visible patches into the encoder's packed sequences and
 * scatters them back among the mask tokens of the decoder. Each image keeps
 * its own number of visible patches (the `mask` field decides), so a batch
 * is exact whatever the masks hide: nothing padded, nothing dropped. */
#ifndef MASKPIPE_MAE_BATCH_H
#define MASKPIPE_MAE_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/backend.h"
#include "mae/mae_config.h"

/* B images, L patches each, K = patch_dim values per patch */
typedef struct mae_batch {
	int n_images;
	int n_enc_tokens;   /* B + visible patches */
	int n_visible, n_hidden;
	int n_pred;         /* patches whose pixels are predicted: hidden ones, or all */
	int *enc_offsets;   /* [B+1] image b's encoder tokens: [enc_offsets[b], enc_offsets[b+1]) */
	int *dec_offsets;   /* [B+1] b * (L+1) */
	int *vis_offsets;   /* [B+1] image b's visible patches: [vis_offsets[b], vis_offsets[b+1]) */
	int *pred_offsets;  /* [B+1] image b's predicted patches, likewise */
	size_t *enc_att_offsets, *dec_att_offsets; /* [B+1] see mae_seqs */
	float *patches;     /* [n_visible, K] in (c, py, px) order, as Conv2d flattens its weight */
	float *targets;     /* [n_pred, K] in (py, px, c) order, as models_mae.patchify */
	int32_t *enc_pos_idx;    /* [n_enc_tokens] row of pos_embed: 0 cls, 1 + patch */
	int32_t *enc_patch_rows; /* [n_visible] encoder token of each visible patch */
	int32_t *patch_image;    /* [n_visible] the image of each visible patch */
	int32_t *cls_rows;       /* [B] encoder token of each cls */
	int32_t *dec_pos_idx;    /* [B(L+1)] row of decoder_pos_embed */
	int32_t *dec_from_enc;   /* [n_enc_tokens] decoder token of each encoder token */
	int32_t *dec_mask_rows;  /* [n_hidden] decoder tokens of the hidden patches */
	int32_t *pred_rows;      /* [n_pred] decoder tokens whose pixels are predicted */
	int32_t *pred_patch;     /* [n_pred] b * L + patch, for placing predictions */
	int32_t *zeros;          /* [max(B, n_hidden)] row 0, to broadcast one row */
	size_t cap_tokens;
	int cap_images;
	uint64_t build;          /* unique to each mae_batch_build of the process: what
				  * mae_model_prefetch knows a batch by */
	void *mem;               /* one block holding every array */
	const backend *host_of;  /* whose host_alloc gave mem; NULL: malloc */
} mae_batch;

void mae_batch_init(mae_batch *b);
/* A batch for be: its arrays in be's host memory (page-locked on a GPU),
 * from which mae_model_prefetch uploads asynchronously. */
void mae_batch_init_for(mae_batch *b, const backend *be);
void mae_batch_free(mae_batch *b);

/* pixels[i]: image i, img_size^2 * in_chans bytes in row-major HWC order,
 * scaled to [0, 1]; masks[i]: the `mask` bitset (bit p = bit p%8 of byte
 * p/8, 1 = hidden) or NULL for nothing hidden (masks itself NULL: nothing
 * hidden in any image). pred_all: predict every
 * patch (reconstructions) instead of the hidden ones (training). */
int mae_batch_build(mae_batch *b, const mae_config *cfg, const uint8_t *const *pixels,
		    const uint8_t *const *masks, int n_images, int pred_all);

static inline int mae_mask_bit(const uint8_t *mask, int patch)
{
	return mask ? (mask[patch / 8] >> (patch % 8)) & 1 : 0;
}

#endif
