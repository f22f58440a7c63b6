#include "mae_infer.h"

#include <stdlib.h>

#include "err.h"
#include "mae_input.h"

int mae_infer_run(mae_model *model, rec_reader *rd, rec_writer *w, int batch_size, int masked,
		  mae_infer_fn apply, void *ctx, progress *prog)
{
	recbatch recs = {0};
	mae_batch mb;
	mae_batch_init(&mb);
	const uint8_t **pixels = calloc((size_t)batch_size, sizeof *pixels);
	const uint8_t **masks = calloc((size_t)batch_size, sizeof *masks);
	int rc = recbatch_init(&recs, batch_size);
	if (rc < 0 || !pixels || !masks)
		rc = err_set("out of memory for a batch of %d images", batch_size);
	while (rc == 0) {
		if (recbatch_read(&recs, rd) < 0) {
			rc = -1;
			break;
		}
		if (recs.n == 0)
			break;
		if (mae_batch_input(&recs, &model->cfg, masked, pixels, masks, rec_reader_name(rd)) < 0 ||
		    mae_batch_build(&mb, &model->cfg, pixels, masks, recs.n, masked) < 0 ||
		    apply(model, &mb, &recs, pixels, masks, ctx) < 0) {
			rc = -1;
			break;
		}
		for (int i = 0; rc == 0 && i < recs.n; i++)
			rc = rec_writer_put(w, &recs.recs[i]);
		progress_add(prog, (uint64_t)recs.n);
	}
	free(pixels);
	free(masks);
	recbatch_free(&recs);
	mae_batch_free(&mb);
	return rc;
}
