/* End-to-end fine-tuning of a pretrained MAE encoder for classification,
 * as main_finetune.py runs it: a linear head on the pooled encoder output,
 * cross-entropy (label smoothing optional), AdamW (betas 0.9/0.999) with
 * layer-wise learning-rate decay (BEiT; util/lr_decay.py), warmup and a
 * cosine schedule. The encoder runs on every patch, nothing masked; its
 * backward pass is the pretraining's (mae_model_encode_backward). The
 * decoder is carried along untouched.
 *
 * Unlike the reference, features are pooled after the encoder's final
 * norm for both poolings (its mean pooling swaps that norm for a new
 * fc_norm), so fine-tuning starts from exactly the features mae-embed
 * gives the linear probe. */
#ifndef MASKPIPE_MAE_FINETUNE_H
#define MASKPIPE_MAE_FINETUNE_H

#include "common/progress.h"
#include "eval/image_set.h"
#include "mae/adamw.h"
#include "mae/mae_batch.h"
#include "mae/mae_model.h"

typedef struct mae_finetune_opts {
	int batch;
	double blr;          /* base lr: lr = blr * batch / 256 */
	double min_lr;
	double weight_decay; /* on the weights of linear layers and the head's */
	double layer_decay;  /* lr of layer l: layer_decay^(depth + 1 - l); 1: none */
	int frozen_layers;   /* layers 0 .. frozen_layers - 1 not trained (partial
			      * fine-tuning, the MAE paper's: the last k blocks
			      * tuned freeze depth + 1 - k); 0: none */
	double smoothing;    /* label smoothing eps */
	long warmup, total;  /* steps */
	int pool;            /* MAE_POOL_CLS or MAE_POOL_MEAN */
} mae_finetune_opts;

typedef struct mae_finetuner {
	mae_model model;
	adamw opt;
	mae_finetune_opts o;
	int n_classes;
	float *lr_scale;     /* [n_tensors] */
	float *feats;        /* backend memory [batch, D]: the pooled features,
			      * then their gradient */
	/* host memory, one block: the head's weight [C, D] and bias [C],
	 * each followed by the same for gradients, first and second moments;
	 * the standardisation mean and 1/sd [D]; a batch's standardised
	 * features x and their gradient dx [batch, D], and logits [batch, C] */
	float *head_mem, *head_w, *head_b, *head_dw, *head_db, *head_m, *head_v;
	float *mean, *inv_sd, *x, *dx, *logits;
	mae_batch batch;
} mae_finetuner;

/* A finetuner around a model already loaded (it owns it from then on):
 * the head drawn from seed as trunc_normal(std 2e-5) with zero bias, as
 * main_finetune.py. The head and its AdamW run on the host whatever the
 * model's backend (see mae_finetune.c). */
int mae_finetuner_init(mae_finetuner *f, int n_classes, const mae_finetune_opts *o,
		       uint64_t seed);
void mae_finetuner_free(mae_finetuner *f);

/* The head sees standardised features, (feature - mean) / sqrt(var +
 * mean var) per dimension (the mean variance over dimensions bounds the
 * magnification of features that hardly vary), with the moments of the pretrained encoder's features of the
 * images idx[0..n) of set, fixed from then on: MAE's linear probe puts a
 * BatchNorm without affine parameters before its head for the same
 * reason, MAE features being far from centred (on Fashion-MNIST their
 * spread across images is a sixth of their mean size), which leaves an
 * AdamW-trained head crawling. Until called, mean 0 and scale 1. */
int mae_finetune_standardise(mae_finetuner *f, const image_set *set, const uint32_t *idx,
			     size_t n);

/* Class scores of n images (host [n, C]), at most o.batch of them; an
 * image's scores do not depend on the images beside it (the encoder runs
 * one GEMM per image, as mae_model_embed). */
int mae_finetune_scores(mae_finetuner *f, const uint8_t *const *pixels, int n, float *scores);

/* The loss (mean over the n images) of their classes cls [n], and the
 * gradients of the head (head_dw, head_db) and the model (model.grads),
 * each zeroed first; exposed for the gradient check. */
int mae_finetune_loss(mae_finetuner *f, const uint8_t *const *pixels, const int32_t *cls, int n,
		      double *loss);

/* One training step: mae_finetune_loss (into *loss), then AdamW at the
 * scheduled lr (into *lr). A loss that is not finite stops before anything
 * changes. */
int mae_finetune_step(mae_finetuner *f, const uint8_t *const *pixels, const int32_t *cls, int n,
		      double *loss, double *lr);

/* One epoch over the images idx[0..n) of set (classified), in an order
 * drawn from (seed, epoch), o.batch at a time (the last batch smaller):
 * the mean of its steps' losses into *loss. */
int mae_finetune_epoch(mae_finetuner *f, const image_set *set, const uint32_t *idx, size_t n,
		       uint64_t seed, int epoch, progress *prog, double *loss);

/* Class scores [set->n, C] of every image of set. */
int mae_finetune_evaluate(mae_finetuner *f, const image_set *set, float *scores, progress *prog);

/* Per tensor of the layout, the lr factor of layer-wise decay: layer 0 is
 * the embeddings (cls_token, pos_embed, patch_embed), layer i + 1 block i,
 * depth + 1 the final norm and the head; the decoder's tensors get 0
 * (not trained), and so do the layers below frozen_layers (a factor of 0
 * leaves a weight as it is: AdamW's step and its decay both scale by it). */
void mae_layer_lr_scales(const mae_layout *layout, int depth, double layer_decay,
			 int frozen_layers, float *scale);

#endif
