/* The MAE forward and backward passes. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "grow.h"
#include "mae_model.h"

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
		m->be->free(m->param_mem);
		m->be->free(m->grad_mem);
		m->be->free(m->act_mem);
		m->be->free(m->idx_mem);
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
	TAKE(a->patches, V * K);
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
	TAKE(a->targets, N * K);
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
	m->enc_seqs = (mae_seqs){b->n_images, b->enc_offsets, b->enc_att_offsets};
	m->dec_seqs = (mae_seqs){b->n_images, b->dec_offsets, b->dec_att_offsets};
	return used;
}

static int32_t *upload_idx(mae_model *m, size_t *used, const int32_t *host, size_t n)
{
	int32_t *dst = m->idx_mem + *used;
	m->be->upload(dst, host, n * sizeof(int32_t));
	*used += n;
	return dst;
}

int mae_model_set_batch(mae_model *m, const mae_batch *b, int with_decoder)
{
	const backend *be = m->be;
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
	size_t T = (size_t)b->n_enc_tokens, S = (size_t)b->n_images * (mae_n_patches(&m->cfg) + 1);
	size_t B = (size_t)b->n_images, n_zeros = B > (size_t)b->n_hidden ? B : (size_t)b->n_hidden;
	size_t idx_need = T * 2 + 2 * (size_t)b->n_visible + B + S + (size_t)b->n_hidden +
			  (size_t)b->n_pred + n_zeros;
	if (idx_need > m->idx_cap) {
		be->free(m->idx_mem);
		m->idx_cap = 0;
		m->idx_mem = be->alloc(idx_need * sizeof(int32_t));
		if (!m->idx_mem)
			return -1;
		m->idx_cap = idx_need;
	}
	m->batch = b;
	size_t used = 0;
	mae_indices *x = &m->idx;
	x->enc_pos_idx = upload_idx(m, &used, b->enc_pos_idx, T);
	x->enc_patch_rows = upload_idx(m, &used, b->enc_patch_rows, (size_t)b->n_visible);
	x->cls_rows = upload_idx(m, &used, b->cls_rows, B);
	x->dec_pos_idx = upload_idx(m, &used, b->dec_pos_idx, S);
	x->dec_from_enc = upload_idx(m, &used, b->dec_from_enc, T);
	x->dec_mask_rows = upload_idx(m, &used, b->dec_mask_rows, (size_t)b->n_hidden);
	x->pred_rows = upload_idx(m, &used, b->pred_rows, (size_t)b->n_pred);
	x->zeros = upload_idx(m, &used, b->zeros, n_zeros);
	x->patch_image = upload_idx(m, &used, b->patch_image, (size_t)b->n_visible);
	size_t K = (size_t)mae_patch_dim(&m->cfg);
	be->upload(m->acts.patches, b->patches, (size_t)b->n_visible * K * sizeof(float));
	if (!with_decoder)
		return 0;
	be->upload(m->acts.targets, b->targets, (size_t)b->n_pred * K * sizeof(float));
	if (m->cfg.norm_pix_loss)
		be->normalize_rows(m->acts.targets, b->n_pred, (int)K, 1e-6f);
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
	/* forward_encoder: patch_embed, + pos_embed[1:], keep the visible
	 * ones, prepend cls_token + pos_embed[0]. Embedding only the visible
	 * patches gives the same rows, for a quarter of the work. */
	mae_linear_forward(be, a->patch_emb, NULL, a->patches, p->patch_w, p->patch_b, b->n_visible,
			   mae_patch_dim(c), D);
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
	/* forward_decoder: decoder_embed, the mask token at the hidden
	 * patches, every token back at its place, + decoder_pos_embed */
	mae_linear_forward(be, a->dec_in, NULL, a->enc_out, p->dec_embed_w, p->dec_embed_b, T, D, E);
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
			   mae_patch_dim(c));
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
	mae_model_encode(m);
	mae_model_decode(m);
	m->be->download(host_pred, m->acts.pred,
			(size_t)b->n_pred * mae_patch_dim(&m->cfg) * sizeof(float));
	return 0;
}
