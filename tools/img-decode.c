/* img-decode: images, image trees and data-set files to records. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "common/progress.h"
#include "formats/img_inputs.h"

static const char help[] =
	"Usage: img-decode [OPTION]... [PATH]...\n"
	"Turn images into a record stream on stdout: one record per image with\n"
	"`id`, `label` (when known) and `img`. A PATH is\n"
	"  - a PNG or JPEG file (id: the path);\n"
	"  - a directory, read recursively in sorted order as an ImageFolder tree:\n"
	"    each first-level subdirectory is a class, numbered in sorted order,\n"
	"    the names listed in the header's `classes` (id: the path below PATH,\n"
	"    or PATH/path when several directories are given);\n"
	"  - a data-set file: MNIST/Fashion-MNIST IDX (plain or .gz; labels from\n"
	"    the *-labels-idx1-ubyte file beside it), CIFAR-10/100 binary batches,\n"
	"    STL-10 *_X.bin (labels from *_y.bin) (id: DATASET:SPLIT:INDEX).\n"
	"Without PATH, one PNG or JPEG image is read from stdin.\n"
	"\n"
	"  -c, --channels N   force 1 (gray, ITU-R 601 luma) or 3 (RGB) channels;\n"
	"                     alpha is always dropped\n"
	"      --offset K     skip the first K images\n"
	"  -n, --limit N      decode at most N images\n"
	"  -f, --format F     read files as png, jpeg, idx, cifar10, cifar100 or stl10\n"
	"      --labels FILE  the labels file of an IDX or STL-10 images file\n"
	"      --name NAME    the data-set name in ids (default: the file's directory)\n"
	"      --skip-bad     warn about an unreadable image file and go on\n"
	"  -o, --output F     write to F (atomically) instead of stdout\n"
	"  -q, --quiet        no progress display\n"
	"  -h, --help         show this help and exit\n"
	"  -V, --version      show the version and exit\n"
	"\n"
	"See img-decode(1) and maskpipe-rec(5).\n";

/* The records' side of the decoding: each image becomes a record. */
typedef struct writing {
	rec_writer *w;
	rec r;
	progress prog;
	uint64_t skipped; /* unreadable files passed over with --skip-bad */
} writing;

static int put_image(void *ctx, const char *id, int64_t label, int64_t label_coarse,
		     const img *im)
{
	writing *x = ctx;
	if (rec_make_image(&x->r, id, label, label_coarse, im) < 0)
		return -1;
	cli_put(x->w, &x->r);
	progress_add(&x->prog, 1);
	return 0;
}

static void skipped_file(void *ctx)
{
	writing *x = ctx;
	fprintf(stderr, "%s: %s (skipped)\n", cli_prog(), err_msg());
	x->skipped++;
}

int main(int argc, char **argv)
{
	enum { OPT_OFFSET = 256, OPT_LABELS, OPT_NAME, OPT_SKIP_BAD };
	static const struct option opts[] = {
		{"channels", required_argument, NULL, 'c'},
		{"offset", required_argument, NULL, OPT_OFFSET},
		{"limit", required_argument, NULL, 'n'},
		{"format", required_argument, NULL, 'f'},
		{"labels", required_argument, NULL, OPT_LABELS},
		{"name", required_argument, NULL, OPT_NAME},
		{"skip-bad", no_argument, NULL, OPT_SKIP_BAD},
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		CLI_OPTIONS_COMMON,
	};
	img_inputs_opts o = {.limit = UINT64_MAX};
	const char *out_path = NULL;
	int quiet = 0, opt;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "c:n:f:o:qhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			o.channels = (uint32_t)cli_int("--channels", optarg, 1, 3);
			if (o.channels == 2)
				cli_usage("--channels takes 1 or 3");
			break;
		case OPT_OFFSET: o.offset = (uint64_t)cli_int("--offset", optarg, 0, INT64_MAX); break;
		case 'n': o.limit = (uint64_t)cli_int("--limit", optarg, 0, INT64_MAX); break;
		case 'f':
			if (imgsrc_check_format(optarg) < 0)
				cli_usage("%s", err_msg());
			o.src.format = optarg;
			break;
		case OPT_LABELS: o.src.labels = optarg; break;
		case OPT_NAME: o.src.name = optarg; break;
		case OPT_SKIP_BAD: o.skip_bad = 1; break;
		case 'o': out_path = cli_output_arg(optarg); break;
		case 'q': quiet = 1; break;
		CLI_CASES_COMMON(help);
		}
	}
	img_inputs inputs;
	if (img_inputs_open(&inputs, argv + optind, argc - optind) < 0)
		cli_fail();
	rec header;
	rec_init(&header);
	if (cli_header_make(&header, NULL) < 0)
		cli_fail();
	const imgdir *first_tree = inputs.first_tree;
	if (first_tree && first_tree->n_classes &&
	    rec_set_strs(&header, "classes", first_tree->classes, first_tree->n_classes) < 0) {
		err_prefix("%s: a class directory's name: ", inputs.items[0].path);
		cli_fail();
	}

	writing x = {0};
	rec_init(&x.r);
	x.w = cli_open_output(out_path);
	cli_put(x.w, &header);
	progress_start(&x.prog, "images", 0, quiet);
	if (x.prog.enabled) /* counting opens every file once more: only for the display */
		x.prog.total = img_inputs_count(&inputs, &o);
	img_sink sink = {put_image, skipped_file, &x};
	if (img_inputs_decode(&inputs, &o, &sink) < 0)
		cli_fail_output(x.w);
	progress_end(&x.prog);
	cli_close_output(x.w);
	if (x.skipped)
		fprintf(stderr, "%s: skipped %llu unreadable image file%s\n", cli_prog(),
			(unsigned long long)x.skipped, x.skipped == 1 ? "" : "s");
	img_inputs_free(&inputs);
	rec_free(&x.r);
	rec_free(&header);
	return 0;
}
