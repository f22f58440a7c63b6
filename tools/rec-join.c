/* rec-join: adds the fields of a cache stream to the records with the same
 * id, so expensive stages (Selective Search boxes) run once. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "stream/rec_fields.h"
#include "stream/id_index.h"

static const char help[] =
	"Usage: rec-join [OPTION]... CACHE [FILE]\n"
	"Add to every record of the record stream FILE (or stdin) the fields of\n"
	"the CACHE record with the same `id`; e.g. boxes computed once:\n"
	"  img-decode DATA | ssearch-boxes | rec-cut -k id,boxes > boxes.rec\n"
	"  img-decode DATA | rec-join boxes.rec | patchify ...\n"
	"\n"
	"  -f, --fields LIST      take only these cache fields (comma-separated)\n"
	"  -m, --missing ACTION   a record whose id the cache lacks: error (default),\n"
	"                         drop it, or keep it unchanged\n"
	"      --no-replace       keep a field the record already has\n"
	"  -o, --output F         write to F (atomically) instead of stdout\n"
	"  -h, --help             show this help and exit\n"
	"  -V, --version          show the version and exit\n"
	"\n"
	"The cache is held in memory; its ids must be unique. See rec-join(1).\n";

enum missing { MISSING_ERROR, MISSING_DROP, MISSING_KEEP };

typedef struct join_opts {
	fieldlist fields; /* the cache fields to take; none listed: all */
	enum missing missing;
	int replace;
} join_opts;

int main(int argc, char **argv)
{
	enum { OPT_NO_REPLACE = 256 };
	static const struct option opts[] = {
		{"fields", required_argument, NULL, 'f'},
		{"missing", required_argument, NULL, 'm'},
		{"no-replace", no_argument, NULL, OPT_NO_REPLACE},
		{"output", required_argument, NULL, 'o'},
		CLI_OPTIONS_COMMON,
	};
	join_opts o = {{0}, MISSING_ERROR, 1};
	const char *out_path = NULL;
	int opt;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "f:m:o:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			fieldlist_free(&o.fields);
			if (fieldlist_parse(&o.fields, optarg) < 0)
				cli_usage("--fields: %s", err_msg());
			break;
		case 'm':
			if (strcmp(optarg, "error") == 0)
				o.missing = MISSING_ERROR;
			else if (strcmp(optarg, "drop") == 0)
				o.missing = MISSING_DROP;
			else if (strcmp(optarg, "keep") == 0)
				o.missing = MISSING_KEEP;
			else
				cli_usage("--missing takes error, drop or keep, not '%s'", optarg);
			break;
		case OPT_NO_REPLACE: o.replace = 0; break;
		case 'o': out_path = cli_output_arg(optarg); break;
		CLI_CASES_COMMON(help);
		}
	}
	if (argc - optind < 1)
		cli_usage("give the CACHE stream");
	if (argc - optind > 2)
		cli_usage("takes a CACHE and at most one input file");

	const char *cache_path = argv[optind];
	rec_reader *cache_rd = cli_open_input(cache_path);
	recstore cache;
	recstore_init(&cache);
	idindex index;
	if (recstore_read_all(&cache, cache_rd) < 0)
		cli_fail();
	if (idindex_build(&index, &cache) < 0) {
		err_prefix("%s: ", cache_path);
		cli_fail();
	}
	rec_reader_close(cache_rd);

	rec_reader *rd;
	rec_writer *w;
	cli_open_filter(optind + 1 < argc ? argv[optind + 1] : NULL, out_path, &rd, &w);
	rec r, extra;
	rec_init(&r);
	rec_init(&extra);
	int rc;
	while ((rc = rec_reader_next(rd, &r)) > 0) {
		char what[300];
		const char *id;
		uint32_t id_len;
		int got = rec_get_str(&r, "id", &id, &id_len);
		if (got != 0) {
			if (got == 1)
				err_set("no 'id' field to join on");
			err_prefix("%s: %s: ", rec_reader_name(rd), rec_describe(&r, what, sizeof what));
			cli_fail_output(w);
		}
		int64_t match = idindex_find(&index, id, id_len);
		if (match < 0) {
			if (o.missing == MISSING_DROP)
				continue;
			if (o.missing == MISSING_ERROR) {
				err_set("%s: %s: not in the cache %s (see --missing)", rec_reader_name(rd),
					rec_describe(&r, what, sizeof what), cache_path);
				cli_fail_output(w);
			}
		} else {
			cli_check_read(recstore_get(&cache, (size_t)match, &extra), w);
			if (rec_merge(&r, &extra, o.fields.n_names ? &o.fields : NULL, o.replace) < 0)
				cli_fail_output(w);
		}
		cli_put(w, &r);
	}
	cli_check_read(rc, w);
	cli_close_output(w);
	rec_free(&r);
	rec_free(&extra);
	idindex_free(&index);
	fieldlist_free(&o.fields);
	recstore_free(&cache);
	rec_reader_close(rd);
	return 0;
}
