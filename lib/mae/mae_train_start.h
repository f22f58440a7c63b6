/* What a pretraining run settles before its first step: how many steps
 * it takes, and its trainer, new or resumed from a checkpoint. */
#ifndef MASKPIPE_MAE_TRAIN_START_H
#define MASKPIPE_MAE_TRAIN_START_H

#include <stdint.h>

#include "kernels/backend.h"
#include "mae/mae_config.h"
#include "mae/mae_train.h"
#include "stream/rec.h"

/* Settles o's steps for the stream named name, whose header is header:
 * when o->total < 0, the total from the counts rec-repeat's header holds
 * (epochs * epoch_size / batch: the last short batch is dropped); then,
 * when o->warmup < 0, a warmup of 5% of the total. 0; 1 with a message
 * when the header has no counts (--steps must say the total) or the run
 * would read more images than a 64-bit count holds; -1 with a message
 * when the header's counts overflow. */
int mae_train_plan(mae_train_opts *o, const rec *header, const char *name);

/* Sets up t (its contents are not looked at) for a run of o's steps on
 * be: with resume_path, the run saved in that checkpoint, continued
 * exactly (its model and AdamW state; its config must be cfg when
 * cfg_given, else it is the checkpoint's); without, a new model of cfg,
 * its weights drawn from seed, and a new AdamW state. 0; 1 with a message
 * when the saved run used another batch size (a resumed run skips the
 * records its steps used, which only the same batch size can count); -1
 * with a message on any other failure, a saved run past o->total steps
 * included. After a success, t is freed with mae_trainer_free. */
int mae_train_start(mae_trainer *t, const mae_train_opts *o, const backend *be,
		    const mae_config *cfg, int cfg_given, uint64_t seed, const char *resume_path);

#endif
