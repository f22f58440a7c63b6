/* The training step. */
#include <math.h>

#include "err.h"
#include "mae_train.h"

void mae_trainer_init(mae_trainer *t, const mae_train_opts *o)
{
	t->o = *o;
	mae_batch_init(&t->batch);
}

void mae_trainer_free(mae_trainer *t)
{
	mae_batch_free(&t->batch);
	if (t->model.be) {
		adamw_free(&t->opt, &t->model);
		mae_model_free(&t->model);
	}
}

int mae_trainer_step(mae_trainer *t, const uint8_t *const *pixels, const uint8_t *const *masks,
		     int n, mae_step_info *info)
{
	mae_model *m = &t->model;
	long step = t->opt.step;
	if (mae_batch_build(&t->batch, &m->cfg, pixels, masks, n, 0) < 0)
		return -1;
	if (t->batch.n_hidden == 0)
		return err_set("step %ld: the masks of the batch hide no patch", step);
	if (mae_model_forward(m, &t->batch, &info->loss) < 0)
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
