/* AdamW steps, gradient clipping and the learning-rate schedule. */
#include <math.h>

#include "mae/adamw.h"
#include "common/err.h"

int adamw_init(adamw *o, const mae_model *model)
{
	size_t bytes = model->layout.n_floats * sizeof(float);
	*o = (adamw){.beta1 = 0.9f, .beta2 = 0.95f, .eps = 1e-8f, .weight_decay = 0.05f};
	o->m = model->be->alloc(bytes);
	o->v = model->be->alloc(bytes);
	if (!o->m || !o->v) {
		adamw_free(o, model);
		return err_set("out of memory for the optimiser");
	}
	return 0;
}

void adamw_free(adamw *o, const mae_model *model)
{
	model->be->free(o->m);
	model->be->free(o->v);
	o->m = o->v = NULL;
}

void adamw_step(adamw *o, mae_model *model, float lr)
{
	adamw_step_scaled(o, model, lr, NULL);
}

void adamw_step_scaled(adamw *o, mae_model *model, float lr, const float *lr_scale)
{
	o->step++;
	for (int i = 0; i < model->layout.n_tensors; i++) {
		const mae_tensor *t = &model->layout.tensors[i];
		float scale = lr_scale ? lr_scale[i] : 1.0f;
		if (!t->trainable || scale == 0)
			continue;
		/* no decay on biases, norms, tokens (the rule; the
		 * reference's add_weight_decay spares 1-D tensors) */
		model->be->adamw(model->param_mem + t->offset, model->grad_mem + t->offset,
				 o->m + t->offset, o->v + t->offset, t->size, lr * scale, o->beta1, o->beta2,
				 o->eps, t->decay ? o->weight_decay : 0.0f, o->step);
	}
}

double clip_grad_norm(mae_model *model, double max_norm)
{
	double sum = 0;
	for (int i = 0; i < model->layout.n_tensors; i++) {
		const mae_tensor *t = &model->layout.tensors[i];
		sum += model->be->sum_squares(model->grad_mem + t->offset, t->size);
	}
	double norm = sqrt(sum);
	/* torch: clip_coef = max_norm / (total_norm + 1e-6), applied when < 1 */
	double coef = max_norm / (norm + 1e-6);
	if (max_norm > 0 && coef < 1)
		model->be->scale(model->grad_mem, (float)coef, model->layout.n_floats);
	return norm;
}

double lr_schedule(long step, long total, long warmup, double base, double min)
{
	if (step < warmup)
		return base * step / warmup;
	if (total <= warmup)
		return base;
	double progress = (double)(step - warmup) / (double)(total - warmup);
	if (progress > 1)
		progress = 1;
	return min + (base - min) * 0.5 * (1.0 + cos(M_PI * progress));
}
