/* One MAE pretraining step as main_pretrain.py's train_one_epoch takes it:
 * lr from the schedule, forward, loss, backward, optional clipping, AdamW. */
#ifndef MASKPIPE_MAE_TRAIN_H
#define MASKPIPE_MAE_TRAIN_H

#include "adamw.h"
#include "mae_batch.h"
#include "mae_model.h"

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
	mae_train_opts o;
} mae_trainer;

/* A trainer around a model and optimiser already set up (new or loaded);
 * the trainer owns them from then on. */
void mae_trainer_init(mae_trainer *t, const mae_train_opts *o);
void mae_trainer_free(mae_trainer *t);

/* Trains on n images with their masks. A loss that is not finite stops
 * before anything changes: -1 with "loss is nan at step N". */
int mae_trainer_step(mae_trainer *t, const uint8_t *const *pixels, const uint8_t *const *masks,
		     int n, mae_step_info *info);

#endif
