/* The CPU backend's table: host memory, OpenBLAS and OpenMP threads. */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/backend.h"
#include "kernels/cpu/cpu.h"
#include "common/err.h"

int cpu_n_threads = 1;

static void cpu_set_threads(int n_threads)
{
	cpu_n_threads = n_threads < 1 ? 1 : n_threads;
	/* threads share GEMMs by blocks (cpu_gemm.c); OpenBLAS's own would
	 * compete with them for the cores */
	openblas_set_num_threads(1);
}

static void cpu_set_precision(int precision)
{
	cpu_precision = precision;
}

static void *cpu_alloc(size_t n_bytes)
{
	/* 64-byte alignment: whole cache lines and AVX-512 loads */
	size_t rounded = (n_bytes + 63) / 64 * 64;
	void *p = aligned_alloc(64, rounded ? rounded : 64);
	if (!p) {
		err_set("out of memory (%zu bytes)", n_bytes);
		return NULL;
	}
	memset(p, 0, rounded);
	return p;
}

static void cpu_free(void *p)
{
	free(p);
}

static void cpu_copy(void *dst, const void *src, size_t n_bytes)
{
	if (n_bytes)
		memcpy(dst, src, n_bytes);
}

static void cpu_zero(void *p, size_t n_bytes)
{
	if (n_bytes)
		memset(p, 0, n_bytes);
}

static void *cpu_host_alloc(size_t n_bytes)
{
	void *p = malloc(n_bytes ? n_bytes : 1);
	if (!p)
		err_set("out of memory (%zu bytes)", n_bytes);
	return p;
}

/* nothing to wait for: every upload was a memcpy done when issued */
static void cpu_no_queue(void)
{
}

static const backend cpu_backend = {
	.name = "cpu",
	.set_threads = cpu_set_threads,
	.set_precision = cpu_set_precision,
	.alloc = cpu_alloc,
	.free = cpu_free,
	.upload = cpu_copy,
	.download = cpu_copy,
	.zero = cpu_zero,
	.copy = cpu_copy,
	.gemm = cpu_gemm,
	.gemm_strided = cpu_gemm_strided,
	.copy_rows = cpu_copy_rows,
	.set_rows = cpu_set_rows,
	.bias_backward = cpu_bias_backward,
	.layernorm_forward = cpu_layernorm_forward,
	.layernorm_backward = cpu_layernorm_backward,
	.gelu_forward = cpu_gelu_forward,
	.gelu_backward = cpu_gelu_backward,
	.attention_forward = cpu_attention_forward,
	.attention_backward = cpu_attention_backward,
	.normalize_rows = cpu_normalize_rows,
	.mse_rows = cpu_mse_rows,
	.adamw = cpu_adamw,
	.sum_squares = cpu_sum_squares,
	.scale = cpu_scale,
	.host_alloc = cpu_host_alloc,
	.host_free = cpu_free,
	.upload_async = cpu_copy,
	.upload_fence = cpu_no_queue,
	.wait_uploads = cpu_no_queue,
};

const backend *backend_cpu(void)
{
	return &cpu_backend;
}
