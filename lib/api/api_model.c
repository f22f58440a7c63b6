/* mp_model: a checkpoint on the CPU backend and the embeddings of images,
 * built into batches as mae-embed builds them (mae/mae_infer.c). */
#include "maskpipe/model.h"

#include <stdlib.h>

#include "common/err.h"
#include "kernels/backend.h"
#include "mae/mae_batch.h"
#include "mae/mae_checkpoint.h"
#include "mae/mae_model.h"

/* Images per batch: mae-embed's default. An embedding does not depend on
 * the batch (mae_model_embed), so this only bounds the memory a call takes. */
enum { EMBED_BATCH = 64 };

_Static_assert((int)MP_POOL_CLS == (int)MAE_POOL_CLS && (int)MP_POOL_MEAN == (int)MAE_POOL_MEAN,
	       "the public pooling names are the model's");

struct mp_model {
	mae_model model;
	mae_batch batch;
};

mp_model *mp_model_load(const char *path, int threads)
{
	if (threads < 1) {
		err_set("threads is at least 1, not %d", threads);
		return NULL;
	}
	mp_model *m = malloc(sizeof *m);
	if (!m) {
		err_set("out of memory for a model");
		return NULL;
	}
	const backend *be = backend_cpu();
	be->set_threads(threads);
	/* the API's models compute in float32, whatever a tool set before */
	be->set_precision(BACKEND_FP32);
	if (mae_checkpoint_load(path, be, NULL, &m->model, NULL) < 0) {
		free(m);
		return NULL;
	}
	mae_batch_init_for(&m->batch, be);
	return m;
}

void mp_model_free(mp_model *m)
{
	if (!m)
		return;
	mae_batch_free(&m->batch);
	mae_model_free(&m->model);
	free(m);
}

int mp_model_image_size(const mp_model *m)
{
	return m->model.cfg.img_size;
}

int mp_model_channels(const mp_model *m)
{
	return m->model.cfg.in_chans;
}

int mp_model_embed_dim(const mp_model *m)
{
	return m->model.cfg.dim;
}

int mp_model_embed(mp_model *m, const mp_image *images, size_t n_images, int pool, float *out)
{
	const mae_config *cfg = &m->model.cfg;
	if (pool != MP_POOL_CLS && pool != MP_POOL_MEAN)
		return err_set("pool is MP_POOL_CLS or MP_POOL_MEAN, not %d", pool);
	for (size_t i = 0; i < n_images; i++) {
		const mp_image *im = &images[i];
		if (im->width != (uint32_t)cfg->img_size || im->height != (uint32_t)cfg->img_size ||
		    im->channels != (uint32_t)cfg->in_chans)
			return err_set("image %zu is %ux%ux%u, the model takes %dx%dx%d", i, im->width,
				       im->height, im->channels, cfg->img_size, cfg->img_size,
				       cfg->in_chans);
	}
	const uint8_t *pixels[EMBED_BATCH];
	for (size_t done = 0; done < n_images; done += EMBED_BATCH) {
		int n = n_images - done < EMBED_BATCH ? (int)(n_images - done) : EMBED_BATCH;
		for (int i = 0; i < n; i++)
			pixels[i] = images[done + i].pixels;
		if (mae_batch_build(&m->batch, cfg, pixels, NULL, n, 0) < 0 ||
		    mae_model_embed(&m->model, &m->batch, pool, out + done * cfg->dim) < 0)
			return -1;
	}
	return 0;
}
