/* The CUDA backend against the CPU backend: every operation on random
 * inputs whose sizes are not multiples of the block sizes (within 1e-5
 * relative), and a whole training step of a tiny config (loss and
 * gradients within 1e-4 relative, updated weights within a bound derived
 * from AdamW's first step: weights_within_bound). By default the backend under
 * test is the emulation build (the same kernels compiled for the host,
 * lib/kernels/cuda/cuda_emu.h); with MASKPIPE_PARITY_DEVICE=cuda (`make
 * test-gpu`) it is the real one, and the test skips, saying so, when there
 * is no device. Then, on both backends, the batches prefetched ahead by the
 * training and inference loops (their upload beside the computing) give
 * byte for byte the results of batches uploaded when they are used, and
 * on the emulation the copies took the asynchronous path: queued on the
 * copy stream from page-locked memory, the compute stream waiting for them
 * (the emulated copy stream runs its copies only then, so a missing wait
 * reads stale inputs).
 *
 * Relative error is normwise, max |got - want| / max |want| over a tensor:
 * float32 results that cancel to near zero (GELU of -4, a normalised
 * value near its bias) carry the rounding of the larger terms they came
 * from, which element-wise ratios would blow up; the sums of the two
 * backends run in different orders, so they differ by such rounding. */
#include <math.h>
#include <stdlib.h>

#include "kernels/backend.h"
#include "check.h"
#include "kernels/cuda/cuda_emu_counts.h"
#include "common/err.h"
#include "mae/mae_infer.h"
#include "mae/mae_train.h"
#include "image/patch_grid.h"
#include "common/rng.h"

/* the emulation object linked into this test alone (Makefile) */
const backend *backend_cuda_emu(void);

static const backend *gpu, *cpu;
static int gpu_is_real;

static void fill(float *x, size_t n, uint64_t stream)
{
	rng g;
	rng_seed(&g, 11, stream);
	for (size_t i = 0; i < n; i++)
		x[i] = (float)(2 * rng_uniform(&g) - 1);
}

static float *host_random(size_t n, uint64_t stream)
{
	float *x = malloc((n ? n : 1) * sizeof(float));
	fill(x, n, stream);
	return x;
}

/* a copy of host in the backend under test */
static void *on_gpu(const void *host, size_t n_bytes)
{
	void *d = gpu->alloc(n_bytes);
	if (!d) {
		fprintf(stderr, "alloc: %s\n", err_msg());
		exit(1);
	}
	gpu->upload(d, host, n_bytes);
	return d;
}

static float *from_gpu(const float *d, size_t n)
{
	float *h = malloc((n ? n : 1) * sizeof(float));
	gpu->download(h, d, n * sizeof(float));
	return h;
}

static double max_rel_error(const float *got, const float *want, size_t n)
{
	double scale = 0, worst = 0;
	for (size_t i = 0; i < n; i++) {
		double e = fabs((double)got[i] - want[i]);
		scale = fmax(scale, fabs(want[i]));
		worst = e <= worst ? worst : isnan(e) ? INFINITY : e;
	}
	return worst == 0 ? 0 : worst / scale;
}

/* compares got (backend memory of the backend under test) with want (host,
 * from the CPU backend), prints the figure, frees got */
static void agree(const char *what, float *got, const float *want, size_t n, double tol)
{
	float *host = from_gpu(got, n);
	double e = max_rel_error(host, want, n);
	printf("%-28s max relative error %.3g\n", what, e);
	if (!(e <= tol)) {
		fprintf(stderr, "%s: max relative error %g > %g\n", what, e, tol);
		CHECK(0);
	}
	free(host);
	gpu->free(got);
}

/* Each backend's sum of k products carries rounding of at most k 2^-24 of
 * the sum of their sizes (Higham's gamma_k), in practice about sqrt(k)
 * 2^-24 (errors of either sign): for these k <= 100 and values in [-1, 1],
 * some 1e-6 of the largest output on every kernel tried, 1e-5 leaving a
 * factor ten, still far below any real fault (a wrong index or operand is
 * of the order of the values themselves). */
#define KERNEL_TOL 1e-5

static void gemms_in_every_transposition(void)
{
	enum { M = 37, N = 29, K = 45, LD = 50 };
	float *a = host_random(LD * LD, 1), *b = host_random(LD * LD, 2);
	float *c0 = host_random(LD * LD, 3), *want = malloc(LD * LD * sizeof(float));
	float *da = on_gpu(a, LD * LD * 4), *db = on_gpu(b, LD * LD * 4);
	for (int t = 0; t < 4; t++) {
		int ta = t & 1, tb = t >> 1;
		memcpy(want, c0, LD * LD * 4);
		cpu->gemm(ta, tb, M, N, K, 0.5f, a, LD, b, LD, 1.5f, want, LD);
		float *dc = on_gpu(c0, LD * LD * 4);
		gpu->gemm(ta, tb, M, N, K, 0.5f, da, LD, db, LD, 1.5f, dc, LD);
		char what[32];
		snprintf(what, sizeof what, "gemm %c%c", ta ? 'T' : 'N', tb ? 'T' : 'N');
		agree(what, dc, want, LD * LD, KERNEL_TOL);
	}
	/* three heads side by side in a row, as attention reads q, k and v */
	enum { HD = 7, H = 3 };
	float *want_s = calloc(H * M * M, sizeof(float));
	cpu->gemm_strided(0, 1, M, M, HD, 0.25f, a, LD, HD, b, LD, HD, 0.0f, want_s, M, M * M, H);
	float *ds = gpu->alloc(H * M * M * sizeof(float));
	gpu->gemm_strided(0, 1, M, M, HD, 0.25f, da, LD, HD, db, LD, HD, 0.0f, ds, M, M * M, H);
	agree("gemm_strided", ds, want_s, H * M * M, KERNEL_TOL);
	gpu->free(da);
	gpu->free(db);
	free(a), free(b), free(c0), free(want), free(want_s);
}

/* bf16: both backends round the same operands the same way (round to
 * nearest even, the shim as __float2bfloat16_rn does), so their GEMMs
 * differ by the order of the float32 sums alone: KERNEL_TOL again. */
static void bf16_gemms_in_every_transposition(void)
{
	cpu->set_precision(BACKEND_BF16);
	gpu->set_precision(BACKEND_BF16);
	gemms_in_every_transposition();
	cpu->set_precision(BACKEND_FP32);
	gpu->set_precision(BACKEND_FP32);
}

static void rows_bias_scale_and_sums(void)
{
	enum { ROWS = 45, COLS = 131, N = ROWS * COLS };
	float *src = host_random(N, 4), *dst0 = host_random(N, 5), *row = host_random(COLS, 6);
	int32_t to[ROWS], from[ROWS], repeat[ROWS];
	for (int i = 0; i < ROWS; i++) {
		to[i] = (i * 7) % ROWS;
		from[i] = ROWS - 1 - i;
		repeat[i] = i % 3;
	}
	float *dsrc = on_gpu(src, N * 4), *drow = on_gpu(row, COLS * 4);
	int32_t *dto = on_gpu(to, sizeof to), *dfrom = on_gpu(from, sizeof from);
	int32_t *drepeat = on_gpu(repeat, sizeof repeat);
	float *want = malloc(N * 4);
	for (int accumulate = 0; accumulate < 2; accumulate++) {
		const int32_t *idx = accumulate ? repeat : to, *didx = accumulate ? drepeat : dto;
		memcpy(want, dst0, N * 4);
		cpu->copy_rows(want, idx, src, from, ROWS, COLS, accumulate);
		float *d = on_gpu(dst0, N * 4);
		gpu->copy_rows(d, didx, dsrc, dfrom, ROWS, COLS, accumulate);
		agree(accumulate ? "copy_rows accumulate" : "copy_rows", d, want, N, KERNEL_TOL);
	}
	for (int with_base = 0; with_base < 2; with_base++) {
		cpu->set_rows(want, with_base ? src : NULL, row, ROWS, COLS);
		float *d = gpu->alloc(N * 4);
		gpu->set_rows(d, with_base ? dsrc : NULL, drow, ROWS, COLS);
		agree(with_base ? "set_rows base" : "set_rows", d, want, N, KERNEL_TOL);
	}
	memcpy(want, row, COLS * 4);
	cpu->bias_backward(want, src, ROWS, COLS);
	float *d = on_gpu(row, COLS * 4);
	gpu->bias_backward(d, dsrc, ROWS, COLS);
	agree("bias_backward", d, want, COLS, KERNEL_TOL);

	memcpy(want, src, N * 4);
	cpu->scale(want, -0.75f, N);
	d = on_gpu(src, N * 4);
	gpu->scale(d, -0.75f, N);
	agree("scale", d, want, N, KERNEL_TOL);

	/* more than the first pass's grid covers in one sweep */
	enum { BIG = 100003 };
	float *x = host_random(BIG, 7), *dx = on_gpu(x, BIG * 4);
	double got = gpu->sum_squares(dx, BIG), sum = cpu->sum_squares(x, BIG);
	printf("%-28s relative error %.3g\n", "sum_squares", fabs(got - sum) / sum);
	CHECK(fabs(got - sum) <= 1e-12 * sum);
	gpu->free(dx);
	free(x);
	gpu->free(dsrc), gpu->free(drow), gpu->free(dto), gpu->free(dfrom), gpu->free(drepeat);
	free(src), free(dst0), free(row), free(want);
}

/* row widths below, between and above the row kernels' 64 threads */
static const int widths[] = {7, 65, 300};

static void layernorm_forward_and_backward(void)
{
	enum { ROWS = 13, MAX = 13 * 300 };
	for (int wi = 0; wi < 3; wi++) {
		int cols = widths[wi], n = ROWS * cols;
		float *x = host_random(MAX, 8), *w = host_random(300, 9), *b = host_random(300, 10);
		float *dy = host_random(MAX, 11), *dx0 = host_random(MAX, 12);
		float *y = malloc(MAX * 4), *mean = malloc(ROWS * 4), *rstd = malloc(ROWS * 4);
		float *dx = malloc(MAX * 4), *dw = malloc(300 * 4), *db = malloc(300 * 4);
		cpu->layernorm_forward(y, mean, rstd, x, w, b, ROWS, cols, 1e-6f);
		memcpy(dx, dx0, n * 4);
		memcpy(dw, w, cols * 4);
		memcpy(db, b, cols * 4);
		cpu->layernorm_backward(dx, dw, db, dy, x, w, mean, rstd, ROWS, cols);

		float *gx = on_gpu(x, n * 4), *gw = on_gpu(w, cols * 4), *gb = on_gpu(b, cols * 4);
		float *gy = gpu->alloc(n * 4), *gmean = gpu->alloc(ROWS * 4);
		float *grstd = gpu->alloc(ROWS * 4), *gdy = on_gpu(dy, n * 4);
		float *gdx = on_gpu(dx0, n * 4), *gdw = on_gpu(w, cols * 4), *gdb = on_gpu(b, cols * 4);
		gpu->layernorm_forward(gy, gmean, grstd, gx, gw, gb, ROWS, cols, 1e-6f);
		gpu->layernorm_backward(gdx, gdw, gdb, gdy, gx, gw, gmean, grstd, ROWS, cols);
		agree("layernorm_forward", gy, y, n, KERNEL_TOL);
		agree("layernorm_forward mean", gmean, mean, ROWS, KERNEL_TOL);
		agree("layernorm_forward rstd", grstd, rstd, ROWS, KERNEL_TOL);
		agree("layernorm_backward dinp", gdx, dx, n, KERNEL_TOL);
		agree("layernorm_backward dw", gdw, dw, cols, KERNEL_TOL);
		agree("layernorm_backward db", gdb, db, cols, KERNEL_TOL);
		gpu->free(gx), gpu->free(gw), gpu->free(gb), gpu->free(gdy);
		free(x), free(w), free(b), free(dy), free(dx0), free(y), free(mean), free(rstd);
		free(dx), free(dw), free(db);
	}
}

static void gelu_forward_and_backward(void)
{
	enum { N = 1000 };
	float *x = host_random(N, 13), *dy = host_random(N, 14);
	for (int i = 0; i < N; i++)
		x[i] *= 4;
	float *y = malloc(N * 4), *dx = malloc(N * 4);
	cpu->gelu_forward(y, x, N);
	cpu->gelu_backward(dx, x, dy, N);
	float *gx = on_gpu(x, N * 4), *gdy = on_gpu(dy, N * 4);
	float *gy = gpu->alloc(N * 4), *gdx = gpu->alloc(N * 4);
	gpu->gelu_forward(gy, gx, N);
	gpu->gelu_backward(gdx, gx, gdy, N);
	agree("gelu_forward", gy, y, N, KERNEL_TOL);
	agree("gelu_backward", gdx, dx, N, KERNEL_TOL);
	gpu->free(gx), gpu->free(gdy);
	free(x), free(dy), free(y), free(dx);
}

/* The attention tests' packed sequences: 5, 17, 1 and 70 tokens (rows
 * wider than a block), width 16, 2 heads. */
enum { ATT_S = 4, ATT_T = 93, ATT_C = 16, ATT_H = 2 };
static const int att_tokens[ATT_S + 1] = {0, 5, 22, 23, 93};

/* where each sequence's probabilities start in att; their total */
static size_t att_starts(size_t att_offsets[ATT_S + 1])
{
	att_offsets[0] = 0;
	for (int s = 0; s < ATT_S; s++) {
		size_t len = (size_t)(att_tokens[s + 1] - att_tokens[s]);
		att_offsets[s + 1] = att_offsets[s] + ATT_H * len * len;
	}
	return att_offsets[ATT_S];
}

static void attention_forward_and_backward(void)
{
	size_t att_offsets[ATT_S + 1];
	size_t n_att = att_starts(att_offsets);
	float *qkv = host_random(ATT_T * 3 * ATT_C, 15), *dy = host_random(ATT_T * ATT_C, 16);
	float *out = malloc(ATT_T * ATT_C * 4), *att = malloc(n_att * 4);
	float *dqkv = malloc(ATT_T * 3 * ATT_C * 4), *datt = malloc(n_att * 4);
	cpu->attention_forward(out, att, qkv, att_tokens, att_offsets, ATT_S, ATT_C, ATT_H);
	cpu->attention_backward(dqkv, datt, dy, att, qkv, att_tokens, att_offsets, ATT_S, ATT_C,
				ATT_H);
	float *gqkv = on_gpu(qkv, ATT_T * 3 * ATT_C * 4), *gdy = on_gpu(dy, ATT_T * ATT_C * 4);
	float *gout = gpu->alloc(ATT_T * ATT_C * 4), *gatt = gpu->alloc(n_att * 4);
	float *gdqkv = gpu->alloc(ATT_T * 3 * ATT_C * 4), *gdatt = gpu->alloc(n_att * 4);
	gpu->attention_forward(gout, gatt, gqkv, att_tokens, att_offsets, ATT_S, ATT_C, ATT_H);
	gpu->attention_backward(gdqkv, gdatt, gdy, gatt, gqkv, att_tokens, att_offsets, ATT_S, ATT_C,
				ATT_H);
	agree("attention_forward", gout, out, ATT_T * ATT_C, KERNEL_TOL);
	agree("attention_forward att", gatt, att, n_att, KERNEL_TOL);
	agree("attention_backward", gdqkv, dqkv, ATT_T * 3 * ATT_C, KERNEL_TOL);
	gpu->free(gqkv), gpu->free(gdy), gpu->free(gdatt);
	free(qkv), free(dy), free(out), free(att), free(dqkv), free(datt);
}

/* Attention in bf16: q, k and v are rounded alike on both backends, but
 * the probabilities P come from each backend's own float32 softmax, and
 * two values a rounding apart may round to neighbouring bf16 values, one
 * bf16 step (<= 2^-7 |p|) apart. out = sum_j r(P_j) r(v_j) then differs
 * by at most 2^-7 sum_j |P_j| |v_j| <= 2^-7 max |v| (a row of P sums to
 * 1), besides the float32 sums' KERNEL_TOL. */
static void bf16_attention_forward(void)
{
	size_t att_offsets[ATT_S + 1];
	size_t n_att = att_starts(att_offsets);
	float *qkv = host_random(ATT_T * 3 * ATT_C, 17);
	float *out = malloc(ATT_T * ATT_C * 4), *att = malloc(n_att * 4);
	cpu->set_precision(BACKEND_BF16);
	gpu->set_precision(BACKEND_BF16);
	cpu->attention_forward(out, att, qkv, att_tokens, att_offsets, ATT_S, ATT_C, ATT_H);
	float *gqkv = on_gpu(qkv, ATT_T * 3 * ATT_C * 4);
	float *gout = gpu->alloc(ATT_T * ATT_C * 4), *gatt = gpu->alloc(n_att * 4);
	gpu->attention_forward(gout, gatt, gqkv, att_tokens, att_offsets, ATT_S, ATT_C, ATT_H);
	double max_v = 0, scale = 0;
	for (int t = 0; t < ATT_T; t++)
		for (int c = 0; c < ATT_C; c++)
			max_v = fmax(max_v, fabs(qkv[t * 3 * ATT_C + 2 * ATT_C + c]));
	for (int i = 0; i < ATT_T * ATT_C; i++)
		scale = fmax(scale, fabs(out[i]));
	agree("attention_forward bf16", gout, out, ATT_T * ATT_C, 0x1p-7 * max_v / scale + KERNEL_TOL);
	cpu->set_precision(BACKEND_FP32);
	gpu->set_precision(BACKEND_FP32);
	gpu->free(gqkv), gpu->free(gatt);
	free(qkv), free(out), free(att);
}

static void loss_rows(void)
{
	enum { ROWS = 11, MAX = 11 * 300 };
	for (int wi = 0; wi < 3; wi++) {
		int cols = widths[wi], n = ROWS * cols;
		float *t = host_random(MAX, 17), *p = host_random(MAX, 18);
		float *gt = on_gpu(t, n * 4), *gp = on_gpu(p, n * 4);
		float *loss = malloc(ROWS * 4), *dp = malloc(MAX * 4);
		cpu->normalize_rows(t, ROWS, cols, 1e-6f);
		cpu->mse_rows(loss, dp, p, t, 0.3f, ROWS, cols);
		float *gloss = gpu->alloc(ROWS * 4), *gdp = gpu->alloc(n * 4);
		gpu->normalize_rows(gt, ROWS, cols, 1e-6f);
		gpu->mse_rows(gloss, gdp, gp, gt, 0.3f, ROWS, cols);
		agree("normalize_rows", gt, t, n, KERNEL_TOL);
		agree("mse_rows loss", gloss, loss, ROWS, KERNEL_TOL);
		agree("mse_rows dpred", gdp, dp, n, KERNEL_TOL);
		gpu->free(gp);
		free(t), free(p), free(loss), free(dp);
	}
}

static void adamw_steps(void)
{
	enum { N = 1001 };
	float *p = host_random(N, 19), *m = calloc(N, 4), *v = calloc(N, 4);
	float *gp = on_gpu(p, N * 4), *gm = gpu->alloc(N * 4), *gv = gpu->alloc(N * 4);
	for (long step = 1; step <= 3; step++) {
		float *g = host_random(N, 20 + step), *gg = on_gpu(g, N * 4);
		cpu->adamw(p, g, m, v, N, 1e-2f, 0.9f, 0.95f, 1e-8f, 0.05f, step);
		gpu->adamw(gp, gg, gm, gv, N, 1e-2f, 0.9f, 0.95f, 1e-8f, 0.05f, step);
		gpu->free(gg);
		free(g);
	}
	agree("adamw param", gp, p, N, KERNEL_TOL);
	agree("adamw m", gm, m, N, KERNEL_TOL);
	agree("adamw v", gv, v, N, KERNEL_TOL);
	free(p), free(m), free(v);
}

/* memory comes zeroed, and freed memory is reused (one arena) */
static void memory_zero_copy_and_reuse(void)
{
	enum { N = 777 };
	float *x = host_random(N, 30), *zeros = calloc(N, 4);
	float *a = gpu->alloc(N * 4), *b = gpu->alloc(N * 4);
	agree("alloc zeroes", a, zeros, N, 0);
	a = gpu->alloc(N * 4);
	gpu->upload(a, x, N * 4);
	gpu->copy(b, a, N * 4);
	agree("copy", b, x, N, 0);
	gpu->zero(a, N * 4);
	agree("zero", a, zeros, N, 0);
	float *again = gpu->alloc(N * 4);
	CHECK(again == a);
	gpu->free(again);
	free(x), free(zeros);
}

/* the tiny config of test_mae.c, three images with ragged masks, one
 * image hiding every patch */
static const mae_config tiny = {8, 2, 2, 8, 2, 2, 12, 1, 3, 4, 0, 0, {0}, {0}};
enum { N_IMG = 3, PX = 8 * 8 * 2 };
/* steps of lr = 0.006, large against the tiny model's weights */
#define BLR 0.5

static void train_step(const backend *be, const mae_config *cfg, uint8_t px[][PX],
		       const uint8_t (*mk)[2], double *loss, float *grads, float *params)
{
	mae_trainer t;
	memset(&t, 0, sizeof t);
	mae_train_opts o = {.batch = N_IMG, .blr = BLR, .warmup = 0, .total = 10, .clip = 1.0};
	mae_trainer_init(&t, &o);
	CHECK_EQ(mae_model_init(&t.model, cfg, be), 0);
	CHECK_EQ(mae_model_init_weights(&t.model, 5), 0);
	CHECK_EQ(adamw_init(&t.opt, &t.model), 0);
	const uint8_t *pxs[N_IMG], *mks[N_IMG];
	for (int i = 0; i < N_IMG; i++)
		pxs[i] = px[i], mks[i] = mk[i];
	mae_step_info info;
	CHECK_EQ(mae_trainer_step(&t, pxs, mks, N_IMG, &info), 0);
	*loss = info.loss;
	size_t n = t.model.layout.n_floats;
	be->download(grads, t.model.grad_mem, n * sizeof(float));
	be->download(params, t.model.param_mem, n * sizeof(float));
	mae_trainer_free(&t);
}

/* The weights after one AdamW step, where the two backends' gradients of
 * a tensor differ by at most noise (the largest difference over the
 * tensor): true when each weight's difference is within its bound, and
 * sets *n_firm to the weights whose gradient is above the noise floor.
 *
 * The bound, in units of the step's lr. On the first step m = (1 - b1) g
 * and v = (1 - b2) g^2, so after the bias corrections the step is
 * lr g / (|g| + eps) = lr sign(g) (1 - e), 0 <= e <= eps / |g|: about lr
 * whatever the size of g. A gradient that is rounding noise (the key
 * bias's is zero in exact arithmetic: softmax ignores a shift of a row of
 * scores, and q b_k^T is one; it comes out as ~1e-11 of either sign)
 * therefore moves its weight by lr in a direction the rounding of each
 * backend decides: the two may differ by 2 lr there. Where |g_cpu| >= 2
 * noise, the two gradients have the same sign and |g_gpu| >= |g_cpu| / 2,
 * so the steps differ by at most lr 2 eps / |g_cpu| (from e), plus their
 * rounding: about ten float operations (m, v, the square root, the bias
 * corrections, eps, the division, the step size), each within 2^-24
 * relative, on each backend: 20 2^-24 lr. The new weight p (1 - lr wd) -
 * step is rounded by each backend in two or three operations on values of
 * at most |p'| + lr: 8 2^-24 (|p'| + lr) for the two. */
static int weights_within_bound(const float *got, const float *want, const float *g_got,
				const float *g_want, size_t n, double lr, double eps,
				size_t *n_firm, double *worst)
{
	const double u = 0x1p-24;
	double noise = 0;
	for (size_t k = 0; k < n; k++)
		noise = fmax(noise, fabs((double)g_got[k] - g_want[k]));
	int ok = 1;
	for (size_t k = 0; k < n; k++) {
		double g = fabs(g_want[k]);
		int firm = g >= 2 * noise && g > 0;
		double sign_part = firm ? 2 * eps / g : 2;
		double bound = lr * (sign_part + 20 * u) + 8 * u * (fabs(want[k]) + lr);
		double diff = fabs((double)got[k] - want[k]);
		*n_firm += firm;
		if (firm)
			*worst = fmax(*worst, diff / lr);
		ok &= diff <= bound;
	}
	return ok;
}

static void training_step_matches_cpu(int norm_pix)
{
	static uint8_t px[N_IMG][PX];
	static const uint8_t mk[N_IMG][2] = {{0xff, 0x0f}, {0x25, 0x06}, {0xff, 0xff}};
	rng g;
	rng_seed(&g, 3, 0);
	for (int i = 0; i < N_IMG; i++)
		for (int k = 0; k < PX; k++)
			px[i][k] = (uint8_t)rng_below(&g, 256);
	mae_config cfg = tiny;
	cfg.norm_pix_loss = norm_pix;
	mae_layout l;
	CHECK_EQ(mae_layout_make(&l, &cfg), 0);
	size_t n = l.n_floats;
	float *grads[2] = {malloc(n * 4), malloc(n * 4)}, *params[2] = {malloc(n * 4), malloc(n * 4)};
	double loss[2];
	train_step(cpu, &cfg, px, mk, &loss[0], grads[0], params[0]);
	train_step(gpu, &cfg, px, mk, &loss[1], grads[1], params[1]);
	double loss_err = fabs(loss[1] - loss[0]) / fabs(loss[0]);
	/* the lr of the step (no warmup: the schedule's first value) and
	 * AdamW's eps, as adamw_init sets it */
	const double lr = BLR * N_IMG / 256.0, eps = 1e-8;
	double grad_err = 0, worst_firm = 0;
	size_t n_firm = 0;
	int weights_ok = 1;
	for (int i = 0; i < l.n_tensors; i++) {
		const mae_tensor *t = &l.tensors[i];
		grad_err = fmax(grad_err, max_rel_error(grads[1] + t->offset, grads[0] + t->offset,
							t->size));
		weights_ok &= weights_within_bound(params[1] + t->offset, params[0] + t->offset,
						   grads[1] + t->offset, grads[0] + t->offset,
						   t->size, lr, eps, &n_firm, &worst_firm);
	}
	mae_layout_free(&l);
	/* Loss and gradients: the same rounding as KERNEL_TOL, through the
	 * dozen layers of the tiny model in sequence, each passing its input's
	 * error on, measured at ~1e-6 on every kernel; 1e-4 leaves room for
	 * that growth and is still far below a real fault. */
	printf("training step%s: loss %.3g, gradients %.3g (max relative errors); weights with "
	       "a gradient above its noise %zu of %zu, differing by up to %.3g lr: %s\n",
	       norm_pix ? " (norm_pix_loss)" : "", loss_err, grad_err, n_firm, n, worst_firm,
	       weights_ok ? "within their bounds" : "NOT within their bounds");
	CHECK(loss_err <= 1e-4);
	CHECK(grad_err <= 1e-4);
	CHECK(weights_ok);
	free(grads[0]), free(grads[1]), free(params[0]), free(params[1]);
}

static void training_step_matches_cpu_pixels(void)
{
	training_step_matches_cpu(0);
}

static void training_step_matches_cpu_norm_pix(void)
{
	training_step_matches_cpu(1);
}

/* Prefetching: three steps (the third batch is staged while the second
 * waits), three images each with masks of their own */
enum { N_STEPS = 3 };
static uint8_t ahead_px[N_STEPS][N_IMG][PX], ahead_mk[N_STEPS][N_IMG][2];

static void make_ahead_batches(void)
{
	rng g;
	rng_seed(&g, 8, 0);
	for (int s = 0; s < N_STEPS; s++)
		for (int i = 0; i < N_IMG; i++) {
			for (int k = 0; k < PX; k++)
				ahead_px[s][i][k] = (uint8_t)rng_below(&g, 256);
			/* 6 to 10 of the 16 patches hidden */
			ahead_mk[s][i][0] = (uint8_t)(0x3f << (s + i) % 3);
			ahead_mk[s][i][1] = (uint8_t)(rng_below(&g, 16) << 4);
		}
}

/* how the emulation's counts grew since *before (then updated) */
static cuda_emu_counts counted_since(cuda_emu_counts *before)
{
	cuda_emu_counts now = cuda_emu_counted, d = {
		now.queued_copies - before->queued_copies,
		now.pageable_copies - before->pageable_copies,
		now.copy_waits - before->copy_waits,
		now.compute_waits - before->compute_waits,
		now.host_allocs - before->host_allocs,
	};
	*before = now;
	return d;
}

/* N_STEPS steps on be, each batch uploaded when used or prefetched a step
 * ahead: the losses, the weights, and the emulation's counts of the steps */
static cuda_emu_counts train_steps(const backend *be, int prefetch, double *losses,
				   float *params)
{
	cuda_emu_counts before = cuda_emu_counted;
	mae_config cfg = tiny;
	cfg.norm_pix_loss = 1;
	mae_trainer t;
	memset(&t, 0, sizeof t);
	mae_train_opts o = {.batch = N_IMG, .blr = BLR, .warmup = 1, .total = N_STEPS};
	mae_trainer_init(&t, &o);
	CHECK_EQ(mae_model_init(&t.model, &cfg, be), 0);
	CHECK_EQ(mae_model_init_weights(&t.model, 5), 0);
	CHECK_EQ(adamw_init(&t.opt, &t.model), 0);
	const uint8_t *pxs[N_STEPS][N_IMG], *mks[N_STEPS][N_IMG];
	for (int s = 0; s < N_STEPS; s++)
		for (int i = 0; i < N_IMG; i++)
			pxs[s][i] = ahead_px[s][i], mks[s][i] = ahead_mk[s][i];
	if (prefetch)
		CHECK_EQ(mae_trainer_prefetch(&t, pxs[0], mks[0], N_IMG), 0);
	for (int s = 0; s < N_STEPS; s++) {
		mae_step_info info;
		if (prefetch && s + 1 < N_STEPS)
			CHECK_EQ(mae_trainer_prefetch(&t, pxs[s + 1], mks[s + 1], N_IMG), 0);
		if (prefetch)
			CHECK_EQ(mae_trainer_step_prefetched(&t, &info), 0);
		else
			CHECK_EQ(mae_trainer_step(&t, pxs[s], mks[s], N_IMG, &info), 0);
		losses[s] = info.loss;
	}
	be->download(params, t.model.param_mem, t.model.layout.n_floats * sizeof(float));
	cuda_emu_counts steps = counted_since(&before);
	mae_trainer_free(&t);
	return steps;
}

/* n_batches prefetched batches took the asynchronous path (the emulation) */
static void check_async_path(cuda_emu_counts d, int n_batches)
{
	printf("  %ld copies queued, %ld from pageable memory, %ld waits for copies, %ld for "
	       "the computing, %ld page-locked allocations\n",
	       d.queued_copies, d.pageable_copies, d.copy_waits, d.compute_waits, d.host_allocs);
	/* pixels and index lists at least, per batch */
	CHECK(d.queued_copies >= 2L * n_batches);
	CHECK_EQ(d.pageable_copies, 0);
	/* one fenced group per batch, each waited for once */
	CHECK_EQ(d.copy_waits, n_batches);
	CHECK_EQ(d.compute_waits, n_batches);
	CHECK(d.host_allocs > 0);
}

static void prefetched_training_is_identical(void)
{
	make_ahead_batches();
	mae_layout l;
	CHECK_EQ(mae_layout_make(&l, &tiny), 0);
	size_t n = l.n_floats;
	mae_layout_free(&l);
	const backend *bes[2] = {cpu, gpu};
	for (int k = 0; k < 2; k++) {
		double losses[2][N_STEPS];
		float *params[2] = {malloc(n * 4), malloc(n * 4)};
		cuda_emu_counts sync = train_steps(bes[k], 0, losses[0], params[0]);
		cuda_emu_counts async = train_steps(bes[k], 1, losses[1], params[1]);
		printf("%s: %d steps, prefetched or not: losses %s, weights %s\n", bes[k]->name,
		       N_STEPS, memcmp(losses[0], losses[1], sizeof losses[0]) ? "differ" : "equal",
		       memcmp(params[0], params[1], n * 4) ? "differ" : "equal");
		CHECK(memcmp(losses[0], losses[1], sizeof losses[0]) == 0);
		CHECK(memcmp(params[0], params[1], n * 4) == 0);
		if (bes[k] == gpu && !gpu_is_real) {
			CHECK_EQ(sync.queued_copies + sync.copy_waits, 0);
			check_async_path(async, N_STEPS);
		}
		free(params[0]), free(params[1]);
	}
}

/* mae_infer_run's apply: the batch's embeddings or predictions appended
 * to the floats at ctx */
typedef struct collected {
	float *at;
	int masked;
} collected;

static int collect(mae_model *model, const mae_batch *mb, recbatch *recs,
		   const uint8_t *const *pixels, const uint8_t *const *masks, float *out, void *ctx)
{
	(void)recs, (void)pixels, (void)masks;
	collected *c = ctx;
	size_t n = c->masked ? (size_t)mb->n_pred * mae_patch_dim(&model->cfg)
			     : (size_t)mb->n_images * model->cfg.dim;
	int rc = c->masked ? mae_model_predict(model, mb, out)
			   : mae_model_embed(model, mb, MAE_POOL_CLS, out);
	memcpy(c->at, out, n * sizeof(float));
	c->at += n;
	return rc;
}

/* 5 records in batches of 2 (the last short), through mae_infer_run
 * (each batch prefetched while the one before computes) and one batch at
 * a time uploaded when used: embeddings and predictions */
static void prefetched_inference_is_identical(void)
{
	enum { N_RECS = 5, BATCH = 2, L = 16 };
	char path[512], out_path[512];
	snprintf(path, sizeof path, "%s/ahead.rec", check_tmpdir());
	snprintf(out_path, sizeof out_path, "%s/ahead-out.rec", check_tmpdir());
	make_ahead_batches();
	rec_writer *w = rec_writer_open(path);
	CHECK(w != NULL);
	const patch_grid grid = {2, 4, 4};
	for (int i = 0; i < N_RECS; i++) {
		rec r;
		rec_init(&r);
		img im = {0};
		CHECK_EQ(img_alloc(&im, 8, 8, 2), 0);
		memcpy(im.px, ahead_px[i / N_IMG][i % N_IMG], PX);
		CHECK_EQ(rec_set_img(&r, &im), 0);
		CHECK_EQ(rec_set_grid(&r, &grid), 0);
		CHECK_EQ(rec_set_mask(&r, ahead_mk[i / N_IMG][i % N_IMG], L), 0);
		CHECK_EQ(rec_writer_put(w, &r), 0);
		img_free(&im);
		rec_free(&r);
	}
	CHECK_EQ(rec_writer_close(w), 0);
	const backend *bes[2] = {cpu, gpu};
	for (int k = 0; k < 2; k++)
		for (int masked = 0; masked < 2; masked++) {
			mae_model m;
			CHECK_EQ(mae_model_init(&m, &tiny, bes[k]), 0);
			CHECK_EQ(mae_model_init_weights(&m, 4), 0);
			size_t per_image = masked ? (size_t)L * mae_patch_dim(&tiny) : (size_t)tiny.dim;
			float *got = calloc(N_RECS * per_image, 4), *want = calloc(N_RECS * per_image, 4);
			cuda_emu_counts before = cuda_emu_counted;
			rec_reader *rd = rec_reader_open(path);
			rec_writer *out = rec_writer_open(out_path);
			progress prog;
			progress_start(&prog, "images", 0, 1);
			collected c = {got, masked};
			CHECK_EQ(mae_infer_run(&m, rd, out, BATCH, masked, collect, &c, &prog), 0);
			cuda_emu_counts async = counted_since(&before);
			CHECK_EQ(rec_writer_close(out), 0);
			rec_reader_close(rd);
			mae_batch b;
			mae_batch_init(&b);
			float *at = want;
			for (int first = 0; first < N_RECS; first += BATCH) {
				const uint8_t *pxs[BATCH], *mks[BATCH];
				int n = N_RECS - first < BATCH ? N_RECS - first : BATCH;
				for (int i = 0; i < n; i++) {
					pxs[i] = ahead_px[(first + i) / N_IMG][(first + i) % N_IMG];
					mks[i] = masked ? ahead_mk[(first + i) / N_IMG][(first + i) % N_IMG]
							: NULL;
				}
				CHECK_EQ(mae_batch_build(&b, &tiny, pxs, mks, n, masked), 0);
				CHECK_EQ(masked ? mae_model_predict(&m, &b, at)
						: mae_model_embed(&m, &b, MAE_POOL_CLS, at), 0);
				at += n * per_image;
			}
			int same = memcmp(got, want, N_RECS * per_image * 4) == 0;
			printf("%s: %s of %d records in batches of %d, prefetched or not: %s\n",
			       bes[k]->name, masked ? "predictions" : "embeddings", N_RECS, BATCH,
			       same ? "equal" : "differ");
			CHECK(same);
			if (bes[k] == gpu && !gpu_is_real)
				check_async_path(async, (N_RECS + BATCH - 1) / BATCH);
			mae_batch_free(&b);
			mae_model_free(&m);
			free(got), free(want);
		}
}

int main(void)
{
	const char *device = getenv("MASKPIPE_PARITY_DEVICE");
	gpu_is_real = device && strcmp(device, "cuda") == 0;
	gpu = gpu_is_real ? backend_cuda() : backend_cuda_emu();
	if (!gpu) {
		printf("SKIP test_cuda_parity: %s\n", err_msg());
		return 0;
	}
	printf("backend under test: %s\n", gpu->name);
	cpu = backend_cpu();
	cpu->set_threads(1);
	RUN(gemms_in_every_transposition);
	RUN(bf16_gemms_in_every_transposition);
	RUN(rows_bias_scale_and_sums);
	RUN(layernorm_forward_and_backward);
	RUN(gelu_forward_and_backward);
	RUN(attention_forward_and_backward);
	RUN(bf16_attention_forward);
	RUN(loss_rows);
	RUN(adamw_steps);
	RUN(memory_zero_copy_and_reuse);
	RUN(training_step_matches_cpu_pixels);
	RUN(training_step_matches_cpu_norm_pix);
	RUN(prefetched_training_is_identical);
	RUN(prefetched_inference_is_identical);
	return check_exit();
}
