/* rec-cut: keeps or drops fields of every record. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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

/* Splits a comma list in place; returns the number of names. */
static size_t split_list(char *list, char ***names)
{
	size_t n = 1;
	for (char *p = list; *p; p++)
		n += *p == ',';
	*names = calloc(n, sizeof **names);
	if (!*names) {
		err_set("out of memory");
		cli_fail();
	}
	size_t i = 0;
	for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		(*names)[i++] = tok;
	if (i == 0)
		cli_usage("the field list is empty");
	return i;
}

static int listed(const rec_field *f, char **names, size_t n_names)
{
	for (size_t i = 0; i < n_names; i++)
		if (strlen(names[i]) == f->key_len && memcmp(names[i], f->key, f->key_len) == 0)
			return 1;
	return 0;
}

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
	char **names;
	char *list_copy = strdup(list); /* argv stays whole for the provenance */
	if (!list_copy) {
		err_set("out of memory");
		cli_fail();
	}
	size_t n_names = split_list(list_copy, &names);

	rec_reader *rd;
	rec_writer *w;
	cli_open_filter(cli_one_input(argc, argv), out_path, &rd, &w);
	rec r;
	rec_init(&r);
	int rc;
	while ((rc = rec_reader_next(rd, &r)) > 0) {
		size_t kept = 0;
		for (size_t i = 0; i < r.n_fields; i++)
			if (listed(&r.fields[i], names, n_names) == keep)
				r.fields[kept++] = r.fields[i];
		r.n_fields = kept;
		cli_put(w, &r);
	}
	cli_check_read(rc, w);
	cli_close_output(w);
	rec_free(&r);
	rec_reader_close(rd);
	free(names);
	free(list_copy);
	return 0;
}
