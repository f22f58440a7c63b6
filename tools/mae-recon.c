/* mae-recon: a trained MAE's reconstruction of masked images, shown as the
 * MAE papers show it. */
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"
#include "mae_checkpoint.h"
#include "mae_infer.h"
#include "mae_recon.h"

static const char help[] =
	"Usage: mae-recon [OPTION]... CHECKPOINT [FILE]\n"
	"Reconstruct the hidden patches of every record of the stream FILE (or\n"
	"stdin; records need `img`, `grid` and `mask`) with the MAE in CHECKPOINT,\n"
	"and replace `img` by three panels side by side: the image, the masked\n"
	"input and the reconstruction with the visible patches pasted back.\n"
	"rec-png shows them.\n"
	"\n"
	"  -b, --batch N      images per batch (default 64)\n"
	"  -j, --threads N    threads (default 1)\n"
	"      --device D     cpu (default), cuda, or auto (cuda if usable)\n"
	"  -o, --output F     write to F (atomically) instead of stdout\n"
	"  -q, --quiet        no progress on stderr\n"
	"  -h, --help         show this help and exit\n"
	"  -V, --version      show the version and exit\n"
	"\n"
	"See mae-recon(1).\n";

typedef struct reconstruction {
	size_t per_image; /* predicted values per image */
	float *pred;      /* [batch][per_image]: every patch predicted */
	img panel;
} reconstruction;

static int reconstruct_batch(mae_model *model, const mae_batch *mb, recbatch *recs,
			     const uint8_t *const *pixels, const uint8_t *const *masks, void *ctx)
{
	reconstruction *r = ctx;
	if (mae_model_predict(model, mb, r->pred) < 0)
		return -1;
	for (int i = 0; i < recs->n; i++)
		/* the panel is made before img, which pixels[i] points into, changes */
		if (mae_recon_panel(&r->panel, pixels[i], masks[i], r->pred + i * r->per_image,
				    &model->cfg) < 0 ||
		    rec_set_img(&recs->recs[i], &r->panel) < 0)
			return -1;
	return 0;
}

enum { OPT_DEVICE = 256 };

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"batch", required_argument, NULL, 'b'},
		{"threads", required_argument, NULL, 'j'},
		{"device", required_argument, NULL, OPT_DEVICE},
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		CLI_OPTIONS_COMMON,
	};
	int batch = 64, threads = 1, quiet = 0, opt;
	const char *device = "cpu";
	const char *out_path = NULL;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "b:j:o:qhV", opts, NULL)) != -1) {
		switch (opt) {
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
	size_t per_image = (size_t)mae_n_patches(&model.cfg) * mae_patch_dim(&model.cfg);
	reconstruction r = {per_image, malloc((size_t)batch * per_image * sizeof(float)), {0}};
	if (!r.pred) {
		err_set("out of memory");
		cli_fail_output(w);
	}
	progress prog;
	progress_start(&prog, "images", 0, quiet);
	if (mae_infer_run(&model, rd, w, batch, 1, reconstruct_batch, &r, &prog) < 0)
		cli_fail_output(w);
	progress_end(&prog);
	cli_close_output(w);
	img_free(&r.panel);
	free(r.pred);
	mae_model_free(&model);
	rec_reader_close(rd);
	return 0;
}
