/* MAE checkpoints: safetensors files whose tensors are exactly
 * models_mae.py's state_dict (names and shapes), the config in
 * __metadata__ under the constructor's argument names, and, for resuming,
 * the AdamW moments as "optimizer.exp_avg.<name>" and
 * "optimizer.exp_avg_sq.<name>" with the step count in "optimizer.step".
 * PyTorch loads the weights with load_state_dict(strict=True) once the
 * "optimizer." keys are left out. */
#ifndef MASKPIPE_MAE_CHECKPOINT_H
#define MASKPIPE_MAE_CHECKPOINT_H

#include "mae/adamw.h"
#include "mae/mae_model.h"

#define MAE_OPT_PREFIX "optimizer."

/* Writes the model (and opt's state unless NULL) atomically, with extra
 * metadata pairs (key, value, ...). */
int mae_checkpoint_save(const char *path, const mae_model *m, const adamw *opt,
			const char *const *extra_meta, int n_extra);

/* Reads a checkpoint into a new model on be (and opt's state unless NULL,
 * which the file must then hold). When want is not NULL the file's config
 * must equal it. Every value loaded must be finite. Each error is one
 * message naming path (and the tensor, when one is at fault). */
int mae_checkpoint_load(const char *path, const backend *be, const mae_config *want,
			mae_model *m, adamw *opt);

/* The metadata value of key in the checkpoint at path, into buf: 0, 1
 * when absent, -1 with a message when the file cannot be read. */
int mae_checkpoint_meta(const char *path, const char *key, char *buf, size_t cap);

/* "embed_dim 192, expected 128" for the first key where a and b differ
 * into buf; 0 if they are equal, 1 otherwise. */
int mae_config_diff(const mae_config *a, const mae_config *b, char *buf, size_t cap);

#endif
