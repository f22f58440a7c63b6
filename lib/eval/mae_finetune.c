#include "eval/mae_finetune.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/rng.h"
#include "eval/softmax_ce.h"

/* the head's stream of draws, apart from the encoder's tensors' */
#define HEAD_STREAM 0x68656164ULL

static int layer_of(const char *name, int depth)
{
	int block;
	if (strcmp(name, "cls_token") == 0 || strcmp(name, "pos_embed") == 0 ||
	    strncmp(name, "patch_embed.", 12) == 0)
		return 0;
	if (sscanf(name, "blocks.%d.", &block) == 1)
		return block + 1;
	if (strncmp(name, "norm.", 5) == 0)
		return depth + 1;
	return -1;
}

void mae_layer_lr_scales(const mae_layout *layout, int depth, double layer_decay,
			 int frozen_layers, float *scale)
{
	for (int i = 0; i < layout->n_tensors; i++) {
		int layer = layer_of(layout->tensors[i].name, depth);
		scale[i] = layer < frozen_layers ? 0.0f : (float)pow(layer_decay, depth + 1 - layer);
	}
}

int mae_finetuner_init(mae_finetuner *f, int n_classes, const mae_finetune_opts *o,
		       uint64_t seed)
{
	mae_model *m = &f->model;
	size_t D = (size_t)m->cfg.dim, C = (size_t)n_classes, head = C * D + C;
	size_t B = (size_t)o->batch;
	f->o = *o;
	f->n_classes = n_classes;
	mae_batch_init(&f->batch);
	f->lr_scale = malloc((size_t)m->layout.n_tensors * sizeof(float));
	f->head_mem = calloc(4 * head + 2 * D + B * (2 * D + C), sizeof(float));
	f->feats = m->be->alloc(B * D * sizeof(float));
	if (!f->lr_scale || !f->head_mem || !f->feats || adamw_init(&f->opt, m) < 0) {
		mae_finetuner_free(f);
		return err_set("out of memory for fine-tuning");
	}
	/* torch.optim.AdamW's default betas, which main_finetune.py keeps */
	f->opt.beta2 = 0.999f;
	f->opt.weight_decay = (float)o->weight_decay;
	mae_layer_lr_scales(&m->layout, m->cfg.depth, o->layer_decay, o->frozen_layers,
			    f->lr_scale);
	f->head_w = f->head_mem;
	f->head_b = f->head_w + C * D;
	f->head_dw = f->head_mem + head;
	f->head_db = f->head_dw + C * D;
	f->head_m = f->head_mem + 2 * head;
	f->head_v = f->head_mem + 3 * head;
	f->mean = f->head_mem + 4 * head;
	f->inv_sd = f->mean + D;
	f->x = f->inv_sd + D;
	f->dx = f->x + B * D;
	f->logits = f->dx + B * D;
	for (size_t j = 0; j < D; j++)
		f->inv_sd[j] = 1;
	/* trunc_normal_(head.weight, std=2e-5): a head this small starts every
	 * class equal, so the first steps do not scramble the encoder; draws
	 * beyond two standard deviations are redrawn */
	rng g;
	rng_seed(&g, seed, HEAD_STREAM);
	for (size_t i = 0; i < C * D; i++) {
		double z;
		do
			z = rng_normal(&g);
		while (fabs(z) > 2);
		f->head_w[i] = (float)(2e-5 * z);
	}
	return 0;
}

void mae_finetuner_free(mae_finetuner *f)
{
	mae_model *m = &f->model;
	if (m->be) {
		m->be->free(f->feats);
		adamw_free(&f->opt, m);
		mae_model_free(m);
	}
	free(f->lr_scale);
	free(f->head_mem);
	mae_batch_free(&f->batch);
	memset(f, 0, sizeof *f);
}

/* The encoder and pooling on n images, then on the host the standardised
 * features f->x and the head's scores f->logits. The head lives on the
 * host: its inputs and outputs are n x D and n x C floats, copies any
 * backend makes in no time, and its arithmetic is n C D, nothing beside
 * the encoder's. per_image: the encoder as inference runs it (one GEMM
 * per image, mae_model.per_image), for the standardisation's features
 * (mae-embed's, bit for bit) and the evaluation's scores, which then do
 * not depend on the batch; training steps take the faster batched GEMMs. */
static int forward(mae_finetuner *f, const uint8_t *const *pixels, int n, int per_image)
{
	mae_model *m = &f->model;
	int D = m->cfg.dim, C = f->n_classes;
	if (n > f->o.batch)
		return err_set("%d images in a batch of at most %d", n, f->o.batch);
	if (mae_batch_build(&f->batch, &m->cfg, pixels, NULL, n, 0) < 0 ||
	    mae_model_set_batch(m, &f->batch, 0) < 0)
		return -1;
	m->per_image = per_image;
	mae_model_encode(m);
	mae_model_pool(m, f->o.pool, f->feats);
	m->be->download(f->x, f->feats, (size_t)n * D * sizeof(float));
	for (int i = 0; i < n; i++) {
		float *x = f->x + (size_t)i * D;
		for (int j = 0; j < D; j++)
			x[j] = (x[j] - f->mean[j]) * f->inv_sd[j];
		for (int c = 0; c < C; c++) {
			const float *w = f->head_w + (size_t)c * D;
			double s = f->head_b[c];
			for (int j = 0; j < D; j++)
				s += (double)w[j] * x[j];
			f->logits[(size_t)i * C + c] = (float)s;
		}
	}
	return 0;
}

int mae_finetune_scores(mae_finetuner *f, const uint8_t *const *pixels, int n, float *scores)
{
	if (forward(f, pixels, n, 1) < 0)
		return -1;
	memcpy(scores, f->logits, (size_t)n * f->n_classes * sizeof(float));
	return 0;
}

int mae_finetune_standardise(mae_finetuner *f, const image_set *set, const uint32_t *idx,
			     size_t n)
{
	int D = f->model.cfg.dim, B = f->o.batch;
	double *sum = calloc(2 * (size_t)D, sizeof(double));
	const uint8_t **px = malloc((size_t)B * sizeof *px);
	int rc = sum && px && n > 1 ? 0 : err_set(n > 1 ? "out of memory" : "too few images");
	double *sum_sq = sum ? sum + D : NULL;
	for (size_t j = 0; j < (size_t)D; j++) {
		f->mean[j] = 0;
		f->inv_sd[j] = 1;
	}
	/* the moments in one pass, in double, shifted by the first image's
	 * features against cancellation */
	float *shift = malloc((size_t)D * sizeof(float));
	if (!shift)
		rc = err_set("out of memory");
	for (size_t start = 0; rc == 0 && start < n; start += (size_t)B) {
		int b = n - start < (size_t)B ? (int)(n - start) : B;
		for (int i = 0; i < b; i++)
			px[i] = set->px + (size_t)idx[start + (size_t)i] * set->img_bytes;
		if ((rc = forward(f, px, b, 1)) < 0)
			break;
		if (start == 0)
			memcpy(shift, f->x, (size_t)D * sizeof(float));
		for (int i = 0; i < b; i++)
			for (int j = 0; j < D; j++) {
				double d = (double)f->x[(size_t)i * D + j] - shift[j];
				sum[j] += d;
				sum_sq[j] += d * d;
			}
	}
	if (rc == 0) {
		double mean_var = 0;
		for (int j = 0; j < D; j++) {
			double mean = sum[j] / (double)n;
			sum_sq[j] = (sum_sq[j] - mean * sum[j]) / (double)(n - 1);
			f->mean[j] = (float)(shift[j] + mean);
			mean_var += sum_sq[j] / D;
		}
		/* the variance floored by the features' mean variance: a feature
		 * that hardly varies would otherwise be magnified without bound,
		 * and with it the gradient its slightest change in the encoder
		 * gets; a constant one standardises to 0 */
		for (int j = 0; j < D; j++)
			f->inv_sd[j] = mean_var > 0 ? (float)(1 / sqrt(sum_sq[j] + mean_var)) : 1.0f;
	}
	free(shift);
	free(sum);
	free(px);
	return rc;
}

int mae_finetune_loss(mae_finetuner *f, const uint8_t *const *pixels, const int32_t *cls, int n,
		      double *loss)
{
	mae_model *m = &f->model;
	int C = f->n_classes, D = m->cfg.dim;
	for (int i = 0; i < n; i++)
		if (cls[i] < 0 || cls[i] >= C)
			return err_set("image %d of the batch: class %d of %d", i, cls[i], C);
	if (forward(f, pixels, n, 0) < 0)
		return -1;
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += softmax_ce_row(f->logits + (size_t)i * C, C, cls[i], f->o.smoothing, 1.0 / n);
	*loss = sum / n;
	/* f->logits now holds dloss/dlogits: the head's gradients, and the
	 * features' through the standardisation */
	memset(f->head_dw, 0, ((size_t)C * D + C) * sizeof(float));
	for (int i = 0; i < n; i++) {
		const float *dl = f->logits + (size_t)i * C, *x = f->x + (size_t)i * D;
		float *dx = f->dx + (size_t)i * D;
		for (int j = 0; j < D; j++)
			dx[j] = 0;
		for (int c = 0; c < C; c++) {
			const float *w = f->head_w + (size_t)c * D;
			float *dw = f->head_dw + (size_t)c * D;
			for (int j = 0; j < D; j++) {
				dw[j] += dl[c] * x[j];
				dx[j] += dl[c] * w[j];
			}
			f->head_db[c] += dl[c];
		}
		for (int j = 0; j < D; j++)
			dx[j] *= f->inv_sd[j];
	}
	mae_model_zero_grad(m);
	m->be->upload(f->feats, f->dx, (size_t)n * D * sizeof(float));
	mae_model_pool_backward(m, f->o.pool, f->feats, m->acts.d_enc_out);
	mae_model_encode_backward(m, m->acts.d_enc_out);
	return 0;
}

int mae_finetune_step(mae_finetuner *f, const uint8_t *const *pixels, const int32_t *cls, int n,
		      double *loss, double *lr)
{
	mae_model *m = &f->model;
	long step = f->opt.step;
	if (mae_finetune_loss(f, pixels, cls, n, loss) < 0)
		return -1;
	if (!isfinite(*loss))
		return err_set("loss is %s at step %ld", isnan(*loss) ? "nan" : "inf", step);
	size_t CD = (size_t)f->n_classes * m->cfg.dim;
	const backend *host = backend_cpu();
	*lr = lr_schedule(step, f->o.total, f->o.warmup, f->o.blr * f->o.batch / 256.0, f->o.min_lr);
	adamw_step_scaled(&f->opt, m, (float)*lr, f->lr_scale);
	/* the head is the top layer (scale 1); its bias is not decayed */
	host->adamw(f->head_w, f->head_dw, f->head_m, f->head_v, CD, (float)*lr, f->opt.beta1,
		    f->opt.beta2, f->opt.eps, f->opt.weight_decay, f->opt.step);
	host->adamw(f->head_b, f->head_db, f->head_m + CD, f->head_v + CD, (size_t)f->n_classes,
		    (float)*lr, f->opt.beta1, f->opt.beta2, f->opt.eps, 0.0f, f->opt.step);
	return 0;
}

int mae_finetune_epoch(mae_finetuner *f, const image_set *set, const uint32_t *idx, size_t n,
		       uint64_t seed, int epoch, progress *prog, double *loss)
{
	uint32_t *order = malloc((n ? n : 1) * sizeof *order);
	const uint8_t **px = malloc((size_t)f->o.batch * sizeof *px);
	int32_t *cls = malloc((size_t)f->o.batch * sizeof *cls);
	int rc = order && px && cls ? 0 : err_set("out of memory");
	if (rc == 0)
		rng_permutation(order, n, seed, (uint64_t)epoch);
	double sum = 0;
	long steps = 0;
	for (size_t start = 0; rc == 0 && start < n; start += (size_t)f->o.batch) {
		int b = n - start < (size_t)f->o.batch ? (int)(n - start) : f->o.batch;
		for (int i = 0; i < b; i++) {
			uint32_t k = idx[order[start + (size_t)i]];
			px[i] = set->px + (size_t)k * set->img_bytes;
			cls[i] = set->cls[k];
		}
		double step_loss, lr;
		rc = mae_finetune_step(f, px, cls, b, &step_loss, &lr);
		if (rc == 0) {
			sum += step_loss;
			steps++;
			progress_detail(prog, "epoch %d, loss %.4f, lr %.3g", epoch + 1, step_loss, lr);
			progress_add(prog, (uint64_t)b);
		}
	}
	*loss = steps ? sum / steps : 0;
	free(order);
	free(px);
	free(cls);
	return rc;
}

int mae_finetune_evaluate(mae_finetuner *f, const image_set *set, float *scores, progress *prog)
{
	const uint8_t **px = malloc((size_t)f->o.batch * sizeof *px);
	if (!px)
		return err_set("out of memory");
	int rc = 0;
	for (size_t start = 0; rc == 0 && start < set->n; start += (size_t)f->o.batch) {
		int b = set->n - start < (size_t)f->o.batch ? (int)(set->n - start) : f->o.batch;
		for (int i = 0; i < b; i++)
			px[i] = set->px + (start + (size_t)i) * set->img_bytes;
		rc = mae_finetune_scores(f, px, b, scores + start * (size_t)f->n_classes);
		progress_add(prog, (uint64_t)b);
	}
	free(px);
	return rc;
}
