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

size_t mae_block_acts_floats(int n_tokens, size_t att_floats, int dim, int mlp_ratio)
{
	size_t t = (size_t)n_tokens, c = (size_t)dim, r = (size_t)mlp_ratio * dim;
	return t * c * 6 + t * 4 + t * 3 * c + att_floats + t * r * 2;
}

void mae_block_acts_bind(mae_block_acts *a, float *base, int n_tokens, size_t att_floats,
			 int dim, int mlp_ratio)
{
	size_t t = (size_t)n_tokens, c = (size_t)dim, r = (size_t)mlp_ratio * dim;
	float *p = base;
	a->ln1 = p, p += t * c;
	a->ln1_mean = p, p += t;
	a->ln1_rstd = p, p += t;
	a->qkv = p, p += t * 3 * c;
	a->att = p, p += att_floats;
	a->atty = p, p += t * c;
	a->res1 = p, p += t * c;
	a->ln2 = p, p += t * c;
	a->ln2_mean = p, p += t;
	a->ln2_rstd = p, p += t;
	a->fc1 = p, p += t * r;
	a->gelu = p, p += t * r;
	a->out = p;
}

size_t mae_block_scratch_floats(int n_tokens, size_t att_floats, int dim, int mlp_ratio)
{
	size_t t = (size_t)n_tokens, c = (size_t)dim;
	return t * (size_t)mlp_ratio * c + t * 3 * c + 2 * t * c + att_floats;
}

void mae_block_scratch_bind(mae_block_scratch *s, float *base, int n_tokens, int dim,
			    int mlp_ratio)
{
	size_t t = (size_t)n_tokens, c = (size_t)dim;
	s->d_hidden = base;
	s->d_qkv = s->d_hidden + t * (size_t)mlp_ratio * c;
	s->d_a = s->d_qkv + t * 3 * c;
	s->d_b = s->d_a + t * c;
	s->d_att = s->d_b + t * c;
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

void mae_block_backward(const backend *be, float *d, const mae_block_params *g,
			const mae_block_acts *a, const mae_block_params *p, const float *inp,
			const mae_seqs *seqs, int dim, int heads, int mlp_ratio,
			const mae_block_scratch *s)
{
	int t = seqs->offsets[seqs->n_seqs], hidden = mlp_ratio * dim;
	/* out = res1 + fc2(gelu(fc1(ln2(res1)))): the residual passes d on
	 * unchanged, so the branch's gradient is added to d in place, which
	 * becomes dloss/dres1 */
	mae_linear_backward(be, s->d_hidden, g->fc2_w, g->fc2_b, d, a->gelu, p->fc2_w, t, hidden,
			    dim);
	be->gelu_backward(s->d_hidden, a->fc1, s->d_hidden, (size_t)t * hidden);
	mae_linear_backward(be, s->d_b, g->fc1_w, g->fc1_b, s->d_hidden, a->ln2, p->fc1_w, t, dim,
			    hidden);
	be->layernorm_backward(d, g->ln2_w, g->ln2_b, s->d_b, a->res1, p->ln2_w, a->ln2_mean,
			       a->ln2_rstd, t, dim);
	/* res1 = inp + proj(attention(qkv(ln1(inp)))): d becomes dloss/dinp */
	mae_linear_backward(be, s->d_b, g->proj_w, g->proj_b, d, a->atty, p->proj_w, t, dim, dim);
	be->attention_backward(s->d_qkv, s->d_att, s->d_b, a->att, a->qkv, seqs->offsets,
			       seqs->att_offsets, seqs->n_seqs, dim, heads);
	mae_linear_backward(be, s->d_a, g->qkv_w, g->qkv_b, s->d_qkv, a->ln1, p->qkv_w, t, dim,
			    3 * dim);
	be->layernorm_backward(d, g->ln1_w, g->ln1_b, s->d_a, inp, p->ln1_w, a->ln1_mean,
			       a->ln1_rstd, t, dim);
}
