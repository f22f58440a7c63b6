/* GEMMs through oneDNN's matmul, on its brgemm kernels (AVX-512; in bf16
 * AVX512_BF16's vdpbf16ps or AMX), which oneDNN chooses at run time from
 * the CPU, whatever OPENBLAS_CORETYPE tells OpenBLAS. In bf16, products of
 * two bf16 values are exact in float32 and summed in float32, as the
 * rounded-operand fallback of cpu_gemm.c computes them, in oneDNN's order
 * of the sums.
 *
 * oneDNN creates a primitive per shape, which takes far longer than running
 * it: each thread keeps the primitives of the shapes it met (a GEMM's blocks
 * have few shapes, and a model few GEMMs), with their memory objects and
 * scratchpad, and only rebinds the data pointers on a call. Every call runs
 * on the calling thread alone (cpu_gemm.c shares a GEMM's blocks between
 * threads), so a block's result does not depend on the thread count. */
#include <oneapi/dnnl/dnnl.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu/cpu.h"

/* Shapes a thread keeps primitives for; beyond it the oldest is replaced. */
#define DNNL_CACHE 48

typedef struct {
	int bf16, m, n, k, lda, ldb, ldc, a_trans, b_trans;
	float alpha, beta;
} dnnl_shape;

typedef struct {
	dnnl_shape shape;
	dnnl_primitive_t prim;
	dnnl_memory_t a, b, c, scratch;
	void *scratch_mem;
} dnnl_entry;

typedef struct {
	dnnl_engine_t engine;
	dnnl_stream_t stream;
	dnnl_entry entries[DNNL_CACHE];
	int n_entries, next_evict;
} dnnl_cache;

static _Thread_local dnnl_cache *thread_cache;

/* A oneDNN failure after the probe succeeded (out of memory, in
 * practice): the operations return nothing, so it ends the process with
 * one line, as a failing CUDA call does. */
static void check(dnnl_status_t s, const char *what)
{
	if (s != dnnl_success) {
		fprintf(stderr, "oneDNN: %s failed (status %d)\n", what, (int)s);
		exit(1);
	}
}

static int same_shape(const dnnl_shape *x, const dnnl_shape *y)
{
	return x->bf16 == y->bf16 && x->m == y->m && x->n == y->n && x->k == y->k && x->lda == y->lda &&
	       x->ldb == y->ldb && x->ldc == y->ldc && x->a_trans == y->a_trans &&
	       x->b_trans == y->b_trans &&
	       x->alpha == y->alpha && x->beta == y->beta;
}

/* The primitive descriptor of a shape: C (float32, leading dimension ldc)
 * = alpha A B + beta C, A (bf16, or float32) [m,k] row-major or, a_trans, stored [k,m],
 * B [k,n] or, b_trans, stored [n,k] (oneDNN's brgemm kernels read either
 * orientation at the same speed). 0, or a oneDNN status (no bf16 kernel
 * here). */
static dnnl_status_t describe(dnnl_engine_t engine, const dnnl_shape *s,
			      dnnl_primitive_desc_t *pd)
{
	dnnl_memory_desc_t a, b, c;
	dnnl_dims_t a_dims = {s->m, s->k}, a_strides = {s->lda, 1}, a_strides_t = {1, s->lda};
	dnnl_dims_t b_dims = {s->k, s->n}, b_strides = {s->ldb, 1}, b_strides_t = {1, s->ldb};
	dnnl_dims_t c_dims = {s->m, s->n}, c_strides = {s->ldc, 1};
	dnnl_data_type_t type = s->bf16 ? dnnl_bf16 : dnnl_f32;
	dnnl_status_t st;
	if ((st = dnnl_memory_desc_init_by_strides(&a, 2, a_dims, type,
						   s->a_trans ? a_strides_t : a_strides)) ||
	    (st = dnnl_memory_desc_init_by_strides(&b, 2, b_dims, type,
						   s->b_trans ? b_strides_t : b_strides)) ||
	    (st = dnnl_memory_desc_init_by_strides(&c, 2, c_dims, dnnl_f32, c_strides)))
		return st;
	dnnl_matmul_desc_t desc;
	if ((st = dnnl_matmul_desc_init(&desc, &a, &b, NULL, &c)))
		return st;
	dnnl_primitive_attr_t attr;
	if ((st = dnnl_primitive_attr_create(&attr)))
		return st;
	dnnl_post_ops_t ops = NULL;
	/* the scratchpad is the entry's own, so threads never share one */
	st = dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
	if (!st && s->alpha != 1.0f)
		st = dnnl_primitive_attr_set_output_scales(attr, 1, 0, &s->alpha);
	if (!st && s->beta != 0.0f && !(st = dnnl_post_ops_create(&ops)) &&
	    !(st = dnnl_post_ops_append_sum(ops, s->beta)))
		st = dnnl_primitive_attr_set_post_ops(attr, ops);
	if (!st)
		st = dnnl_primitive_desc_create(pd, &desc, attr, engine, NULL);
	if (ops)
		dnnl_post_ops_destroy(ops);
	dnnl_primitive_attr_destroy(attr);
	return st;
}

/* The calling thread's cache, made on its first call; NULL if oneDNN has
 * no engine. */
static dnnl_cache *cache_of_thread(void)
{
	if (thread_cache)
		return thread_cache;
	dnnl_cache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	if (dnnl_engine_create(&c->engine, dnnl_cpu, 0)) {
		free(c);
		return NULL;
	}
	if (dnnl_stream_create(&c->stream, c->engine, dnnl_stream_default_flags)) {
		dnnl_engine_destroy(c->engine);
		free(c);
		return NULL;
	}
	return thread_cache = c;
}

static void entry_clear(dnnl_entry *e)
{
	dnnl_primitive_destroy(e->prim);
	dnnl_memory_destroy(e->a);
	dnnl_memory_destroy(e->b);
	dnnl_memory_destroy(e->c);
	dnnl_memory_destroy(e->scratch);
	free(e->scratch_mem);
}

static dnnl_entry *entry_for(dnnl_cache *c, const dnnl_shape *s)
{
	for (int i = 0; i < c->n_entries; i++)
		if (same_shape(&c->entries[i].shape, s))
			return &c->entries[i];
	dnnl_entry *e;
	if (c->n_entries < DNNL_CACHE) {
		e = &c->entries[c->n_entries++];
	} else {
		e = &c->entries[c->next_evict];
		c->next_evict = (c->next_evict + 1) % DNNL_CACHE;
		entry_clear(e);
	}
	dnnl_primitive_desc_t pd;
	check(describe(c->engine, s, &pd), "creating a matmul");
	check(dnnl_primitive_create(&e->prim, pd), "creating a matmul");
	const dnnl_memory_desc_t *md;
	md = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
	check(dnnl_memory_create(&e->a, md, c->engine, DNNL_MEMORY_NONE), "a memory object");
	md = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
	check(dnnl_memory_create(&e->b, md, c->engine, DNNL_MEMORY_NONE), "a memory object");
	md = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
	check(dnnl_memory_create(&e->c, md, c->engine, DNNL_MEMORY_NONE), "a memory object");
	md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
	size_t bytes = md ? dnnl_memory_desc_get_size(md) : 0;
	e->scratch_mem = bytes ? aligned_alloc(64, (bytes + 63) / 64 * 64) : NULL;
	if (bytes && !e->scratch_mem)
		check(dnnl_out_of_memory, "a matmul's scratchpad");
	check(dnnl_memory_create(&e->scratch, md, c->engine, e->scratch_mem), "a memory object");
	dnnl_primitive_desc_destroy(pd);
	e->shape = *s;
	return e;
}

/* 1 if oneDNN has a brgemm kernel for the type here (the reference and
 * gemm-based kernels answer for any CPU, where OpenBLAS is as fast) */
static int probe(int bf16)
{
	dnnl_cache *c = cache_of_thread();
	dnnl_primitive_desc_t pd;
	const dnnl_shape shape = {bf16, 64, 64, 64, 64, 64, 64, 0, 0, 1.0f, 0.0f};
	if (!c || describe(c->engine, &shape, &pd) != dnnl_success)
		return 0;
	const char *impl = "";
	dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
	int brgemm = impl && strstr(impl, "brg") != NULL;
	dnnl_primitive_desc_destroy(pd);
	return brgemm;
}

int cpu_dnnl_gemm_usable(int bf16)
{
	/* -1: not probed yet; written once per type, by the first caller
	 * (cpu_gemm asks outside its parallel regions) */
	static int usable[2] = {-1, -1};
	if (usable[bf16] < 0) {
		/* oneDNN runs on OpenMP and would start a team of its own
		 * where a call is not nested in one of ours: one thread, as
		 * OpenBLAS is kept to one (every parallel region of the
		 * backend names its thread count) */
		omp_set_num_threads(1);
		/* MASKPIPE_DNNL=0: OpenBLAS for fp32 and rounded operands in
		 * float32 for bf16 everywhere (the tests check both ways; a
		 * user compares) */
		const char *env = getenv("MASKPIPE_DNNL");
		usable[bf16] = env && strcmp(env, "0") == 0 ? 0 : probe(bf16);
	}
	return usable[bf16];
}

void cpu_dnnl_gemm(int bf16, int m, int n, int k, float alpha, const void *a, int lda,
		   int a_trans, const void *b, int ldb, int b_trans, float beta, float *c, int ldc)
{
	dnnl_cache *cache = cache_of_thread();
	if (!cache)
		check(dnnl_out_of_memory, "a thread's engine");
	const dnnl_shape s = {bf16, m, n, k, lda, ldb, ldc, a_trans, b_trans, alpha, beta};
	dnnl_entry *e = entry_for(cache, &s);
	/* oneDNN's API takes the operands as writable handles; it only reads
	 * them */
	check(dnnl_memory_set_data_handle(e->a, (void *)a), "binding A");
	check(dnnl_memory_set_data_handle(e->b, (void *)b), "binding B");
	check(dnnl_memory_set_data_handle(e->c, c), "binding C");
	dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, e->a},
				  {DNNL_ARG_WEIGHTS, e->b},
				  {DNNL_ARG_DST, e->c},
				  {DNNL_ARG_SCRATCHPAD, e->scratch}};
	check(dnnl_primitive_execute(e->prim, cache->stream, 4, args), "a matmul");
	check(dnnl_stream_wait(cache->stream), "a matmul");
}
