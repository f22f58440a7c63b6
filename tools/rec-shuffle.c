/* rec-shuffle: the records of a stream in a seeded random order. */
#include <getopt.h>

#include "cli/cli.h"
#include "stream/rec_store.h"

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
		CLI_OPTIONS_COMMON,
	};
	uint64_t seed = 0;
	const char *out_path = NULL;
	int opt;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "s:o:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 's': seed = (uint64_t)cli_int("--seed", optarg, 0, INT64_MAX); break;
		case 'o': out_path = cli_output_arg(optarg); break;
		CLI_CASES_COMMON(help);
		}
	}
	rec_reader *rd;
	rec_writer *w;
	cli_open_filter(cli_one_input(argc, argv), out_path, &rd, &w);
	recstore all;
	recstore_init(&all);
	cli_check_read(recstore_read_all(&all, rd), w);
	if (recstore_write_pass(&all, w, seed, 0, 1, 0) < 0)
		cli_fail_output(w);
	cli_close_output(w);
	recstore_free(&all);
	rec_reader_close(rd);
	return 0;
}
