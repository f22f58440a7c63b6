/* rec-cut: keeps or drops fields of every record. */
#include <getopt.h>

#include "cli/cli.h"
#include "stream/rec_fields.h"

static const char help[] =
	"Usage: rec-cut (-k LIST | -d LIST) [OPTION]... [FILE]\n"
	"Keep only, or drop, the named fields of every record of the record\n"
	"stream FILE (or stdin). LIST is comma-separated: -k id,boxes makes a\n"
	"small cache of the boxes that rec-join can add back later.\n"
	"\n"
	"  -k, --keep LIST   keep these fields (in their order in the record)\n"
	"  -d, --drop LIST   drop these fields\n"
	"  -o, --output F    write to F (atomically) instead of stdout\n"
	"  -h, --help        show this help and exit\n"
	"  -V, --version     show the version and exit\n"
	"\n"
	"Fields a record lacks are ignored. See rec-cut(1) and maskpipe-rec(5).\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"keep", required_argument, NULL, 'k'},
		{"drop", required_argument, NULL, 'd'},
		{"output", required_argument, NULL, 'o'},
		CLI_OPTIONS_COMMON,
	};
	char *list = NULL;
	int keep = 0;
	const char *out_path = NULL;
	int opt;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "k:d:o:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
		case 'd':
			if (list)
				cli_usage("give one --keep or --drop list");
			list = optarg;
			keep = opt == 'k';
			break;
		case 'o': out_path = cli_output_arg(optarg); break;
		CLI_CASES_COMMON(help);
		}
	}
	if (!list)
		cli_usage("give --keep LIST or --drop LIST");
	fieldlist names;
	if (fieldlist_parse(&names, list) < 0)
		cli_usage("%s", err_msg());

	rec_reader *rd;
	rec_writer *w;
	cli_open_filter(cli_one_input(argc, argv), out_path, &rd, &w);
	rec r;
	rec_init(&r);
	int rc;
	while ((rc = rec_reader_next(rd, &r)) > 0) {
		rec_select(&r, &names, keep);
		cli_put(w, &r);
	}
	cli_check_read(rc, w);
	cli_close_output(w);
	rec_free(&r);
	rec_reader_close(rd);
	fieldlist_free(&names);
	return 0;
}
