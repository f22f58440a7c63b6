/* A transformer block, forward and backward, in llm.c's layer style. */
#include "mae/mae_block.h"

void mae_linear_forward(const backend *be, float *out, const float *residual, const float *inp,
			const float *w, const float *b, int n_rows, int n_in, int n_out,
			const mae_seqs *rows)
{
	/* bias and residual first and the product added: passes over out fewer */
	be->set_rows(out, residual, b, n_rows, n_out);
	if (!rows || !rows->per_seq) {
		be->gemm(0, 1, n_rows, n_out, n_in, 1.0f, inp, n_in, w, n_in, 1.0f, out, n_out);
		return;
	}
	/* runs of sequences of one length, each run one strided batch of
	 * GEMMs sharing w (stride 0) */
	const int *at = rows->offsets;
	for (int s = 0; s < rows->n_seqs;) {
		int len = at[s + 1] - at[s], run = 1;
		while (s + run < rows->n_seqs && at[s + run + 1] - at[s + run] == len)
			run++;
		if (len > 0)
			be->gemm_strided(0, 1, len, n_out, n_in, 1.0f, inp + (size_t)at[s] * n_in,
					 n_in, (long)len * n_in, w, n_in, 0, 1.0f,
					 out + (size_t)at[s] * n_out, n_out, (long)len * n_out, run);
		s += run;
	}
}

void mae_linear_backward(const backend *be, float *dinp, float *dw, float *db, const float *dout,
			 const float *inp, const float *w, int n_rows, int n_in, int n_out)
{
	be->gemm(1, 0, n_out, n_in, n_rows, 1.0f, dout, n_out, inp, n_in, 1.0f, dw, n_in);
	be->bias_backward(db, dout, n_rows, n_out);
	if (dinp)
		be->gemm(0, 0, n_rows, n_in, n_out, 1.0f, dout, n_out, w, n_in, 0.0f, dinp, n_in);
}

void mae_block_acts_layout(mae_block_acts *a, mae_carve *at, int n_tokens, size_t att_floats,
			   int dim, int mlp_ratio)
{
	size_t t = (size_t)n_tokens, c = (size_t)dim, r = (size_t)mlp_ratio * dim;
	a->ln1 = mae_take(at, t * c);
	a->ln1_mean = mae_take(at, t);
	a->ln1_rstd = mae_take(at, t);
	a->qkv = mae_take(at, t * 3 * c);
	a->att = mae_take(at, att_floats);
	a->atty = mae_take(at, t * c);
	a->res1 = mae_take(at, t * c);
	a->ln2 = mae_take(at, t * c);
	a->ln2_mean = mae_take(at, t);
	a->ln2_rstd = mae_take(at, t);
	a->fc1 = mae_take(at, t * r);
	a->gelu = mae_take(at, t * r);
	a->out = mae_take(at, t * c);
}

void mae_block_grads_layout(mae_block_grads *g, mae_carve *at, int n_tokens, size_t att_floats,
			    int dim, int mlp_ratio)
{
	size_t t = (size_t)n_tokens, c = (size_t)dim, r = (size_t)mlp_ratio * dim;
	g->d_fc1 = mae_take(at, t * r);
	g->d_qkv = mae_take(at, t * 3 * c);
	g->d_ln1 = mae_take(at, t * c);
	g->d_ln2 = g->d_atty = mae_take(at, t * c);
	g->d_att = mae_take(at, att_floats);
}

void mae_block_forward(const backend *be, mae_block_acts *a, const mae_block_params *p,
		       const float *inp, const mae_seqs *seqs, int dim, int heads, int mlp_ratio)
{
	int t = seqs->offsets[seqs->n_seqs], hidden = mlp_ratio * dim;
	be->layernorm_forward(a->ln1, a->ln1_mean, a->ln1_rstd, inp, p->ln1_w, p->ln1_b, t, dim,
			      MAE_LN_EPS);
	mae_linear_forward(be, a->qkv, NULL, a->ln1, p->qkv_w, p->qkv_b, t, dim, 3 * dim,
			   seqs);
	be->attention_forward(a->atty, a->att, a->qkv, seqs->offsets, seqs->att_offsets,
			      seqs->n_seqs, dim, heads);
	mae_linear_forward(be, a->res1, inp, a->atty, p->proj_w, p->proj_b, t, dim, dim,
			   seqs);
	be->layernorm_forward(a->ln2, a->ln2_mean, a->ln2_rstd, a->res1, p->ln2_w, p->ln2_b, t,
			      dim, MAE_LN_EPS);
	mae_linear_forward(be, a->fc1, NULL, a->ln2, p->fc1_w, p->fc1_b, t, dim, hidden,
			   seqs);
	be->gelu_forward(a->gelu, a->fc1, (size_t)t * hidden);
	mae_linear_forward(be, a->out, a->res1, a->gelu, p->fc2_w, p->fc2_b, t, hidden, dim,
			   seqs);
}

void mae_block_backward(const backend *be, float *d_residual, const mae_block_params *g,
			const mae_block_acts *a, const mae_block_params *p, const float *inp,
			const mae_seqs *seqs, int dim, int heads, int mlp_ratio,
			const mae_block_grads *d)
{
	int t = seqs->offsets[seqs->n_seqs], hidden = mlp_ratio * dim;
	/* out = res1 + fc2(gelu(fc1(ln2(res1)))): the residual passes
	 * d_residual on unchanged, so the branch's gradient is added to it in
	 * place, which makes it dloss/dres1 */
	mae_linear_backward(be, d->d_fc1, g->fc2_w, g->fc2_b, d_residual, a->gelu, p->fc2_w, t,
			    hidden, dim);
	be->gelu_backward(d->d_fc1, a->fc1, d->d_fc1, (size_t)t * hidden);
	mae_linear_backward(be, d->d_ln2, g->fc1_w, g->fc1_b, d->d_fc1, a->ln2, p->fc1_w, t, dim,
			    hidden);
	be->layernorm_backward(d_residual, g->ln2_w, g->ln2_b, d->d_ln2, a->res1, p->ln2_w,
			       a->ln2_mean, a->ln2_rstd, t, dim);
	/* res1 = inp + proj(attention(qkv(ln1(inp)))): d_residual becomes
	 * dloss/dinp */
	mae_linear_backward(be, d->d_atty, g->proj_w, g->proj_b, d_residual, a->atty, p->proj_w, t,
			    dim, dim);
	be->attention_backward(d->d_qkv, d->d_att, d->d_atty, a->att, a->qkv, seqs->offsets,
			       seqs->att_offsets, seqs->n_seqs, dim, heads);
	mae_linear_backward(be, d->d_ln1, g->qkv_w, g->qkv_b, d->d_qkv, a->ln1, p->qkv_w, t, dim,
			    3 * dim);
	be->layernorm_backward(d_residual, g->ln1_w, g->ln1_b, d->d_ln1, inp, p->ln1_w,
			       a->ln1_mean, a->ln1_rstd, t, dim);
}
