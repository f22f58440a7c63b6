/* Fine-tuning: the softmax cross-entropy (with label smoothing) and the
 * whole classifier's backward pass (head, pooling, encoder) against central
 * finite differences; layer-wise lr factors; a tiny run that learns its
 * training set and leaves the decoder as it was; the same steps whatever
 * the thread count; the class-balanced subset; the sets' checks and the
 * images trained on (finetune_sets). */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "common/err.h"
#include "eval/finetune_sets.h"
#include "eval/image_set.h"
#include "eval/mae_finetune.h"
#include "common/rng.h"
#include "eval/softmax_ce.h"

/* 8x8 pixels, 2 channels, 2x2 patches, encoder width 8, depth 2 */
static const mae_config tiny = {8, 2, 2, 8, 2, 2, 12, 1, 3, 4, 0, 0, {0}, {0}};
enum { N_IMG = 12, N_CLS = 3, PX = 8 * 8 * 2 };
static uint8_t pixels[N_IMG][PX];
static int32_t classes[N_IMG];

/* class c: a bright band at rows 2c..2c+2 over noise, so the classes are
 * separable but only through the patches' contents and positions */
static void make_images(void)
{
	rng g;
	rng_seed(&g, 3, 0);
	for (int i = 0; i < N_IMG; i++) {
		classes[i] = i % N_CLS;
		for (int k = 0; k < PX; k++) {
			int row = k / (8 * 2);
			int band = row / 2 == classes[i] + 1;
			pixels[i][k] = (uint8_t)(band ? 200 + rng_below(&g, 56) : rng_below(&g, 120));
		}
	}
}

static const uint8_t *image_ptrs[N_IMG];

static double row_loss(const float *s, int k, int y, double eps)
{
	float tmp[8];
	memcpy(tmp, s, (size_t)k * sizeof(float));
	return softmax_ce_row(tmp, k, y, eps, 1.0);
}

static void softmax_ce_values_and_gradient(void)
{
	float s[2] = {0, 0};
	CHECK(fabs(softmax_ce_row(s, 2, 0, 0, 1.0) - log(2)) < 1e-12);
	CHECK(fabs(s[0] + 0.5) < 1e-7 && fabs(s[1] - 0.5) < 1e-7);
	/* smoothing 0.1 over 2 classes: targets 0.95 / 0.05 */
	float t[2] = {0, 0};
	CHECK(fabs(softmax_ce_row(t, 2, 1, 0.1, 2.0) - log(2)) < 1e-12);
	CHECK(fabs(t[1] - 2 * (0.5 - 0.95)) < 1e-6 && fabs(t[0] - 2 * (0.5 - 0.05)) < 1e-6);
	/* huge scores neither overflow nor lose the gradient */
	float big[3] = {1000, 0, -1000};
	CHECK(fabs(softmax_ce_row(big, 3, 1, 0, 1.0) - 1000) < 1e-6);
	CHECK(fabs(big[0] - 1) < 1e-6 && fabs(big[1] + 1) < 1e-6);
	const double epss[2] = {0, 0.1};
	rng g;
	rng_seed(&g, 7, 0);
	for (int e = 0; e < 2; e++)
		for (int trial = 0; trial < 20; trial++) {
			float x[5], grad[5];
			for (int c = 0; c < 5; c++)
				x[c] = grad[c] = (float)(4 * rng_uniform(&g) - 2);
			int y = (int)rng_below(&g, 5);
			softmax_ce_row(grad, 5, y, epss[e], 1.0);
			for (int c = 0; c < 5; c++) {
				const float h = 1e-2f;
				float up[5], down[5];
				memcpy(up, x, sizeof x);
				memcpy(down, x, sizeof x);
				up[c] += h;
				down[c] -= h;
				double numeric = (row_loss(up, 5, y, epss[e]) -
						  row_loss(down, 5, y, epss[e])) / (2 * h);
				CHECK(fabs(numeric - grad[c]) < 1e-4);
			}
		}
}

static void setup(mae_finetuner *f, int pool, double layer_decay)
{
	memset(f, 0, sizeof *f);
	CHECK_EQ(mae_model_init(&f->model, &tiny, backend_cpu()), 0);
	CHECK_EQ(mae_model_init_weights(&f->model, 5), 0);
	mae_finetune_opts o = {.batch = N_IMG, .blr = 0.05, .weight_decay = 0.05,
			       .layer_decay = layer_decay, .smoothing = 0.1, .warmup = 2,
			       .total = 60, .pool = pool};
	CHECK_EQ(mae_finetuner_init(f, N_CLS, &o, 1), 0);
	for (int i = 0; i < N_IMG; i++)
		image_ptrs[i] = pixels[i];
}

static double loss_of(mae_finetuner *f)
{
	double loss = -1;
	if (mae_finetune_loss(f, image_ptrs, classes, N_IMG, &loss) < 0)
		fprintf(stderr, "loss: %s\n", err_msg());
	return loss;
}

/* central differences along a random unit direction of x [n] */
static void check_direction(mae_finetuner *f, const char *name, float *x, const float *grad,
			    size_t n, uint64_t stream)
{
	rng g;
	rng_seed(&g, 11, stream);
	float *u = malloc(n * sizeof(float));
	double norm = 0, analytic = 0;
	for (size_t k = 0; k < n; k++) {
		u[k] = (float)(2 * rng_uniform(&g) - 1);
		norm += (double)u[k] * u[k];
	}
	for (size_t k = 0; k < n; k++) {
		u[k] /= (float)sqrt(norm);
		analytic += (double)u[k] * grad[k];
	}
	const double h = 3e-3;
	for (size_t k = 0; k < n; k++)
		x[k] += (float)(h * u[k]);
	double up = loss_of(f);
	for (size_t k = 0; k < n; k++)
		x[k] -= (float)(2 * h * u[k]);
	double down = loss_of(f);
	for (size_t k = 0; k < n; k++)
		x[k] += (float)(h * u[k]);
	double numeric = (up - down) / (2 * h);
	if (fabs(numeric - analytic) > 2e-3 * fabs(analytic) + 2e-5) {
		fprintf(stderr, "%s: gradient . u %.6g, differences %.6g\n", name, analytic, numeric);
		CHECK(0);
	}
	free(u);
}

static void gradients_match_differences(int pool)
{
	mae_finetuner f;
	setup(&f, pool, 1);
	mae_model *m = &f.model;
	rng g;
	rng_seed(&g, 9, 0);
	/* jitter everything (head included) so each gradient is generic */
	for (size_t k = 0; k < m->layout.n_floats; k++)
		m->param_mem[k] += (float)(0.2 * (rng_uniform(&g) - 0.5));
	size_t head = (size_t)N_CLS * tiny.dim + N_CLS;
	for (size_t k = 0; k < head; k++)
		f.head_w[k] += (float)(0.5 * (rng_uniform(&g) - 0.5));
	/* the training images as a set, standardising the head's input */
	image_set set;
	image_set_init(&set, &tiny);
	set.px = &pixels[0][0];
	set.n = N_IMG;
	uint32_t all[N_IMG];
	for (int i = 0; i < N_IMG; i++)
		all[i] = (uint32_t)i;
	CHECK_EQ(mae_finetune_standardise(&f, &set, all, N_IMG), 0);
	CHECK(f.mean[0] != 0 && f.inv_sd[0] != 1 && isfinite(f.inv_sd[0]));
	/* standardised: mean 0 over the images, variances v_j = var_j / (var_j
	 * + mean var), so that the sum of v_j / (1 - v_j) is the dimension */
	float scores[N_IMG * N_CLS];
	CHECK_EQ(mae_finetune_scores(&f, image_ptrs, N_IMG, scores), 0);
	double ratio_sum = 0;
	for (int j = 0; j < tiny.dim; j++) {
		double x_sum = 0, x_sq = 0;
		for (int i = 0; i < N_IMG; i++) {
			x_sum += f.x[i * tiny.dim + j];
			x_sq += (double)f.x[i * tiny.dim + j] * f.x[i * tiny.dim + j];
		}
		double v = x_sq / (N_IMG - 1);
		CHECK(fabs(x_sum) < 1e-4 && v < 1);
		ratio_sum += v / (1 - v);
	}
	CHECK(fabs(ratio_sum - tiny.dim) < 1e-3 * tiny.dim);
	/* twelve images' features barely vary, so their 1/sd is large and the
	 * loss too curved for finite differences in float: check the chain
	 * through a milder map */
	for (int j = 0; j < tiny.dim; j++) {
		f.mean[j] *= 0.5f;
		f.inv_sd[j] = 0.5f + 0.1f * (float)j;
	}
	double loss = loss_of(&f);
	CHECK(loss > 0 && isfinite(loss));
	float *grads = malloc(m->layout.n_floats * sizeof(float));
	float *head_grads = malloc(head * sizeof(float));
	memcpy(grads, m->grad_mem, m->layout.n_floats * sizeof(float));
	memcpy(head_grads, f.head_dw, head * sizeof(float));
	int checked = 0;
	for (int i = 0; i < m->layout.n_tensors; i++) {
		const mae_tensor *t = &m->layout.tensors[i];
		if (!t->trainable || f.lr_scale[i] == 0) {
			/* the decoder and the fixed embeddings get no gradient */
			for (size_t k = 0; k < t->size; k++)
				CHECK(grads[t->offset + k] == 0);
			continue;
		}
		check_direction(&f, t->name, m->param_mem + t->offset, grads + t->offset, t->size,
				(uint64_t)i);
		checked++;
	}
	/* cls token, patch embedding (2), 12 per block, final norm (2) */
	CHECK_EQ(checked, 1 + 2 + 12 * tiny.depth + 2);
	check_direction(&f, "head.weight", f.head_w, head_grads, (size_t)N_CLS * tiny.dim, 1000);
	check_direction(&f, "head.bias", f.head_b, head_grads + (size_t)N_CLS * tiny.dim, N_CLS,
			1001);
	free(grads);
	free(head_grads);
	mae_finetuner_free(&f);
}

static void gradients_match_differences_cls(void)
{
	gradients_match_differences(MAE_POOL_CLS);
}

static void gradients_match_differences_mean(void)
{
	gradients_match_differences(MAE_POOL_MEAN);
}

static void layer_decay_scales_by_depth(void)
{
	mae_layout l;
	CHECK_EQ(mae_layout_make(&l, &tiny), 0);
	float *scale = malloc((size_t)l.n_tensors * sizeof(float));
	mae_layer_lr_scales(&l, tiny.depth, 0.5, 0, scale);
	for (int i = 0; i < l.n_tensors; i++) {
		const char *name = l.tensors[i].name;
		float want = strcmp(name, "cls_token") == 0 || strcmp(name, "pos_embed") == 0 ||
					     strncmp(name, "patch_embed", 11) == 0
				     ? 0.125f
			     : strncmp(name, "blocks.0.", 9) == 0 ? 0.25f
			     : strncmp(name, "blocks.1.", 9) == 0 ? 0.5f
			     : strncmp(name, "norm.", 5) == 0	  ? 1.0f
								  : 0.0f;
		if (scale[i] != want) {
			fprintf(stderr, "%s: scale %g, expected %g\n", name, scale[i], want);
			CHECK(0);
		}
	}
	free(scale);
	mae_layout_free(&l);
}

/* Partial fine-tuning: with the embeddings and block 0 frozen (the last
 * block tuned), their weights stay as they were to the bit, block 1 and
 * the norm move, and the loss still falls. */
static void frozen_layers_stay(void)
{
	mae_finetuner f;
	memset(&f, 0, sizeof f);
	CHECK_EQ(mae_model_init(&f.model, &tiny, backend_cpu()), 0);
	CHECK_EQ(mae_model_init_weights(&f.model, 5), 0);
	mae_finetune_opts o = {.batch = N_IMG, .blr = 0.05, .weight_decay = 0.05,
			       .layer_decay = 0.75, .smoothing = 0.1, .warmup = 2, .total = 20,
			       .pool = MAE_POOL_CLS, .frozen_layers = tiny.depth};
	CHECK_EQ(mae_finetuner_init(&f, N_CLS, &o, 1), 0);
	for (int i = 0; i < N_IMG; i++)
		image_ptrs[i] = pixels[i];
	size_t n = f.model.layout.n_floats;
	float *before = malloc(n * sizeof(float));
	memcpy(before, f.model.param_mem, n * sizeof(float));
	double loss = 0, first = 0, lr;
	for (int s = 0; s < 20; s++) {
		CHECK_EQ(mae_finetune_step(&f, image_ptrs, classes, N_IMG, &loss, &lr), 0);
		first = s == 0 ? loss : first;
	}
	const mae_layout *l = &f.model.layout;
	for (int i = 0; i < l->n_tensors; i++) {
		const mae_tensor *t = &l->tensors[i];
		if (!t->trainable)
			continue;
		int same = memcmp(before + t->offset, f.model.param_mem + t->offset,
				  t->size * sizeof(float)) == 0;
		int frozen = strncmp(t->name, "blocks.0.", 9) == 0 ||
			     strncmp(t->name, "patch_embed", 11) == 0 ||
			     strcmp(t->name, "cls_token") == 0 || strncmp(t->name, "decoder", 7) == 0 ||
			     strcmp(t->name, "mask_token") == 0;
		if (same != frozen) {
			fprintf(stderr, "%s: %s\n", t->name, same ? "unchanged" : "changed");
			CHECK(0);
		}
	}
	CHECK(loss < first);
	free(before);
	mae_finetuner_free(&f);
}

/* steps of a fresh finetuner; its parameters and the head after them */
static double train(int threads, float **params, float **head, int *right)
{
	backend_cpu()->set_threads(threads);
	mae_finetuner f;
	setup(&f, MAE_POOL_CLS, 0.75);
	float *before = malloc(f.model.layout.n_floats * sizeof(float));
	memcpy(before, f.model.param_mem, f.model.layout.n_floats * sizeof(float));
	double loss = 0, lr;
	double first = 0;
	for (int s = 0; s < 60; s++) {
		CHECK_EQ(mae_finetune_step(&f, image_ptrs, classes, N_IMG, &loss, &lr), 0);
		if (s == 0)
			first = loss;
	}
	/* the decoder is not trained: not even weight decay touches it */
	const mae_tensor *dec = mae_layout_find(&f.model.layout, "decoder_embed.weight");
	CHECK(memcmp(before + dec->offset, f.model.param_mem + dec->offset,
		     (f.model.layout.n_floats - dec->offset) * sizeof(float)) == 0);
	float scores[N_IMG * N_CLS];
	CHECK_EQ(mae_finetune_scores(&f, image_ptrs, N_IMG, scores), 0);
	*right = 0;
	for (int i = 0; i < N_IMG; i++) {
		int best = 0;
		for (int c = 1; c < N_CLS; c++)
			best = scores[i * N_CLS + c] > scores[i * N_CLS + best] ? c : best;
		*right += best == classes[i];
	}
	size_t n_head = (size_t)N_CLS * tiny.dim + N_CLS;
	*params = malloc(f.model.layout.n_floats * sizeof(float));
	*head = malloc(n_head * sizeof(float));
	memcpy(*params, f.model.param_mem, f.model.layout.n_floats * sizeof(float));
	memcpy(*head, f.head_w, n_head * sizeof(float));
	/* from log 3; label smoothing 0.1 keeps it above 0.29 */
	CHECK(loss < 0.75 * first);
	free(before);
	mae_finetuner_free(&f);
	backend_cpu()->set_threads(1);
	return loss;
}

static void learns_training_set_same_for_any_threads(void)
{
	float *p1, *h1, *p2, *h2;
	int right1, right2;
	double loss1 = train(1, &p1, &h1, &right1);
	double loss2 = train(2, &p2, &h2, &right2);
	CHECK_EQ(right1, N_IMG);
	CHECK(loss1 == loss2);
	mae_layout l;
	CHECK_EQ(mae_layout_make(&l, &tiny), 0);
	CHECK(memcmp(p1, p2, l.n_floats * sizeof(float)) == 0);
	CHECK(memcmp(h1, h2, ((size_t)N_CLS * tiny.dim + N_CLS) * sizeof(float)) == 0);
	mae_layout_free(&l);
	free(p1);
	free(h1);
	free(p2);
	free(h2);
}

/* 15 images of class 0, 10 of class 1, 5 of class 2, ids "img<k>" */
static void make_set(image_set *s, const int *order)
{
	image_set_init(s, &tiny);
	for (int j = 0; j < 30; j++) {
		int k = order ? order[j] : j;
		rec r;
		rec_init(&r);
		char id[16];
		snprintf(id, sizeof id, "img%d", k);
		img im = {8, 8, 2, pixels[k % N_IMG]};
		CHECK_EQ(rec_make_image(&r, id, k < 15 ? 0 : k < 25 ? 1 : 2, -1, &im), 0);
		CHECK_EQ(image_set_add_record(s, &r, &tiny), 0);
		rec_free(&r);
	}
	probe_classes c;
	CHECK_EQ(probe_classes_from(&c, s->label, s->n), 0);
	CHECK_EQ(c.n, 3);
	CHECK_EQ(image_set_classify(s, &c), 0);
	probe_classes_free(&c);
}

static void count_classes(const image_set *s, const uint32_t *idx, long n, int *per)
{
	per[0] = per[1] = per[2] = 0;
	for (long i = 0; i < n; i++)
		per[s->cls[idx[i]]]++;
}

static void balanced_subset(void)
{
	image_set s, shuffled;
	make_set(&s, NULL);
	uint32_t idx[30], idx2[30];
	int per[3];
	long n = image_set_balanced(&s, 3, 9, 4, idx);
	CHECK_EQ(n, 9);
	count_classes(&s, idx, n, per);
	CHECK(per[0] == 3 && per[1] == 3 && per[2] == 3);
	for (long i = 1; i < n; i++)
		CHECK(idx[i - 1] < idx[i]);
	/* quotas 7, 7, 6; class 2 has 5 */
	n = image_set_balanced(&s, 3, 20, 4, idx);
	CHECK_EQ(n, 19);
	count_classes(&s, idx, n, per);
	CHECK(per[0] == 7 && per[1] == 7 && per[2] == 5);
	/* the same images (by id) whatever the order of the records */
	int order[30];
	for (int j = 0; j < 30; j++)
		order[j] = (j * 7) % 30;
	make_set(&shuffled, order);
	n = image_set_balanced(&s, 3, 9, 4, idx);
	CHECK_EQ(image_set_balanced(&shuffled, 3, 9, 4, idx2), 9);
	uint64_t keys[9], keys2[9];
	for (int i = 0; i < 9; i++) {
		keys[i] = s.key[idx[i]];
		keys2[i] = shuffled.key[idx2[i]];
	}
	int same = 0;
	for (int i = 0; i < 9; i++)
		for (int j = 0; j < 9; j++)
			same += keys[i] == keys2[j];
	CHECK_EQ(same, 9);
	/* another seed draws another subset */
	CHECK_EQ(image_set_balanced(&s, 3, 9, 5, idx2), 9);
	CHECK(memcmp(idx, idx2, 9 * sizeof *idx) != 0);
	image_set_free(&s);
	image_set_free(&shuffled);
}

/* n images labelled labels[0..n), ids "t<k>" */
static void make_labelled(image_set *s, const int64_t *labels, int n)
{
	image_set_init(s, &tiny);
	for (int k = 0; k < n; k++) {
		rec r;
		rec_init(&r);
		char id[16];
		snprintf(id, sizeof id, "t%d", k);
		img im = {8, 8, 2, pixels[k % N_IMG]};
		CHECK_EQ(rec_make_image(&r, id, labels[k], -1, &im), 0);
		CHECK_EQ(image_set_add_record(s, &r, &tiny), 0);
		rec_free(&r);
	}
}

/* finetune_sets_prepare refuses what mae-finetune cannot train on, in its
 * order and words: no training images before no test images, one class,
 * more --labelled than there are. */
static void sets_checks(void)
{
	image_set train, test, empty, one_class;
	make_set(&train, NULL);
	make_labelled(&test, (const int64_t[]){2, 7, 0}, 3);
	make_labelled(&empty, NULL, 0);
	make_labelled(&one_class, (const int64_t[]){4, 4, 4}, 3);
	finetune_sets s;
	finetune_sets_opts o = {0, 4, "train.rec", "test.rec", NULL, "prog"};
	CHECK_EQ(finetune_sets_prepare(&s, &empty, &empty, &o), -1);
	CHECK_STR(err_msg(), "train.rec: no training images");
	CHECK_EQ(finetune_sets_prepare(&s, &train, &empty, &o), -1);
	CHECK_STR(err_msg(), "test.rec: no test images");
	o.labelled = 31;
	CHECK_EQ(finetune_sets_prepare(&s, &one_class, &test, &o), -1);
	CHECK_STR(err_msg(), "train.rec: the training images have one class (label 4): "
		  "nothing to learn");
	CHECK_EQ(finetune_sets_prepare(&s, &train, &test, &o), -1);
	CHECK_STR(err_msg(), "--labelled 31: train.rec has 30 images");
	CHECK(s.used == NULL && s.classes.label == NULL);
	image_set_free(&train);
	image_set_free(&test);
	image_set_free(&empty);
	image_set_free(&one_class);
}

/* The images trained on: all of them, or image_set_balanced's subset with
 * a notice when a class runs short; the test images get the training
 * set's classes, -1 for a label it lacks. */
static void sets_used(void)
{
	image_set train, test;
	make_set(&train, NULL);
	make_labelled(&test, (const int64_t[]){2, 7, 0}, 3);
	char *text = NULL;
	size_t len = 0;
	FILE *notice = open_memstream(&text, &len);
	finetune_sets s;
	finetune_sets_opts o = {0, 4, "train.rec", "test.rec", notice, "prog"};
	CHECK_EQ(finetune_sets_prepare(&s, &train, &test, &o), 0);
	CHECK_EQ(s.n_used, 30);
	for (uint32_t i = 0; i < 30; i++)
		CHECK_EQ(s.used[i], i);
	CHECK(s.classes.n == 3 && s.classes.label[0] == 0 && s.classes.label[2] == 2);
	CHECK(test.cls && test.cls[0] == 2 && test.cls[1] == -1 && test.cls[2] == 0);
	finetune_sets_free(&s);
	/* quotas 7, 7, 6; class 2 has 5 */
	o.labelled = 20;
	CHECK_EQ(finetune_sets_prepare(&s, &train, &test, &o), 0);
	uint32_t want[20];
	CHECK_EQ(image_set_balanced(&train, 3, 20, 4, want), 19);
	CHECK_EQ(s.n_used, 19);
	CHECK(memcmp(s.used, want, 19 * sizeof *want) == 0);
	finetune_sets_free(&s);
	/* a subset in full: no notice, nor any without a FILE */
	o.labelled = 9;
	CHECK_EQ(finetune_sets_prepare(&s, &train, &test, &o), 0);
	CHECK_EQ(s.n_used, 9);
	finetune_sets_free(&s);
	/* all 30 is not too many, though class 2 falls short of its 10 */
	o.labelled = 30;
	o.notice = NULL;
	CHECK_EQ(finetune_sets_prepare(&s, &train, &test, &o), 0);
	CHECK_EQ(s.n_used, 25);
	finetune_sets_free(&s);
	fclose(notice);
	CHECK_STR(text, "prog: --labelled 20: some classes have too few images; training on 19\n");
	free(text);
	image_set_free(&train);
	image_set_free(&test);
}

static void bad_class_is_an_error(void)
{
	mae_finetuner f;
	setup(&f, MAE_POOL_CLS, 1);
	int32_t bad[N_IMG];
	memcpy(bad, classes, sizeof bad);
	bad[4] = N_CLS;
	double loss;
	CHECK_EQ(mae_finetune_loss(&f, image_ptrs, bad, N_IMG, &loss), -1);
	CHECK(strstr(err_msg(), "image 4") != NULL);
	mae_finetuner_free(&f);
}

/* An image's scores are the same bit for bit in one call with the other
 * eleven, in calls of 5, and alone (the evaluation's batches), for both
 * poolings. */
static void scores_do_not_depend_on_the_batch(void)
{
	for (int pool = 0; pool < 2; pool++) {
		mae_finetuner f;
		setup(&f, pool ? MAE_POOL_MEAN : MAE_POOL_CLS, 1);
		static float want[N_IMG * N_CLS], got[N_IMG * N_CLS];
		CHECK_EQ(mae_finetune_scores(&f, image_ptrs, N_IMG, want), 0);
		for (int size = 1; size <= 5; size += 4) {
			for (int first = 0; first < N_IMG; first += size) {
				int n = N_IMG - first < size ? N_IMG - first : size;
				CHECK_EQ(mae_finetune_scores(&f, image_ptrs + first, n,
							     got + first * N_CLS), 0);
			}
			CHECK(memcmp(got, want, sizeof want) == 0);
		}
		mae_finetuner_free(&f);
	}
}

int main(void)
{
	make_images();
	RUN(softmax_ce_values_and_gradient);
	RUN(gradients_match_differences_cls);
	RUN(gradients_match_differences_mean);
	RUN(layer_decay_scales_by_depth);
	RUN(frozen_layers_stay);
	RUN(learns_training_set_same_for_any_threads);
	RUN(balanced_subset);
	RUN(sets_checks);
	RUN(sets_used);
	RUN(bad_class_is_an_error);
	RUN(scores_do_not_depend_on_the_batch);
	return check_exit();
}
