/* The MAE of models_mae.py, forward and backward by hand on a backend:
 * patch embedding of the visible patches only, position embeddings, cls
 * token, encoder blocks over each image's own visible patches, a decoder
 * over every patch with the mask token in place of the hidden ones, and the
 * mean squared error on the hidden patches (optionally against per-patch
 * normalised pixels). */
#ifndef MASKPIPE_MAE_MODEL_H
#define MASKPIPE_MAE_MODEL_H

#include "kernels/backend.h"
#include "mae/mae_batch.h"
#include "mae/mae_block.h"
#include "mae/mae_params.h"
#include "mae/mae_staging.h"

/* Everything computed for one batch (backend memory), laid out in one
 * buffer. T encoder tokens, S = B(L+1) decoder tokens, V visible patches,
 * N predicted patches, K pixels per patch, D and E the encoder's and
 * decoder's widths. */
typedef struct mae_acts {
	/* forward */
	float *patches;        /* [V, K] the batch's inputs (mae_inputs) */
	float *patch_emb;      /* [V, D] patch_embed of the visible patches */
	float *enc_in;         /* [T, D] encoder input: cls and patches, + pos_embed */
	mae_block_acts *enc;   /* depth */
	float *enc_out, *enc_mean, *enc_rstd;  /* [T, D], [T], [T] after the final norm */
	float *dec_embed;      /* [T, E] decoder_embed(enc_out) */
	float *dec_in;         /* [S, E] decoder input: dec_embed and mask tokens,
				* + decoder_pos_embed */
	mae_block_acts *dec;   /* dec_depth */
	float *dec_out, *dec_mean, *dec_rstd;  /* [S, E], [S], [S] */
	float *pred_in;        /* [N, E] dec_out rows of the predicted patches */
	float *pred;           /* [N, K] */
	float *targets;        /* [N, K] the batch's inputs (mae_inputs) */
	float *row_loss;       /* [N] */
	float *pooled;         /* [B, D] mae_model_embed's result, in buffer 0
				* below (no backward pass follows it) */
	/* backward: dloss/d each activation, named after it. A gradient
	 * shares memory with others that are spent before it is written (in
	 * the order of mae_model_backward): three buffers of
	 * max(T D, S E, N E, V D) floats hold the seven below d_pred */
	float *d_pred;          /* [N, K] */
	float *d_pred_in;       /* [N, E] buffer 0 */
	float *d_dec_out;       /* [S, E] buffer 1 */
	float *d_dec_residual;  /* [S, E] buffer 0: the decoder's residual stream,
				 * from the final norm's input back to dec_in */
	float *d_dec_embed;     /* [T, E] buffer 2 */
	float *d_enc_out;       /* [T, D] buffer 1 */
	float *d_enc_residual;  /* [T, D] buffer 0: the encoder's residual stream,
				 * from the final norm's input back to enc_in */
	float *d_patch_emb;     /* [V, D] buffer 2 */
	mae_block_grads enc_grads, dec_grads;  /* inside a block's backward pass */
} mae_acts;

typedef struct mae_model {
	mae_config cfg;
	const backend *be;
	mae_layout layout;
	float *param_mem, *grad_mem;   /* layout.n_floats each */
	mae_params params, grads;
	float *act_mem;
	size_t act_cap;                /* floats */
	mae_staging staging;           /* the current batch's inputs, and the next's */
	mae_acts acts;
	mae_indices idx;               /* the current batch's */
	const mae_batch *batch;
	mae_seqs enc_seqs, dec_seqs;
	/* Inference: every linear layer of mae_model_encode and _decode issues
	 * one GEMM per image (mae_linear_forward), so that an image's outputs
	 * do not depend on the images batched with it, whatever the BLAS
	 * kernel. mae_model_embed and _predict set it, mae_model_forward
	 * clears it (training: one GEMM per layer, faster, and the batch
	 * shapes the step anyway); other callers of encode set it themselves. */
	int per_image;
	float *host_row_loss;
	size_t host_row_loss_cap;
} mae_model;

/* Allocates parameters and gradients (zero) for cfg on be. */
int mae_model_init(mae_model *m, const mae_config *cfg, const backend *be);
void mae_model_free(mae_model *m);

/* Sets the parameters to the reference initialisation (mae_params_init). */
int mae_model_init_weights(mae_model *m, uint64_t seed);

/* Makes the batch the current one: sizes the activations (the encoder's
 * only, unless with_decoder) and uploads the pixels, targets (normalised
 * per patch with norm_pix_loss) and index lists, or, when b was given to
 * mae_model_prefetch (with the decoder if with_decoder), makes the backend
 * wait for that copy instead. The batch must stay alive until the next
 * one. */
int mae_model_set_batch(mae_model *m, const mae_batch *b, int with_decoder);

/* Stages b for a later mae_model_set_batch(m, b, with_decoder), copying it
 * while the current batch computes: mae_staging_prefetch says how. A
 * result of b is read by mae_model_loss, _embed or _predict. 0, or -1 with
 * a message. */
int mae_model_prefetch(mae_model *m, const mae_batch *b, int with_decoder);

/* The encoder: acts.enc_out. */
void mae_model_encode(mae_model *m);
/* The way back through mae_model_encode: adds the encoder's share of the
 * gradient to m->grads, given d_enc_out [T, D] = dloss/d acts.enc_out (it
 * may be acts.d_enc_out). How a classifier on the encoder (mae-finetune)
 * reuses the pretraining's backward pass. */
void mae_model_encode_backward(mae_model *m, const float *d_enc_out);

/* The decoder and prediction, after the encoder: acts.pred. */
void mae_model_decode(mae_model *m);
/* The way back through mae_model_decode: adds the decoder's share of the
 * gradient to m->grads, from acts.d_pred to acts.d_enc_out. */
void mae_model_decode_backward(mae_model *m);

/* The loss of the predictions (forward_loss: mean over hidden patches of
 * the per-patch mean squared error) into *loss, and its gradient
 * acts.d_pred; the batch must predict its hidden patches and hide at
 * least one. 0, or -1 with a message. */
int mae_model_loss(mae_model *m, double *loss);

/* set_batch, encode, decode and loss. -1 with a message on failure. */
int mae_model_forward(mae_model *m, const mae_batch *b, double *loss);

void mae_model_zero_grad(mae_model *m);
/* Adds the gradient of the last loss to m->grads: decode_backward, then
 * encode_backward. */
void mae_model_backward(mae_model *m);

/* The embedding of each image of b into host_out [B, D]: the encoder's
 * output (after its final norm) at the cls token, or averaged over the
 * patch tokens (b built without masks: every patch visible). On the CPU
 * backend an image's embedding is the same bit for bit in any batch and
 * with any thread count (per_image). */
enum { MAE_POOL_CLS, MAE_POOL_MEAN };
int mae_model_embed(mae_model *m, const mae_batch *b, int pool, float *host_out);

/* The predicted pixels of b's predicted patches into host_pred [N, K];
 * an image's, as its embedding, do not depend on the batch (per_image). */
int mae_model_predict(mae_model *m, const mae_batch *b, float *host_pred);

/* The pooled features of the current batch, after mae_model_encode, into
 * out [B, D] (backend memory): the cls token's output, or the mean of the
 * patch tokens' (a batch without masks). */
void mae_model_pool(mae_model *m, int pool, float *out);
/* The way back through mae_model_pool: d_enc_out [T, D] (overwritten) from
 * dpooled [B, D] (scaled in place by mean pooling). */
void mae_model_pool_backward(mae_model *m, int pool, float *dpooled, float *d_enc_out);

#endif
