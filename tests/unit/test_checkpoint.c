/* Checkpoints (round trip of weights and optimiser state, clear errors for
 * other configs, truncated and foreign files), AdamW's decay rule and the
 * learning-rate schedule. */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "mae/adamw.h"
#include "check.h"
#include "common/err.h"
#include "mae/mae_checkpoint.h"
#include "common/rng.h"
#include "formats/safetensors.h"

static const mae_config tiny = {8, 2, 2, 8, 2, 2, 12, 1, 3, 4, 1, 0, {0}, {0}};

/* a model after one AdamW step on random gradients */
static void trained_model(mae_model *m, adamw *opt)
{
	CHECK_EQ(mae_model_init(m, &tiny, backend_cpu()), 0);
	CHECK_EQ(mae_model_init_weights(m, 1), 0);
	CHECK_EQ(adamw_init(opt, m), 0);
	rng g;
	rng_seed(&g, 2, 0);
	for (size_t k = 0; k < m->layout.n_floats; k++)
		m->grad_mem[k] = (float)(rng_uniform(&g) - 0.5);
	adamw_step(opt, m, 1e-3f);
}

static void round_trip_is_exact(void)
{
	mae_model m, back;
	adamw opt, opt_back;
	trained_model(&m, &opt);
	const char *path = check_tmp_path("a.safetensors");
	const char *meta[2] = {"note", "test"};
	CHECK_EQ(mae_checkpoint_save(path, &m, &opt, meta, 1), 0);
	CHECK_EQ(mae_checkpoint_load(path, backend_cpu(), &tiny, &back, &opt_back), 0);
	size_t bytes = m.layout.n_floats * sizeof(float);
	CHECK(memcmp(m.param_mem, back.param_mem, bytes) == 0);
	CHECK(memcmp(opt.m, opt_back.m, bytes) == 0);
	CHECK(memcmp(opt.v, opt_back.v, bytes) == 0);
	CHECK_EQ(opt_back.step, 1);
	CHECK_EQ(back.cfg.norm_pix_loss, 1);
	adamw_free(&opt_back, &back);
	mae_model_free(&back);
	/* weights alone load for inference, and not for resuming */
	const char *weights = check_tmp_path("w.safetensors");
	CHECK_EQ(mae_checkpoint_save(weights, &m, NULL, NULL, 0), 0);
	CHECK_EQ(mae_checkpoint_load(weights, backend_cpu(), NULL, &back, NULL), 0);
	CHECK(memcmp(m.param_mem, back.param_mem, bytes) == 0);
	mae_model_free(&back);
	CHECK_EQ(mae_checkpoint_load(weights, backend_cpu(), NULL, &back, &opt_back), -1);
	CHECK(strstr(err_msg(), "no optimiser state") != NULL);
	adamw_free(&opt, &m);
	mae_model_free(&m);
}

static void bad_files_are_clear_errors(void)
{
	mae_model m, back;
	adamw opt;
	trained_model(&m, &opt);
	const char *path = check_tmp_path("b.safetensors");
	CHECK_EQ(mae_checkpoint_save(path, &m, &opt, NULL, 0), 0);
	mae_config other = tiny;
	other.dec_dim = 16;
	CHECK_EQ(mae_checkpoint_load(path, backend_cpu(), &other, &back, NULL), -1);
	CHECK(strstr(err_msg(), "another config (decoder_embed_dim 12, expected 16)") != NULL);
	CHECK(strstr(err_msg(), path) != NULL);
	/* cut short: the data no longer covers the tensors */
	FILE *f = fopen(path, "rb");
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fclose(f);
	CHECK_EQ(truncate(path, size - 100), 0);
	CHECK_EQ(mae_checkpoint_load(path, backend_cpu(), NULL, &back, NULL), -1);
	CHECK(strstr(err_msg(), "truncated") != NULL);
	CHECK_EQ(truncate(path, 5), 0);
	CHECK_EQ(mae_checkpoint_load(path, backend_cpu(), NULL, &back, NULL), -1);
	CHECK(strstr(err_msg(), "truncated") != NULL);
	const char *text = check_tmp_path("c.safetensors");
	f = fopen(text, "wb");
	fputs("hello, this is not a checkpoint at all", f);
	fclose(f);
	CHECK_EQ(mae_checkpoint_load(text, backend_cpu(), NULL, &back, NULL), -1);
	CHECK(strstr(err_msg(), "not a safetensors file") != NULL);
	CHECK_EQ(mae_checkpoint_load(check_tmp_path("missing"), backend_cpu(), NULL, &back, NULL), -1);
	CHECK(strstr(err_msg(), "missing") != NULL);
	adamw_free(&opt, &m);
	mae_model_free(&m);
}

/* a NaN in the weights or an infinity in a moment: the load names the
 * file and the tensor instead of handing the values on */
static void non_finite_values_are_refused(void)
{
	mae_model m, back;
	adamw opt, opt_back;
	trained_model(&m, &opt);
	const char *path = check_tmp_path("nan.safetensors");
	const mae_tensor *last = &m.layout.tensors[m.layout.n_tensors - 1];
	m.param_mem[last->offset + 1] = NAN;
	CHECK_EQ(mae_checkpoint_save(path, &m, NULL, NULL, 0), 0);
	CHECK_EQ(mae_checkpoint_load(path, backend_cpu(), NULL, &back, NULL), -1);
	CHECK(strstr(err_msg(), path) != NULL);
	CHECK(strstr(err_msg(), last->name) != NULL && strstr(err_msg(), "non-finite") != NULL);
	m.param_mem[last->offset + 1] = 0;
	opt.v[3] = INFINITY;
	CHECK_EQ(mae_checkpoint_save(path, &m, &opt, NULL, 0), 0);
	CHECK_EQ(mae_checkpoint_load(path, backend_cpu(), NULL, &back, &opt_back), -1);
	CHECK(strstr(err_msg(), "'optimizer.exp_avg_sq.") != NULL);
	adamw_free(&opt, &m);
	mae_model_free(&m);
}

/* a header whose config claims a model of hundreds of terabytes: refused
 * for its tensors, before any memory is taken for the model */
static void a_huge_config_allocates_nothing(void)
{
	mae_model m, back;
	adamw opt;
	trained_model(&m, &opt);
	const char *path = check_tmp_path("huge.safetensors");
	CHECK_EQ(mae_checkpoint_save(path, &m, NULL, NULL, 0), 0);
	st_file f;
	CHECK_EQ(st_read(&f, path), 0);
	for (int i = 0; i < f.n_meta; i++) {
		const char *key = f.meta[2 * i];
		const char *value = strcmp(key, "embed_dim") == 0	  ? "65536"
				    : strcmp(key, "num_heads") == 0 ? "1"
				    : strcmp(key, "depth") == 0	  ? "1024"
								  : NULL;
		if (value) {
			free(f.meta[2 * i + 1]);
			f.meta[2 * i + 1] = strdup(value);
		}
	}
	CHECK_EQ(st_write(path, f.tensors, f.n_tensors, (const char *const *)f.meta, f.n_meta), 0);
	st_free(&f);
	CHECK_EQ(mae_checkpoint_load(path, backend_cpu(), NULL, &back, NULL), -1);
	CHECK(strstr(err_msg(), "another shape than the config gives") != NULL);
	adamw_free(&opt, &m);
	mae_model_free(&m);
}

/* With zero gradients a step only decays: linear weights shrink by
 * (1 - lr wd), biases, norms, tokens and position embeddings stay. */
static void adamw_decays_linear_weights_only(void)
{
	mae_model m;
	adamw opt;
	CHECK_EQ(mae_model_init(&m, &tiny, backend_cpu()), 0);
	CHECK_EQ(mae_model_init_weights(&m, 3), 0);
	CHECK_EQ(adamw_init(&opt, &m), 0);
	size_t n = m.layout.n_floats;
	float *before = malloc(n * sizeof(float));
	memcpy(before, m.param_mem, n * sizeof(float));
	mae_model_zero_grad(&m);
	adamw_step(&opt, &m, 0.5f);
	for (int i = 0; i < m.layout.n_tensors; i++) {
		const mae_tensor *t = &m.layout.tensors[i];
		float factor = t->decay ? 1.0f - 0.5f * 0.05f : 1.0f;
		for (size_t k = 0; k < t->size; k++)
			if (m.param_mem[t->offset + k] != before[t->offset + k] * factor) {
				fprintf(stderr, "%s[%zu]\n", t->name, k);
				CHECK(0);
				break;
			}
		int is_linear_weight = t->ndim >= 2 && strstr(t->name, "token") == NULL &&
				       strstr(t->name, "pos_embed") == NULL;
		CHECK_EQ(t->decay, is_linear_weight);
	}
	free(before);
	adamw_free(&opt, &m);
	mae_model_free(&m);
}

static void lr_warms_up_then_follows_a_cosine(void)
{
	CHECK(lr_schedule(0, 100, 10, 1.0, 0.0) == 0.0);
	CHECK(fabs(lr_schedule(5, 100, 10, 1.0, 0.0) - 0.5) < 1e-12);
	CHECK(fabs(lr_schedule(10, 100, 10, 1.0, 0.0) - 1.0) < 1e-12);
	CHECK(fabs(lr_schedule(55, 100, 10, 1.0, 0.1) - 0.55) < 1e-12);
	CHECK(fabs(lr_schedule(100, 100, 10, 1.0, 0.1) - 0.1) < 1e-12);
}

static void clipping_scales_to_the_norm(void)
{
	mae_model m;
	CHECK_EQ(mae_model_init(&m, &tiny, backend_cpu()), 0);
	mae_model_zero_grad(&m);
	m.grads.cls_token[0] = 3;
	m.grads.pred_b[1] = 4;
	CHECK(fabs(clip_grad_norm(&m, 10) - 5) < 1e-9);
	CHECK(m.grads.cls_token[0] == 3);
	CHECK(fabs(clip_grad_norm(&m, 1) - 5) < 1e-9);
	CHECK(fabs(m.grads.cls_token[0] - 0.6) < 1e-6 && fabs(m.grads.pred_b[1] - 0.8) < 1e-6);
	mae_model_free(&m);
}

int main(void)
{
	RUN(round_trip_is_exact);
	RUN(bad_files_are_clear_errors);
	RUN(non_finite_values_are_refused);
	RUN(a_huge_config_allocates_nothing);
	RUN(adamw_decays_linear_weights_only);
	RUN(lr_warms_up_then_follows_a_cosine);
	RUN(clipping_scales_to_the_norm);
	return check_exit();
}
