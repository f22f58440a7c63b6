/* Named MAE configs and their checks. */
#include <stddef.h>
#include <string.h>

#include "common/err.h"
#include "mae/mae_config.h"

static const struct {
	const char *name;
	mae_config cfg;
} named[] = {
	/* the three data sets; MLP ratio 4 as every reference model */
	{"fmnist", {28, 1, 4, 192, 6, 3, 128, 2, 4, 4, 0, 0, {0}, {0}}},
	{"tiny64", {64, 3, 8, 192, 12, 3, 128, 4, 4, 4, 0, 0, {0}, {0}}},
	{"stl96", {96, 3, 6, 192, 12, 12, 192, 8, 16, 4, 0, 0, {0}, {0}}},
};

int mae_config_named(mae_config *cfg, const char *name)
{
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (strcmp(named[i].name, name) == 0) {
			*cfg = named[i].cfg;
			return 0;
		}
	return err_set("unknown config '%s' (known: fmnist, tiny64, stl96)", name);
}

int mae_config_check(const mae_config *cfg)
{
	if (cfg->img_size < 1 || cfg->in_chans < 1 || cfg->patch < 1 || cfg->dim < 1 ||
	    cfg->depth < 0 || cfg->heads < 1 || cfg->dec_dim < 1 || cfg->dec_depth < 0 ||
	    cfg->dec_heads < 1 || cfg->mlp_ratio < 1)
		return err_set("config: every size must be positive");
	if (cfg->img_size > 4096 || cfg->dim > 65536 || cfg->dec_dim > 65536 ||
	    cfg->depth > 1024 || cfg->dec_depth > 1024 || cfg->mlp_ratio > 64)
		return err_set("config: sizes too large");
	if (cfg->img_size % cfg->patch)
		return err_set("config: patch %d does not divide image size %d", cfg->patch,
			       cfg->img_size);
	if (cfg->dim % cfg->heads || cfg->dec_dim % cfg->dec_heads)
		return err_set("config: heads must divide the width");
	/* get_2d_sincos_pos_embed: half the width per axis, sin and cos halves */
	if (cfg->dim % 4 || cfg->dec_dim % 4)
		return err_set("config: widths must be multiples of 4 (sin-cos position embeddings)");
	if (cfg->input_norm && cfg->input_norm != cfg->in_chans)
		return err_set("config: the input normalisation has %d channel%s, the images %d",
			       cfg->input_norm, cfg->input_norm == 1 ? "" : "s", cfg->in_chans);
	return 0;
}

const char *const mae_config_keys[] = {
	"img_size", "in_chans", "patch_size", "embed_dim", "depth", "num_heads",
	"decoder_embed_dim", "decoder_depth", "decoder_num_heads", "mlp_ratio",
	"norm_pix_loss", NULL,
};

/* the fields in the order of mae_config_keys, named as models_mae.py's
 * constructor arguments */
static int *field(mae_config *cfg, const char *key)
{
	int *fields[] = {
		&cfg->img_size, &cfg->in_chans, &cfg->patch, &cfg->dim, &cfg->depth, &cfg->heads,
		&cfg->dec_dim, &cfg->dec_depth, &cfg->dec_heads, &cfg->mlp_ratio,
		&cfg->norm_pix_loss,
	};
	for (int i = 0; mae_config_keys[i]; i++)
		if (strcmp(mae_config_keys[i], key) == 0)
			return fields[i];
	return NULL;
}

int mae_config_get(const mae_config *cfg, const char *key)
{
	mae_config copy = *cfg;
	return *field(&copy, key);
}

int mae_config_set(mae_config *cfg, const char *key, int value)
{
	int *f = field(cfg, key);
	if (!f)
		return err_set("unknown config key '%s'", key);
	*f = value;
	return 0;
}
