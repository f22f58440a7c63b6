#include "mae_infer.h"

#include <stdlib.h>

#include "cli.h"
#include "cli_backend.h"
#include "err.h"
#include "mae_checkpoint.h"
#include "mae_input.h"

int mae_infer_run(mae_model *model, rec_reader *rd, rec_writer *w, int batch_size, int masked,
		  mae_infer_fn apply, void *ctx, progress *prog)
{
	recbatch recs = {0};
	mae_batch mb;
	mae_batch_init(&mb);
	const uint8_t **pixels = calloc((size_t)batch_size, sizeof *pixels);
	const uint8_t **masks = calloc((size_t)batch_size, sizeof *masks);
	const mae_config *cfg = &model->cfg;
	size_t out_per_image = masked ? (size_t)mae_n_patches(cfg) * mae_patch_dim(cfg)
				      : (size_t)cfg->dim;
	float *out = malloc((size_t)batch_size * out_per_image * sizeof *out);
	int rc = recbatch_init(&recs, batch_size);
	if (rc < 0 || !pixels || !masks || !out)
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
		    apply(model, &mb, &recs, pixels, masks, out, ctx) < 0) {
			rc = -1;
			break;
		}
		for (int i = 0; rc == 0 && i < recs.n; i++)
			rc = rec_writer_put(w, &recs.recs[i]);
		progress_add(prog, (uint64_t)recs.n);
	}
	free(pixels);
	free(masks);
	free(out);
	recbatch_free(&recs);
	mae_batch_free(&mb);
	return rc;
}

void mae_infer_tool(const mae_infer_args *a, mae_infer_fn apply, void *ctx)
{
	mae_model model;
	if (mae_checkpoint_load(a->ckpt_path, cli_backend(a->device, a->threads), NULL, &model,
				NULL) < 0)
		cli_fail();
	rec_reader *rd;
	rec_writer *w;
	cli_open_filter(a->in_path, a->out_path, &rd, &w);
	progress prog;
	progress_start(&prog, "images", 0, a->quiet);
	if (mae_infer_run(&model, rd, w, a->batch, a->masked, apply, ctx, &prog) < 0)
		cli_fail_output(w);
	progress_end(&prog);
	cli_close_output(w);
	mae_model_free(&model);
	rec_reader_close(rd);
}
