/* MAE pretraining as main_pretrain.py's train_one_epoch takes it: a step
 * is lr from the schedule, forward, loss, backward, optional clipping,
 * AdamW; a run takes the steps over a record stream. */
#ifndef MASKPIPE_MAE_TRAIN_H
#define MASKPIPE_MAE_TRAIN_H

#include <stdio.h>

#include "common/progress.h"
#include "mae/adamw.h"
#include "mae/mae_batch.h"
#include "mae/mae_model.h"
#include "stream/rec.h"
#include "stream/rec_io.h"

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

/* The checkpoint metadata key of the batch size: a resumed run skips the
 * records its steps used, which only a run with the same batch size can
 * count. */
#define MAE_TRAIN_BATCH_KEY "train.batch"

/* Writes the trainer's model and AdamW state to the checkpoint path
 * (atomically), with the batch size under MAE_TRAIN_BATCH_KEY. 0, or -1
 * with a message. */
int mae_train_save(const char *path, const mae_trainer *t);

/* What a run writes besides the model. */
typedef struct mae_train_output {
	const char *ckpt_path; /* the checkpoint, written every save_every steps */
	long save_every;       /* 0: never */
	FILE *log;             /* one TSV line per step (step, loss, lr, grad_norm,
				* seconds), on the disk when its step ends; or NULL */
	const char *log_path;  /* its name, for messages */
	int log_new;           /* the log is new: its header line first */
} mae_train_output;

/* How a run ended. */
typedef struct mae_train_result {
	long saved_step; /* the step ckpt_path holds from the last save_every, -1: none */
	int stopped;     /* 1: a failure of the input or of a step stopped the run
			  * before its last step; 0: memory, the log or the
			  * checkpoint failed */
} mae_train_result;

/* Takes the trainer's steps, from t->opt.step up to t->o.total, on
 * batches of t->o.batch records of rd (each with `img`, `grid` and
 * `mask`); a last short batch is dropped (drop_last). A resumed run
 * (t->opt.step > 0) first skips the records its steps consumed. The batch
 * of the next step is read and staged while a step runs
 * (mae_readahead_loop). An input that ends before the last step is a
 * failure: a schedule cut short is not the run asked for. Progress counts
 * images from t->opt.step * t->o.batch. 0, or -1 with a message and *res
 * saying what ckpt_path holds; the model is not written at the end. */
int mae_train_run(mae_trainer *t, rec_reader *rd, const mae_train_output *out, progress *prog,
		  mae_train_result *res);

/* The message of a run that mae_train_run stopped before its last step
 * (res->stopped), a line on f: "prog: ", the failure (err_msg()), then
 * what ckpt_path holds, the step of the last save_every or nothing, so
 * that the user knows what the failure left. */
void mae_train_print_stop(FILE *f, const char *prog, const mae_train_result *res,
			  const char *ckpt_path);

#endif
