/* Multi-head self-attention over packed sequences of different lengths
 * (timm's Attention: softmax(q k^T / sqrt(hd)) v per head). Threads take
 * whole sequences, so each sequence's arithmetic is the same whatever the
 * thread count. */
#include <math.h>

#include "kernels/cpu/cpu.h"

void cpu_attention_forward(float *out, float *att, const float *qkv, const int *offsets,
			   const size_t *att_offsets, int n_seqs, int dim, int heads)
{
	int hd = dim / heads, ld = 3 * dim;
	float scale = 1.0f / sqrtf((float)hd);
#pragma omp parallel for schedule(dynamic) num_threads(cpu_n_threads)
	for (int s = 0; s < n_seqs; s++) {
		int t0 = offsets[s], len = offsets[s + 1] - t0;
		size_t sq = (size_t)len * len;
		for (int h = 0; h < heads; h++) {
			/* heads side by side in a row: head h's q starts at column h*hd */
			const float *q = qkv + (size_t)t0 * ld + h * hd, *k = q + dim, *v = q + 2 * dim;
			float *p = att + att_offsets[s] + h * sq;
			cpu_gemm_one(0, 1, len, len, hd, scale, q, ld, k, ld, 0.0f, p, len);
			cpu_softmax_rows(p, len, len);
			cpu_gemm_one(0, 0, len, hd, len, 1.0f, p, len, v, ld, 0.0f,
				     out + (size_t)t0 * dim + h * hd, dim);
		}
	}
}

void cpu_attention_backward(float *dqkv, float *datt, const float *dout, const float *att,
			    const float *qkv, const int *offsets, const size_t *att_offsets,
			    int n_seqs, int dim, int heads)
{
	int hd = dim / heads, ld = 3 * dim;
	float scale = 1.0f / sqrtf((float)hd);
#pragma omp parallel for schedule(dynamic) num_threads(cpu_n_threads)
	for (int s = 0; s < n_seqs; s++) {
		int t0 = offsets[s], len = offsets[s + 1] - t0;
		size_t sq = (size_t)len * len;
		for (int h = 0; h < heads; h++) {
			size_t col = (size_t)t0 * ld + h * hd;
			const float *q = qkv + col, *k = q + dim, *v = q + 2 * dim;
			float *dq = dqkv + col, *dk = dq + dim, *dv = dq + 2 * dim;
			const float *dy = dout + (size_t)t0 * dim + h * hd;
			const float *p = att + att_offsets[s] + h * sq;
			float *dp = datt + att_offsets[s] + h * sq;
			/* dP = dY V^T, dV = P^T dY */
			cpu_gemm_one(0, 1, len, len, hd, 1.0f, dy, dim, v, ld, 0.0f, dp, len);
			cpu_gemm_one(1, 0, len, hd, len, 1.0f, p, len, dy, dim, 0.0f, dv, ld);
			/* dS from dP through the softmax; S = scale q k^T */
			cpu_softmax_backward_rows(dp, p, len, len);
			cpu_gemm_one(0, 0, len, hd, len, scale, dp, len, k, ld, 0.0f, dq, ld);
			cpu_gemm_one(1, 0, len, hd, len, scale, dp, len, q, ld, 0.0f, dk, ld);
		}
	}
}
