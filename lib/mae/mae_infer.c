#include "mae/mae_infer.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "mae/mae_input.h"
#include "mae/mae_readahead.h"

/* One batch of records with what the model takes from them. */
typedef struct infer_batch {
	recbatch recs;
	mae_batch mb;
	const uint8_t **pixels, **masks;
} infer_batch;

/* What the read-ahead loop's steps share: two batches, one computing
 * while the next is read and copied in. */
typedef struct infer_run {
	infer_batch ib[2];
	mae_model *model;
	rec_reader *rd;
	rec_writer *w;
	int masked;
	float *out;
	mae_infer_fn apply;
	void *ctx;
	progress *prog;
} infer_run;

/* Reads up to a batch of records into the slot's batch and stages it on
 * the model (mae_model_prefetch): the records read, or -1 with a message. */
static int read_ahead(void *arg, int slot)
{
	infer_run *r = arg;
	infer_batch *ib = &r->ib[slot];
	if (recbatch_read(&ib->recs, r->rd) < 0)
		return -1;
	if (ib->recs.n == 0)
		return 0;
	if (mae_batch_input(&ib->recs, &r->model->cfg, r->masked, ib->pixels, ib->masks,
			    rec_reader_name(r->rd)) < 0 ||
	    mae_batch_build(&ib->mb, &r->model->cfg, ib->pixels, ib->masks, ib->recs.n,
			    r->masked) < 0 ||
	    mae_model_prefetch(r->model, &ib->mb, r->masked) < 0)
		return -1;
	return ib->recs.n;
}

/* Applies the computation to the slot's batch and writes its n records. */
static int run_batch(void *arg, int slot, int n)
{
	infer_run *r = arg;
	infer_batch *now = &r->ib[slot];
	if (r->apply(r->model, &now->mb, &now->recs, now->pixels, now->masks, r->out, r->ctx) < 0)
		return -1;
	int rc = 0;
	for (int i = 0; rc == 0 && i < n; i++)
		rc = rec_writer_put(r->w, &now->recs.recs[i]);
	progress_add(r->prog, (uint64_t)n);
	return rc;
}

int mae_infer_run(mae_model *model, rec_reader *rd, rec_writer *w, int batch_size, int masked,
		  mae_infer_fn apply, void *ctx, progress *prog)
{
	infer_run r;
	memset(&r, 0, sizeof r);
	r.model = model;
	r.rd = rd;
	r.w = w;
	r.masked = masked;
	r.apply = apply;
	r.ctx = ctx;
	r.prog = prog;
	const mae_config *cfg = &model->cfg;
	size_t out_per_image = masked ? (size_t)mae_n_patches(cfg) * mae_patch_dim(cfg)
				      : (size_t)cfg->dim;
	r.out = malloc((size_t)batch_size * out_per_image * sizeof *r.out);
	int rc = r.out ? 0 : -1;
	for (int k = 0; k < 2; k++) {
		infer_batch *ib = &r.ib[k];
		mae_batch_init_for(&ib->mb, model->be);
		ib->pixels = calloc((size_t)batch_size, sizeof *ib->pixels);
		ib->masks = calloc((size_t)batch_size, sizeof *ib->masks);
		if (recbatch_init(&ib->recs, batch_size) < 0 || !ib->pixels || !ib->masks)
			rc = -1;
	}
	if (rc < 0)
		rc = err_set("out of memory for a batch of %d images", batch_size);
	else
		rc = mae_readahead_loop(read_ahead, run_batch, &r);
	free(r.out);
	for (int k = 0; k < 2; k++) {
		free(r.ib[k].pixels);
		free(r.ib[k].masks);
		recbatch_free(&r.ib[k].recs);
		mae_batch_free(&r.ib[k].mb);
	}
	return rc;
}
