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
		mae_staging_free(&m->staging, m->be);
		m->be->free(m->param_mem);
		m->be->free(m->grad_mem);
		m->be->free(m->act_mem);
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

/* Lays out the activations of batch b from base (mae_carve: NULL only
 * counts); returns the floats they take. */
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
	mae_carve at = {base, 0};
	a->patch_emb = mae_take(&at, V * D);
	a->enc_in = mae_take(&at, T * D);
	for (int i = 0; i < c->depth; i++)
		mae_block_acts_layout(&a->enc[i], &at, (int)T, enc_att, c->dim, c->mlp_ratio);
	a->enc_out = mae_take(&at, T * D);
	a->enc_mean = mae_take(&at, T);
	a->enc_rstd = mae_take(&at, T);
	a->dec_embed = mae_take(&at, T * E);
	a->dec_in = mae_take(&at, S * E);
	for (int i = 0; i < c->dec_depth; i++)
		mae_block_acts_layout(&a->dec[i], &at, (int)S, dec_att, c->dec_dim, c->mlp_ratio);
	a->dec_out = mae_take(&at, S * E);
	a->dec_mean = mae_take(&at, S);
	a->dec_rstd = mae_take(&at, S);
	a->pred_in = mae_take(&at, N * E);
	a->pred = mae_take(&at, N * K);
	a->d_pred = mae_take(&at, N * K);
	a->row_loss = mae_take(&at, N);
	/* each gradient in the buffer whose last holder is spent when it is
	 * written (mae_model_decode_backward, _encode_backward) */
	a->d_pred_in = a->d_dec_residual = a->d_enc_residual = a->pooled =
		mae_take(&at, grad_floats);
	a->d_dec_out = a->d_enc_out = mae_take(&at, grad_floats);
	a->d_dec_embed = a->d_patch_emb = mae_take(&at, grad_floats);
	mae_block_grads_layout(&a->enc_grads, &at, (int)T, enc_att, c->dim, c->mlp_ratio);
	mae_block_grads_layout(&a->dec_grads, &at, (int)S, dec_att, c->dec_dim, c->mlp_ratio);
	return at.used;
}

int mae_model_prefetch(mae_model *m, const mae_batch *b, int with_decoder)
{
	return mae_staging_prefetch(&m->staging, m->be, &m->cfg, b, with_decoder);
}

int mae_model_set_batch(mae_model *m, const mae_batch *b, int with_decoder)
{
	const backend *be = m->be;
	const mae_inputs *in = mae_staging_take(&m->staging, be, &m->cfg, b, with_decoder);
	if (!in)
		return -1;
	size_t need = layout_acts(m, b, with_decoder, NULL);
	if (need > m->act_cap) {
		be->free(m->act_mem);
		m->act_cap = 0;
		m->act_mem = be->alloc(need * sizeof(float));
		if (!m->act_mem)
			return err_set("out of memory for a batch's activations");
		m->act_cap = need;
	}
	layout_acts(m, b, with_decoder, m->act_mem);
	m->enc_seqs = (mae_seqs){b->n_images, b->enc_offsets, b->enc_att_offsets, 0};
	m->dec_seqs = (mae_seqs){b->n_images, b->dec_offsets, b->dec_att_offsets, 0};
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
	be->copy_rows(a->enc_in, NULL, p->pos_embed, m->idx.enc_pos_idx, T, D, 0);
	be->copy_rows(a->enc_in, m->idx.enc_patch_rows, a->patch_emb, NULL, b->n_visible, D, 1);
	be->copy_rows(a->enc_in, m->idx.cls_rows, p->cls_token, m->idx.zeros, b->n_images, D, 1);
	const float *x = a->enc_in;
	for (int i = 0; i < c->depth; i++) {
		mae_block_forward(be, &a->enc[i], &p->blocks[i], x, &m->enc_seqs, D, c->heads,
				  c->mlp_ratio);
		x = a->enc[i].out;
	}
	be->layernorm_forward(a->enc_out, a->enc_mean, a->enc_rstd, x, p->norm_w, p->norm_b, T, D,
			      MAE_LN_EPS);
}

void mae_model_encode_backward(mae_model *m, const float *d_enc_out)
{
	const backend *be = m->be;
	const mae_config *c = &m->cfg;
	const mae_batch *b = m->batch;
	const mae_params *p = &m->params, *g = &m->grads;
	mae_acts *a = &m->acts;
	int T = b->n_enc_tokens, D = c->dim, K = mae_patch_dim(c);
	const float *x_last = c->depth ? a->enc[c->depth - 1].out : a->enc_in;
	be->zero(a->d_enc_residual, (size_t)T * D * sizeof(float));
	be->layernorm_backward(a->d_enc_residual, g->norm_w, g->norm_b, d_enc_out, x_last,
			       p->norm_w, a->enc_mean, a->enc_rstd, T, D);
	for (int i = c->depth - 1; i >= 0; i--) {
		const float *inp = i ? a->enc[i - 1].out : a->enc_in;
		mae_block_backward(be, a->d_enc_residual, &g->blocks[i], &a->enc[i], &p->blocks[i],
				   inp, &m->enc_seqs, D, c->heads, c->mlp_ratio, &a->enc_grads);
	}
	/* cls token and patch embedding; pos_embed is fixed */
	be->copy_rows(g->cls_token, m->idx.zeros, a->d_enc_residual, m->idx.cls_rows, b->n_images,
		      D, 1);
	be->copy_rows(a->d_patch_emb, NULL, a->d_enc_residual, m->idx.enc_patch_rows, b->n_visible,
		      D, 0);
	mae_linear_backward(be, NULL, g->patch_w, g->patch_b, a->d_patch_emb, a->patches,
			    p->patch_w, b->n_visible, K, D);
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
	mae_linear_forward(be, a->dec_embed, NULL, a->enc_out, p->dec_embed_w, p->dec_embed_b, T,
			   D, E, &m->enc_seqs);
	be->copy_rows(a->dec_in, NULL, p->dec_pos_embed, m->idx.dec_pos_idx, S, E, 0);
	be->copy_rows(a->dec_in, m->idx.dec_from_enc, a->dec_embed, NULL, T, E, 1);
	be->copy_rows(a->dec_in, m->idx.dec_mask_rows, p->mask_token, m->idx.zeros, b->n_hidden, E,
		      1);
	const float *y = a->dec_in;
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

void mae_model_decode_backward(mae_model *m)
{
	const backend *be = m->be;
	const mae_config *c = &m->cfg;
	const mae_batch *b = m->batch;
	const mae_params *p = &m->params, *g = &m->grads;
	mae_acts *a = &m->acts;
	int T = b->n_enc_tokens, D = c->dim, E = c->dec_dim, K = mae_patch_dim(c);
	int S = b->n_images * (mae_n_patches(c) + 1);
	/* decoder_pred, and its rows back among all decoder tokens */
	mae_linear_backward(be, a->d_pred_in, g->pred_w, g->pred_b, a->d_pred, a->pred_in,
			    p->pred_w, b->n_pred, E, K);
	be->zero(a->d_dec_out, (size_t)S * E * sizeof(float));
	be->copy_rows(a->d_dec_out, m->idx.pred_rows, a->d_pred_in, NULL, b->n_pred, E, 0);
	const float *y_last = c->dec_depth ? a->dec[c->dec_depth - 1].out : a->dec_in;
	be->zero(a->d_dec_residual, (size_t)S * E * sizeof(float));
	be->layernorm_backward(a->d_dec_residual, g->dec_norm_w, g->dec_norm_b, a->d_dec_out,
			       y_last, p->dec_norm_w, a->dec_mean, a->dec_rstd, S, E);
	for (int i = c->dec_depth - 1; i >= 0; i--) {
		const float *inp = i ? a->dec[i - 1].out : a->dec_in;
		mae_block_backward(be, a->d_dec_residual, &g->dec_blocks[i], &a->dec[i],
				   &p->dec_blocks[i], inp, &m->dec_seqs, E, c->dec_heads,
				   c->mlp_ratio, &a->dec_grads);
	}
	/* the mask token's gradient sums over the hidden patches; the
	 * encoder tokens' come back from their places */
	be->copy_rows(g->mask_token, m->idx.zeros, a->d_dec_residual, m->idx.dec_mask_rows,
		      b->n_hidden, E, 1);
	be->copy_rows(a->d_dec_embed, NULL, a->d_dec_residual, m->idx.dec_from_enc, T, E, 0);
	mae_linear_backward(be, a->d_enc_out, g->dec_embed_w, g->dec_embed_b, a->d_dec_embed,
			    a->enc_out, p->dec_embed_w, T, D, E);
}

int mae_model_loss(mae_model *m, double *loss)
{
	const mae_batch *b = m->batch;
	mae_acts *a = &m->acts;
	/* (loss * mask).sum() / mask.sum(): every hidden patch weighs the same
	 * across the batch, however many each image hides */
	m->be->mse_rows(a->row_loss, a->d_pred, a->pred, a->targets, 1.0f / b->n_hidden, b->n_pred,
			mae_patch_dim(&m->cfg));
	if (grow_array(&m->host_row_loss, &m->host_row_loss_cap, (size_t)b->n_pred, sizeof(float)) < 0)
		return -1;
	m->be->download(m->host_row_loss, a->row_loss, (size_t)b->n_pred * sizeof(float));
	double sum = 0;
	for (int i = 0; i < b->n_pred; i++)
		sum += m->host_row_loss[i];
	*loss = sum / b->n_hidden;
	return 0;
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
	return mae_model_loss(m, loss);
}

void mae_model_zero_grad(mae_model *m)
{
	m->be->zero(m->grad_mem, m->layout.n_floats * sizeof(float));
}

void mae_model_backward(mae_model *m)
{
	mae_model_decode_backward(m);
	mae_model_encode_backward(m, m->acts.d_enc_out);
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
	mae_model_pool(m, pool, m->acts.pooled);
	be->download(host_out, m->acts.pooled, (size_t)b->n_images * D * sizeof(float));
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
