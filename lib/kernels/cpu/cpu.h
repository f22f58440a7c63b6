/* The CPU backend's operations (kernels/backend.h documents each); the
 * table in cpu_backend.c collects them. Loops over rows are shared between
 * OpenMP threads (when large enough to be worth waking them) so that each
 * output element is computed by the same arithmetic whatever the thread
 * count. */
#ifndef MASKPIPE_CPU_H
#define MASKPIPE_CPU_H

#include <stddef.h>
#include <stdint.h>

/* elements below which a loop stays on one thread */
#define CPU_PARALLEL_MIN 32768

/* One version of a kernel per vector width, chosen at load time by the
 * CPU (the build itself targets baseline x86-64). GCC only: clang 14
 * leaves cloned functions unresolved across files (the fuzz build), where
 * the baseline version does. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VECTOR_CLONES
#endif

/* Threads take element-wise loops in blocks of this many, each block run
 * by the same vector and scalar code whatever the thread count. */
#define CPU_BLOCK 4096

/* Sums over rows (bias and norm gradients) give threads blocks of this
 * many columns. */
#define CPU_COL_BLOCK 32

extern int cpu_n_threads;
/* BACKEND_FP32 or BACKEND_BF16: the matrix products' precision */
extern int cpu_precision;

/* one GEMM in cpu_precision, on the calling thread */
void cpu_gemm_one(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
		  int lda, const float *b, int ldb, float beta, float *c, int ldc);
void cpu_gemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
	      int lda, const float *b, int ldb, float beta, float *c, int ldc);
/* 1 if oneDNN has a GEMM on this CPU's vector units (AVX-512) for float32
 * (bf16 0) or for bf16 operands (bf16 1: AVX512_BF16, AMX), else 0
 * (OpenBLAS then, and in bf16 operands rounded for its fp32 GEMM); asked
 * first outside any parallel region */
int cpu_dnnl_gemm_usable(int bf16);
/* C (float32, leading dimension ldc) = alpha A B + beta C on the calling
 * thread through oneDNN: A (float32, or bf16 bits when bf16) [m,k]
 * (leading dimension lda) or, a_trans, stored [k,m]; B [k,n] (ldb) or,
 * b_trans, stored [n,k]; only where cpu_dnnl_gemm_usable(bf16) */
void cpu_dnnl_gemm(int bf16, int m, int n, int k, float alpha, const void *a, int lda,
		   int a_trans, const void *b, int ldb, int b_trans, float beta, float *c, int ldc);
void cpu_gemm_strided(int trans_a, int trans_b, int m, int n, int k, float alpha,
		      const float *a, int lda, long stride_a, const float *b, int ldb,
		      long stride_b, float beta, float *c, int ldc, long stride_c, int n_batch);

void cpu_copy_rows(float *dst, const int32_t *dst_idx, const float *src, const int32_t *src_idx,
		   int n_rows, int n_cols, int accumulate);
void cpu_set_rows(float *out, const float *base, const float *row, int n_rows, int n_cols);
void cpu_bias_backward(float *dbias, const float *dout, int n_rows, int n_cols);
void cpu_scale(float *x, float s, size_t n);
double cpu_sum_squares(const float *x, size_t n);

void cpu_layernorm_forward(float *out, float *mean, float *rstd, const float *inp,
			   const float *w, const float *b, int n_rows, int n_cols, float eps);
void cpu_layernorm_backward(float *dinp, float *dw, float *db, const float *dout,
			    const float *inp, const float *w, const float *mean,
			    const float *rstd, int n_rows, int n_cols);

void cpu_gelu_forward(float *out, const float *inp, size_t n);
void cpu_gelu_backward(float *dinp, const float *inp, const float *dout, size_t n);
/* Softmax of each row in place, and its backward: d <- p * (d - sum_j
 * d_j p_j) per row, the gradient of the input from the gradient d of the
 * output p; on the calling thread (the pieces of attention). */
void cpu_softmax_rows(float *x, int n_rows, int n_cols);
void cpu_softmax_backward_rows(float *d, const float *p, int n_rows, int n_cols);
void cpu_attention_forward(float *out, float *att, const float *qkv, const int *offsets,
			   const size_t *att_offsets, int n_seqs, int dim, int heads);
void cpu_attention_backward(float *dqkv, float *datt, const float *dout, const float *att,
			    const float *qkv, const int *offsets, const size_t *att_offsets,
			    int n_seqs, int dim, int heads);

void cpu_normalize_rows(float *x, int n_rows, int n_cols, float eps);
void cpu_mse_rows(float *row_loss, float *dpred, const float *pred, const float *target,
		  float weight, int n_rows, int n_cols);

void cpu_adamw(float *param, const float *grad, float *m, float *v, size_t n, float lr,
	       float beta1, float beta2, float eps, float weight_decay, long step);

#endif
