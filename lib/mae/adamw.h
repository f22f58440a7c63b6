/* AdamW over the MAE's parameters, as MAE pretraining runs it
 * (main_pretrain.py: betas 0.9/0.95, weight decay 0.05 on the weights of
 * linear layers only), with its learning-rate schedule (util/lr_sched.py:
 * linear warmup, then half a cosine) and optional gradient clipping. */
#ifndef MASKPIPE_ADAMW_H
#define MASKPIPE_ADAMW_H

#include "mae/mae_model.h"

typedef struct adamw {
	float *m, *v;     /* backend memory, the model's layout */
	long step;        /* steps taken */
	float beta1, beta2, eps, weight_decay;
} adamw;

/* Zero moments and the reference hyper-parameters. */
int adamw_init(adamw *o, const mae_model *model);
void adamw_free(adamw *o, const mae_model *model);

/* One step with learning rate lr on every trainable tensor; the fixed
 * position embeddings stay as they are. */
void adamw_step(adamw *o, mae_model *model, float lr);
/* The same with tensor i's learning rate lr * lr_scale[i] (layout order),
 * a tensor whose scale is 0 left as it is, not even decayed: layer-wise lr
 * decay, and fine-tuning that leaves the decoder alone. */
void adamw_step_scaled(adamw *o, mae_model *model, float lr, const float *lr_scale);

/* The global L2 norm of the gradients (tensors in order, in double);
 * scales them down to max_norm when above it (torch's
 * clip_grad_norm_). Returns the norm before clipping. */
double clip_grad_norm(mae_model *model, double max_norm);

/* lr at step (from 0) of total: base * step / warmup during the warmup,
 * then min + (base - min) * (1 + cos(pi * progress)) / 2. */
double lr_schedule(long step, long total, long warmup, double base, double min);

#endif
