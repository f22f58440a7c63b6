/* mae-recon: a trained MAE's reconstruction of masked images, shown as the
 * MAE papers show it. */
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"
#include "mae_checkpoint.h"
#include "mae_input.h"
#include "mae_recon.h"
#include "progress.h"

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
	const mae_config *cfg = &model.cfg;
	rec_reader *rd;
	rec_writer *w;
	cli_open_filter(cli_one_input(argc, argv), out_path, &rd, &w);
	recbatch recs;
	mae_batch mb;
	mae_batch_init(&mb);
	size_t per_image = (size_t)mae_n_patches(cfg) * mae_patch_dim(cfg);
	const uint8_t **pixels = calloc((size_t)batch, sizeof(uint8_t *));
	const uint8_t **masks = calloc((size_t)batch, sizeof(uint8_t *));
	float *pred = malloc((size_t)batch * per_image * sizeof(float));
	if (recbatch_init(&recs, batch) < 0 || !pixels || !masks || !pred) {
		err_set("out of memory");
		cli_fail();
	}
	img panel = {0};
	progress prog;
	progress_start(&prog, "images", 0, quiet);
	for (;;) {
		if (recbatch_read(&recs, rd) < 0)
			cli_fail_output(w);
		if (recs.n == 0)
			break;
		/* every patch predicted: pred holds image i's patches at i * L */
		if (mae_batch_input(&recs, cfg, 1, pixels, masks, rec_reader_name(rd)) < 0 ||
		    mae_batch_build(&mb, cfg, pixels, masks, recs.n, 1) < 0 ||
		    mae_model_predict(&model, &mb, pred) < 0)
			cli_fail_output(w);
		for (int i = 0; i < recs.n; i++) {
			/* the panel is made before img, which px points into, changes */
			if (mae_recon_panel(&panel, pixels[i], masks[i], pred + i * per_image, cfg) < 0 ||
			    rec_set_img(&recs.recs[i], &panel) < 0)
				cli_fail_output(w);
			cli_put(w, &recs.recs[i]);
		}
		progress_add(&prog, (uint64_t)recs.n);
	}
	progress_end(&prog);
	cli_close_output(w);
	img_free(&panel);
	free(pred);
	free(pixels);
	free(masks);
	recbatch_free(&recs);
	mae_batch_free(&mb);
	mae_model_free(&model);
	rec_reader_close(rd);
	return 0;
}
