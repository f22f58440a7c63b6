/* mask-stats: per stream of masks (one strategy each), the mean ratio,
 * the per-position hiding frequency as a heat map and as numbers, its
 * entropy, and the diversity of each image's masks across epochs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "common/mkdirs.h"
#include "mask/mask_stats.h"
#include "mask/mask_stats_files.h"

static const char help[] =
	"Usage: mask-stats [OPTION]... FILE...\n"
	"Read each record stream FILE (\"-\": stdin), its records carrying `grid`,\n"
	"`mask` and `id`, and print one line per stream: its strategy (the header's\n"
	"mask_strategy, else the file name), masks, mean hidden ratio, the least\n"
	"and most often hidden positions' frequencies, the entropy of the\n"
	"per-position frequencies (1 = uniform), and the diversity: the mean\n"
	"Hamming distance between two masks of the same id, as a fraction of the\n"
	"patches, over the pairs counted.\n"
	"\n"
	"  -d, --dir DIR      write DIR/STRATEGY.png (heat map: white = always\n"
	"                     hidden, black = never) and DIR/STRATEGY.txt (the\n"
	"                     frequencies, one grid row a line); DIR is made\n"
	"  -s, --scale K      heat map pixels per patch (default 16)\n"
	"      --positions    also print the frequencies under each line\n"
	"  -h, --help         show this help and exit\n"
	"  -V, --version      show the version and exit\n"
	"\n"
	"See mask-stats(1).\n";

typedef struct options {
	const char *dir;
	uint32_t scale;
	int positions;
} options;

/* Reads one stream and prints its line; returns its label (for counting
 * repeats), NULL never (failures exit). */
static char *one_stream(const char *path, const options *opt, char **labels, int n_labels)
{
	rec_reader *rd = cli_open_input(path);
	const rec *header = rec_reader_header(rd);
	if (!header)
		cli_fail();
	char *label = mask_stats_label(header, path);
	if (!label) {
		err_prefix("%s: header: ", rec_reader_name(rd));
		cli_fail();
	}
	mask_stats s;
	mask_stats_init(&s);
	rec r;
	rec_init(&r);
	int rc;
	while ((rc = rec_reader_next(rd, &r)) > 0)
		if (mask_stats_add(&s, &r) < 0) {
			char what[256];
			err_prefix("%s: %s: ", rec_reader_name(rd), rec_describe(&r, what, sizeof what));
			cli_fail();
		}
	if (rc < 0)
		cli_fail();
	mask_summary sum;
	if (mask_stats_summary(&s, &sum) < 0) {
		err_prefix("%s: ", rec_reader_name(rd));
		cli_fail();
	}
	/* the files first: a stream whose heat map cannot be written gets no
	 * line either */
	if (opt->dir &&
	    mask_stats_write_files(&s, label, labels, n_labels, opt->dir, opt->scale) < 0) {
		err_prefix("%s: ", rec_reader_name(rd));
		cli_fail();
	}
	printf("%-14s %8llu %6.4f %6.4f %6.4f %7.5f %9.5f %10llu\n", label,
	       (unsigned long long)sum.n_masks, sum.mean_ratio, sum.min_freq, sum.max_freq, sum.entropy,
	       sum.diversity, (unsigned long long)sum.n_pairs);
	if (opt->positions)
		mask_stats_print_freq(stdout, &s);
	mask_stats_free(&s);
	rec_free(&r);
	rec_reader_close(rd);
	return label;
}

int main(int argc, char **argv)
{
	enum { OPT_POSITIONS = 256 };
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'},
		{"scale", required_argument, NULL, 's'},
		{"positions", no_argument, NULL, OPT_POSITIONS},
		CLI_OPTIONS_COMMON,
	};
	options opt = {.scale = 16};
	int c;
	cli_init(argc, argv);
	while ((c = getopt_long(argc, argv, "d:s:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'd': opt.dir = optarg; break;
		case 's': opt.scale = (uint32_t)cli_int("--scale", optarg, 1, 256); break;
		case OPT_POSITIONS: opt.positions = 1; break;
		CLI_CASES_COMMON(help);
		}
	}
	if (optind == argc)
		cli_usage("wants at least one FILE (\"-\" for stdin)");
	if (opt.dir && !*opt.dir)
		cli_usage("--dir wants a directory name");
	if (opt.dir && mkdirs(opt.dir) < 0)
		cli_fail();
	int n_streams = argc - optind;
	char **labels = calloc((size_t)n_streams, sizeof *labels);
	if (!labels) {
		err_set("out of memory");
		cli_fail();
	}
	printf("%-14s %8s %6s %6s %6s %7s %9s %10s\n", "strategy", "masks", "ratio", "min_f",
	       "max_f", "entropy", "diversity", "pairs");
	for (int i = 0; i < n_streams; i++)
		labels[i] = one_stream(argv[optind + i], &opt, labels, i);
	for (int i = 0; i < n_streams; i++)
		free(labels[i]);
	free(labels);
	cli_flush_stdout();
	return 0;
}
