/* The MAE's parameters: one flat float buffer laid out as a table of named
 * tensors, named and shaped exactly as models_mae.py's state_dict (so a
 * checkpoint loads in PyTorch with strict key matching), and a struct of
 * pointers into such a buffer for the layers (after llm.c's
 * ParameterTensors). Gradients and AdamW moments use the same layout. */
#ifndef MASKPIPE_MAE_PARAMS_H
#define MASKPIPE_MAE_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "mae/mae_config.h"

typedef struct mae_tensor {
	char name[64];   /* state_dict key */
	int ndim;
	int shape[4];
	size_t offset;   /* in floats, from the start of the buffer */
	size_t size;     /* in floats */
	int trainable;   /* 0: the fixed sin-cos position embeddings */
	int decay;       /* AdamW weight decay: weights of linear layers only */
} mae_tensor;

typedef struct mae_layout {
	mae_tensor *tensors;
	int n_tensors;
	size_t n_floats;
} mae_layout;

/* One pre-norm ViT block (timm's Block): x += attn(norm1(x)); x += mlp(norm2(x)). */
typedef struct mae_block_params {
	float *ln1_w, *ln1_b;     /* [C] */
	float *qkv_w, *qkv_b;     /* [3C, C], [3C] */
	float *proj_w, *proj_b;   /* [C, C], [C] */
	float *ln2_w, *ln2_b;     /* [C] */
	float *fc1_w, *fc1_b;     /* [rC, C], [rC] */
	float *fc2_w, *fc2_b;     /* [C, rC], [C] */
} mae_block_params;

/* D encoder width, E decoder width, L patches, K values per patch */
typedef struct mae_params {
	float *cls_token;         /* [1, 1, D] */
	float *pos_embed;         /* [1, L+1, D] fixed */
	float *patch_w, *patch_b; /* [D, C, P, P], [D] */
	mae_block_params *blocks; /* depth */
	float *norm_w, *norm_b;   /* [D] */
	float *dec_embed_w, *dec_embed_b; /* [E, D], [E] */
	float *mask_token;        /* [1, 1, E] */
	float *dec_pos_embed;     /* [1, L+1, E] fixed */
	mae_block_params *dec_blocks; /* dec_depth */
	float *dec_norm_w, *dec_norm_b;   /* [E] */
	float *pred_w, *pred_b;   /* [K, E], [K] */
} mae_params;

/* The table for cfg (checked with mae_config_check first). */
int mae_layout_make(mae_layout *layout, const mae_config *cfg);
void mae_layout_free(mae_layout *layout);
const mae_tensor *mae_layout_find(const mae_layout *layout, const char *name);

/* Points p's fields into a buffer of layout->n_floats floats. */
int mae_params_bind(mae_params *p, const mae_config *cfg, float *base);
void mae_params_unbind(mae_params *p);

/* Host-side initial values as the reference's initialize_weights: sin-cos
 * position embeddings, xavier-uniform linear weights (patch embedding
 * included, viewed as [D, C*P*P]), zero linear biases except the patch
 * embedding's (Conv2d's default uniform(+-1/sqrt(fan_in)), which the
 * reference leaves), unit/zero norms, normal(0.02) cls and mask tokens.
 * Every tensor draws from its own stream of `seed`. */
void mae_params_init(float *host, const mae_layout *layout, const mae_config *cfg, uint64_t seed);

/* util/pos_embed.py's get_2d_sincos_pos_embed(dim, grid, cls_token=True):
 * out [grid*grid + 1, dim], row 0 zero. */
void mae_sincos_pos_embed(float *out, int dim, int grid);

#endif
