#include "mae/mae_infer.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "mae/mae_input.h"

/* One batch of records with what the model takes from them. */
typedef struct infer_batch {
	recbatch recs;
	mae_batch mb;
	const uint8_t **pixels, **masks;
} infer_batch;

/* Reads up to batch_size records into ib and stages their batch on the
 * model (mae_model_prefetch): the records read, or -1 with a message. */
static int read_ahead(infer_batch *ib, mae_model *model, rec_reader *rd, int masked)
{
	if (recbatch_read(&ib->recs, rd) < 0)
		return -1;
	if (ib->recs.n == 0)
		return 0;
	if (mae_batch_input(&ib->recs, &model->cfg, masked, ib->pixels, ib->masks,
			    rec_reader_name(rd)) < 0 ||
	    mae_batch_build(&ib->mb, &model->cfg, ib->pixels, ib->masks, ib->recs.n, masked) < 0 ||
	    mae_model_prefetch(model, &ib->mb, masked) < 0)
		return -1;
	return ib->recs.n;
}

int mae_infer_run(mae_model *model, rec_reader *rd, rec_writer *w, int batch_size, int masked,
		  mae_infer_fn apply, void *ctx, progress *prog)
{
	/* two batches: one computes while the next is read and copied in */
	infer_batch ib[2];
	memset(ib, 0, sizeof ib);
	const mae_config *cfg = &model->cfg;
	size_t out_per_image = masked ? (size_t)mae_n_patches(cfg) * mae_patch_dim(cfg)
				      : (size_t)cfg->dim;
	float *out = malloc((size_t)batch_size * out_per_image * sizeof *out);
	int rc = out ? 0 : -1;
	for (int k = 0; k < 2; k++) {
		mae_batch_init_for(&ib[k].mb, model->be);
		ib[k].pixels = calloc((size_t)batch_size, sizeof *ib[k].pixels);
		ib[k].masks = calloc((size_t)batch_size, sizeof *ib[k].masks);
		if (recbatch_init(&ib[k].recs, batch_size) < 0 || !ib[k].pixels || !ib[k].masks)
			rc = -1;
	}
	if (rc < 0)
		rc = err_set("out of memory for a batch of %d images", batch_size);
	int cur = 0, n = rc < 0 ? 0 : read_ahead(&ib[cur], model, rd, masked);
	if (n < 0)
		rc = -1;
	while (rc == 0 && n > 0) {
		/* Batch i+1 is read and staged before batch i runs, so that on a
		 * GPU its upload overlaps batch i's computing. Its failure waits
		 * until batch i is written, where a loop reading a batch at a time
		 * would meet it. */
		infer_batch *now = &ib[cur];
		int next = read_ahead(&ib[!cur], model, rd, masked);
		char next_failure[1024] = "";
		if (next < 0)
			snprintf(next_failure, sizeof next_failure, "%s", err_msg());
		if (apply(model, &now->mb, &now->recs, now->pixels, now->masks, out, ctx) < 0) {
			rc = -1;
			break;
		}
		for (int i = 0; rc == 0 && i < n; i++)
			rc = rec_writer_put(w, &now->recs.recs[i]);
		progress_add(prog, (uint64_t)n);
		if (rc == 0 && next < 0)
			rc = err_set("%s", next_failure);
		n = next;
		cur = !cur;
	}
	free(out);
	for (int k = 0; k < 2; k++) {
		free(ib[k].pixels);
		free(ib[k].masks);
		recbatch_free(&ib[k].recs);
		mae_batch_free(&ib[k].mb);
	}
	return rc;
}
