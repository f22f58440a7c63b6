/* A transformer block, forward and backward, in llm.c's layer style. */
#include <math.h>

#include "mae_block.h"

void mae_linear_forward(const backend *be, float *out, const float *inp, const float *w,
			const float *b, int n_rows, int n_in, int n_out)
{
	be->gemm(0, 1, n_rows, n_out, n_in, 1.0f, inp, n_in, w, n_in, 0.0f, out, n_out);
	be->add_bias(out, b, n_rows, n_out);
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

size_t mae_block_scratch_floats(int n_tokens, int max_len, int dim, int heads, int mlp_ratio)
{
	size_t t = (size_t)n_tokens, c = (size_t)dim;
	return t * (size_t)mlp_ratio * c + t * 3 * c + 2 * t * c +
	       (size_t)heads * max_len * max_len;
}

void mae_block_scratch_bind(mae_block_scratch *s, float *base, int n_tokens, int max_len,
			    int dim, int heads, int mlp_ratio)
{
	size_t t = (size_t)n_tokens, c = (size_t)dim;
	(void)heads;
	(void)max_len;
	s->d_hidden = base;
	s->d_qkv = s->d_hidden + t * (size_t)mlp_ratio * c;
	s->d_a = s->d_qkv + t * 3 * c;
	s->d_b = s->d_a + t * c;
	s->d_att = s->d_b + t * c;
}

/* Multi-head self-attention of each sequence: per head,
 * softmax(q k^T / sqrt(hd)) v (Vaswani et al. 2017, timm's Attention). */
static void attention_forward(const backend *be, float *atty, float *att, const float *qkv,
			      const mae_seqs *seqs, int dim, int heads)
{
	int hd = dim / heads, ld = 3 * dim;
	float scale = 1.0f / sqrtf((float)hd);
	for (int s = 0; s < seqs->n_seqs; s++) {
		int t0 = seqs->offsets[s], len = seqs->offsets[s + 1] - t0;
		const float *q = qkv + (size_t)t0 * ld, *k = q + dim, *v = q + 2 * dim;
		float *p = att + seqs->att_offsets[s];
		long sq = (long)len * len;
		/* heads side by side in a row: head h's q starts at column h*hd */
		be->gemm_strided(0, 1, len, len, hd, scale, q, ld, hd, k, ld, hd, 0.0f, p, len, sq,
				 heads);
		be->softmax_forward(p, heads * len, len);
		be->gemm_strided(0, 0, len, hd, len, 1.0f, p, len, sq, v, ld, hd, 0.0f,
				 atty + (size_t)t0 * dim, dim, hd, heads);
	}
}

static void attention_backward(const backend *be, float *dqkv, float *datt, const float *datty,
			       const float *att, const float *qkv, const mae_seqs *seqs, int dim,
			       int heads)
{
	int hd = dim / heads, ld = 3 * dim;
	float scale = 1.0f / sqrtf((float)hd);
	for (int s = 0; s < seqs->n_seqs; s++) {
		int t0 = seqs->offsets[s], len = seqs->offsets[s + 1] - t0;
		const float *q = qkv + (size_t)t0 * ld, *k = q + dim, *v = q + 2 * dim;
		float *dq = dqkv + (size_t)t0 * ld, *dk = dq + dim, *dv = dq + 2 * dim;
		const float *dy = datty + (size_t)t0 * dim, *p = att + seqs->att_offsets[s];
		long sq = (long)len * len;
		/* dP = dY V^T, dV = P^T dY */
		be->gemm_strided(0, 1, len, len, hd, 1.0f, dy, dim, hd, v, ld, hd, 0.0f, datt, len,
				 sq, heads);
		be->gemm_strided(1, 0, len, hd, len, 1.0f, p, len, sq, dy, dim, hd, 0.0f, dv, ld,
				 hd, heads);
		/* dS from dP through the softmax; S = scale q k^T */
		be->softmax_backward(datt, p, heads * len, len);
		be->gemm_strided(0, 0, len, hd, len, scale, datt, len, sq, k, ld, hd, 0.0f, dq, ld,
				 hd, heads);
		be->gemm_strided(1, 0, len, hd, len, scale, datt, len, sq, q, ld, hd, 0.0f, dk, ld,
				 hd, heads);
	}
}

void mae_block_forward(const backend *be, mae_block_acts *a, const mae_block_params *p,
		       const float *inp, const mae_seqs *seqs, int dim, int heads, int mlp_ratio)
{
	int t = seqs->offsets[seqs->n_seqs], hidden = mlp_ratio * dim;
	size_t tc = (size_t)t * dim;
	be->layernorm_forward(a->ln1, a->ln1_mean, a->ln1_rstd, inp, p->ln1_w, p->ln1_b, t, dim,
			      MAE_LN_EPS);
	mae_linear_forward(be, a->qkv, a->ln1, p->qkv_w, p->qkv_b, t, dim, 3 * dim);
	attention_forward(be, a->atty, a->att, a->qkv, seqs, dim, heads);
	mae_linear_forward(be, a->res1, a->atty, p->proj_w, p->proj_b, t, dim, dim);
	be->add(a->res1, inp, tc);
	be->layernorm_forward(a->ln2, a->ln2_mean, a->ln2_rstd, a->res1, p->ln2_w, p->ln2_b, t,
			      dim, MAE_LN_EPS);
	mae_linear_forward(be, a->fc1, a->ln2, p->fc1_w, p->fc1_b, t, dim, hidden);
	be->gelu_forward(a->gelu, a->fc1, (size_t)t * hidden);
	mae_linear_forward(be, a->out, a->gelu, p->fc2_w, p->fc2_b, t, hidden, dim);
	be->add(a->out, a->res1, tc);
}

void mae_block_backward(const backend *be, float *dinp, const mae_block_params *g,
			const float *dout, const mae_block_acts *a, const mae_block_params *p,
			const float *inp, const mae_seqs *seqs, int dim, int heads,
			int mlp_ratio, const mae_block_scratch *s)
{
	int t = seqs->offsets[seqs->n_seqs], hidden = mlp_ratio * dim;
	size_t tc = (size_t)t * dim;
	float *dres1 = s->d_a;
	/* out = res1 + fc2(gelu(fc1(ln2(res1)))) */
	be->copy(dres1, dout, tc * sizeof(float));
	mae_linear_backward(be, s->d_hidden, g->fc2_w, g->fc2_b, dout, a->gelu, p->fc2_w, t,
			    hidden, dim);
	be->gelu_backward(s->d_hidden, a->fc1, s->d_hidden, (size_t)t * hidden);
	mae_linear_backward(be, s->d_b, g->fc1_w, g->fc1_b, s->d_hidden, a->ln2, p->fc1_w, t, dim,
			    hidden);
	be->layernorm_backward(dres1, g->ln2_w, g->ln2_b, s->d_b, a->res1, p->ln2_w, a->ln2_mean,
			       a->ln2_rstd, t, dim);
	/* res1 = inp + proj(attention(qkv(ln1(inp)))) */
	be->copy(dinp, dres1, tc * sizeof(float));
	mae_linear_backward(be, s->d_b, g->proj_w, g->proj_b, dres1, a->atty, p->proj_w, t, dim,
			    dim);
	attention_backward(be, s->d_qkv, s->d_att, s->d_b, a->att, a->qkv, seqs, dim, heads);
	mae_linear_backward(be, s->d_a, g->qkv_w, g->qkv_b, s->d_qkv, a->ln1, p->qkv_w, t, dim,
			    3 * dim);
	be->layernorm_backward(dinp, g->ln1_w, g->ln1_b, s->d_a, inp, p->ln1_w, a->ln1_mean,
			       a->ln1_rstd, t, dim);
}
