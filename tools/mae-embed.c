/* mae-embed: the encoder of a trained MAE on whole images; adds `emb`. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mae_checkpoint.h"
#include "mae_infer.h"

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
	"  -o, --output F     write to F (atomically) instead of stdout\n"
	"  -q, --quiet        no progress on stderr\n"
	"  -h, --help         show this help and exit\n"
	"  -V, --version      show the version and exit\n"
	"\n"
	"See mae-embed(1).\n";

typedef struct embedding {
	int pool;
	float *values; /* [batch][dim] */
} embedding;

static int embed_batch(mae_model *model, const mae_batch *mb, recbatch *recs,
		       const uint8_t *const *pixels, const uint8_t *const *masks, void *ctx)
{
	(void)pixels;
	(void)masks;
	embedding *e = ctx;
	int dim = model->cfg.dim;
	if (mae_model_embed(model, mb, e->pool, e->values) < 0)
		return -1;
	for (int i = 0; i < recs->n; i++)
		/* float32 little-endian, as on every machine this runs on */
		if (rec_set_bin(&recs->recs[i], "emb", e->values + (size_t)i * dim,
				(size_t)dim * sizeof(float)) < 0)
			return -1;
	return 0;
}

enum { OPT_DEVICE = 256 };

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"pool", required_argument, NULL, 'p'},
		{"batch", required_argument, NULL, 'b'},
		{"threads", required_argument, NULL, 'j'},
		{"device", required_argument, NULL, OPT_DEVICE},
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		CLI_OPTIONS_COMMON,
	};
	int pool = MAE_POOL_CLS, batch = 64, threads = 1, quiet = 0, opt;
	const char *device = "cpu";
	const char *out_path = NULL;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "p:b:j:o:qhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (strcmp(optarg, "cls") && strcmp(optarg, "mean"))
				cli_usage("--pool is cls or mean, not '%s'", optarg);
			pool = strcmp(optarg, "cls") == 0 ? MAE_POOL_CLS : MAE_POOL_MEAN;
			break;
		case 'b': batch = (int)cli_int("--batch", optarg, 1, 1 << 20); break;
		case 'j': threads = (int)cli_int("--threads", optarg, 1, 256); break;
		case OPT_DEVICE:
			if (!backend_device_known(optarg))
				cli_usage("--device is cpu, cuda or auto, not '%s'", optarg);
			device = optarg;
			break;
		case 'o': out_path = cli_output_arg(optarg); break;
		case 'q': quiet = 1; break;
		CLI_CASES_COMMON(help);
		}
	}
	if (optind >= argc)
		cli_usage("no checkpoint given");
	const char *ckpt_path = argv[optind++];

	const backend *be = backend_for_device(device);
	if (!be) {
		err_prefix("--device=%s: ", device);
		cli_fail();
	}
	be->set_threads(threads);
	mae_model model;
	if (mae_checkpoint_load(ckpt_path, be, NULL, &model, NULL) < 0)
		cli_fail();
	rec_reader *rd;
	rec_writer *w;
	cli_open_filter(cli_one_input(argc, argv), out_path, &rd, &w);
	embedding e = {pool, malloc((size_t)batch * model.cfg.dim * sizeof(float))};
	if (!e.values) {
		err_set("out of memory");
		cli_fail_output(w);
	}
	progress prog;
	progress_start(&prog, "images", 0, quiet);
	if (mae_infer_run(&model, rd, w, batch, 0, embed_batch, &e, &prog) < 0)
		cli_fail_output(w);
	progress_end(&prog);
	cli_close_output(w);
	free(e.values);
	mae_model_free(&model);
	rec_reader_close(rd);
	return 0;
}
