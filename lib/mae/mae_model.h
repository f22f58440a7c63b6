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

/* Everything computed for one batch (backend memory). T encoder tokens, S =
 * B(L+1) decoder tokens, V visible patches, N predicted patches. */
typedef struct mae_acts {
	float *patches;        /* [V, K] the batch's inputs (mae_inputs) */
	float *patch_emb;      /* [V, D] */
	float *x0;             /* [T, D] encoder input */
	mae_block_acts *enc;   /* depth */
	float *enc_out, *enc_mean, *enc_rstd;  /* [T, D], [T], [T] after the final norm */
	float *dec_in;         /* [T, E] decoder_embed(enc_out) */
	float *y0;             /* [S, E] decoder input */
	mae_block_acts *dec;   /* dec_depth */
	float *dec_out, *dec_mean, *dec_rstd;  /* [S, E], [S], [S] */
	float *pred_in;        /* [N, E] dec_out rows of the predicted patches */
	float *pred;           /* [N, K] */
	float *targets;        /* [N, K] the batch's inputs (mae_inputs) */
	float *dpred;          /* [N, K] */
	float *row_loss;       /* [N] */
	float *grad[3];        /* [max(T D, S E, N E, V D)] each: gradients flowing back */
	mae_block_scratch enc_scratch, dec_scratch;
} mae_acts;

/* the batch's index lists in backend memory (mae_batch names them) */
typedef struct mae_indices {
	int32_t *enc_pos_idx, *enc_patch_rows, *cls_rows, *dec_pos_idx, *dec_from_enc,
		*dec_mask_rows, *pred_rows, *zeros, *patch_image;
} mae_indices;

/* What a batch uploads (pixels, targets and index lists) in backend memory.
 * A model has two: the next batch is copied into one while the current
 * batch computes from the other. */
typedef struct mae_inputs {
	void *mem;
	size_t cap;                /* bytes */
	float *patches, *targets;  /* [V, K], [N, K] */
	mae_indices idx;
	uint64_t staged;           /* the build of the batch copied by mae_model_prefetch
				    * and not yet current, 0: none */
	int with_decoder;          /* whether the targets were copied too */
} mae_inputs;

typedef struct mae_model {
	mae_config cfg;
	const backend *be;
	mae_layout layout;
	float *param_mem, *grad_mem;   /* layout.n_floats each */
	mae_params params, grads;
	float *act_mem;
	size_t act_cap;                /* floats */
	mae_inputs inputs[2];
	int current;                   /* inputs[current]: the current batch's */
	mae_acts acts;
	mae_indices idx;               /* the current batch's (inputs[current].idx) */
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

/* Stages b for a later mae_model_set_batch(m, b, with_decoder): copies
 * what it uploads into the inputs the current batch does not use, on the
 * backend's copy queue (upload_async), so that the copy overlaps what the
 * current batch computes; nothing else changes. If those inputs hold a
 * batch staged and not yet current, the copy goes into the current
 * batch's instead, after the work issued on them (issue the current
 * batch's work first: prefetch the next batch, then compute the one
 * prefetched before). b's arrays should be the backend's host memory
 * (mae_batch_init_for), or the copy is not asynchronous; b must stay
 * alive and unchanged until it is current and a result of it has been
 * read (mae_model_loss, _embed, _predict). 0, or -1 with a message. */
int mae_model_prefetch(mae_model *m, const mae_batch *b, int with_decoder);

/* The encoder: acts.enc_out. */
void mae_model_encode(mae_model *m);
/* The decoder and prediction, after the encoder: acts.pred. */
void mae_model_decode(mae_model *m);
/* The loss of the predictions (forward_loss: mean over hidden patches of
 * the per-patch mean squared error) and its gradient acts.dpred; the
 * batch must predict its hidden patches and hide at least one. */
double mae_model_loss(mae_model *m);

/* set_batch, encode, decode and loss. -1 with a message on failure. */
int mae_model_forward(mae_model *m, const mae_batch *b, double *loss);

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

void mae_model_zero_grad(mae_model *m);
/* Adds the gradient of the last loss to m->grads. */
void mae_model_backward(mae_model *m);
/* Adds the encoder's share of the gradient to m->grads, given d_enc_out
 * [T, D] = dloss/d acts.enc_out; it may be acts.grad[1] (the encoder's
 * pass uses grad[0] and grad[2]). How a classifier on the encoder
 * (mae-finetune) reuses the pretraining's backward pass. */
void mae_model_encoder_backward(mae_model *m, const float *d_enc_out);

#endif
