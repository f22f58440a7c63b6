/* rec-count: prints how many records a stream holds. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

static const char help[] =
	"Usage: rec-count [OPTION]... [FILE]...\n"
	"Print the number of records in the record streams FILE (or stdin).\n"
	"\n"
	"  -t, --total      with several files, print only the total\n"
	"  -h, --help       show this help and exit\n"
	"  -V, --version    show the version and exit\n"
	"\n"
	"With several files, prints COUNT<TAB>FILE per file and a total line.\n"
	"See rec-count(1) and maskpipe-rec(5).\n";

static uint64_t count_stream(const char *path)
{
	rec_reader *rd = cli_open_input(path);
	rec r;
	rec_init(&r);
	int rc;
	while ((rc = rec_reader_next(rd, &r)) > 0)
		;
	if (rc < 0)
		cli_fail();
	uint64_t n = rec_reader_count(rd);
	rec_free(&r);
	rec_reader_close(rd);
	return n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"total", no_argument, NULL, 't'},
		CLI_OPTIONS_COMMON,
	};
	int total_only = 0, opt;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "thV", opts, NULL)) != -1) {
		switch (opt) {
		case 't': total_only = 1; break;
		CLI_CASES_COMMON(help);
		}
	}
	int n_files = argc - optind;
	if (n_files <= 1) {
		printf("%llu\n", (unsigned long long)count_stream(n_files ? argv[optind] : NULL));
		cli_flush_stdout();
		return 0;
	}
	uint64_t total = 0;
	for (int i = optind; i < argc; i++) {
		uint64_t n = count_stream(argv[i]);
		total += n;
		if (!total_only)
			printf("%llu\t%s\n", (unsigned long long)n, argv[i]);
	}
	printf(total_only ? "%llu\n" : "%llu\ttotal\n", (unsigned long long)total);
	cli_flush_stdout();
	return 0;
}
