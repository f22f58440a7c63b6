/* rec-shuffle: the records of a stream in a seeded random order. */
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"
#include "recstore.h"
#include "rng.h"

static const char help[] =
	"Usage: rec-shuffle [OPTION]... [FILE]\n"
	"Write the records of the record stream FILE (or stdin) in a random order\n"
	"that depends only on the seed and the number of records.\n"
	"\n"
	"  -s, --seed S      random seed (default 0)\n"
	"  -o, --output F    write to F (atomically) instead of stdout\n"
	"  -h, --help        show this help and exit\n"
	"  -V, --version     show the version and exit\n"
	"\n"
	"The whole stream is held in memory. The order is the one rec-repeat\n"
	"gives its epoch 0 with the same seed. See rec-shuffle(1).\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"seed", required_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	uint64_t seed = 0;
	const char *out_path = NULL;
	int opt;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "s:o:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 's': seed = (uint64_t)cli_int("--seed", optarg, 0, INT64_MAX); break;
		case 'o': out_path = optarg; break;
		case 'h': cli_help(help);
		case 'V': cli_version();
		default: cli_bad_option();
		}
	}
	if (argc - optind > 1)
		cli_usage("takes at most one input file");
	rec_reader *rd;
	rec_writer *w;
	cli_open_filter(optind < argc ? argv[optind] : NULL, out_path, &rd, &w);
	recstore all;
	recstore_init(&all);
	cli_check_read(recstore_read_all(&all, rd), w);
	uint32_t *order = malloc((all.n ? all.n : 1) * sizeof *order);
	if (!order) {
		err_set("out of memory for %zu records", all.n);
		cli_fail_output(w);
	}
	rng_permutation(order, all.n, seed, 0);
	rec r;
	rec_init(&r);
	for (size_t i = 0; i < all.n; i++) {
		cli_check_read(recstore_get(&all, order[i], &r), w);
		cli_put(w, &r);
	}
	cli_close_output(w);
	rec_free(&r);
	free(order);
	recstore_free(&all);
	rec_reader_close(rd);
	return 0;
}
