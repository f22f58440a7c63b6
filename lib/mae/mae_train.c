/* The training step. */
#include <math.h>
#include <stdio.h>

#include "common/err.h"
#include "mae/mae_checkpoint.h"
#include "mae/mae_train.h"

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
