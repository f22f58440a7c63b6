/* rec-stats: the per-channel mean and standard deviation of a stream's
 * images, for mae-train --input-norm. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "common/progress.h"
#include "image/img_stats.h"

static const char help[] =
	"Usage: rec-stats [OPTION]... [FILE]\n"
	"Print the per-channel mean and standard deviation of the pixels (in [0, 1])\n"
	"of the images of the record stream FILE (or stdin), as one JSON line.\n"
	"\n"
	"  -n, --norm       print only the normalisation, as mae-train --input-norm\n"
	"                   takes it (MEAN,...:STD,...)\n"
	"  -q, --quiet      no progress on stderr\n"
	"  -h, --help       show this help and exit\n"
	"  -V, --version    show the version and exit\n"
	"\n"
	"Example: mae-train --input-norm \"$(rec-stats -n train.rec)\" ...\n"
	"See rec-stats(1).\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"norm", no_argument, NULL, 'n'},
		{"quiet", no_argument, NULL, 'q'},
		CLI_OPTIONS_COMMON,
	};
	int norm_only = 0, quiet = 0, opt;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "nqhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': norm_only = 1; break;
		case 'q': quiet = 1; break;
		CLI_CASES_COMMON(help);
		}
	}
	rec_reader *rd = cli_open_input(cli_one_input(argc, argv));
	/* 8 KiB of counts: static, so that no path out leaks them */
	static img_stats stats;
	img_stats *s = &stats;
	img_stats_init(s);
	progress prog;
	progress_start(&prog, "images", 0, quiet);
	rec r;
	rec_init(&r);
	int rc;
	while ((rc = rec_reader_next(rd, &r)) > 0) {
		img_view v;
		int got = rec_get_img(&r, &v);
		if (got != 0 || img_stats_add(s, &v) < 0) {
			char where[128];
			if (got)
				err_set(got > 0 ? "no field 'img'" : "a malformed 'img'");
			err_prefix("%s: %s: ", rec_reader_name(rd), rec_describe(&r, where, sizeof where));
			cli_fail();
		}
		progress_add(&prog, 1);
	}
	progress_end(&prog);
	if (rc < 0)
		cli_fail();
	if (s->n_images == 0) {
		err_set("%s: no images", rec_reader_name(rd));
		cli_fail();
	}
	double mean[4], std[4];
	for (uint32_t c = 0; c < s->chans; c++)
		img_stats_channel(s, c, &mean[c], &std[c]);
	if (!norm_only) {
		printf("{\"images\":%llu,\"channels\":%u,\"mean\":[", (unsigned long long)s->n_images,
		       s->chans);
		for (uint32_t c = 0; c < s->chans; c++)
			printf("%s%.6f", c ? "," : "", mean[c]);
		printf("],\"std\":[");
		for (uint32_t c = 0; c < s->chans; c++)
			printf("%s%.6f", c ? "," : "", std[c]);
		printf("],\"input_norm\":\"");
	}
	for (int half = 0; half < 2; half++)
		for (uint32_t c = 0; c < s->chans; c++)
			printf("%s%.6f", c ? "," : half ? ":" : "", half ? std[c] : mean[c]);
	printf(norm_only ? "\n" : "\"}\n");
	cli_flush_stdout();
	rec_free(&r);
	rec_reader_close(rd);
	return 0;
}
