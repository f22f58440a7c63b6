/* What every tool does the same way: messages "prog: ..." on stderr, exit
 * codes (0 success, 1 bad input or runtime failure, 2 bad usage), --help,
 * --version, quiet end on a closed pipe, and clean-up of temporary files
 * when interrupted. */
#ifndef MASKPIPE_CLI_H
#define MASKPIPE_CLI_H

#include <stdint.h>

#include "common/err.h"
#include "stream/rec_io.h"

/* Sets the program name, ignores SIGPIPE (a closed pipe is seen as EPIPE
 * and ends the tool quietly) and SIGXFSZ (a file over `ulimit -f` is a
 * write error), and removes named temporary outputs on SIGINT, SIGTERM,
 * SIGHUP and exit(). */
void cli_init(int argc, char **argv);

const char *cli_prog(void);

/* "prog (maskpipe) VERSION" on stdout, exit 0. */
_Noreturn void cli_version(void);

/* Prints `text` (the tool's help) on stdout, exit 0. */
_Noreturn void cli_help(const char *text);

/* "prog: <message> (see prog --help)" on stderr, exit 2. */
_Noreturn void cli_usage(const char *fmt, ...) MP_PRINTF(1, 2);

/* "prog: <err_msg()>" on stderr, exit 1. */
_Noreturn void cli_fail(void);

/* Like cli_fail after a failed write to `w`, except that a reader that
 * went away (`| head`) ends the tool quietly with status 0. */
_Noreturn void cli_fail_output(rec_writer *w);

/* The bad-usage exit for getopt_long's '?' and ':' results. */
_Noreturn void cli_bad_option(void);

/* The options every tool has, closing its getopt_long table... */
#define CLI_OPTIONS_COMMON                              \
	{"help", no_argument, NULL, 'h'},               \
	{"version", no_argument, NULL, 'V'},            \
	{ 0 }

/* ...and the end of its option switch: those two, and anything unknown. */
#define CLI_CASES_COMMON(help_text)                     \
	case 'h': cli_help(help_text);                  \
	case 'V': cli_version();                        \
	default: cli_bad_option()

/* Checks an -o FILE argument before any work is done: an empty name, or
 * what atomic_check refuses (a directory, a socket, a dangling symbolic
 * link), is bad usage. Returns arg. */
const char *cli_output_arg(const char *arg);

/* The one input file a filter takes after its options (NULL: stdin). */
const char *cli_one_input(int argc, char **argv);

/* An input's name in messages, as the record reader gives it: path, or
 * "stdin" for NULL and "-". */
const char *cli_input_name(const char *path);

/* Parses an option's integer argument in [min, max]; bad usage otherwise. */
int64_t cli_int(const char *opt, const char *arg, int64_t min, int64_t max);

/* Flushes text written to stdout; a write error exits 1 with a message,
 * except a reader gone away (EPIPE), which exits 0 quietly. */
void cli_flush_stdout(void);

/* Every record of the stream at path (stdin when NULL or "-") given to
 * add(ctx, r), with a progress line unless quiet: for tools that hold a
 * whole stream in memory. A failing add's message gets the stream and the
 * record in front; any failure exits as cli_fail does. */
void cli_read_each(const char *path, int quiet, int (*add)(void *ctx, const rec *r), void *ctx);

/* One line of text (a JSON report) into path atomically, or to stdout when
 * path is NULL; exits as cli_fail does on failure. */
void cli_write_line(const char *path, const char *text);

/* The tool's output header: rec_header_make with this command line, as
 * typed, appended to the provenance of `in` (may be NULL). */
int cli_header_make(rec *out, const rec *in);

/* Opens the input (NULL or "-": stdin) and the output (NULL or "-":
 * stdout), and writes the output header: a copy of the input header with
 * this command line appended to the provenance. Exits 1 on failure. */
rec_reader *cli_open_input(const char *path);
rec_writer *cli_open_output(const char *path);
void cli_write_header(rec_writer *w, const rec *header);

/* Finishes the output; exits as cli_fail_output on failure. */
void cli_close_output(rec_writer *w);

/* The start of every filter: opens the input and the output and writes
 * the output header, copied from the input's with argv appended. */
void cli_open_filter(const char *in_path, const char *out_path, rec_reader **rd, rec_writer **w);

/* Writes a record; exits as cli_fail_output on failure. */
void cli_put(rec_writer *w, const rec *r);

/* Ends the tool after a reader result < 0, removing the partial output. */
void cli_check_read(int rc, rec_writer *w);

#endif
