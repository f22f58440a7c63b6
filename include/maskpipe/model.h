/* A trained masked autoencoder (a checkpoint written by mae-train or
 * mae-finetune) on the CPU: the embeddings of images, as mae-embed
 * computes them. */
#ifndef MP_MODEL_H
#define MP_MODEL_H

#include <stddef.h>

#include "maskpipe/common.h"
#include "maskpipe/image.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mp_model mp_model;

/* What an embedding is (mae-embed --pool): the encoder's output at the cls
 * token, or the mean of its outputs at the patch tokens. */
enum { MP_POOL_CLS = 0, MP_POOL_MEAN = 1 };

/* Loads the checkpoint at path onto the CPU, to compute with `threads`
 * threads (a setting of the process: the last model loaded sets it).
 * NULL with a message naming path (and the tensor at fault). */
MP_API mp_model *mp_model_load(const char *path, int threads);
MP_API void mp_model_free(mp_model *m);

/* The images the model takes (image_size x image_size pixels of
 * `channels`), and the floats of an embedding. */
MP_API int mp_model_image_size(const mp_model *m);
MP_API int mp_model_channels(const mp_model *m);
MP_API int mp_model_embed_dim(const mp_model *m);

/* The embeddings of images[0..n_images) into out[n_images *
 * mp_model_embed_dim], every patch visible; `pool` is MP_POOL_CLS or
 * MP_POOL_MEAN. An image's embedding is the same bit for bit as
 * mae-embed's, whatever the batch and thread count. 0, or -1 with a
 * message when an image is not of the model's size and channels. */
MP_API int mp_model_embed(mp_model *m, const mp_image *images, size_t n_images, int pool,
			  float *out);

#ifdef __cplusplus
}
#endif

#endif
