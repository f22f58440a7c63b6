/* mae-embed: the encoder of a trained MAE on whole images; adds `emb`. */
#include <getopt.h>

#include "cli/cli.h"
#include "cli/cli_backend.h"
#include "cli/cli_infer.h"

static const char help[] =
	"Usage: mae-embed [OPTION]... CHECKPOINT [FILE]\n"
	"Run the encoder of the MAE in CHECKPOINT (written by mae-train) on every\n"
	"image of the record stream FILE (or stdin), all patches visible, and add\n"
	"its embedding as the field `emb` (little-endian float32).\n"
	"\n"
	"  -p, --pool WHAT    cls (the cls token's output, default) or mean (the\n"
	"                     mean of the patch tokens' outputs)\n"
	"  -b, --batch N      images per batch (default 64)\n"
	"  -j, --threads N    threads (default 1)\n"
	"      --device D     cpu (default), cuda, or auto (cuda if usable)\n"
	"      --precision P  fp32 (default) or bf16: the matrix products' operands\n"
	"  -o, --output F     write to F (atomically) instead of stdout\n"
	"  -q, --quiet        no progress on stderr\n"
	"  -h, --help         show this help and exit\n"
	"  -V, --version      show the version and exit\n"
	"\n"
	"See mae-embed(1).\n";

static int embed_batch(mae_model *model, const mae_batch *mb, recbatch *recs,
		       const uint8_t *const *pixels, const uint8_t *const *masks, float *emb,
		       void *ctx)
{
	(void)pixels;
	(void)masks;
	int dim = model->cfg.dim, pool = *(const int *)ctx;
	if (mae_model_embed(model, mb, pool, emb) < 0)
		return -1;
	for (int i = 0; i < recs->n; i++)
		/* float32 little-endian, as on every machine this runs on */
		if (rec_set_bin(&recs->recs[i], "emb", emb + (size_t)i * dim,
				(size_t)dim * sizeof(float)) < 0)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"pool", required_argument, NULL, 'p'},
		MAE_INFER_OPTIONS,
		CLI_OPTIONS_COMMON,
	};
	int pool = MAE_POOL_CLS, opt;
	mae_infer_args a = {.device = "cpu", .batch = 64, .threads = 1, .masked = 0};
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "p:" MAE_INFER_SHORTOPTS "hV", opts, NULL)) != -1) {
		if (mae_infer_option(&a, opt, optarg))
			continue;
		switch (opt) {
		case 'p': pool = cli_pool_arg(optarg); break;
		CLI_CASES_COMMON(help);
		}
	}
	mae_infer_operands(&a, argc, argv);
	mae_infer_tool(&a, embed_batch, &pool);
	return 0;
}
