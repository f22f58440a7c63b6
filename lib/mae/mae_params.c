/* The parameter table of models_mae.py's MaskedAutoencoderViT. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "mae/mae_params.h"
#include "common/rng.h"

/* What the walk over the model's tensors does with each one: adds it to a
 * table, or points a mae_params field at it. The one walk keeps the names,
 * the shapes and the struct fields in a single place. */
typedef struct walker {
	mae_layout *layout; /* building the table, or */
	float *base;        /* binding fields to a buffer */
	size_t offset;
	size_t cap;
	int failed;
} walker;

static void tensor(walker *w, float **slot, int trainable, int decay, const char *name,
		   int ndim, int d0, int d1, int d2, int d3)
{
	const int dims[4] = {d0, d1, d2, d3};
	size_t size = 1;
	for (int i = 0; i < ndim; i++)
		size *= (size_t)dims[i];
	if (w->base && slot)
		*slot = w->base + w->offset;
	if (w->layout && !w->failed) {
		mae_layout *l = w->layout;
		if (grow_array(&l->tensors, &w->cap, (size_t)l->n_tensors + 1, sizeof(mae_tensor)) < 0) {
			w->failed = 1;
			return;
		}
		mae_tensor *t = &l->tensors[l->n_tensors++];
		memset(t, 0, sizeof *t);
		snprintf(t->name, sizeof t->name, "%s", name);
		t->ndim = ndim;
		memcpy(t->shape, dims, sizeof dims);
		t->offset = w->offset;
		t->size = size;
		t->trainable = trainable;
		t->decay = decay;
	}
	w->offset += size;
}

static void linear(walker *w, float **weight, float **bias, const char *prefix, int out, int in)
{
	char name[64];
	snprintf(name, sizeof name, "%s.weight", prefix);
	tensor(w, weight, 1, 1, name, 2, out, in, 0, 0);
	snprintf(name, sizeof name, "%s.bias", prefix);
	tensor(w, bias, 1, 0, name, 1, out, 0, 0, 0);
}

static void norm(walker *w, float **weight, float **bias, const char *prefix, int dim)
{
	char name[64];
	snprintf(name, sizeof name, "%s.weight", prefix);
	tensor(w, weight, 1, 0, name, 1, dim, 0, 0, 0);
	snprintf(name, sizeof name, "%s.bias", prefix);
	tensor(w, bias, 1, 0, name, 1, dim, 0, 0, 0);
}

static void block(walker *w, mae_block_params *b, const char *prefix, int i, int dim, int hidden)
{
	static mae_block_params unused;
	if (!b)
		b = &unused;
	char name[48];
	snprintf(name, sizeof name, "%s.%d.norm1", prefix, i);
	norm(w, &b->ln1_w, &b->ln1_b, name, dim);
	snprintf(name, sizeof name, "%s.%d.attn.qkv", prefix, i);
	linear(w, &b->qkv_w, &b->qkv_b, name, 3 * dim, dim);
	snprintf(name, sizeof name, "%s.%d.attn.proj", prefix, i);
	linear(w, &b->proj_w, &b->proj_b, name, dim, dim);
	snprintf(name, sizeof name, "%s.%d.norm2", prefix, i);
	norm(w, &b->ln2_w, &b->ln2_b, name, dim);
	snprintf(name, sizeof name, "%s.%d.mlp.fc1", prefix, i);
	linear(w, &b->fc1_w, &b->fc1_b, name, hidden, dim);
	snprintf(name, sizeof name, "%s.%d.mlp.fc2", prefix, i);
	linear(w, &b->fc2_w, &b->fc2_b, name, dim, hidden);
}

/* p may be NULL (table only) */
static void walk(walker *w, const mae_config *cfg, mae_params *p)
{
	static mae_params unused;
	if (!p)
		p = &unused;
	int D = cfg->dim, E = cfg->dec_dim, L = mae_n_patches(cfg), P = cfg->patch;
	tensor(w, &p->cls_token, 1, 0, "cls_token", 3, 1, 1, D, 0);
	tensor(w, &p->pos_embed, 0, 0, "pos_embed", 3, 1, L + 1, D, 0);
	/* a Conv2d with stride = kernel = patch: a linear map of each patch */
	tensor(w, &p->patch_w, 1, 1, "patch_embed.proj.weight", 4, D, cfg->in_chans, P, P);
	tensor(w, &p->patch_b, 1, 0, "patch_embed.proj.bias", 1, D, 0, 0, 0);
	for (int i = 0; i < cfg->depth; i++)
		block(w, w->base ? &p->blocks[i] : NULL, "blocks", i, D, cfg->mlp_ratio * D);
	norm(w, &p->norm_w, &p->norm_b, "norm", D);
	linear(w, &p->dec_embed_w, &p->dec_embed_b, "decoder_embed", E, D);
	tensor(w, &p->mask_token, 1, 0, "mask_token", 3, 1, 1, E, 0);
	tensor(w, &p->dec_pos_embed, 0, 0, "decoder_pos_embed", 3, 1, L + 1, E, 0);
	for (int i = 0; i < cfg->dec_depth; i++)
		block(w, w->base ? &p->dec_blocks[i] : NULL, "decoder_blocks", i, E,
		      cfg->mlp_ratio * E);
	norm(w, &p->dec_norm_w, &p->dec_norm_b, "decoder_norm", E);
	linear(w, &p->pred_w, &p->pred_b, "decoder_pred", mae_patch_dim(cfg), E);
}

int mae_layout_make(mae_layout *layout, const mae_config *cfg)
{
	memset(layout, 0, sizeof *layout);
	walker w = {.layout = layout};
	walk(&w, cfg, NULL);
	if (w.failed) {
		mae_layout_free(layout);
		return -1;
	}
	layout->n_floats = w.offset;
	return 0;
}

void mae_layout_free(mae_layout *layout)
{
	free(layout->tensors);
	memset(layout, 0, sizeof *layout);
}

const mae_tensor *mae_layout_find(const mae_layout *layout, const char *name)
{
	for (int i = 0; i < layout->n_tensors; i++)
		if (strcmp(layout->tensors[i].name, name) == 0)
			return &layout->tensors[i];
	return NULL;
}

int mae_params_bind(mae_params *p, const mae_config *cfg, float *base)
{
	memset(p, 0, sizeof *p);
	p->blocks = calloc((size_t)cfg->depth + 1, sizeof *p->blocks);
	p->dec_blocks = calloc((size_t)cfg->dec_depth + 1, sizeof *p->dec_blocks);
	if (!p->blocks || !p->dec_blocks) {
		mae_params_unbind(p);
		return err_set("out of memory");
	}
	walker w = {.base = base};
	walk(&w, cfg, p);
	return 0;
}

void mae_params_unbind(mae_params *p)
{
	free(p->blocks);
	free(p->dec_blocks);
	memset(p, 0, sizeof *p);
}

static void get_1d_sincos(float *out, int dim, double pos)
{
	/* omega_d = 1 / 10000^(d / (dim/2)); [sin(pos omega), cos(pos omega)] */
	int half = dim / 2;
	for (int d = 0; d < half; d++) {
		double omega = 1.0 / pow(10000.0, d / (dim / 2.0));
		out[d] = (float)sin(pos * omega);
		out[half + d] = (float)cos(pos * omega);
	}
}

void mae_sincos_pos_embed(float *out, int dim, int grid)
{
	memset(out, 0, sizeof(float) * dim);
	for (int row = 0; row < grid; row++)
		for (int col = 0; col < grid; col++) {
			float *e = out + (size_t)(1 + row * grid + col) * dim;
			/* np.meshgrid(grid_w, grid_h) puts the column first, so the
			 * first half of the width encodes the column, the second the row */
			get_1d_sincos(e, dim / 2, col);
			get_1d_sincos(e + dim / 2, dim / 2, row);
		}
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

void mae_params_init(float *host, const mae_layout *layout, const mae_config *cfg, uint64_t seed)
{
	for (int i = 0; i < layout->n_tensors; i++) {
		const mae_tensor *t = &layout->tensors[i];
		float *x = host + t->offset;
		rng g;
		rng_seed(&g, seed, (uint64_t)i);
		if (strcmp(t->name, "pos_embed") == 0) {
			mae_sincos_pos_embed(x, cfg->dim, mae_grid(cfg));
		} else if (strcmp(t->name, "decoder_pos_embed") == 0) {
			mae_sincos_pos_embed(x, cfg->dec_dim, mae_grid(cfg));
		} else if (strcmp(t->name, "cls_token") == 0 || strcmp(t->name, "mask_token") == 0) {
			for (size_t k = 0; k < t->size; k++)
				x[k] = (float)(0.02 * rng_normal(&g));
		} else if (t->ndim >= 2) {
			/* xavier_uniform_: bound sqrt(6 / (fan_in + fan_out)) */
			double fan_out = t->shape[0], fan_in = (double)t->size / t->shape[0];
			double bound = sqrt(6.0 / (fan_in + fan_out));
			for (size_t k = 0; k < t->size; k++)
				x[k] = (float)((2 * rng_uniform(&g) - 1) * bound);
		} else if (strcmp(t->name, "patch_embed.proj.bias") == 0) {
			/* nn.Conv2d's reset_parameters, untouched by _init_weights */
			double bound = 1.0 / sqrt((double)mae_patch_dim(cfg));
			for (size_t k = 0; k < t->size; k++)
				x[k] = (float)((2 * rng_uniform(&g) - 1) * bound);
		} else {
			/* LayerNorm weights 1; LayerNorm and Linear biases 0 */
			int is_norm_weight = ends_with(t->name, ".weight");
			for (size_t k = 0; k < t->size; k++)
				x[k] = is_norm_weight ? 1.0f : 0.0f;
		}
	}
}
