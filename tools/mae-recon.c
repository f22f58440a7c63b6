/* mae-recon: a trained MAE's reconstruction of masked images, shown as the
 * MAE papers show it. */
#include <getopt.h>

#include "cli/cli.h"
#include "cli/cli_infer.h"
#include "mae/mae_recon.h"

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
	"      --precision P  fp32 (default) or bf16: the matrix products' operands\n"
	"  -o, --output F     write to F (atomically) instead of stdout\n"
	"  -q, --quiet        no progress on stderr\n"
	"  -h, --help         show this help and exit\n"
	"  -V, --version      show the version and exit\n"
	"\n"
	"See mae-recon(1).\n";

static int reconstruct_batch(mae_model *model, const mae_batch *mb, recbatch *recs,
			     const uint8_t *const *pixels, const uint8_t *const *masks, float *pred,
			     void *ctx)
{
	img *panel = ctx;
	size_t per_image = (size_t)mae_n_patches(&model->cfg) * mae_patch_dim(&model->cfg);
	if (mae_model_predict(model, mb, pred) < 0)
		return -1;
	for (int i = 0; i < recs->n; i++)
		/* the panel is made before img, which pixels[i] points into, changes */
		if (mae_recon_panel(panel, pixels[i], masks[i], pred + i * per_image,
				    &model->cfg) < 0 ||
		    rec_set_img(&recs->recs[i], panel) < 0)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		MAE_INFER_OPTIONS,
		CLI_OPTIONS_COMMON,
	};
	int opt;
	mae_infer_args a = {.device = "cpu", .batch = 64, .threads = 1, .masked = 1};
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, MAE_INFER_SHORTOPTS "hV", opts, NULL)) != -1) {
		if (mae_infer_option(&a, opt, optarg))
			continue;
		switch (opt) {
		CLI_CASES_COMMON(help);
		}
	}
	mae_infer_operands(&a, argc, argv);
	img panel = {0};
	mae_infer_tool(&a, reconstruct_batch, &panel);
	img_free(&panel);
	return 0;
}
