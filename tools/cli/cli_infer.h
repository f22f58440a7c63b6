/* The driver both inference tools share (mae-embed, mae-recon): their
 * common options, operands, and the run of mae_infer_run with a checkpoint,
 * streams and progress set up as every tool does. */
#ifndef MASKPIPE_CLI_INFER_H
#define MASKPIPE_CLI_INFER_H

#include "mae/mae_infer.h"

/* What an inference tool does once its options are read. */
typedef struct mae_infer_args {
	const char *ckpt_path, *in_path, *out_path; /* NULL paths: stdin, stdout */
	const char *device;                        /* cpu, cuda or auto */
	int batch, threads, quiet, masked;
	int precision;                             /* BACKEND_FP32 or BACKEND_BF16 */
} mae_infer_args;

/* The options both inference tools take, for their getopt_long tables and
 * option strings, and their handling: mae_infer_option applies opt to a
 * and returns 1, or returns 0 when opt is not one of them. */
enum { MAE_INFER_OPT_DEVICE = 0x1000, MAE_INFER_OPT_PRECISION };
#define MAE_INFER_OPTIONS                                          \
	{"batch", required_argument, NULL, 'b'},                   \
	{"threads", required_argument, NULL, 'j'},                 \
	{"device", required_argument, NULL, MAE_INFER_OPT_DEVICE}, \
	{"precision", required_argument, NULL, MAE_INFER_OPT_PRECISION}, \
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
