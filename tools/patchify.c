/* patchify: turns each record into the model's input geometry (resize,
 * crop, flip, with the boxes and segments following the image) and writes
 * its patch grid and per-patch box counts. */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_real.h"
#include "image/patchify.h"

static const char help[] =
	"Usage: patchify [OPTION]... [FILE]\n"
	"Resize, crop and flip the img of each record of the stream FILE (or stdin),\n"
	"transform its boxes (and segments) with it, and write `grid` {p, gh, gw}\n"
	"and, when the record has boxes, `boxcount` (boxes touching each patch).\n"
	"Random draws come from the seed and the record's id and epoch.\n"
	"\n"
	"  -p, --patch P          patch side in pixels (default 16)\n"
	"      --size S           output S x S (default: the image's own size)\n"
	"      --resize R         first resize the image to R x R\n"
	"      --crop KIND        none (default: the whole image), random (an S x S\n"
	"                         window), rrc (RandomResizedCrop, as MAE)\n"
	"      --rrc-scale A,B    rrc area fraction range (default 0.2,1)\n"
	"      --rrc-ratio A,B    rrc aspect ratio range (default 0.75,1.3333333)\n"
	"      --flip             flip horizontally with probability 1/2\n"
	"      --min-box-keep F   drop a box keeping less than F of its area (default 0.25)\n"
	"  -s, --seed S           random seed (default 0)\n"
	"  -o, --output FILE      write to FILE (atomically) instead of stdout\n"
	"  -h, --help             show this help and exit\n"
	"  -V, --version          show the version and exit\n"
	"\n"
	"See patchify(1) and maskpipe-rec(5).\n";

static int crop_kind_of(const char *name)
{
	static const char *const names[] = {"none", "random", "rrc"};
	for (int k = 0; k < 3; k++)
		if (strcmp(name, names[k]) == 0)
			return k;
	cli_usage("--crop wants none, random or rrc, not '%s'", name);
}

int main(int argc, char **argv)
{
	enum { OPT_SIZE = 256, OPT_RESIZE, OPT_CROP, OPT_RRC_SCALE, OPT_RRC_RATIO, OPT_FLIP,
	       OPT_MIN_BOX_KEEP };
	static const struct option opts[] = {
		{"patch", required_argument, NULL, 'p'},
		{"size", required_argument, NULL, OPT_SIZE},
		{"resize", required_argument, NULL, OPT_RESIZE},
		{"crop", required_argument, NULL, OPT_CROP},
		{"rrc-scale", required_argument, NULL, OPT_RRC_SCALE},
		{"rrc-ratio", required_argument, NULL, OPT_RRC_RATIO},
		{"flip", no_argument, NULL, OPT_FLIP},
		{"min-box-keep", required_argument, NULL, OPT_MIN_BOX_KEEP},
		{"seed", required_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		CLI_OPTIONS_COMMON,
	};
	augment_opts aug = {.crop = CROP_NONE, .scale_min = 0.2, .scale_max = 1.0,
			    .ratio_min = 3.0 / 4.0, .ratio_max = 4.0 / 3.0, .min_box_keep = 0.25};
	uint32_t patch = 16;
	uint64_t seed = 0;
	const char *out_path = NULL;
	int opt;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "p:s:o:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': patch = (uint32_t)cli_int("--patch", optarg, 1, 4096); break;
		case OPT_SIZE: aug.size = (uint32_t)cli_int("--size", optarg, 1, IMG_MAX_DIM); break;
		case OPT_RESIZE: aug.resize = (uint32_t)cli_int("--resize", optarg, 1, IMG_MAX_DIM); break;
		case OPT_CROP: aug.crop = crop_kind_of(optarg); break;
		case OPT_RRC_SCALE:
			cli_real_pair("--rrc-scale", optarg, 1e-6, 1, &aug.scale_min, &aug.scale_max);
			break;
		case OPT_RRC_RATIO:
			cli_real_pair("--rrc-ratio", optarg, 1e-3, 1e3, &aug.ratio_min, &aug.ratio_max);
			break;
		case OPT_FLIP: aug.flip = 1; break;
		case OPT_MIN_BOX_KEEP: aug.min_box_keep = cli_real("--min-box-keep", optarg, 0, 1, 0); break;
		case 's': seed = (uint64_t)cli_int("--seed", optarg, 0, INT64_MAX); break;
		case 'o': out_path = cli_output_arg(optarg); break;
		CLI_CASES_COMMON(help);
		}
	}
	if (aug.crop == CROP_RANDOM && !aug.size)
		cli_usage("--crop random needs --size");
	if (aug.size && aug.size % patch)
		cli_usage("--size %u is not a multiple of --patch %u", aug.size, patch);
	if (aug.resize && aug.resize % patch && !aug.size)
		cli_usage("--resize %u is not a multiple of --patch %u", aug.resize, patch);

	rec_reader *rd;
	rec_writer *w;
	cli_open_filter(cli_one_input(argc, argv), out_path, &rd, &w);
	patchify_work wk = {0};
	rec r;
	rec_init(&r);
	int rc;
	while ((rc = rec_reader_next(rd, &r)) > 0) {
		if (patchify_record(&r, &aug, patch, seed, &wk) < 0) {
			char what[256];
			err_prefix("%s: %s: ", rec_reader_name(rd), rec_describe(&r, what, sizeof what));
			cli_check_read(-1, w);
		}
		cli_put(w, &r);
	}
	cli_check_read(rc, w);
	cli_close_output(w);
	patchify_work_free(&wk);
	rec_free(&r);
	rec_reader_close(rd);
	return 0;
}
