#include "cli/cli_infer.h"

#include <getopt.h>

#include "cli/cli.h"
#include "cli/cli_backend.h"
#include "mae/mae_checkpoint.h"

int mae_infer_option(mae_infer_args *a, int opt, const char *arg)
{
	switch (opt) {
	case 'b': a->batch = (int)cli_int("--batch", arg, 1, 1 << 20); return 1;
	case 'j': a->threads = (int)cli_int("--threads", arg, 1, 256); return 1;
	case MAE_INFER_OPT_DEVICE: a->device = cli_device_arg(arg); return 1;
	case MAE_INFER_OPT_PRECISION: a->precision = cli_precision_arg(arg); return 1;
	case 'o': a->out_path = cli_output_arg(arg); return 1;
	case 'q': a->quiet = 1; return 1;
	default: return 0;
	}
}

void mae_infer_operands(mae_infer_args *a, int argc, char **argv)
{
	if (optind >= argc)
		cli_usage("no checkpoint given");
	a->ckpt_path = argv[optind++];
	a->in_path = cli_one_input(argc, argv);
}

void mae_infer_tool(const mae_infer_args *a, mae_infer_fn apply, void *ctx)
{
	mae_model model;
	if (mae_checkpoint_load(a->ckpt_path, cli_backend(a->device, a->threads, a->precision), NULL, &model,
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
