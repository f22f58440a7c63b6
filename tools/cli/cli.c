#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/atomic.h"
#include "common/progress.h"

#ifndef MASKPIPE_VERSION
#define MASKPIPE_VERSION "unknown"
#endif

static const char *prog = "maskpipe";
static int saved_argc;
static char **saved_argv;

static void on_fatal_signal(int sig)
{
	atomic_cleanup_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

void cli_init(int argc, char **argv)
{
	if (argc > 0 && argv[0]) {
		const char *slash = strrchr(argv[0], '/');
		prog = slash ? slash + 1 : argv[0];
	}
	/* getopt_long's messages and the provenance name the tool, not the
	 * path it was run by, so outputs do not depend on the install place */
	if (argc > 0)
		argv[0] = (char *)prog;
	/* getopt_long reorders argv; the provenance keeps the order as typed */
	saved_argc = argc;
	saved_argv = malloc(((size_t)argc + 1) * sizeof *saved_argv);
	if (!saved_argv) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(1);
	}
	memcpy(saved_argv, argv, ((size_t)argc + 1) * sizeof *saved_argv);
	signal(SIGPIPE, SIG_IGN);
	/* a file over `ulimit -f` is a write error (EFBIG) with a message,
	 * like a full disk, not a death by signal */
	signal(SIGXFSZ, SIG_IGN);
	/* exit(1) from anywhere, CUDA_CHECK's included, leaves no named
	 * temporary file (unnamed ones vanish with the process anyway) */
	atexit(atomic_cleanup_all);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

const char *cli_prog(void)
{
	return prog;
}

int cli_header_make(rec *out, const rec *in)
{
	return rec_header_make(out, in, saved_argc, saved_argv);
}

void cli_version(void)
{
	printf("%s (maskpipe) %s\n", prog, MASKPIPE_VERSION);
	cli_flush_stdout();
	exit(0);
}

void cli_help(const char *text)
{
	fputs(text, stdout);
	cli_flush_stdout();
	exit(0);
}

void cli_usage(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see %s --help)\n", prog);
	exit(2);
}

void cli_bad_option(void)
{
	/* getopt_long has printed the one line that says what was wrong */
	exit(2);
}

void cli_fail(void)
{
	fprintf(stderr, "%s: %s\n", prog, err_msg());
	exit(1);
}

void cli_fail_output(rec_writer *w)
{
	if (rec_writer_broken_pipe(w)) {
		rec_writer_abort(w);
		exit(0);
	}
	fprintf(stderr, "%s: %s\n", prog, err_msg());
	rec_writer_abort(w);
	exit(1);
}

void cli_read_each(const char *path, int quiet, int (*add)(void *ctx, const rec *r), void *ctx)
{
	rec_reader *rd = cli_open_input(path);
	rec r;
	rec_init(&r);
	progress prog;
	progress_start(&prog, "records", 0, quiet);
	int rc;
	while ((rc = rec_reader_next(rd, &r)) == 1) {
		if (add(ctx, &r) < 0) {
			char what[256];
			err_prefix("%s: %s: ", rec_reader_name(rd), rec_describe(&r, what, sizeof what));
			cli_fail();
		}
		progress_add(&prog, 1);
	}
	progress_end(&prog);
	if (rc < 0)
		cli_fail();
	rec_reader_close(rd);
	rec_free(&r);
}

void cli_write_line(const char *path, const char *text)
{
	if (!path) {
		printf("%s\n", text);
		cli_flush_stdout();
		return;
	}
	size_t len = strlen(text);
	char *line = malloc(len + 1);
	if (!line) {
		err_set("out of memory");
		cli_fail();
	}
	memcpy(line, text, len);
	line[len] = '\n';
	if (atomic_write_file(path, line, len + 1) < 0)
		cli_fail();
	free(line);
}

void cli_flush_stdout(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return;
	if (errno == EPIPE)
		exit(0);
	err_errno("standard output");
	cli_fail();
}

int64_t cli_int(const char *opt, const char *arg, int64_t min, int64_t max)
{
	char *end;
	errno = 0;
	long long v = strtoll(arg, &end, 10);
	if (errno || end == arg || *end)
		cli_usage("%s wants an integer, not '%s'", opt, arg);
	if (v < min || v > max)
		cli_usage("%s must be between %lld and %lld, not %lld", opt, (long long)min,
			  (long long)max, v);
	return v;
}

rec_reader *cli_open_input(const char *path)
{
	rec_reader *rd = rec_reader_open(path);
	if (!rd)
		cli_fail();
	return rd;
}

rec_writer *cli_open_output(const char *path)
{
	rec_writer *w = rec_writer_open(path);
	if (!w)
		cli_fail();
	return w;
}

void cli_write_header(rec_writer *w, const rec *header)
{
	rec out;
	rec_init(&out);
	if (cli_header_make(&out, header) < 0) {
		rec_writer_abort(w);
		cli_fail();
	}
	if (rec_writer_put(w, &out) < 0)
		cli_fail_output(w);
	rec_free(&out);
}

void cli_close_output(rec_writer *w)
{
	int rc = rec_writer_close(w);
	if (rc == REC_BROKEN_PIPE)
		exit(0);
	if (rc < 0)
		cli_fail();
}

void cli_open_filter(const char *in_path, const char *out_path, rec_reader **rd, rec_writer **w)
{
	*rd = cli_open_input(in_path);
	const rec *header = rec_reader_header(*rd);
	if (!header)
		cli_fail();
	*w = cli_open_output(out_path);
	cli_write_header(*w, header);
}

void cli_put(rec_writer *w, const rec *r)
{
	if (rec_writer_put(w, r) < 0)
		cli_fail_output(w);
}

void cli_check_read(int rc, rec_writer *w)
{
	if (rc < 0)
		cli_fail_output(w);
}

const char *cli_one_input(int argc, char **argv)
{
	if (argc - optind > 1)
		cli_usage("takes one input file at most, not %d", argc - optind);
	return optind < argc ? argv[optind] : NULL;
}

const char *cli_input_name(const char *path)
{
	return path && strcmp(path, "-") != 0 ? path : "stdin";
}

const char *cli_output_arg(const char *arg)
{
	if (!*arg)
		cli_usage("-o wants a file name");
	if (atomic_check(arg) < 0)
		cli_usage("-o %s", err_msg());
	return arg;
}
