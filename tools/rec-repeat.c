/* rec-repeat: E passes over a stream, each in its own seeded order, with
 * the `epoch` field set and the counts in the header for the trainer. */
#include <getopt.h>

#include "cli/cli.h"
#include "stream/rec_store.h"

static const char help[] =
	"Usage: rec-repeat [OPTION]... [FILE]\n"
	"Write the records of the record stream FILE (or stdin) E times, each\n"
	"pass shuffled with the seed and the pass number and marked with the\n"
	"`epoch` field. The header gets `epochs` (E) and `epoch_size` (records\n"
	"per pass), from which a trainer knows its total steps.\n"
	"\n"
	"  -n, --epochs E    number of passes (default 1)\n"
	"  -s, --seed S      random seed (default 0)\n"
	"      --start K     number the passes from K (default 0), to continue a run\n"
	"      --no-shuffle  keep the input order in every pass\n"
	"  -o, --output F    write to F (atomically) instead of stdout\n"
	"  -h, --help        show this help and exit\n"
	"  -V, --version     show the version and exit\n"
	"\n"
	"The whole stream is held in memory. See rec-repeat(1).\n";

int main(int argc, char **argv)
{
	enum { OPT_START = 256, OPT_NO_SHUFFLE };
	static const struct option opts[] = {
		{"epochs", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"start", required_argument, NULL, OPT_START},
		{"no-shuffle", no_argument, NULL, OPT_NO_SHUFFLE},
		{"output", required_argument, NULL, 'o'},
		CLI_OPTIONS_COMMON,
	};
	int64_t n_epochs = 1, first_epoch = 0;
	uint64_t seed = 0;
	int shuffle = 1;
	const char *out_path = NULL;
	int opt;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "n:s:o:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': n_epochs = cli_int("--epochs", optarg, 1, 1000000); break;
		case 's': seed = (uint64_t)cli_int("--seed", optarg, 0, INT64_MAX); break;
		case OPT_START: first_epoch = cli_int("--start", optarg, 0, 1000000); break;
		case OPT_NO_SHUFFLE: shuffle = 0; break;
		case 'o': out_path = cli_output_arg(optarg); break;
		CLI_CASES_COMMON(help);
		}
	}

	/* the counts go into the header, so the records are read first */
	rec_reader *rd = cli_open_input(cli_one_input(argc, argv));
	const rec *in_header = rec_reader_header(rd);
	if (!in_header)
		cli_fail();
	recstore all;
	recstore_init(&all);
	if (recstore_read_all(&all, rd) < 0)
		cli_fail();
	rec header;
	rec_init(&header);
	if (cli_header_make(&header, in_header) < 0 ||
	    rec_set_int(&header, "epochs", n_epochs) < 0 ||
	    rec_set_int(&header, "epoch_size", (int64_t)all.n) < 0)
		cli_fail();
	rec_writer *w = cli_open_output(out_path);
	cli_put(w, &header);

	for (int64_t epoch = first_epoch; epoch < first_epoch + n_epochs; epoch++)
		if (recstore_write_pass(&all, w, seed, epoch, shuffle, 1) < 0)
			cli_fail_output(w);
	cli_close_output(w);
	rec_free(&header);
	recstore_free(&all);
	rec_reader_close(rd);
	return 0;
}
