/* One MAE pretraining step as main_pretrain.py's train_one_epoch takes it:
 * lr from the schedule, forward, loss, backward, optional clipping, AdamW. */
#ifndef MASKPIPE_MAE_TRAIN_H
#define MASKPIPE_MAE_TRAIN_H

#include "mae/adamw.h"
#include "mae/mae_batch.h"
#include "mae/mae_model.h"

typedef struct mae_train_opts {
	int batch;
	double blr;       /* base lr: lr = blr * batch / 256 (Goyal et al. 2017 scaling) */
	double min_lr;
	long warmup;      /* steps */
	long total;       /* steps */
	double clip;      /* max gradient norm, 0: none */
} mae_train_opts;

typedef struct mae_step_info {
	double loss, lr, grad_norm;
} mae_step_info;

typedef struct mae_trainer {
	mae_model model;
	adamw opt;
	mae_batch batch;
	/* batches built by mae_trainer_prefetch, n_ahead of them, the first
	 * (the next step's) in ahead[first_ahead] */
	mae_batch ahead[2];
	int n_ahead, first_ahead;
	mae_train_opts o;
} mae_trainer;

/* A trainer around a model and optimiser already set up (new or loaded);
 * the trainer owns them from then on. */
void mae_trainer_init(mae_trainer *t, const mae_train_opts *o);
void mae_trainer_free(mae_trainer *t);

/* Trains on n images with their masks. A loss or a gradient norm that is
 * not finite stops before anything changes: -1 with "loss is nan at step
 * N". A step that leaves a weight or an AdamW moment non-finite returns -1
 * naming the tensor; the model is then spoilt and must not be saved. */
int mae_trainer_step(mae_trainer *t, const uint8_t *const *pixels, const uint8_t *const *masks,
		     int n, mae_step_info *info);

/* Builds the batch of a later step from n images and their masks, and
 * stages it (mae_model_prefetch): on a GPU it is copied while the steps
 * before it compute. At most two wait: the next step's and the one after.
 * So that the copy overlaps a step, build the batch of step i+1, then take
 * step i. 0, or -1 with a message. */
int mae_trainer_prefetch(mae_trainer *t, const uint8_t *const *pixels,
			 const uint8_t *const *masks, int n);
/* mae_trainer_step on the first batch mae_trainer_prefetch built; the
 * same results as mae_trainer_step on its images. */
int mae_trainer_step_prefetched(mae_trainer *t, mae_step_info *info);

#endif
