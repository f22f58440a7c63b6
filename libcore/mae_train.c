/* The training step. */
#include <math.h>

#include "err.h"
#include "mae_train.h"

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
	double lr = t->o.blr * t->o.batch / 256.0;
	info->lr = lr_schedule(step, t->o.total, t->o.warmup, lr, t->o.min_lr);
	adamw_step(&t->opt, m, (float)info->lr);
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
