/* The training step, and the run of them over a record stream. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#include "common/clock.h"
#include "common/err.h"
#include "mae/mae_checkpoint.h"
#include "mae/mae_input.h"
#include "mae/mae_readahead.h"
#include "mae/mae_train.h"
#include "stream/rec_batch.h"

void mae_trainer_init(mae_trainer *t, const mae_train_opts *o)
{
	t->o = *o;
	mae_batch_init(&t->batch);
	mae_batch_init(&t->ahead[0]);
	mae_batch_init(&t->ahead[1]);
	t->n_ahead = t->first_ahead = 0;
}

void mae_trainer_free(mae_trainer *t)
{
	if (t->model.be) {
		adamw_free(&t->opt, &t->model);
		mae_model_free(&t->model);
	}
	mae_batch_free(&t->batch);
	mae_batch_free(&t->ahead[0]);
	mae_batch_free(&t->ahead[1]);
}

/* Whether a weight or an AdamW moment holds a NaN or an infinity: 1 with
 * the first such tensor's checkpoint name in name, or 0. A huge learning
 * rate overflows the weights with a finite loss and gradient; the next
 * loss would show it, but not before a checkpoint of them is saved. A
 * float's square is below 2^256, so a sum of squares in double is finite
 * exactly when every value is. */
static int non_finite_tensor(const mae_trainer *t, char *name, size_t cap)
{
	const mae_model *m = &t->model;
	const float *state[3] = {m->param_mem, t->opt.m, t->opt.v};
	static const char *const prefix[3] = {"", MAE_OPT_PREFIX "exp_avg.",
					      MAE_OPT_PREFIX "exp_avg_sq."};
	for (int i = 0; i < m->layout.n_tensors; i++) {
		const mae_tensor *x = &m->layout.tensors[i];
		for (int part = 0; part < 3; part++)
			if (!isfinite(m->be->sum_squares(state[part] + x->offset, x->size))) {
				snprintf(name, cap, "%s%s", prefix[part], x->name);
				return 1;
			}
	}
	return 0;
}

/* forward, backward and AdamW on b, the batch of the step */
static int step_on(mae_trainer *t, const mae_batch *b, mae_step_info *info)
{
	mae_model *m = &t->model;
	long step = t->opt.step;
	if (b->n_hidden == 0)
		return err_set("step %ld: the masks of the batch hide no patch", step);
	if (mae_model_forward(m, b, &info->loss) < 0)
		return -1;
	if (!isfinite(info->loss))
		return err_set("loss is %s at step %ld", isnan(info->loss) ? "nan" : "inf", step);
	mae_model_zero_grad(m);
	mae_model_backward(m);
	info->grad_norm = clip_grad_norm(m, t->o.clip);
	/* a finite loss can still have an overflowing gradient */
	if (!isfinite(info->grad_norm))
		return err_set("gradient norm is %s at step %ld", isnan(info->grad_norm) ? "nan" : "inf",
			       step);
	double lr = t->o.blr * t->o.batch / 256.0;
	info->lr = lr_schedule(step, t->o.total, t->o.warmup, lr, t->o.min_lr);
	adamw_step(&t->opt, m, (float)info->lr);
	char bad[128];
	if (non_finite_tensor(t, bad, sizeof bad))
		return err_set("tensor '%s' became non-finite at step %ld (lr %.3g)", bad, step,
			       info->lr);
	return 0;
}

int mae_trainer_step(mae_trainer *t, const uint8_t *const *pixels, const uint8_t *const *masks,
		     int n, mae_step_info *info)
{
	if (mae_batch_build(&t->batch, &t->model.cfg, pixels, masks, n, 0) < 0)
		return -1;
	return step_on(t, &t->batch, info);
}

int mae_trainer_prefetch(mae_trainer *t, const uint8_t *const *pixels,
			 const uint8_t *const *masks, int n)
{
	if (t->n_ahead == 2)
		return err_set("two batches are prefetched already");
	mae_batch *b = &t->ahead[(t->first_ahead + t->n_ahead) % 2];
	/* its arrays in the backend's host memory, once it knows the model's */
	if (!b->mem)
		mae_batch_init_for(b, t->model.be);
	if (mae_batch_build(b, &t->model.cfg, pixels, masks, n, 0) < 0 ||
	    mae_model_prefetch(&t->model, b, 1) < 0)
		return -1;
	t->n_ahead++;
	return 0;
}

int mae_trainer_step_prefetched(mae_trainer *t, mae_step_info *info)
{
	if (t->n_ahead == 0)
		return err_set("no batch was prefetched");
	const mae_batch *b = &t->ahead[t->first_ahead];
	t->first_ahead = !t->first_ahead;
	t->n_ahead--;
	return step_on(t, b, info);
}

int mae_train_save(const char *path, const mae_trainer *t)
{
	char batch_text[24];
	snprintf(batch_text, sizeof batch_text, "%d", t->o.batch);
	const char *meta[2] = {MAE_TRAIN_BATCH_KEY, batch_text};
	return mae_checkpoint_save(path, &t->model, &t->opt, meta, 1);
}

/* One line of the log, flushed: a run killed later keeps the lines of the
 * steps it took. 0, or -1 with a message. */
static int log_line(const mae_train_output *out, const char *fmt, ...) MP_PRINTF(2, 3);
static int log_line(const mae_train_output *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfprintf(out->log, fmt, ap);
	va_end(ap);
	if (rc < 0 || fflush(out->log) != 0)
		return err_errno("%s", out->log_path);
	return 0;
}

/* What the read-ahead loop's steps share. The trainer stages the batches
 * (mae_trainer_prefetch), so one batch of records is enough: its images
 * are copied out before the next is read. */
typedef struct train_run {
	mae_trainer *t;
	rec_reader *rd;
	recbatch recs;
	const uint8_t **pixels, **masks;
	const mae_train_output *out;
	progress *prog;
	mae_train_result *res;
	double start;
} train_run;

/* Reads the batch of the step after those staged and has the trainer
 * stage it: its size, 0 at the last step or at the end of the input (a
 * last short batch is dropped), or -1 with a message. */
static int read_ahead(void *arg, int slot)
{
	(void)slot; /* the trainer keeps the staged batches apart */
	train_run *r = arg;
	mae_trainer *t = r->t;
	if (t->opt.step + t->n_ahead >= t->o.total)
		return 0;
	if (recbatch_read(&r->recs, r->rd) < 0)
		return -1;
	if (r->recs.n < t->o.batch)
		return 0;
	if (mae_batch_input(&r->recs, &t->model.cfg, 1, r->pixels, r->masks,
			    rec_reader_name(r->rd)) < 0 ||
	    mae_trainer_prefetch(t, r->pixels, r->masks, r->recs.n) < 0)
		return -1;
	return r->recs.n;
}

/* The step on the first staged batch, then its log line, progress and
 * checkpoint. */
static int run_step(void *arg, int slot, int n)
{
	(void)slot;
	(void)n;
	train_run *r = arg;
	mae_trainer *t = r->t;
	const mae_train_output *out = r->out;
	mae_step_info info;
	if (mae_trainer_step_prefetched(t, &info) < 0) {
		err_prefix("%s: ", rec_reader_name(r->rd));
		return -1;
	}
	if (out->log && log_line(out, "%ld\t%.9g\t%.9g\t%.6g\t%.3f\n", t->opt.step, info.loss,
				 info.lr, info.grad_norm, clock_seconds() - r->start) < 0) {
		r->res->stopped = 0;
		return -1;
	}
	progress_detail(r->prog, "step %ld, loss %.4f, lr %.3g", t->opt.step, info.loss, info.lr);
	progress_add(r->prog, (uint64_t)t->o.batch);
	if (out->save_every && t->opt.step % out->save_every == 0) {
		if (mae_train_save(out->ckpt_path, t) < 0) {
			r->res->stopped = 0;
			return -1;
		}
		r->res->saved_step = t->opt.step;
	}
	return 0;
}

/* Skips the records of the steps a resumed run has taken (none when it has
 * taken all its steps: it is written out as it is). */
static int skip_taken(train_run *r)
{
	mae_trainer *t = r->t;
	for (long k = 0; t->opt.step < t->o.total && k < t->opt.step; k++) {
		if (recbatch_read(&r->recs, r->rd) < 0)
			return -1;
		if (r->recs.n < t->o.batch)
			return err_set("%s: the input ends within the records of the %ld steps the "
				       "resumed run has taken", rec_reader_name(r->rd), t->opt.step);
	}
	return 0;
}

int mae_train_run(mae_trainer *t, rec_reader *rd, const mae_train_output *out, progress *prog,
		  mae_train_result *res)
{
	*res = (mae_train_result){.saved_step = -1, .stopped = 0};
	if (out->log && out->log_new &&
	    log_line(out, "step\tloss\tlr\tgrad_norm\tseconds\n") < 0)
		return -1;
	train_run r = {.t = t, .rd = rd, .out = out, .prog = prog, .res = res};
	r.pixels = calloc((size_t)t->o.batch, sizeof *r.pixels);
	r.masks = calloc((size_t)t->o.batch, sizeof *r.masks);
	int rc = recbatch_init(&r.recs, t->o.batch);
	if (rc < 0 || !r.pixels || !r.masks) {
		rc = err_set("out of memory");
	} else {
		r.start = clock_seconds();
		res->stopped = 1;
		rc = skip_taken(&r);
	}
	if (rc == 0) {
		prog->done = (uint64_t)t->opt.step * t->o.batch;
		rc = mae_readahead_loop(read_ahead, run_step, &r);
	}
	if (rc == 0 && t->opt.step < t->o.total)
		rc = err_set("%s: the input ended after %ld of the %ld steps", rec_reader_name(rd),
			     t->opt.step, t->o.total);
	recbatch_free(&r.recs);
	free(r.pixels);
	free(r.masks);
	return rc;
}

void mae_train_print_stop(FILE *f, const char *prog, const mae_train_result *res,
			  const char *ckpt_path)
{
	if (res->saved_step >= 0)
		fprintf(f, "%s: %s; %s holds step %ld, the last --save-every\n", prog, err_msg(),
			ckpt_path, res->saved_step);
	else
		fprintf(f, "%s: %s; %s not written\n", prog, err_msg(), ckpt_path);
}
