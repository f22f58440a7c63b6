#include "mae/mae_train_start.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "mae/mae_checkpoint.h"

/* The total steps from the counts rec-repeat's header holds into *total:
 * 0, 1 when the header has none, -1 with a message when their product
 * overflows. */
static int steps_from_header(const rec *header, int batch, long *total)
{
	int64_t epochs, epoch_size;
	if (rec_get_int(header, "epochs", &epochs) != 0 ||
	    rec_get_int(header, "epoch_size", &epoch_size) != 0 || epochs < 1 || epoch_size < 0)
		return 1;
	if (epoch_size && epochs > INT64_MAX / epoch_size)
		return err_set("header: %" PRId64 " epochs of %" PRId64 " records: more than a "
			       "64-bit count", epochs, epoch_size);
	/* the last incomplete batch of the stream is dropped (drop_last) */
	*total = (long)(epochs * epoch_size / batch);
	return 0;
}

int mae_train_plan(mae_train_opts *o, const rec *header, const char *name)
{
	if (o->total < 0) {
		int rc = steps_from_header(header, o->batch, &o->total);
		if (rc < 0)
			return err_prefix("%s: ", name);
		if (rc > 0) {
			err_set("%s: no total step count: give --steps, or put the stream through "
				"rec-repeat", name);
			return 1;
		}
	}
	/* the images the run reads, counted in 64 bits (the progress meter,
	 * the records a resumed run skips) */
	if (o->total > INT64_MAX / o->batch) {
		err_set("%ld steps of %d images: more than a 64-bit count", o->total, o->batch);
		return 1;
	}
	if (o->warmup < 0)
		o->warmup = o->total / 20;
	return 0;
}

/* Loads the run saved in the checkpoint path into t (set up by
 * mae_trainer_init, with no model yet): as mae_train_start's resumed run,
 * want its config or NULL. */
static int resume(mae_trainer *t, const char *path, const backend *be, const mae_config *want)
{
	char saved_batch[24];
	int rc = mae_checkpoint_meta(path, MAE_TRAIN_BATCH_KEY, saved_batch, sizeof saved_batch);
	if (rc < 0)
		return -1;
	if (rc == 0 && atoi(saved_batch) != t->o.batch) {
		err_set("%s: the run used --batch %s; resume it with the same", path, saved_batch);
		return 1;
	}
	if (mae_checkpoint_load(path, be, want, &t->model, &t->opt) < 0)
		return -1;
	if (t->opt.step > t->o.total)
		return err_set("%s: the run is at step %ld, past the %ld steps to take", path,
			       t->opt.step, t->o.total);
	return 0;
}

int mae_train_start(mae_trainer *t, const mae_train_opts *o, const backend *be,
		    const mae_config *cfg, int cfg_given, uint64_t seed, const char *resume_path)
{
	memset(t, 0, sizeof *t);
	mae_trainer_init(t, o);
	if (resume_path)
		return resume(t, resume_path, be, cfg_given ? cfg : NULL);
	if (mae_model_init(&t->model, cfg, be) < 0 || mae_model_init_weights(&t->model, seed) < 0 ||
	    adamw_init(&t->opt, &t->model) < 0)
		return -1;
	return 0;
}
