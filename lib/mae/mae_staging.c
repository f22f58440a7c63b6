/* Double-buffered batch inputs in backend memory. */
#include "common/err.h"
#include "mae/mae_staging.h"

void mae_staging_free(mae_staging *s, const backend *be)
{
	/* staged copies land before anything reuses their memory */
	be->wait_uploads();
	be->free(s->inputs[0].mem);
	be->free(s->inputs[1].mem);
}

typedef void (*upload_fn)(void *dst, const void *host_src, size_t n_bytes);

/* The place of n more 4-byte values (floats or int32s) of an input block
 * from base, where src is uploaded; only counted when base is NULL. */
static void *put(char *base, size_t *used, const void *src, size_t n, upload_fn upload)
{
	void *dst = base ? base + *used : NULL;
	if (base)
		upload(dst, src, n * 4);
	*used += n * 4;
	return dst;
}

/* Lays out b's inputs in in from base and uploads them there, or only
 * counts their bytes when base is NULL; returns the bytes. */
static size_t place_inputs(mae_inputs *in, const mae_batch *b, const mae_config *c,
			   int with_decoder, char *base, upload_fn upload)
{
	size_t T = (size_t)b->n_enc_tokens, V = (size_t)b->n_visible, K = (size_t)mae_patch_dim(c);
	size_t B = (size_t)b->n_images, S = B * (mae_n_patches(c) + 1);
	size_t H = (size_t)b->n_hidden, n_zeros = B > H ? B : H, N = (size_t)b->n_pred;
	mae_indices *x = &in->idx;
	size_t used = 0;
	in->patches = put(base, &used, b->patches, V * K, upload);
	in->targets = put(base, &used, b->targets, with_decoder ? N * K : 0, upload);
	x->enc_pos_idx = put(base, &used, b->enc_pos_idx, T, upload);
	x->enc_patch_rows = put(base, &used, b->enc_patch_rows, V, upload);
	x->cls_rows = put(base, &used, b->cls_rows, B, upload);
	x->dec_pos_idx = put(base, &used, b->dec_pos_idx, S, upload);
	x->dec_from_enc = put(base, &used, b->dec_from_enc, T, upload);
	x->dec_mask_rows = put(base, &used, b->dec_mask_rows, H, upload);
	x->pred_rows = put(base, &used, b->pred_rows, N, upload);
	x->zeros = put(base, &used, b->zeros, n_zeros, upload);
	x->patch_image = put(base, &used, b->patch_image, V, upload);
	return used;
}

/* Copies b's inputs into in: by upload (done on return), or by
 * upload_async as one fenced group (staged). */
static int stage(mae_inputs *in, const backend *be, const mae_config *cfg, const mae_batch *b,
		 int with_decoder, int async)
{
	size_t need = place_inputs(in, b, cfg, with_decoder, NULL, NULL);
	/* the copies of a batch staged there, never taken, land first */
	if (in->staged)
		be->wait_uploads();
	in->staged = 0;
	if (need > in->cap) {
		be->free(in->mem);
		in->cap = 0;
		in->mem = be->alloc(need);
		if (!in->mem)
			return err_set("out of memory for a batch's inputs");
		in->cap = need;
	}
	place_inputs(in, b, cfg, with_decoder, in->mem, async ? be->upload_async : be->upload);
	if (async) {
		be->upload_fence();
		in->staged = b->build;
	}
	in->with_decoder = with_decoder;
	return 0;
}

int mae_staging_prefetch(mae_staging *s, const backend *be, const mae_config *cfg,
			 const mae_batch *b, int with_decoder)
{
	int into = s->inputs[!s->current].staged ? s->current : !s->current;
	return stage(&s->inputs[into], be, cfg, b, with_decoder, 1);
}

const mae_inputs *mae_staging_take(mae_staging *s, const backend *be, const mae_config *cfg,
				   const mae_batch *b, int with_decoder)
{
	int from = -1;
	for (int i = 0; i < 2; i++)
		if (s->inputs[i].staged && s->inputs[i].staged == b->build &&
		    s->inputs[i].with_decoder >= with_decoder)
			from = i;
	if (from >= 0) {
		be->wait_uploads();
		s->inputs[from].staged = 0;
	} else {
		/* the current batch's inputs, unless a staged batch waits there */
		from = s->inputs[s->current].staged ? !s->current : s->current;
		if (stage(&s->inputs[from], be, cfg, b, with_decoder, 0) < 0)
			return NULL;
	}
	s->current = from;
	return &s->inputs[from];
}
