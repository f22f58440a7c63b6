/* The MAE model: the state_dict table, the sin-cos position embeddings, and
 * the hand-written backward pass against central finite differences of the
 * loss, tensor by tensor, on a tiny config with ragged masks; a batch equals
 * its images taken one at a time; results do not depend on threads, and
 * inference's not on the batch either. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "common/err.h"
#include "mae/mae_model.h"
#include "common/rng.h"

/* 8x8 pixels, 2 channels, 2x2 patches: 16 patches of 8 values */
static const mae_config tiny = {8, 2, 2, 8, 2, 2, 12, 1, 3, 4, 0, 0, {0}, {0}};
enum { N_IMG = 3, L = 16, PX = 8 * 8 * 2 };
static uint8_t pixels[N_IMG][PX];
/* image 0 hides 12 patches, image 1 five, image 2 all 16 (its encoder
 * sees the cls token alone) */
static uint8_t masks[N_IMG][2] = {{0xff, 0x0f}, {0x25, 0x06}, {0xff, 0xff}};

static void make_images(void)
{
	rng g;
	rng_seed(&g, 3, 0);
	for (int i = 0; i < N_IMG; i++)
		for (int k = 0; k < PX; k++)
			pixels[i][k] = (uint8_t)rng_below(&g, 256);
}

static double batch_loss(mae_model *m, mae_batch *b, int first, int n)
{
	const uint8_t *px[N_IMG], *mk[N_IMG];
	for (int i = 0; i < n; i++) {
		px[i] = pixels[first + i];
		mk[i] = masks[first + i];
	}
	double loss = -1;
	if (mae_batch_build(b, &m->cfg, px, mk, n, 0) < 0 || mae_model_forward(m, b, &loss) < 0)
		fprintf(stderr, "forward: %s\n", err_msg());
	return loss;
}

static void layout_is_models_mae_state_dict(void)
{
	mae_config cfg;
	CHECK_EQ(mae_config_named(&cfg, "fmnist"), 0);
	mae_layout l;
	CHECK_EQ(mae_layout_make(&l, &cfg), 0);
	/* 4 + 12 per block + 2 + 2 + 2 + 12 per decoder block + 2 + 2 */
	CHECK_EQ(l.n_tensors, 4 + 12 * 6 + 2 + 4 + 12 * 2 + 4);
	const mae_tensor *t = mae_layout_find(&l, "patch_embed.proj.weight");
	CHECK(t && t->ndim == 4 && t->shape[0] == 192 && t->shape[1] == 1 && t->shape[2] == 4 &&
	      t->shape[3] == 4 && t->decay);
	t = mae_layout_find(&l, "blocks.5.attn.qkv.weight");
	CHECK(t && t->ndim == 2 && t->shape[0] == 576 && t->shape[1] == 192);
	t = mae_layout_find(&l, "decoder_blocks.1.mlp.fc2.weight");
	CHECK(t && t->shape[0] == 128 && t->shape[1] == 512);
	t = mae_layout_find(&l, "decoder_pos_embed");
	CHECK(t && t->ndim == 3 && t->shape[1] == 50 && t->shape[2] == 128 && !t->trainable);
	t = mae_layout_find(&l, "decoder_pred.weight");
	CHECK(t && t->shape[0] == 16 && t->shape[1] == 128);
	t = mae_layout_find(&l, "blocks.0.norm1.bias");
	CHECK(t && !t->decay && t->trainable);
	CHECK(mae_layout_find(&l, "blocks.6.norm1.bias") == NULL);
	mae_layout_free(&l);
}

static void pos_embed_is_sincos_with_column_first(void)
{
	/* dim 8, grid 3: patch (row 1, col 2) is token 1 + 5; per axis 4
	 * values, omega = 1, 1/100 */
	float e[10 * 8];
	mae_sincos_pos_embed(e, 8, 3);
	const float *row = e + 6 * 8;
	const double want[8] = {sin(2), sin(0.02), cos(2), cos(0.02),
				sin(1), sin(0.01), cos(1), cos(0.01)};
	for (int i = 0; i < 8; i++)
		CHECK(fabs(row[i] - want[i]) < 1e-6);
	for (int i = 0; i < 8; i++)
		CHECK(e[i] == 0);
}

/* The loss along direction u of one tensor, by central differences,
 * against the backward pass's gradient . u */
static void check_tensor(mae_model *m, mae_batch *b, const mae_tensor *t, const float *grads,
			 float *params)
{
	rng g;
	rng_seed(&g, 11, t->offset);
	float *u = malloc(t->size * sizeof(float));
	double norm = 0, analytic = 0;
	for (size_t k = 0; k < t->size; k++) {
		u[k] = (float)(2 * rng_uniform(&g) - 1);
		norm += (double)u[k] * u[k];
	}
	for (size_t k = 0; k < t->size; k++) {
		u[k] /= (float)sqrt(norm);
		analytic += (double)u[k] * grads[t->offset + k];
	}
	const double h = 3e-3;
	float *x = params + t->offset;
	for (size_t k = 0; k < t->size; k++)
		x[k] += (float)(h * u[k]);
	double up = batch_loss(m, b, 0, N_IMG);
	for (size_t k = 0; k < t->size; k++)
		x[k] -= (float)(2 * h * u[k]);
	double down = batch_loss(m, b, 0, N_IMG);
	for (size_t k = 0; k < t->size; k++)
		x[k] += (float)(h * u[k]);
	double numeric = (up - down) / (2 * h);
	if (fabs(numeric - analytic) > 2e-3 * fabs(analytic) + 2e-4) {
		fprintf(stderr, "%s: gradient . u %.6g, differences %.6g\n", t->name, analytic,
			numeric);
		CHECK(0);
	}
	free(u);
}

static void gradients_match_differences(int norm_pix)
{
	mae_config cfg = tiny;
	cfg.norm_pix_loss = norm_pix;
	mae_model m;
	mae_batch b;
	mae_batch_init(&b);
	CHECK_EQ(mae_model_init(&m, &cfg, backend_cpu()), 0);
	CHECK_EQ(mae_model_init_weights(&m, 5), 0);
	/* the reference init leaves the position-free parts near-symmetric;
	 * jitter every parameter so each gradient is generic */
	rng g;
	rng_seed(&g, 9, 0);
	for (size_t k = 0; k < m.layout.n_floats; k++)
		m.param_mem[k] += (float)(0.2 * (rng_uniform(&g) - 0.5));
	double loss = batch_loss(&m, &b, 0, N_IMG);
	CHECK(loss > 0 && isfinite(loss));
	mae_model_zero_grad(&m);
	mae_model_backward(&m);
	float *grads = malloc(m.layout.n_floats * sizeof(float));
	memcpy(grads, m.grad_mem, m.layout.n_floats * sizeof(float));
	int checked = 0;
	for (int i = 0; i < m.layout.n_tensors; i++) {
		const mae_tensor *t = &m.layout.tensors[i];
		if (!t->trainable) {
			/* the fixed position embeddings get no gradient */
			for (size_t k = 0; k < t->size; k++)
				CHECK(grads[t->offset + k] == 0);
			continue;
		}
		check_tensor(&m, &b, t, grads, m.param_mem);
		checked++;
	}
	CHECK_EQ(checked, m.layout.n_tensors - 2);
	free(grads);
	mae_batch_free(&b);
	mae_model_free(&m);
}

static void gradients_match_differences_pixels(void)
{
	gradients_match_differences(0);
}

static void gradients_match_differences_norm_pix(void)
{
	gradients_match_differences(1);
}

/* The batch loss is the hidden-count-weighted mean of the images' losses,
 * and so are the gradients: no image sees another through padding. */
static void ragged_batch_equals_images_alone(void)
{
	mae_model m;
	mae_batch b;
	mae_batch_init(&b);
	CHECK_EQ(mae_model_init(&m, &tiny, backend_cpu()), 0);
	CHECK_EQ(mae_model_init_weights(&m, 6), 0);
	size_t n = m.layout.n_floats;
	double *sum_grads = calloc(n, sizeof(double)), sum_loss = 0;
	int hidden[N_IMG] = {12, 5, 16}, total = 33;
	for (int i = 0; i < N_IMG; i++) {
		double loss = batch_loss(&m, &b, i, 1);
		CHECK_EQ(b.n_hidden, hidden[i]);
		sum_loss += loss * hidden[i] / total;
		mae_model_zero_grad(&m);
		mae_model_backward(&m);
		for (size_t k = 0; k < n; k++)
			sum_grads[k] += (double)m.grad_mem[k] * hidden[i] / total;
	}
	double loss = batch_loss(&m, &b, 0, N_IMG);
	/* Not bit for bit: training's GEMMs take the whole batch, and a BLAS
	 * rounds a row differently with the row count of the call. Each output
	 * of a sum of k <= 48 products is within about sqrt(k) 2^-24 of its
	 * scale (errors of either sign), a few 1e-7; the loss, a mean of such
	 * squares summed in double, keeps that relative size (1e-6 allows it),
	 * and the gradients, through the dozen layers back, may grow it tenfold
	 * (1e-5 of the largest). Measured on the Zen, Haswell, Sandybridge and
	 * Prescott kernels: at most 2e-8 and 3e-7. */
	mae_model_zero_grad(&m);
	mae_model_backward(&m);
	double max_err = 0, max_grad = 0;
	for (size_t k = 0; k < n; k++) {
		max_err = fmax(max_err, fabs(m.grad_mem[k] - sum_grads[k]));
		max_grad = fmax(max_grad, fabs(sum_grads[k]));
	}
	printf("batch against images alone: loss %.3g, gradients %.3g (relative)\n",
	       fabs(loss - sum_loss) / sum_loss, max_err / max_grad);
	CHECK(fabs(loss - sum_loss) < 1e-6 * sum_loss);
	CHECK(max_err < 1e-5 * max_grad);
	free(sum_grads);
	mae_batch_free(&b);
	mae_model_free(&m);
}

/* A batch large enough that every loop, GEMM and attention is shared
 * between threads: loss and gradients must not change by a bit. */
static void threads_do_not_change_results(void)
{
	const mae_config cfg = {28, 1, 4, 64, 1, 2, 64, 1, 2, 4, 1, 0, {0}, {0}};
	enum { B = 16, N_PX = 28 * 28 };
	static uint8_t px[B][N_PX], mk[B][7];
	const uint8_t *pxs[B], *mks[B];
	rng g;
	rng_seed(&g, 4, 0);
	for (int i = 0; i < B; i++) {
		for (int k = 0; k < N_PX; k++)
			px[i][k] = (uint8_t)rng_below(&g, 256);
		for (int k = 0; k < 7; k++)
			mk[i][k] = (uint8_t)rng_below(&g, 256);
		pxs[i] = px[i];
		mks[i] = mk[i];
	}
	mae_model m;
	mae_batch b;
	mae_batch_init(&b);
	CHECK_EQ(mae_model_init(&m, &cfg, backend_cpu()), 0);
	CHECK_EQ(mae_model_init_weights(&m, 7), 0);
	CHECK_EQ(mae_batch_build(&b, &cfg, pxs, mks, B, 0), 0);
	size_t n = m.layout.n_floats;
	float *grads[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
	double loss[2];
	for (int threads = 1; threads <= 2; threads++) {
		m.be->set_threads(threads);
		CHECK_EQ(mae_model_forward(&m, &b, &loss[threads - 1]), 0);
		mae_model_zero_grad(&m);
		mae_model_backward(&m);
		memcpy(grads[threads - 1], m.grad_mem, n * sizeof(float));
	}
	m.be->set_threads(1);
	CHECK(loss[0] == loss[1]);
	CHECK(memcmp(grads[0], grads[1], n * sizeof(float)) == 0);
	free(grads[0]);
	free(grads[1]);
	mae_batch_free(&b);
	mae_model_free(&m);
}

/* Inference (mae_model_embed, mae_model_predict): an image's embedding and
 * predicted pixels are the same bit for bit alone, in batches of 3 and in
 * one batch of 7, on 1 or 2 threads. The masks hide 0 to 16 patches, some
 * images as many as their neighbours (GEMMs shared as one strided batch),
 * some not; the MLP is 36 wide, so the GELU's last elements are not a
 * whole vector. */
static void inference_does_not_depend_on_the_batch(void)
{
	const mae_config cfg = {8, 2, 2, 12, 2, 2, 12, 1, 3, 3, 0, 0, {0}, {0}};
	enum { B = 7, K = 8 };
	static const uint8_t mk[B][2] = {{0xff, 0x0f}, {0x25, 0x06}, {0x52, 0x60},
					 {0xff, 0xff}, {0x00, 0x00}, {0x0f, 0x0f}, {0xf0, 0x0f}};
	uint8_t px[B][PX];
	rng g;
	rng_seed(&g, 9, 0);
	for (int i = 0; i < B; i++)
		for (int k = 0; k < PX; k++)
			px[i][k] = (uint8_t)rng_below(&g, 256);
	mae_model m;
	mae_batch b;
	mae_batch_init(&b);
	CHECK_EQ(mae_model_init(&m, &cfg, backend_cpu()), 0);
	CHECK_EQ(mae_model_init_weights(&m, 8), 0);
	/* per image: embedding (cls, mean) and every patch predicted */
	enum { PER_IMAGE = 2 * 12 + L * K };
	static float want[B][PER_IMAGE], got[B][PER_IMAGE];
	const int sizes[] = {1, 3, B};
	for (int threads = 1; threads <= 2; threads++)
		for (int si = 0; si < 3; si++) {
			m.be->set_threads(threads);
			float (*out)[PER_IMAGE] = threads == 1 && si == 0 ? want : got;
			for (int first = 0; first < B; first += sizes[si]) {
				int n = B - first < sizes[si] ? B - first : sizes[si];
				const uint8_t *pxs[B], *mks[B];
				float emb[B * 12], pred[B * L * K];
				for (int i = 0; i < n; i++)
					pxs[i] = px[first + i], mks[i] = mk[first + i];
				for (int pool = 0; pool < 2; pool++) {
					CHECK_EQ(mae_batch_build(&b, &cfg, pxs, NULL, n, 0), 0);
					CHECK_EQ(mae_model_embed(&m, &b, pool ? MAE_POOL_MEAN : MAE_POOL_CLS,
								 emb), 0);
					for (int i = 0; i < n; i++)
						memcpy(out[first + i] + pool * 12, emb + i * 12, 12 * 4);
				}
				CHECK_EQ(mae_batch_build(&b, &cfg, pxs, mks, n, 1), 0);
				CHECK_EQ(mae_model_predict(&m, &b, pred), 0);
				for (int i = 0; i < n; i++)
					memcpy(out[first + i] + 24, pred + (size_t)i * L * K, L * K * 4);
			}
			if (out == want)
				continue;
			int same = memcmp(got, want, sizeof want) == 0;
			printf("batches of %d, %d threads: %s as alone\n", sizes[si], threads,
			       same ? "the same" : "NOT the same");
			CHECK(same);
		}
	m.be->set_threads(1);
	mae_batch_free(&b);
	mae_model_free(&m);
}

int main(void)
{
	make_images();
	RUN(layout_is_models_mae_state_dict);
	RUN(pos_embed_is_sincos_with_column_first);
	RUN(gradients_match_differences_pixels);
	RUN(gradients_match_differences_norm_pix);
	RUN(ragged_batch_equals_images_alone);
	RUN(threads_do_not_change_results);
	RUN(inference_does_not_depend_on_the_batch);
	return check_exit();
}
