/* img-decode: images, image trees and data-set files to records. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "formats/imgdir.h"
#include "formats/fileio.h"
#include "formats/image.h"
#include "formats/imgsrc.h"
#include "common/progress.h"
#include "common/utf8.h"

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

typedef struct decode_opts {
	uint32_t channels; /* 0: as stored, less alpha */
	uint64_t offset, limit;
	int skip_bad;
	imgsrc_opts src;
} decode_opts;

/* The running state: where records go and how many images were seen. */
typedef struct decoder {
	const decode_opts *o;
	rec_writer *w;
	rec r;
	img im;
	uint64_t seen;    /* images met so far, offset included */
	uint64_t written; /* records written */
	uint64_t skipped; /* unreadable files passed over with --skip-bad */
	progress prog;
} decoder;

static int done(const decoder *d)
{
	return d->written >= d->o->limit;
}

/* Handles a failure to read one image file: fatal unless --skip-bad. */
static void bad_file(decoder *d)
{
	if (!d->o->skip_bad)
		cli_fail_output(d->w);
	fprintf(stderr, "%s: %s (skipped)\n", cli_prog(), err_msg());
	d->skipped++;
}

/* Writes the decoded d->im as a record. */
static void emit(decoder *d, const char *id, int64_t label, int64_t label_coarse)
{
	if (d->seen++ < d->o->offset)
		return;
	size_t id_len = strlen(id);
	if (utf8_invalid_at(id, id_len) < id_len) {
		/* an escape could be mistaken for a name that has one: refused */
		err_set("%s: the file name is not valid UTF-8, which ids must be: rename the file",
			id);
		bad_file(d);
		return;
	}
	if (img_convert(&d->im, d->o->channels) < 0 ||
	    rec_make_image(&d->r, id, label, label_coarse, &d->im) < 0) {
		err_prefix("%s: ", id);
		cli_fail_output(d->w);
	}
	cli_put(d->w, &d->r);
	d->written++;
	progress_add(&d->prog, 1);
}

/* Decodes every image of a file; `id` overrides the reader's id. */
static void decode_file(decoder *d, const char *path, const imgsrc_opts *opts, const char *id,
			int64_t label)
{
	imgsrc *src = imgsrc_open(path, opts);
	if (!src) {
		bad_file(d);
		return;
	}
	char src_id[4096];
	int64_t src_label, label_coarse;
	int rc = 0;
	while (!done(d) && (rc = imgsrc_next(src, &d->im, &src_label, &label_coarse, src_id,
					     sizeof src_id)) > 0)
		emit(d, id ? id : src_id, label >= 0 ? label : src_label, label_coarse);
	imgsrc_close(src);
	if (!done(d) && rc < 0)
		bad_file(d);
}

/* The number of images in a file, for the progress display: -1 when it
 * cannot be known before reading (a problem is reported when decoding). */
static int64_t file_image_count(const char *path, const imgsrc_opts *opts)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -1; /* a pipe cannot be read twice */
	imgsrc *src = imgsrc_open(path, opts);
	int64_t n_images = src ? imgsrc_count(src) : -1;
	imgsrc_close(src);
	return n_images;
}

/* An argument: a file (an image or a data set) or a tree to list. */
typedef struct input {
	const char *path;
	int is_tree;
	imgdir tree;
} input;

/* How many images the run will write, for the progress display; 0 when a
 * file cannot tell before it is read. */
static uint64_t images_to_decode(const input *inputs, int n_inputs, const decode_opts *o)
{
	uint64_t total = 0;
	for (int i = 0; i < n_inputs; i++) {
		int64_t n_images = inputs[i].is_tree ? (int64_t)inputs[i].tree.n_files
						      : file_image_count(inputs[i].path, &o->src);
		if (n_images < 0)
			return 0;
		total += (uint64_t)n_images;
	}
	total = total > o->offset ? total - o->offset : 0;
	return total < o->limit ? total : o->limit;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The class names of every directory input, which must agree. */
static int check_same_classes(const imgdir *a, const imgdir *b, const char *b_path)
{
	int same = a->n_classes == b->n_classes;
	for (size_t i = 0; same && i < a->n_classes; i++)
		same = strcmp(a->classes[i], b->classes[i]) == 0;
	return same ? 0 : err_set("%s: its class directories differ from the first directory's", b_path);
}

static void decode_stdin(decoder *d)
{
	uint8_t *data;
	size_t len;
	if (datafile_read_all("/dev/stdin", IMG_MAX_BYTES, &data, &len) < 0 || image_decode(data, len, &d->im) < 0) {
		err_prefix("stdin: ");
		cli_fail_output(d->w);
	}
	free(data);
	emit(d, "stdin", -1, -1);
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
	decode_opts o = {.limit = UINT64_MAX};
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
	int n_inputs = argc - optind;
	input *inputs = calloc(n_inputs ? (size_t)n_inputs : 1, sizeof *inputs);
	if (!inputs) {
		err_set("out of memory");
		cli_fail();
	}
	/* trees are listed first: their classes go into the header */
	const imgdir *first_tree = NULL;
	int n_trees = 0;
	for (int i = 0; i < n_inputs; i++) {
		inputs[i].path = argv[optind + i];
		if (!(inputs[i].is_tree = is_dir(inputs[i].path)))
			continue;
		if (imgdir_list(inputs[i].path, &inputs[i].tree) < 0 ||
		    (first_tree && check_same_classes(first_tree, &inputs[i].tree, inputs[i].path) < 0))
			cli_fail();
		if (!first_tree)
			first_tree = &inputs[i].tree;
		n_trees++;
	}
	rec header;
	rec_init(&header);
	if (cli_header_make(&header, NULL) < 0)
		cli_fail();
	if (first_tree && first_tree->n_classes &&
	    rec_set_strs(&header, "classes", first_tree->classes, first_tree->n_classes) < 0) {
		err_prefix("%s: a class directory's name: ", inputs[0].path);
		cli_fail();
	}

	decoder d = {.o = &o};
	rec_init(&d.r);
	d.w = cli_open_output(out_path);
	cli_put(d.w, &header);
	progress_start(&d.prog, "images", 0, quiet);
	if (d.prog.enabled) /* counting opens every file once more: only for the display */
		d.prog.total = images_to_decode(inputs, n_inputs, &o);
	if (n_inputs == 0)
		decode_stdin(&d);
	for (int i = 0; i < n_inputs && !done(&d); i++) {
		const input *in = &inputs[i];
		if (!in->is_tree) {
			decode_file(&d, in->path, &o.src, NULL, -1);
			continue;
		}
		for (size_t f = 0; f < in->tree.n_files && !done(&d); f++) {
			const imgdir_file *file = &in->tree.files[f];
			char *full;
			if (asprintf(&full, "%s/%s", in->path, file->rel_path) < 0) {
				err_set("out of memory");
				cli_fail_output(d.w);
			}
			imgsrc_opts by_name = o.src;
			by_name.format = imgdir_format_of(file->rel_path);
			/* ids stay unique when several trees share a layout */
			decode_file(&d, full, &by_name, n_trees > 1 ? full : file->rel_path, file->label);
			free(full);
		}
	}
	progress_end(&d.prog);
	cli_close_output(d.w);
	if (d.skipped)
		fprintf(stderr, "%s: skipped %llu unreadable image file%s\n", cli_prog(),
			(unsigned long long)d.skipped, d.skipped == 1 ? "" : "s");
	for (int i = 0; i < n_inputs; i++)
		imgdir_free(&inputs[i].tree);
	free(inputs);
	img_free(&d.im);
	rec_free(&d.r);
	rec_free(&header);
	return 0;
}
