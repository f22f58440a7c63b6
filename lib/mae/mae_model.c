/* The MAE forward and backward passes. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "mae/mae_model.h"

int mae_model_init(mae_model *m, const mae_config *cfg, const backend *be)
{
	memset(m, 0, sizeof *m);
	if (mae_config_check(cfg) < 0)
		return -1;
	m->cfg = *cfg;
	m->be = be;
	if (mae_layout_make(&m->layout, cfg) < 0)
		return -1;
	m->acts.enc = calloc((size_t)cfg->depth + 1, sizeof(mae_block_acts));
	m->acts.dec = calloc((size_t)cfg->dec_depth + 1, sizeof(mae_block_acts));
	m->param_mem = be->alloc(m->layout.n_floats * sizeof(float));
	m->grad_mem = be->alloc(m->layout.n_floats * sizeof(float));
	if (!m->acts.enc || !m->acts.dec || !m->param_mem || !m->grad_mem ||
	    mae_params_bind(&m->params, cfg, m->param_mem) < 0 ||
	    mae_params_bind(&m->grads, cfg, m->grad_mem) < 0) {
		mae_model_free(m);
		return err_set("out of memory for the model");
	}
	return 0;
}

void mae_model_free(mae_model *m)
{
	if (m->be) {
		/* staged copies land before anything reuses their memory */
		m->be->wait_uploads();
		m->be->free(m->param_mem);
		m->be->free(m->grad_mem);
		m->be->free(m->act_mem);
		m->be->free(m->inputs[0].mem);
		m->be->free(m->inputs[1].mem);
	}
	mae_params_unbind(&m->params);
	mae_params_unbind(&m->grads);
	mae_layout_free(&m->layout);
	free(m->acts.enc);
	free(m->acts.dec);
	free(m->host_row_loss);
	memset(m, 0, sizeof *m);
}

int mae_model_init_weights(mae_model *m, uint64_t seed)
{
	float *host = malloc(m->layout.n_floats * sizeof(float));
	if (!host)
		return err_set("out of memory");
	mae_params_init(host, &m->layout, &m->cfg, seed);
	m->be->upload(m->param_mem, host, m->layout.n_floats * sizeof(float));
	free(host);
	return 0;
}

static size_t max3(size_t a, size_t b, size_t c)
{
	size_t ab = a > b ? a : b;
	return ab > c ? ab : c;
}

/* Lays out the activations of batch b in one buffer (or only counts them
 * when base is NULL); returns the floats used. */
static size_t layout_acts(mae_model *m, const mae_batch *b, int with_decoder, float *base)
{
	const mae_config *c = &m->cfg;
	size_t T = (size_t)b->n_enc_tokens, V = (size_t)b->n_visible, K = (size_t)mae_patch_dim(c);
	size_t D = (size_t)c->dim, E = (size_t)c->dec_dim;
	size_t enc_att = b->enc_att_offsets[b->n_images];
	/* the encoder alone (embeddings) needs no room for the decoder */
	size_t S = with_decoder ? (size_t)b->n_images * (mae_n_patches(c) + 1) : 0;
	size_t N = with_decoder ? (size_t)b->n_pred : 0;
	size_t dec_att = with_decoder ? b->dec_att_offsets[b->n_images] : 0;
	size_t grad_floats = max3(T * D, S * E, N * E > V * D ? N * E : V * D);
	mae_acts *a = &m->acts;
	size_t used = 0;
	/* a NULL base only counts */
#define TAKE(ptr, n) (ptr = base ? base + used : NULL, used += (n))
	TAKE(a->patch_emb, V * D);
	TAKE(a->x0, T * D);
	for (int i = 0; i < c->depth; i++) {
		size_t n = mae_block_acts_floats((int)T, enc_att, c->dim, c->mlp_ratio);
		if (base)
			mae_block_acts_bind(&a->enc[i], base + used, (int)T, enc_att, c->dim,
					    c->mlp_ratio);
		used += n;
	}
	TAKE(a->enc_out, T * D);
	TAKE(a->enc_mean, T);
	TAKE(a->enc_rstd, T);
	TAKE(a->dec_in, T * E);
	TAKE(a->y0, S * E);
	for (int i = 0; i < c->dec_depth; i++) {
		size_t n = mae_block_acts_floats((int)S, dec_att, c->dec_dim, c->mlp_ratio);
		if (base)
			mae_block_acts_bind(&a->dec[i], base + used, (int)S, dec_att, c->dec_dim,
					    c->mlp_ratio);
		used += n;
	}
	TAKE(a->dec_out, S * E);
	TAKE(a->dec_mean, S);
	TAKE(a->dec_rstd, S);
	TAKE(a->pred_in, N * E);
	TAKE(a->pred, N * K);
	TAKE(a->dpred, N * K);
	TAKE(a->row_loss, N);
	for (int i = 0; i < 3; i++)
		TAKE(a->grad[i], grad_floats);
	size_t n = mae_block_scratch_floats((int)T, enc_att, c->dim, c->mlp_ratio);
	if (base)
		mae_block_scratch_bind(&a->enc_scratch, base + used, (int)T, c->dim, c->mlp_ratio);
	used += n;
	n = mae_block_scratch_floats((int)S, dec_att, c->dec_dim, c->mlp_ratio);
	if (base)
		mae_block_scratch_bind(&a->dec_scratch, base + used, (int)S, c->dec_dim,
				       c->mlp_ratio);
	used += n;
#undef TAKE
	m->enc_seqs = (mae_seqs){b->n_images, b->enc_offsets, b->enc_att_offsets, 0};
	m->dec_seqs = (mae_seqs){b->n_images, b->dec_offsets, b->dec_att_offsets, 0};
	return used;
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
static int stage(mae_model *m, mae_inputs *in, const mae_batch *b, int with_decoder, int async)
{
	const backend *be = m->be;
	size_t need = place_inputs(in, b, &m->cfg, with_decoder, NULL, NULL);
	/* the copies of a batch staged there, never taken, land first */
	if (in->staged)
		be->wait_uploads();
	in->staged = 0;
	if (need > in->cap) {
		be->free(in->mem);
		in->cap = 0;
		in->mem = be->alloc(need);
		if (!in->mem)
			return -1;
		in->cap = need;
	}
	place_inputs(in, b, &m->cfg, with_decoder, in->mem, async ? be->upload_async : be->upload);
	if (async) {
		be->upload_fence();
		in->staged = b->build;
	}
	in->with_decoder = with_decoder;
	return 0;
}

int mae_model_prefetch(mae_model *m, const mae_batch *b, int with_decoder)
{
	int into = m->inputs[!m->current].staged ? m->current : !m->current;
	return stage(m, &m->inputs[into], b, with_decoder, 1);
}

int mae_model_set_batch(mae_model *m, const mae_batch *b, int with_decoder)
{
	const backend *be = m->be;
	int from = -1;
	for (int i = 0; i < 2; i++)
		if (m->inputs[i].staged && m->inputs[i].staged == b->build &&
		    m->inputs[i].with_decoder >= with_decoder)
			from = i;
	if (from >= 0) {
		be->wait_uploads();
		m->inputs[from].staged = 0;
	} else {
		/* the current batch's inputs, unless a staged batch waits there */
		from = m->inputs[m->current].staged ? !m->current : m->current;
		if (stage(m, &m->inputs[from], b, with_decoder, 0) < 0)
			return -1;
	}
	m->current = from;
	size_t need = layout_acts(m, b, with_decoder, NULL);
	if (need > m->act_cap) {
		be->free(m->act_mem);
		m->act_cap = 0;
		m->act_mem = be->alloc(need * sizeof(float));
		if (!m->act_mem)
			return -1;
		m->act_cap = need;
	}
	layout_acts(m, b, with_decoder, m->act_mem);
	const mae_inputs *in = &m->inputs[from];
	m->batch = b;
	m->idx = in->idx;
	m->acts.patches = in->patches;
	m->acts.targets = in->targets;
	if (with_decoder && m->cfg.norm_pix_loss)
		be->normalize_rows(in->targets, b->n_pred, mae_patch_dim(&m->cfg), 1e-6f);
	return 0;
}

void mae_model_encode(mae_model *m)
{
	const backend *be = m->be;
	const mae_config *c = &m->cfg;
	const mae_batch *b = m->batch;
	const mae_params *p = &m->params;
	mae_acts *a = &m->acts;
	int T = b->n_enc_tokens, D = c->dim;
	m->enc_seqs.per_seq = m->per_image;
	const mae_seqs patches = {b->n_images, b->vis_offsets, NULL, m->per_image};
	/* forward_encoder: patch_embed, + pos_embed[1:], keep the visible
	 * ones, prepend cls_token + pos_embed[0]. Embedding only the visible
	 * patches gives the same rows, for a quarter of the work. */
	mae_linear_forward(be, a->patch_emb, NULL, a->patches, p->patch_w, p->patch_b, b->n_visible,
			   mae_patch_dim(c), D, &patches);
	be->copy_rows(a->x0, NULL, p->pos_embed, m->idx.enc_pos_idx, T, D, 0);
	be->copy_rows(a->x0, m->idx.enc_patch_rows, a->patch_emb, NULL, b->n_visible, D, 1);
	be->copy_rows(a->x0, m->idx.cls_rows, p->cls_token, m->idx.zeros, b->n_images, D, 1);
	const float *x = a->x0;
	for (int i = 0; i < c->depth; i++) {
		mae_block_forward(be, &a->enc[i], &p->blocks[i], x, &m->enc_seqs, D, c->heads,
				  c->mlp_ratio);
		x = a->enc[i].out;
	}
	be->layernorm_forward(a->enc_out, a->enc_mean, a->enc_rstd, x, p->norm_w, p->norm_b, T, D,
			      MAE_LN_EPS);
}

void mae_model_decode(mae_model *m)
{
	const backend *be = m->be;
	const mae_config *c = &m->cfg;
	const mae_batch *b = m->batch;
	const mae_params *p = &m->params;
	mae_acts *a = &m->acts;
	int T = b->n_enc_tokens, D = c->dim, E = c->dec_dim;
	int S = b->n_images * (mae_n_patches(c) + 1);
	m->dec_seqs.per_seq = m->per_image;
	const mae_seqs preds = {b->n_images, b->pred_offsets, NULL, m->per_image};
	/* forward_decoder: decoder_embed, the mask token at the hidden
	 * patches, every token back at its place, + decoder_pos_embed */
	mae_linear_forward(be, a->dec_in, NULL, a->enc_out, p->dec_embed_w, p->dec_embed_b, T, D, E,
			   &m->enc_seqs);
	be->copy_rows(a->y0, NULL, p->dec_pos_embed, m->idx.dec_pos_idx, S, E, 0);
	be->copy_rows(a->y0, m->idx.dec_from_enc, a->dec_in, NULL, T, E, 1);
	be->copy_rows(a->y0, m->idx.dec_mask_rows, p->mask_token, m->idx.zeros, b->n_hidden, E, 1);
	const float *y = a->y0;
	for (int i = 0; i < c->dec_depth; i++) {
		mae_block_forward(be, &a->dec[i], &p->dec_blocks[i], y, &m->dec_seqs, E,
				  c->dec_heads, c->mlp_ratio);
		y = a->dec[i].out;
	}
	be->layernorm_forward(a->dec_out, a->dec_mean, a->dec_rstd, y, p->dec_norm_w,
			      p->dec_norm_b, S, E, MAE_LN_EPS);
	/* decoder_pred on the patches whose pixels matter: the loss reads only
	 * the hidden ones, so the others are not computed */
	be->copy_rows(a->pred_in, NULL, a->dec_out, m->idx.pred_rows, b->n_pred, E, 0);
	mae_linear_forward(be, a->pred, NULL, a->pred_in, p->pred_w, p->pred_b, b->n_pred, E,
			   mae_patch_dim(c), &preds);
}

double mae_model_loss(mae_model *m)
{
	const mae_batch *b = m->batch;
	mae_acts *a = &m->acts;
	/* (loss * mask).sum() / mask.sum(): every hidden patch weighs the same
	 * across the batch, however many each image hides */
	m->be->mse_rows(a->row_loss, a->dpred, a->pred, a->targets, 1.0f / b->n_hidden, b->n_pred,
			mae_patch_dim(&m->cfg));
	if (grow_array(&m->host_row_loss, &m->host_row_loss_cap, (size_t)b->n_pred, sizeof(float)) < 0)
		return -1;
	m->be->download(m->host_row_loss, a->row_loss, (size_t)b->n_pred * sizeof(float));
	double sum = 0;
	for (int i = 0; i < b->n_pred; i++)
		sum += m->host_row_loss[i];
	return sum / b->n_hidden;
}

int mae_model_forward(mae_model *m, const mae_batch *b, double *loss)
{
	if (b->n_hidden == 0 || b->n_pred != b->n_hidden)
		return err_set("a training batch must hide at least one patch");
	if (mae_model_set_batch(m, b, 1) < 0)
		return -1;
	m->per_image = 0;
	mae_model_encode(m);
	mae_model_decode(m);
	*loss = mae_model_loss(m);
	return *loss < 0 ? -1 : 0;
}

void mae_model_zero_grad(mae_model *m)
{
	m->be->zero(m->grad_mem, m->layout.n_floats * sizeof(float));
}

void mae_model_backward(mae_model *m)
{
	const backend *be = m->be;
	const mae_config *c = &m->cfg;
	const mae_batch *b = m->batch;
	const mae_params *p = &m->params, *g = &m->grads;
	mae_acts *a = &m->acts;
	int T = b->n_enc_tokens, D = c->dim, E = c->dec_dim, K = mae_patch_dim(c);
	int S = b->n_images * (mae_n_patches(c) + 1);
	float *g0 = a->grad[0], *g1 = a->grad[1], *g2 = a->grad[2];

	/* decoder_pred, and its rows back among all decoder tokens */
	mae_linear_backward(be, g0, g->pred_w, g->pred_b, a->dpred, a->pred_in, p->pred_w,
			    b->n_pred, E, K);
	be->zero(g1, (size_t)S * E * sizeof(float));
	be->copy_rows(g1, m->idx.pred_rows, g0, NULL, b->n_pred, E, 0);
	const float *y_last = c->dec_depth ? a->dec[c->dec_depth - 1].out : a->y0;
	be->zero(g0, (size_t)S * E * sizeof(float));
	be->layernorm_backward(g0, g->dec_norm_w, g->dec_norm_b, g1, y_last, p->dec_norm_w,
			       a->dec_mean, a->dec_rstd, S, E);
	for (int i = c->dec_depth - 1; i >= 0; i--) {
		const float *inp = i ? a->dec[i - 1].out : a->y0;
		mae_block_backward(be, g0, &g->dec_blocks[i], &a->dec[i], &p->dec_blocks[i], inp,
				   &m->dec_seqs, E, c->dec_heads, c->mlp_ratio, &a->dec_scratch);
	}
	/* the mask token's gradient sums over the hidden patches; the
	 * encoder tokens' come back from their places */
	be->copy_rows(g->mask_token, m->idx.zeros, g0, m->idx.dec_mask_rows, b->n_hidden, E, 1);
	be->copy_rows(g2, NULL, g0, m->idx.dec_from_enc, T, E, 0);
	mae_linear_backward(be, g1, g->dec_embed_w, g->dec_embed_b, g2, a->enc_out,
			    p->dec_embed_w, T, D, E);
	mae_model_encoder_backward(m, g1);
}

void mae_model_encoder_backward(mae_model *m, const float *d_enc_out)
{
	const backend *be = m->be;
	const mae_config *c = &m->cfg;
	const mae_batch *b = m->batch;
	const mae_params *p = &m->params, *g = &m->grads;
	mae_acts *a = &m->acts;
	int T = b->n_enc_tokens, D = c->dim, K = mae_patch_dim(c);
	float *g0 = a->grad[0], *g2 = a->grad[2];
	const float *x_last = c->depth ? a->enc[c->depth - 1].out : a->x0;
	be->zero(g0, (size_t)T * D * sizeof(float));
	be->layernorm_backward(g0, g->norm_w, g->norm_b, d_enc_out, x_last, p->norm_w, a->enc_mean,
			       a->enc_rstd, T, D);
	for (int i = c->depth - 1; i >= 0; i--) {
		const float *inp = i ? a->enc[i - 1].out : a->x0;
		mae_block_backward(be, g0, &g->blocks[i], &a->enc[i], &p->blocks[i], inp,
				   &m->enc_seqs, D, c->heads, c->mlp_ratio, &a->enc_scratch);
	}
	/* cls token and patch embedding; pos_embed is fixed */
	be->copy_rows(g->cls_token, m->idx.zeros, g0, m->idx.cls_rows, b->n_images, D, 1);
	be->copy_rows(g2, NULL, g0, m->idx.enc_patch_rows, b->n_visible, D, 0);
	mae_linear_backward(be, NULL, g->patch_w, g->patch_b, g2, a->patches, p->patch_w,
			    b->n_visible, K, D);
}

void mae_model_pool(mae_model *m, int pool, float *out)
{
	const backend *be = m->be;
	const mae_batch *b = m->batch;
	int D = m->cfg.dim;
	if (pool == MAE_POOL_CLS) {
		be->copy_rows(out, NULL, m->acts.enc_out, m->idx.cls_rows, b->n_images, D, 0);
		return;
	}
	be->zero(out, (size_t)b->n_images * D * sizeof(float));
	be->copy_rows(out, m->idx.patch_image, m->acts.enc_out, m->idx.enc_patch_rows, b->n_visible,
		      D, 1);
	be->scale(out, 1.0f / mae_n_patches(&m->cfg), (size_t)b->n_images * D);
}

void mae_model_pool_backward(mae_model *m, int pool, float *dpooled, float *d_enc_out)
{
	const backend *be = m->be;
	const mae_batch *b = m->batch;
	int D = m->cfg.dim;
	be->zero(d_enc_out, (size_t)b->n_enc_tokens * D * sizeof(float));
	if (pool == MAE_POOL_CLS) {
		be->copy_rows(d_enc_out, m->idx.cls_rows, dpooled, NULL, b->n_images, D, 0);
		return;
	}
	be->scale(dpooled, 1.0f / mae_n_patches(&m->cfg), (size_t)b->n_images * D);
	be->copy_rows(d_enc_out, m->idx.enc_patch_rows, dpooled, m->idx.patch_image, b->n_visible,
		      D, 0);
}

int mae_model_embed(mae_model *m, const mae_batch *b, int pool, float *host_out)
{
	const backend *be = m->be;
	int D = m->cfg.dim;
	if (mae_model_set_batch(m, b, 0) < 0)
		return -1;
	m->per_image = 1;
	mae_model_encode(m);
	/* the result goes in the first gradient buffer, unused without a
	 * backward pass: [B, D] */
	float *out = m->acts.grad[0];
	mae_model_pool(m, pool, out);
	be->download(host_out, out, (size_t)b->n_images * D * sizeof(float));
	return 0;
}

int mae_model_predict(mae_model *m, const mae_batch *b, float *host_pred)
{
	if (mae_model_set_batch(m, b, 1) < 0)
		return -1;
	m->per_image = 1;
	mae_model_encode(m);
	mae_model_decode(m);
	m->be->download(host_pred, m->acts.pred,
			(size_t)b->n_pred * mae_patch_dim(&m->cfg) * sizeof(float));
	return 0;
}
