/* rec-png: writes the images of a record stream as PNG files, one per
 * record or one contact sheet, so a person can look at any stage. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/mkdirs.h"
#include "image/rec_picture.h"
#include "image/rec_png_out.h"

static const char help[] =
	"Usage: rec-png [OPTION]... [FILE]\n"
	"Write the img field of each record of the stream FILE (or stdin) as a PNG\n"
	"file DIR/INDEX_ID.png (000017_fashion-mnist_train_17.png), or all of them\n"
	"as one contact sheet.\n"
	"\n"
	"  -o, --dir DIR        write the files into DIR (default: .), made if missing\n"
	"  -s, --scale K        enlarge each image K times, nearest neighbour (1-64)\n"
	"  -S, --sheet FILE     write one PNG tiling the images in a grid instead\n"
	"  -c, --cols N         columns of the sheet (default: a square grid)\n"
	"  -n, --limit N        stop after N images\n"
	"  -b, --boxes N        draw the record's first N boxes over its image\n"
	"                       (0: all), the best in red\n"
	"      --by-label       put each file in a subdirectory per class, named from\n"
	"                       the header's classes or the zero-padded label: an\n"
	"                       ImageFolder tree that img-decode reads back\n"
	"      --skip-missing   skip records without img instead of failing\n"
	"  -v, --verbose        print the name of each file written\n"
	"  -h, --help           show this help and exit\n"
	"  -V, --version        show the version and exit\n"
	"\n"
	"See rec-png(1) and maskpipe-rec(5).\n";

typedef struct options {
	rec_png_out out; /* the files or the sheet */
	uint32_t scale;
	uint64_t limit;
	int64_t n_boxes;  /* boxes drawn per image, 0 all, -1 none */
	box *boxes;       /* the current record's */
	size_t boxes_cap;
	int skip_missing;
} options;

static _Noreturn void fail_record(const rec_reader *rd, const rec *r)
{
	char what[256];
	err_prefix("%s: %s: ", rec_reader_name(rd), rec_describe(r, what, sizeof what));
	cli_fail();
}

static void run(const char *path, options *opt)
{
	rec_reader *rd = cli_open_input(path);
	const rec *header = rec_reader_header(rd);
	if (!header) /* the message names the stream */
		cli_fail();
	rec_png_out *out = &opt->out;
	if (out->by_label && rec_get_strs(header, "classes", &out->classes, &out->n_classes) < 0) {
		err_prefix("%s: header: ", rec_reader_name(rd));
		cli_fail();
	}
	img picture = {0};
	rec r;
	rec_init(&r);
	uint64_t n_images = 0;
	int rc = 0;
	while (n_images < opt->limit && (rc = rec_reader_next(rd, &r)) > 0) {
		img_view view;
		int found = rec_get_img(&r, &view);
		if (found == 1 && opt->skip_missing)
			continue;
		if (found == 1)
			err_set("no 'img' field (--skip-missing skips such records)");
		if (found != 0)
			fail_record(rd, &r);
		if (rec_picture(&picture, &r, &view, opt->scale, opt->n_boxes, &opt->boxes,
				&opt->boxes_cap) < 0 ||
		    rec_png_out_add(out, &r, &picture) < 0)
			fail_record(rd, &r);
		n_images++;
	}
	if (rc < 0)
		cli_fail();
	if (rec_png_out_finish(out) < 0) {
		err_prefix("%s: ", rec_reader_name(rd));
		cli_fail();
	}
	rec_png_out_free(out);
	img_free(&picture);
	free(opt->boxes);
	rec_free(&r);
	rec_reader_close(rd);
}

int main(int argc, char **argv)
{
	enum { OPT_SKIP_MISSING = 256, OPT_BY_LABEL };
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'o'},
		{"scale", required_argument, NULL, 's'},
		{"sheet", required_argument, NULL, 'S'},
		{"cols", required_argument, NULL, 'c'},
		{"limit", required_argument, NULL, 'n'},
		{"boxes", required_argument, NULL, 'b'},
		{"skip-missing", no_argument, NULL, OPT_SKIP_MISSING},
		{"by-label", no_argument, NULL, OPT_BY_LABEL},
		{"verbose", no_argument, NULL, 'v'},
		CLI_OPTIONS_COMMON,
	};
	options opt = {.scale = 1, .limit = UINT64_MAX, .n_boxes = -1};
	rec_png_out *out = &opt.out;
	int c;
	cli_init(argc, argv);
	while ((c = getopt_long(argc, argv, "o:s:S:c:n:b:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out->dir = optarg; break;
		case 's': opt.scale = (uint32_t)cli_int("--scale", optarg, 1, 64); break;
		case 'S': out->sheet_path = optarg; break;
		case 'c': out->cols = (uint32_t)cli_int("--cols", optarg, 1, IMG_MAX_DIM); break;
		case 'n': opt.limit = (uint64_t)cli_int("-n", optarg, 0, INT64_MAX); break;
		case 'b': opt.n_boxes = cli_int("--boxes", optarg, 0, INT64_MAX); break;
		case OPT_SKIP_MISSING: opt.skip_missing = 1; break;
		case OPT_BY_LABEL: out->by_label = 1; break;
		case 'v': out->names = stdout; break;
		CLI_CASES_COMMON(help);
		}
	}
	if (out->dir && !*out->dir)
		cli_usage("-o wants a directory name");
	if (out->sheet_path && out->dir)
		cli_usage("--sheet writes one file: -o does not apply");
	if (out->by_label && out->sheet_path)
		cli_usage("--by-label writes files: --sheet does not apply");
	if (out->cols && !out->sheet_path)
		cli_usage("--cols needs --sheet");
	if (!out->sheet_path) {
		out->dir = out->dir ? out->dir : ".";
		if (mkdirs(out->dir) < 0)
			cli_fail();
	}
	run(cli_one_input(argc, argv), &opt);
	cli_flush_stdout();
	return 0;
}
