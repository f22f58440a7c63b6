/* The loop every inference tool shares (mae-embed, mae-recon): records
 * read a batch at a time, their images (and masks) checked and packed, a
 * per-batch computation that sets fields on the records, the records
 * written in order. */
#ifndef MASKPIPE_MAE_INFER_H
#define MASKPIPE_MAE_INFER_H

#include <stdint.h>

#include "mae/mae_batch.h"
#include "mae/mae_model.h"
#include "common/progress.h"
#include "stream/rec_batch.h"
#include "stream/rec_io.h"

/* One batch of mae_infer_run: records recs->recs[0..recs->n), their
 * pixels and masks (NULL entries when masks are not used), mb built from
 * them, and room for the model's output: per image, its embedding (dim
 * floats) or, masked, every patch predicted (patches x patch_dim). Sets
 * the records' new fields: 0, or -1 with a message. */
typedef int (*mae_infer_fn)(mae_model *model, const mae_batch *mb, recbatch *recs,
			    const uint8_t *const *pixels, const uint8_t *const *masks, float *out,
			    void *ctx);

/* Runs `apply` on every batch of up to batch_size records of rd and writes
 * the records to w. masked 0: whole images, every patch visible (the
 * embedding); 1: records need `grid` and `mask`, the encoder sees the
 * visible patches and the batch asks the decoder for every patch (the
 * reconstruction). 0, or -1 with a message (rec_writer_broken_pipe(w)
 * tells a closed pipe from other failures). */
int mae_infer_run(mae_model *model, rec_reader *rd, rec_writer *w, int batch_size, int masked,
		  mae_infer_fn apply, void *ctx, progress *prog);

#endif
