/* linprobe: a linear probe (or k-NN) on frozen features: trains on one
 * record stream, reports the accuracy on another. */
#include <cblas.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_real.h"
#include "eval/knn.h"
#include "eval/probe_run.h"
#include "eval/probe_split.h"

static const char help[] =
	"Usage: linprobe [OPTION]... --train TRAIN [TEST]\n"
	"  or:  linprobe [OPTION]... --split SPEC [FILE]\n"
	"Train a classifier on the features of the record stream TRAIN (each\n"
	"record's `emb`, or with --pixels its image) and their `label`, and report\n"
	"its accuracy on the stream TEST (or stdin; \"-\" names stdin too): top-1,\n"
	"top-5 when there are more than 5 classes, and per class, as text on\n"
	"stderr and as one JSON object on stdout.\n"
	"The classifier is multinomial logistic regression on standardised\n"
	"features, fitted by L-BFGS; its weight decay is chosen among the --wd\n"
	"values by accuracy on a held-out part of TRAIN, never on TEST.\n"
	"\n"
	"  -t, --train FILE      the training stream\n"
	"      --split SPEC      no TRAIN: split the one stream; SPEC is a fraction\n"
	"                        (0.2: that share of the ids, drawn by --seed, is\n"
	"                        the test set) or an id prefix (test records' ids\n"
	"                        start with it)\n"
	"      --pixels          the images' pixels (scaled to [0, 1]) as features\n"
	"      --wd LIST         weight decay candidates, comma-separated\n"
	"                        (default 1e-2,1e-3,1e-4,1e-5,1e-6); one: no sweep\n"
	"      --val FRACTION    share of TRAIN held out to choose wd (default 0.1)\n"
	"      --max-iter N      L-BFGS iterations of the final fit (default 100;\n"
	"                        2/5 of that for each candidate of the sweep)\n"
	"      --knn K           k-NN instead: cosine similarity, votes weighted by\n"
	"                        exp(similarity / T)\n"
	"      --temperature T   the k-NN's T (default 0.07)\n"
	"      --labelled N|P%   few labels: fit on a class-balanced subset of N (or P%)\n"
	"                        of the training examples, drawn by --seed\n"
	"  -s, --seed N          the held-out draws (default 0)\n"
	"      --save-head FILE  write the classifier as safetensors: weight [classes,\n"
	"                        dim], bias, the standardisation mean and sd, and the\n"
	"                        classes' labels\n"
	"      --export-npy PFX  write PFX_train_x.npy, PFX_train_y.npy, PFX_test_x.npy\n"
	"                        and PFX_test_y.npy (float32 features, int64 labels)\n"
	"  -j, --threads N       threads (default 1); same result for any N\n"
	"  -o, --output FILE     write the JSON to FILE (atomically)\n"
	"  -q, --quiet           no text report or progress on stderr\n"
	"  -h, --help            show this help and exit\n"
	"  -V, --version         show the version and exit\n"
	"\n"
	"See linprobe(1).\n";

typedef struct options {
	const char *train_path, *split, *out_path;
	int pixels, threads, quiet;
	probe_run_opts run;
	linprobe_opts probe;
} options;

static void parse_wd(const char *arg, linprobe_opts *o)
{
	char *copy = strdup(arg), *save = NULL;
	o->n_wd = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->n_wd == LINPROBE_MAX_WDS)
			cli_usage("--wd: at most %d values", LINPROBE_MAX_WDS);
		o->wd[o->n_wd++] = cli_real("--wd", tok, 0, 1e6, 0);
	}
	free(copy);
	if (o->n_wd == 0)
		cli_usage("--wd: no value given");
}

/* --labelled: a count, or a percentage in (0, 100] */
static void parse_labelled(const char *arg, probe_run_opts *o)
{
	size_t len = strlen(arg);
	if (len > 1 && arg[len - 1] == '%') {
		char *number = strndup(arg, len - 1);
		o->labelled_pct = cli_real("--labelled", number, 0, 100, 0);
		o->labelled = 0;
		free(number);
		if (o->labelled_pct == 0)
			cli_usage("--labelled: a share above 0%%, not '%s'", arg);
	} else {
		o->labelled = (size_t)cli_int("--labelled", arg, 1, INT64_MAX);
		o->labelled_pct = 0;
	}
}

static void read_set(const char *path, probe_set *set, probe_split *split, const options *o)
{
	probe_reading reading = {set, o->pixels, split};
	cli_read_each(path, o->quiet, probe_read_record, &reading);
}

int main(int argc, char **argv)
{
	enum { SPLIT = 256, PIXELS, WD, VAL, MAX_ITER, KNN, TEMP, SAVE_HEAD, EXPORT_NPY, LABELLED };
	static const struct option longopts[] = {
		{"train", required_argument, NULL, 't'},
		{"split", required_argument, NULL, SPLIT},
		{"pixels", no_argument, NULL, PIXELS},
		{"wd", required_argument, NULL, WD},
		{"val", required_argument, NULL, VAL},
		{"max-iter", required_argument, NULL, MAX_ITER},
		{"knn", required_argument, NULL, KNN},
		{"temperature", required_argument, NULL, TEMP},
		{"seed", required_argument, NULL, 's'},
		{"labelled", required_argument, NULL, LABELLED},
		{"save-head", required_argument, NULL, SAVE_HEAD},
		{"export-npy", required_argument, NULL, EXPORT_NPY},
		{"threads", required_argument, NULL, 'j'},
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		CLI_OPTIONS_COMMON,
	};
	options o = {.threads = 1,
		     .run = {.temperature = KNN_TEMPERATURE},
		     .probe = {.val_fraction = 0.1, .max_iter = 100}};
	parse_wd("1e-2,1e-3,1e-4,1e-5,1e-6", &o.probe);
	int opt;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "t:s:j:o:qhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 't': o.train_path = optarg; break;
		case SPLIT: o.split = optarg; break;
		case PIXELS: o.pixels = 1; break;
		case WD: parse_wd(optarg, &o.probe); break;
		case VAL: o.probe.val_fraction = cli_real("--val", optarg, 0, 1, 1); break;
		case MAX_ITER: o.probe.max_iter = (int)cli_int("--max-iter", optarg, 1, 100000); break;
		case KNN: o.run.knn = (int)cli_int("--knn", optarg, 1, 10000); break;
		case TEMP: o.run.temperature = cli_real("--temperature", optarg, 1e-6, 1e6, 0); break;
		case 's': o.probe.seed = (uint64_t)cli_int("--seed", optarg, 0, INT64_MAX); break;
		case LABELLED: parse_labelled(optarg, &o.run); break;
		case SAVE_HEAD: o.run.save_head = cli_output_arg(optarg); break;
		case EXPORT_NPY: o.run.export_npy = optarg; break;
		case 'j': o.threads = (int)cli_int("--threads", optarg, 1, 256); break;
		case 'o': o.out_path = cli_output_arg(optarg); break;
		case 'q': o.quiet = 1; break;
		CLI_CASES_COMMON(help);
		}
	}
	if (!o.train_path == !o.split)
		cli_usage("give either --train FILE or --split SPEC");
	if (o.run.knn && o.run.save_head)
		cli_usage("--save-head saves a linear probe, not a k-NN");
	const char *test_path = cli_one_input(argc, argv);
	int stdin_train = o.train_path && strcmp(o.train_path, "-") == 0;
	if (stdin_train && (!test_path || strcmp(test_path, "-") == 0))
		cli_usage("the training and the test stream cannot both be stdin");
	/* the GEMMs are OpenBLAS's, which splits them between threads without
	 * splitting any sum: the result does not depend on the count */
	openblas_set_num_threads(o.threads);

	probe_set train, test;
	probe_set_init(&train);
	probe_set_init(&test);
	if (o.train_path) {
		read_set(o.train_path, &train, NULL, &o);
		read_set(test_path, &test, NULL, &o);
	} else {
		probe_split split;
		if (probe_split_parse(&split, o.split) < 0)
			cli_usage("%s", err_msg());
		read_set(test_path, &train, &split, &o);
		if (probe_split_apply(&split, &train, &test, o.probe.seed) < 0)
			cli_fail();
		probe_split_free(&split);
	}
	o.run.features = o.pixels ? "pixels" : "emb";
	o.run.train_name = cli_input_name(o.split ? test_path : o.train_path);
	o.run.test_name = cli_input_name(test_path);
	o.run.split = o.split != NULL;
	o.run.probe = &o.probe;
	o.run.seed = o.probe.seed;
	probe_result res;
	if (probe_run(&res, &train, &test, &o.run) < 0)
		cli_fail();
	if (!o.quiet)
		probe_report_text(stderr, &res.report);
	char *json = probe_report_json(&res.report);
	if (!json)
		cli_fail();
	cli_write_line(o.out_path, json);
	free(json);
	probe_result_free(&res);
	probe_set_free(&train);
	probe_set_free(&test);
	return 0;
}
