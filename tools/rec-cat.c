/* rec-cat: prints record streams as JSON Lines, for people and for jq. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/grow.h"
#include "stream/rec_json.h"

static const char help[] =
	"Usage: rec-cat [OPTION]... [FILE]...\n"
	"Print each record of the record streams FILE (or stdin) as one JSON object\n"
	"per line, fields in their stored order.\n"
	"\n"
	"  -f, --full       write binary values in full, not as summaries\n"
	"  -H, --header     also print each stream's header (the line with \"maskpipe\")\n"
	"  -n, --limit N    stop after N records\n"
	"  -h, --help       show this help and exit\n"
	"  -V, --version    show the version and exit\n"
	"\n"
	"Binary values are summarised as {\"bin\":BYTES,...}; registry fields add\n"
	"what helps a reader: img.px min/max/mean, mask the count of ones.\n"
	"See rec-cat(1) and maskpipe-rec(5).\n";

/* Output is gathered here and written in large blocks: a line per write
 * would make 60,000 small records take longer than their decoding. */
enum { OUT_BLOCK_BYTES = 1 << 20 };

static json_buf out;
static int out_is_tty;

static void write_out(void)
{
	if (write_all(STDOUT_FILENO, out.data, out.len) < 0) {
		if (errno == EPIPE) /* `rec-cat | head`: the reader has all it wants */
			exit(0);
		err_errno("standard output");
		cli_fail();
	}
	out.len = 0;
}

/* The lines before a bad record are still printed, then its error. */
static _Noreturn void fail(void)
{
	write_out();
	cli_fail();
}

/* Appends r's line; a person at a terminal sees each line at once. */
static void print_line(const rec *r, const char *stream, int flags)
{
	if (rec_json_line(&out, r, flags) < 0) {
		char what[256];
		err_prefix("%s: %s: ", stream, rec_describe(r, what, sizeof what));
		fail();
	}
	if (out_is_tty || out.len >= OUT_BLOCK_BYTES)
		write_out();
}

/* Prints a stream's records, at most *n_left of them. */
static void cat_stream(const char *path, int flags, int with_header, uint64_t *n_left)
{
	rec_reader *rd = rec_reader_open(path);
	if (!rd)
		fail();
	const rec *header = with_header ? rec_reader_header(rd) : NULL;
	if (with_header && !header)
		fail();
	if (header && header->n_fields) /* a stream without a header has none to show */
		print_line(header, rec_reader_name(rd), flags);
	rec r;
	rec_init(&r);
	int rc = 0;
	while (*n_left && (rc = rec_reader_next(rd, &r)) > 0) {
		print_line(&r, rec_reader_name(rd), flags);
		--*n_left;
	}
	if (rc < 0)
		fail();
	rec_free(&r);
	rec_reader_close(rd);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"full", no_argument, NULL, 'f'},
		{"header", no_argument, NULL, 'H'},
		{"limit", required_argument, NULL, 'n'},
		CLI_OPTIONS_COMMON,
	};
	int flags = 0, with_header = 0, opt;
	uint64_t n_left = UINT64_MAX;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "fHn:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'f': flags |= REC_JSON_FULL; break;
		case 'H': with_header = 1; break;
		case 'n': n_left = (uint64_t)cli_int("-n", optarg, 0, INT64_MAX); break;
		CLI_CASES_COMMON(help);
		}
	}
	out_is_tty = isatty(STDOUT_FILENO);
	if (optind == argc)
		cat_stream(NULL, flags, with_header, &n_left);
	/* the first file is read even for -n 0: --header -n 0 shows its header */
	for (int i = optind; i < argc; i++) {
		cat_stream(argv[i], flags, with_header, &n_left);
		if (!n_left)
			break;
	}
	write_out();
	json_buf_free(&out);
	return 0;
}
