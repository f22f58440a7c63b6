/* The CPU backend against naive loops in double: GEMMs in every
 * transposition, gathers and scatters, attention over packed sequences,
 * and each forward/backward pair
 * against central finite differences of sum(out * r) for a random r. */
#include <math.h>
#include <stdio.h>

#include <string.h>

#include "kernels/backend.h"
#include "kernels/bf16.h"
#include "kernels/cpu/cpu.h"
#include "check.h"
#include "common/rng.h"

static const backend *be;

static void fill(float *x, size_t n, uint64_t stream)
{
	rng g;
	rng_seed(&g, 7, stream);
	for (size_t i = 0; i < n; i++)
		x[i] = (float)(2 * rng_uniform(&g) - 1);
}

static int close_to(double got, double want, double tol)
{
	return fabs(got - want) <= tol * (1 + fabs(want));
}

static void naive_gemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
		       const float *b, int ldb, float beta, float *c, int ldc)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double sum = 0;
			for (int p = 0; p < k; p++)
				sum += (double)(ta ? a[p * lda + i] : a[i * lda + p]) *
				       (tb ? b[j * ldb + p] : b[p * ldb + j]);
			/* beta 0: c is not read (BLAS), it may hold anything */
			c[i * ldc + j] = (float)(alpha * sum + (beta == 0 ? 0 : beta * c[i * ldc + j]));
		}
}

static void gemm_matches_naive_loops(void)
{
	enum { M = 7, N = 5, K = 9, LD = 12 };
	float a[LD * LD], b[LD * LD], c[LD * LD], want[LD * LD];
	fill(a, LD * LD, 1);
	fill(b, LD * LD, 2);
	for (int ta = 0; ta < 2; ta++)
		for (int tb = 0; tb < 2; tb++) {
			fill(c, LD * LD, 3);
			memcpy(want, c, sizeof c);
			be->gemm(ta, tb, M, N, K, 0.5f, a, LD, b, LD, 2.0f, c, LD);
			naive_gemm(ta, tb, M, N, K, 0.5f, a, LD, b, LD, 2.0f, want, LD);
			for (int i = 0; i < LD * LD; i++)
				CHECK(close_to(c[i], want[i], 1e-5));
		}
	/* three heads side by side in one row, as attention reads q, k, v */
	float cs[3 * M * M], wants[3 * M * M];
	be->gemm_strided(0, 1, M, M, 4, 0.25f, a, LD, 4, b, LD, 4, 0.0f, cs, M, M * M, 3);
	for (int h = 0; h < 3; h++)
		naive_gemm(0, 1, M, M, 4, 0.25f, a + 4 * h, LD, b + 4 * h, LD, 0.0f,
			   wants + h * M * M, M);
	for (int i = 0; i < 3 * M * M; i++)
		CHECK(close_to(cs[i], wants[i], 1e-5));
}

/* GEMMs larger than a block, split by rows and by columns, in every
 * transposition: right, and the same bits with one thread and two */
static void blocked_gemm_is_right_and_thread_independent(void)
{
	enum { BIG = 300, SMALL = 40, K = 20 };
	static float a[BIG * BIG], b[BIG * BIG], c1[BIG * BIG], c2[BIG * BIG], want[BIG * BIG];
	fill(a, BIG * BIG, 21);
	fill(b, BIG * BIG, 22);
	const int shapes[2][2] = {{BIG, SMALL}, {SMALL, BIG}};
	for (int s = 0; s < 2; s++)
		for (int t = 0; t < 4; t++) {
			int m = shapes[s][0], n = shapes[s][1], ta = t & 1, tb = t >> 1;
			int lda = ta ? m : K, ldb = tb ? K : n;
			memset(c1, 0, sizeof c1);
			memset(want, 0, sizeof want);
			be->set_threads(1);
			be->gemm(ta, tb, m, n, K, 1.0f, a, lda, b, ldb, 0.0f, c1, n);
			be->set_threads(2);
			memset(c2, 0, sizeof c2);
			be->gemm(ta, tb, m, n, K, 1.0f, a, lda, b, ldb, 0.0f, c2, n);
			naive_gemm(ta, tb, m, n, K, 1.0f, a, lda, b, ldb, 0.0f, want, n);
			CHECK(memcmp(c1, c2, sizeof(float) * m * n) == 0);
			for (int i = 0; i < m * n; i++)
				if (!close_to(c1[i], want[i], 1e-5)) {
					CHECK(0);
					break;
				}
		}
}

static uint32_t bits_of(float x)
{
	uint32_t u;
	memcpy(&u, &x, sizeof u);
	return u;
}

static float float_of(uint32_t u)
{
	float x;
	memcpy(&x, &u, sizeof x);
	return x;
}

/* bf16_round on bit patterns worked out by hand */
static void bf16_rounds_to_nearest_even(void)
{
	static const uint32_t cases[][2] = {
		{0x3f800000, 0x3f800000}, /* 1: already bf16 */
		{0x3f807fff, 0x3f800000}, /* below the half-way point: down */
		{0x3f808001, 0x3f810000}, /* above it: up */
		{0x3f808000, 0x3f800000}, /* a tie, the even neighbour below */
		{0x3f818000, 0x3f820000}, /* a tie, the even neighbour above */
		{0xbf808000, 0xbf800000}, /* signs round alike */
		{0x3fff8000, 0x40000000}, /* the carry into the exponent */
		{0x7f7fffff, 0x7f800000}, /* FLT_MAX is past bf16's largest: infinity */
		{0x7f800000, 0x7f800000}, /* infinities stay */
		{0xff800000, 0xff800000},
		{0x80000000, 0x80000000}, /* -0 stays */
		{0x00008000, 0x00000000}, /* subnormals: a tie to even zero */
		{0x00018000, 0x00020000},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_EQ(bits_of(bf16_round(float_of(cases[i][0]))), cases[i][1]);
	/* a NaN whose payload is in the low bits alone, which the rounding
	 * bias would carry into infinity, stays a NaN */
	CHECK(isnan(bf16_round(float_of(0x7f800001))));
	CHECK(isnan(bf16_round(float_of(0xffffffff))));
}

/* In bf16 a GEMM sums the exact products of its operands rounded to bf16
 * in float32. Where the CPU has bf16 instructions (oneDNN on AVX512_BF16
 * or AMX: cpu_dnnl_gemm_usable) in oneDNN's order of the sums, else as the
 * float32 GEMM of the rounded operands, the same bits (the same OpenBLAS
 * calls on the same numbers). Both sums are within K 2^-24 of the sizes of
 * the products of the exact sum (Higham's gamma_K), so within twice that of
 * each other. Either way the same bits with one thread and two (the blocks
 * are the shape's). Against exact products: each operand's rounding is
 * within 2^-9 of it, so a product's within 2^-8 + 2^-18, and the float32
 * sum of K of them adds K 2^-24 of the sum of their sizes. alpha and beta
 * (a gradient accumulated, C += 0.5 A B) are checked against the same
 * bound on the sum plus the one rounding of the accumulation. */
static void bf16_gemm_is_the_gemm_of_rounded_operands(void)
{
	enum { BIG = 300, SMALL = 40, K = 20 };
	static float a[BIG * BIG], b[BIG * BIG], ar[BIG * BIG], br[BIG * BIG];
	static float c1[BIG * BIG], c2[BIG * BIG], want[BIG * BIG], exact[BIG * BIG];
	static float abs_a[BIG * BIG], abs_b[BIG * BIG], size[BIG * BIG];
	static float acc[BIG * BIG];
	fill(a, BIG * BIG, 23);
	fill(b, BIG * BIG, 24);
	for (int i = 0; i < BIG * BIG; i++) {
		ar[i] = bf16_round(a[i]), br[i] = bf16_round(b[i]);
		abs_a[i] = fabsf(a[i]), abs_b[i] = fabsf(b[i]);
	}
	const int native = cpu_dnnl_gemm_usable(1);
	printf("bf16 GEMMs on %s\n", native ? "the CPU's bf16 instructions (oneDNN)" :
					      "rounded operands in float32 (OpenBLAS)");
	const int shapes[2][2] = {{BIG, SMALL}, {SMALL, BIG}};
	int differs_from_fp32 = 0;
	for (int s = 0; s < 2; s++)
		for (int t = 0; t < 4; t++) {
			int m = shapes[s][0], n = shapes[s][1], ta = t & 1, tb = t >> 1;
			int lda = ta ? m : K, ldb = tb ? K : n;
			size_t bytes = sizeof(float) * m * n;
			be->set_precision(BACKEND_FP32);
			be->set_threads(1);
			be->gemm(ta, tb, m, n, K, 1.0f, ar, lda, br, ldb, 0.0f, want, n);
			be->gemm(ta, tb, m, n, K, 1.0f, a, lda, b, ldb, 0.0f, exact, n);
			be->set_precision(BACKEND_BF16);
			be->gemm(ta, tb, m, n, K, 1.0f, a, lda, b, ldb, 0.0f, c1, n);
			be->set_threads(2);
			be->gemm(ta, tb, m, n, K, 1.0f, a, lda, b, ldb, 0.0f, c2, n);
			CHECK(memcmp(c1, c2, bytes) == 0);
			naive_gemm(ta, tb, m, n, K, 1.0f, abs_a, lda, abs_b, ldb, 0.0f, size, n);
			naive_gemm(ta, tb, m, n, K, 1.0f, ar, lda, br, ldb, 0.0f, exact, n);
			int within = 1;
			if (native) {
				/* (1 + 2^-7): the rounded operands' sizes against the
				 * operands' ((1 + 2^-9)^2), and gamma_K's 1 / (1 - K u) */
				for (int i = 0; i < m * n; i++)
					within &= fabs((double)c1[i] - want[i]) <=
						  2 * K * 0x1p-24 * (1 + 0x1p-7) * size[i];
			} else {
				within = memcmp(c1, want, bytes) == 0;
			}
			CHECK(within);
			differs_from_fp32 |= memcmp(c1, exact, bytes) != 0;
			naive_gemm(ta, tb, m, n, K, 1.0f, a, lda, b, ldb, 0.0f, exact, n);
			within = 1;
			for (int i = 0; i < m * n; i++)
				within &= fabs((double)c1[i] - exact[i]) <=
					  (0x1p-8 + 0x1p-18 + K * 0x1p-24) * size[i];
			CHECK(within);
			/* C += 0.5 op(A) op(B), onto what the GEMM above gave: the
			 * halved sum (exact) within half the bound above of c1's
			 * half, then the addition's one rounding (2^-24 of the
			 * result, doubled for a scaling rounded apart) */
			memcpy(acc, c1, bytes);
			be->gemm(ta, tb, m, n, K, 0.5f, a, lda, b, ldb, 1.0f, acc, n);
			within = 1;
			for (int i = 0; i < m * n; i++)
				within &= fabs((double)acc[i] - 1.5 * (double)c1[i]) <=
					  0.5 * 2 * K * 0x1p-24 * (1 + 0x1p-7) * size[i] +
						  0x1p-23 * 1.5 * fabs(c1[i]) + 0x1p-149;
			CHECK(within);
		}
	CHECK(differs_from_fp32);
	/* three heads side by side in a row, as attention reads q, k and v:
	 * per head on the calling thread, always the rounded operands */
	enum { M = 37, HD = 7, H = 3, LD = 50 };
	static float cs[H * M * M], ws[H * M * M];
	be->set_threads(1);
	be->gemm_strided(0, 1, M, M, HD, 0.25f, a, LD, HD, b, LD, HD, 0.0f, cs, M, M * M, H);
	be->set_precision(BACKEND_FP32);
	be->gemm_strided(0, 1, M, M, HD, 0.25f, ar, LD, HD, br, LD, HD, 0.0f, ws, M, M * M, H);
	CHECK(memcmp(cs, ws, sizeof cs) == 0);
}

static void rows_gather_scatter_and_bias(void)
{
	float src[4 * 3], dst[5 * 3] = {0};
	fill(src, 12, 4);
	const int32_t to[4] = {4, 0, 2, 1}, from[4] = {3, 3, 0, 1};
	be->copy_rows(dst, to, src, from, 4, 3, 0);
	for (int c = 0; c < 3; c++) {
		CHECK(dst[4 * 3 + c] == src[3 * 3 + c] && dst[0 * 3 + c] == src[3 * 3 + c]);
		CHECK(dst[2 * 3 + c] == src[c] && dst[1 * 3 + c] == src[3 + c]);
		CHECK(dst[3 * 3 + c] == 0);
	}
	/* accumulating into one repeated row sums every source row */
	const int32_t zeros[4] = {0};
	float sum[3] = {1, 1, 1};
	be->copy_rows(sum, zeros, src, NULL, 4, 3, 1);
	for (int c = 0; c < 3; c++)
		CHECK(close_to(sum[c], 1 + src[c] + src[3 + c] + src[6 + c] + src[9 + c], 1e-6));
	float db[3] = {0};
	be->bias_backward(db, src, 4, 3);
	for (int c = 0; c < 3; c++)
		CHECK(close_to(db[c] + 1, sum[c], 1e-6));
	float out[12] = {0}, bias[3] = {1, 2, 3};
	be->set_rows(out, NULL, bias, 4, 3);
	CHECK(out[0] == 1 && out[4] == 2 && out[11] == 3 && out[9] == 1);
	float sum_rows[12];
	be->set_rows(sum_rows, src, bias, 4, 3);
	for (int i = 0; i < 12; i++)
		CHECK(sum_rows[i] == src[i] + bias[i % 3]);
}

/* sum(f(x) * r) in double, the scalar whose gradient the backward gives */
typedef double (*scalar_fn)(const float *x, const float *r);

enum { ROWS = 3, COLS = 8, N_X = ROWS * COLS };
static float ln_w[COLS], ln_b[COLS];

static double dot(const float *y, const float *r, int n)
{
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += (double)y[i] * r[i];
	return sum;
}

static double layernorm_scalar(const float *x, const float *r)
{
	float y[N_X], mean[ROWS], rstd[ROWS];
	be->layernorm_forward(y, mean, rstd, x, ln_w, ln_b, ROWS, COLS, 1e-6f);
	return dot(y, r, N_X);
}

static double gelu_scalar(const float *x, const float *r)
{
	float y[N_X];
	be->gelu_forward(y, x, N_X);
	return dot(y, r, N_X);
}

/* attention over two packed sequences of 3 and 5 tokens, width 8, 2 heads */
enum { ATT_T = 8, ATT_C = 8, ATT_H = 2, N_QKV = ATT_T * 3 * ATT_C };
static const int att_offsets_tok[3] = {0, 3, 8};
static const size_t att_offsets_p[3] = {0, 2 * 9, 2 * 9 + 2 * 25};
enum { ATT_P = 2 * 9 + 2 * 25 };

static double attention_scalar(const float *qkv, const float *r)
{
	float out[ATT_T * ATT_C], p[ATT_P];
	be->attention_forward(out, p, qkv, att_offsets_tok, att_offsets_p, 2, ATT_C, ATT_H);
	return dot(out, r, ATT_T * ATT_C);
}

/* central differences with step 1e-2 (float inputs): agreement to ~1e-3 */
static void check_against_differences(scalar_fn f, const float *x, const float *r,
				      const float *grad, int n, const char *what)
{
	float xp[N_QKV];
	for (int i = 0; i < n; i++) {
		const float h = 1e-2f;
		memcpy(xp, x, sizeof(float) * n);
		xp[i] = x[i] + h;
		double up = f(xp, r);
		xp[i] = x[i] - h;
		double down = f(xp, r);
		double numeric = (up - down) / (2 * h);
		if (!close_to(grad[i], numeric, 2e-3)) {
			fprintf(stderr, "%s: d/dx[%d] %g, differences %g\n", what, i, grad[i], numeric);
			CHECK(0);
			return;
		}
	}
}

static void layernorm_backward_matches_differences(void)
{
	float x[N_X], r[N_X], y[N_X], mean[ROWS], rstd[ROWS], dx[N_X] = {0};
	float dw[COLS] = {0}, db[COLS] = {0};
	fill(x, N_X, 5);
	fill(r, N_X, 6);
	fill(ln_w, COLS, 7);
	fill(ln_b, COLS, 8);
	be->layernorm_forward(y, mean, rstd, x, ln_w, ln_b, ROWS, COLS, 1e-6f);
	/* the forward against its definition */
	for (int row = 0; row < ROWS; row++) {
		double m = 0, v = 0;
		for (int c = 0; c < COLS; c++)
			m += x[row * COLS + c] / (double)COLS;
		for (int c = 0; c < COLS; c++)
			v += (x[row * COLS + c] - m) * (x[row * COLS + c] - m) / COLS;
		for (int c = 0; c < COLS; c++)
			CHECK(close_to(y[row * COLS + c],
				       (x[row * COLS + c] - m) / sqrt(v + 1e-6) * ln_w[c] + ln_b[c],
				       1e-5));
	}
	be->layernorm_backward(dx, dw, db, r, x, ln_w, mean, rstd, ROWS, COLS);
	check_against_differences(layernorm_scalar, x, r, dx, N_X, "layernorm");
	/* d/dw_c = sum_rows r * xhat, d/db_c = sum_rows r */
	for (int c = 0; c < COLS; c++) {
		double want_w = 0, want_b = 0;
		for (int row = 0; row < ROWS; row++) {
			want_w += r[row * COLS + c] * (y[row * COLS + c] - ln_b[c]) / ln_w[c];
			want_b += r[row * COLS + c];
		}
		CHECK(close_to(dw[c], want_w, 1e-4));
		CHECK(close_to(db[c], want_b, 1e-5));
	}
}

static void gelu_backward_matches_differences(void)
{
	float x[N_X], r[N_X], y[N_X], dx[N_X];
	fill(x, N_X, 9);
	fill(r, N_X, 10);
	for (int i = 0; i < N_X; i++)
		x[i] *= 3;
	be->gelu_forward(y, x, N_X);
	for (int i = 0; i < N_X; i++)
		CHECK(close_to(y[i], 0.5 * x[i] * (1 + erf(x[i] / sqrt(2))), 1e-6));
	be->gelu_backward(dx, x, r, N_X);
	check_against_differences(gelu_scalar, x, r, dx, N_X, "gelu");

}

static void attention_matches_loops_and_differences(void)
{
	float qkv[N_QKV], r[ATT_T * ATT_C], out[ATT_T * ATT_C], p[ATT_P];
	float dqkv[N_QKV], dp[ATT_P];
	fill(qkv, N_QKV, 13);
	fill(r, ATT_T * ATT_C, 14);
	be->attention_forward(out, p, qkv, att_offsets_tok, att_offsets_p, 2, ATT_C, ATT_H);
	/* the definition, token by token, in double */
	const int hd = ATT_C / ATT_H;
	for (int s = 0; s < 2; s++)
		for (int h = 0; h < ATT_H; h++)
			for (int i = att_offsets_tok[s]; i < att_offsets_tok[s + 1]; i++) {
				double w[ATT_T], sum = 0;
				for (int j = att_offsets_tok[s]; j < att_offsets_tok[s + 1]; j++) {
					double qk = 0;
					for (int d = 0; d < hd; d++)
						qk += (double)qkv[i * 3 * ATT_C + h * hd + d] *
						      qkv[j * 3 * ATT_C + ATT_C + h * hd + d];
					w[j] = exp(qk / sqrt(hd));
					sum += w[j];
				}
				for (int d = 0; d < hd; d++) {
					double y = 0;
					for (int j = att_offsets_tok[s]; j < att_offsets_tok[s + 1]; j++)
						y += w[j] / sum * qkv[j * 3 * ATT_C + 2 * ATT_C + h * hd + d];
					CHECK(close_to(out[i * ATT_C + h * hd + d], y, 1e-5));
				}
			}
	be->attention_backward(dqkv, dp, r, p, qkv, att_offsets_tok, att_offsets_p, 2, ATT_C,
			       ATT_H);
	check_against_differences(attention_scalar, qkv, r, dqkv, N_QKV, "attention");
}

static void loss_rows_as_models_mae(void)
{
	float t[N_X], p[N_X], loss[ROWS], dp[N_X];
	fill(t, N_X, 11);
	fill(p, N_X, 12);
	float raw[N_X];
	memcpy(raw, t, sizeof raw);
	be->normalize_rows(t, ROWS, COLS, 1e-6f);
	for (int row = 0; row < ROWS; row++) {
		double m = 0, v = 0;
		for (int c = 0; c < COLS; c++)
			m += raw[row * COLS + c] / (double)COLS;
		for (int c = 0; c < COLS; c++)
			v += (raw[row * COLS + c] - m) * (raw[row * COLS + c] - m) / (COLS - 1);
		for (int c = 0; c < COLS; c++)
			CHECK(close_to(t[row * COLS + c], (raw[row * COLS + c] - m) / sqrt(v + 1e-6),
				       1e-5));
	}
	be->mse_rows(loss, dp, p, t, 0.25f, ROWS, COLS);
	for (int row = 0; row < ROWS; row++) {
		double sum = 0;
		for (int c = 0; c < COLS; c++) {
			double d = p[row * COLS + c] - t[row * COLS + c];
			sum += d * d / COLS;
			CHECK(close_to(dp[row * COLS + c], 0.25 * 2 * d / COLS, 1e-6));
		}
		CHECK(close_to(loss[row], sum, 1e-6));
	}
}

/* An element's GELU does not depend on the length of the array it is in
 * (the model's GELU arrays are tokens x width, and the tokens come from the
 * batch): the first n of 4133 values, n from 1 to 40, give the same bits
 * alone as among all. The values span [-4, 4], where erff's vector and
 * scalar versions differ in the last bit for some. */
static void gelu_does_not_depend_on_the_length(void)
{
	enum { N = 4133 };
	static float x[N], all[N], part[N];
	fill(x, N, 40);
	for (int i = 0; i < N; i++)
		x[i] *= 4;
	be->gelu_forward(all, x, N);
	int differ = 0;
	for (int n = 1; n <= 40; n++) {
		be->gelu_forward(part, x, (size_t)n);
		differ += memcmp(part, all, (size_t)n * sizeof(float)) != 0;
	}
	printf("gelu: %d of 40 lengths differ\n", differ);
	CHECK_EQ(differ, 0);
}

/* two AdamW steps worked out by hand from torch.optim.AdamW's update */
static void adamw_matches_hand_computed_steps(void)
{
	float p[2] = {1.0f, -2.0f}, g[2] = {0.5f, 0.1f}, m[2] = {0}, v[2] = {0};
	be->adamw(p, g, m, v, 2, 0.1f, 0.9f, 0.95f, 1e-8f, 0.05f, 1);
	/* step 1: m_hat = g, v_hat = g^2, so p = p(1 - lr wd) - lr * sign(g) */
	CHECK(close_to(p[0], 1.0 * (1 - 0.005) - 0.1, 1e-6));
	CHECK(close_to(p[1], -2.0 * (1 - 0.005) - 0.1, 1e-6));
	g[0] = -0.5f;
	be->adamw(p, g, m, v, 1, 0.1f, 0.9f, 0.95f, 1e-8f, 0.05f, 2);
	/* step 2: m = 0.1*0.5*0.9 + 0.1*(-0.5) = -0.005, m_hat = -0.005/0.19;
	 * v = 0.05*0.25*0.95 + 0.05*0.25 = 0.024375, v_hat = v/0.0975 = 0.25 */
	double p1 = 0.895 * (1 - 0.005) - 0.1 * (-0.005 / 0.19) / (sqrt(0.024375 / 0.0975) + 1e-8);
	CHECK(close_to(p[0], p1, 1e-6));
	CHECK(close_to(m[0], -0.005, 1e-6) && close_to(v[0], 0.024375, 1e-6));
}

int main(void)
{
	be = backend_cpu();
	be->set_threads(2);
	RUN(gemm_matches_naive_loops);
	RUN(blocked_gemm_is_right_and_thread_independent);
	RUN(bf16_rounds_to_nearest_even);
	RUN(bf16_gemm_is_the_gemm_of_rounded_operands);
	RUN(rows_gather_scatter_and_bias);
	RUN(layernorm_backward_matches_differences);
	RUN(gelu_backward_matches_differences);
	RUN(gelu_does_not_depend_on_the_length);
	RUN(attention_matches_loops_and_differences);
	RUN(loss_rows_as_models_mae);
	RUN(adamw_matches_hand_computed_steps);
	return check_exit();
}
