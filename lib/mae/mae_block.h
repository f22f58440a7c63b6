/* One pre-norm ViT block (timm's Block as models_mae.py builds it: qkv with
 * bias, MLP ratio r, exact GELU), forward and backward, over a batch of
 * sequences of different lengths packed one after another: the encoder's
 * sequences are the cls token and the visible patches of each image, so
 * their lengths differ from image to image and nothing is padded. */
#ifndef MASKPIPE_MAE_BLOCK_H
#define MASKPIPE_MAE_BLOCK_H

#include "kernels/backend.h"
#include "mae/mae_params.h"

/* The packing: sequence s holds tokens [offsets[s], offsets[s+1]); the
 * attention probabilities of its heads start at att_offsets[s] (host
 * memory, both n_seqs + 1 long). per_seq: the linear layers issue one GEMM
 * per sequence (mae_linear_forward), so that a sequence's results do not
 * depend on the sequences packed beside it (inference). */
typedef struct mae_seqs {
	int n_seqs;
	const int *offsets;
	const size_t *att_offsets;
	int per_seq;
} mae_seqs;

/* One buffer of floats laid out as a list of arrays, llm.c's way: the
 * same list of takes sizes the buffer (base NULL: each take returns NULL
 * and only counts) and then points into it, so sizes and pointers cannot
 * disagree. */
typedef struct mae_carve {
	float *base;
	size_t used;  /* floats taken so far */
} mae_carve;

/* The next n floats of the buffer (NULL when only counting). */
static inline float *mae_take(mae_carve *at, size_t n)
{
	float *p = at->base ? at->base + at->used : NULL;
	at->used += n;
	return p;
}

/* A block's activations, kept for its backward pass. T tokens
 * (offsets[n_seqs]), C width, H heads, R = mlp_ratio * C. */
typedef struct mae_block_acts {
	float *ln1, *ln1_mean, *ln1_rstd;  /* [T, C], [T], [T] */
	float *qkv;                        /* [T, 3C] */
	float *att;                        /* [sum_s H * len_s^2] softmax probabilities */
	float *atty;                       /* [T, C] heads' outputs, before proj */
	float *res1;                       /* [T, C] input + attention */
	float *ln2, *ln2_mean, *ln2_rstd;  /* [T, C], [T], [T] */
	float *fc1;                        /* [T, R] before GELU */
	float *gelu;                       /* [T, R] */
	float *out;                        /* [T, C] */
} mae_block_acts;

/* Takes a's arrays from at, for n_tokens tokens and att_floats attention
 * probabilities. */
void mae_block_acts_layout(mae_block_acts *a, mae_carve *at, int n_tokens, size_t att_floats,
			   int dim, int mlp_ratio);

/* The gradients inside a block's backward pass, dloss/d each named
 * activation. One set serves every block of a stack, the pass going
 * block by block. */
typedef struct mae_block_grads {
	float *d_fc1;   /* [T, R] dloss/d gelu, then (in place) dloss/d fc1 */
	float *d_qkv;   /* [T, 3C] */
	float *d_ln1;   /* [T, C] */
	float *d_ln2;   /* [T, C] */
	float *d_atty;  /* [T, C] in d_ln2's memory: d_ln2 is spent (added into the
			 * residual stream's gradient) before proj's backward writes it */
	float *d_att;   /* [sum_s H * len_s^2] */
} mae_block_grads;

/* Takes g's arrays from at, as mae_block_acts_layout. */
void mae_block_grads_layout(mae_block_grads *g, mae_carve *at, int n_tokens, size_t att_floats,
			    int dim, int mlp_ratio);

/* a->out = block(inp), inp [T, C]. */
void mae_block_forward(const backend *be, mae_block_acts *a, const mae_block_params *p,
		       const float *inp, const mae_seqs *seqs, int dim, int heads, int mlp_ratio);

/* The way back through mae_block_forward. d_residual [T, C], the
 * gradient of the residual stream: dloss/d(a->out) on entry, dloss/dinp on
 * return (in place: the residual paths carry it through). The parameter
 * gradients are added to g; d holds the pass's inner gradients. */
void mae_block_backward(const backend *be, float *d_residual, const mae_block_params *g,
			const mae_block_acts *a, const mae_block_params *p, const float *inp,
			const mae_seqs *seqs, int dim, int heads, int mlp_ratio,
			const mae_block_grads *d);

/* A linear layer (nn.Linear, weight [out, in]): out[rows, n_out] =
 * residual + inp @ w^T + b, residual [rows, n_out] or NULL. One GEMM over
 * the n_rows rows, or, when rows is given and rows->per_seq set, one per
 * sequence of rows (which covers the n_rows rows; att_offsets unused).
 *
 * Why per sequence: a BLAS computes a row of a product by arithmetic that
 * depends on the row count of the call (OpenBLAS takes the last rows with
 * other kernels, depending on the row count modulo its unroll, and which
 * row counts differ depends on the CPU's kernel: OPENBLAS_CORETYPE), so an
 * image's rows in a batch of 5 and alone differ in the last bits. A GEMM
 * of one image's rows has a shape that depends on that image alone (its
 * visible patches), and the same shape, strides and inputs give the same
 * result: the image's outputs do not depend on the batch, on any kernel.
 * Sequences of equal length go as one gemm_strided (on the CPU, a
 * cpu_gemm_one per sequence, threads taking whole sequences). */
void mae_linear_forward(const backend *be, float *out, const float *residual, const float *inp,
			const float *w, const float *b, int n_rows, int n_in, int n_out,
			const mae_seqs *rows);
/* dw += dout^T @ inp, db += sum of rows of dout, and dinp = dout @ w
 * (skipped when dinp is NULL). */
void mae_linear_backward(const backend *be, float *dinp, float *dw, float *db, const float *dout,
			 const float *inp, const float *w, int n_rows, int n_in, int n_out);

#endif
