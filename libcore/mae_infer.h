/* The loop every inference tool shares (mae-embed, mae-recon): records
 * read a batch at a time, their images (and masks) checked and packed, a
 * per-batch computation that sets fields on the records, the records
 * written in order. */
#ifndef MASKPIPE_MAE_INFER_H
#define MASKPIPE_MAE_INFER_H

#include <stdint.h>

#include "mae_batch.h"
#include "mae_model.h"
#include "progress.h"
#include "recbatch.h"
#include "recio.h"

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

/* What an inference tool does once its options are read. */
typedef struct mae_infer_args {
	const char *ckpt_path, *in_path, *out_path; /* NULL paths: stdin, stdout */
	const char *device;                        /* cpu, cuda or auto */
	int batch, threads, quiet, masked;
} mae_infer_args;

/* The options both inference tools take, for their getopt_long tables and
 * option strings, and their handling: mae_infer_option applies opt to a
 * and returns 1, or returns 0 when opt is not one of them. */
enum { MAE_INFER_OPT_DEVICE = 0x1000 };
#define MAE_INFER_OPTIONS                                          \
	{"batch", required_argument, NULL, 'b'},                   \
	{"threads", required_argument, NULL, 'j'},                 \
	{"device", required_argument, NULL, MAE_INFER_OPT_DEVICE}, \
	{"output", required_argument, NULL, 'o'},                  \
	{"quiet", no_argument, NULL, 'q'}
#define MAE_INFER_SHORTOPTS "b:j:o:q"
int mae_infer_option(mae_infer_args *a, int opt, const char *arg);
/* After the options: the checkpoint and the input stream from the
 * operands (bad usage when there is no checkpoint). */
void mae_infer_operands(mae_infer_args *a, int argc, char **argv);

/* Loads the checkpoint on the device, reads in_path and writes out_path
 * through mae_infer_run with progress on stderr; exits as a tool does on
 * failure (1, or 0 quietly when the reader of the output went away). */
void mae_infer_tool(const mae_infer_args *a, mae_infer_fn apply, void *ctx);

#endif
