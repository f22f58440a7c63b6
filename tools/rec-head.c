/* rec-head: passes the first N records of a stream and stops reading. */
#include <getopt.h>

#include "cli/cli.h"

static const char help[] =
	"Usage: rec-head [OPTION]... [FILE]\n"
	"Copy the header and the first N records of the record stream FILE (or\n"
	"stdin) to stdout, then stop reading: upstream stages end quietly.\n"
	"\n"
	"  -n, --records N   how many records (default 10)\n"
	"  -s, --skip K      skip K records first\n"
	"  -o, --output F    write to F (atomically) instead of stdout\n"
	"  -h, --help        show this help and exit\n"
	"  -V, --version     show the version and exit\n"
	"\n"
	"See rec-head(1) and maskpipe-rec(5).\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"records", required_argument, NULL, 'n'},
		{"skip", required_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		CLI_OPTIONS_COMMON,
	};
	int64_t n_keep = 10, n_skip = 0;
	const char *out_path = NULL;
	int opt;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "n:s:o:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': n_keep = cli_int("--records", optarg, 0, INT64_MAX); break;
		case 's': n_skip = cli_int("--skip", optarg, 0, INT64_MAX); break;
		case 'o': out_path = cli_output_arg(optarg); break;
		CLI_CASES_COMMON(help);
		}
	}
	rec_reader *rd;
	rec_writer *w;
	cli_open_filter(cli_one_input(argc, argv), out_path, &rd, &w);
	rec r;
	rec_init(&r);
	int rc = 1;
	for (int64_t i = 0; i < n_skip && rc > 0; i++)
		cli_check_read(rc = rec_reader_next(rd, &r), w);
	for (int64_t i = 0; i < n_keep && rc > 0; i++) {
		cli_check_read(rc = rec_reader_next(rd, &r), w);
		if (rc > 0)
			cli_put(w, &r);
	}
	cli_close_output(w);
	rec_free(&r);
	rec_reader_close(rd);
	return 0;
}
