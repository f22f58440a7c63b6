/* The shape of an MAE (He et al. 2022; facebookresearch/mae models_mae.py):
 * a ViT encoder over the visible patches of a square image and a narrower
 * decoder over all of them. */
#ifndef MASKPIPE_MAE_CONFIG_H
#define MASKPIPE_MAE_CONFIG_H

/* the most channels an input image has (RGBA) */
#define MAE_MAX_CHANS 4

typedef struct mae_config {
	int img_size;   /* pixels per side */
	int in_chans;
	int patch;      /* pixels per patch side */
	int dim, depth, heads;              /* encoder */
	int dec_dim, dec_depth, dec_heads;  /* decoder */
	int mlp_ratio;
	int norm_pix_loss; /* targets normalised per patch */
	/* Input normalisation per channel, as torchvision's Normalize in the
	 * reference's data pipeline: a pixel v in [0, 1] enters the model (and
	 * its loss targets) as (v - mean[c]) / std[c]. input_norm is the number
	 * of channels given (in_chans), 0 for none: pixels in [0, 1] as they
	 * are, what a config zero-filled means. */
	int input_norm;
	float input_mean[MAE_MAX_CHANS], input_std[MAE_MAX_CHANS];
} mae_config;

/* The LayerNorm eps of the reference models (partial(nn.LayerNorm, eps=1e-6)). */
#define MAE_LN_EPS 1e-6f

/* Fills cfg from a named config (fmnist, tiny64, stl96): 0, or -1 with a
 * message listing the names. */
int mae_config_named(mae_config *cfg, const char *name);

/* 0 if the numbers make a model (patch divides the image, heads divide the
 * widths, even widths for the sin-cos embeddings), else -1 and a message. */
int mae_config_check(const mae_config *cfg);

static inline int mae_grid(const mae_config *cfg) { return cfg->img_size / cfg->patch; }
static inline int mae_n_patches(const mae_config *cfg) { return mae_grid(cfg) * mae_grid(cfg); }
/* values per patch: patch * patch * in_chans */
static inline int mae_patch_dim(const mae_config *cfg)
{
	return cfg->patch * cfg->patch * cfg->in_chans;
}

/* The config as key=value text pairs (checkpoint metadata) and back:
 * mae_config_keys lists the keys, mae_config_get/set one value. */
extern const char *const mae_config_keys[];
int mae_config_get(const mae_config *cfg, const char *key);
int mae_config_set(mae_config *cfg, const char *key, int value);

#endif
