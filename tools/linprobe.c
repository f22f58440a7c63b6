/* linprobe: a linear probe (or k-NN) on frozen features: trains on one
 * record stream, reports the accuracy on another. */
#include <cblas.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic.h"
#include "cli/cli.h"
#include "cli/cli_real.h"
#include "common/grow.h"
#include "eval/knn.h"
#include "eval/linprobe.h"
#include "formats/npy.h"
#include "eval/probe_report.h"
#include "formats/safetensors.h"

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
	const char *train_path, *split, *save_head, *export_npy, *out_path;
	int pixels, max_iter, knn, threads, quiet;
	double temperature, val;
	uint64_t seed;
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

/* A stream read into set; take (when not NULL) marks the records whose id
 * starts with prefix. */
typedef struct reading {
	probe_set *set;
	int pixels;
	const char *prefix;
	uint8_t **take;
	size_t take_cap;
} reading;

static int add_example(void *ctx, const rec *r)
{
	reading *x = ctx;
	if (probe_set_add_record(x->set, r, x->pixels) < 0)
		return -1;
	if (!x->take)
		return 0;
	const char *id;
	uint32_t len;
	if (rec_get_str(r, "id", &id, &len) != 0)
		return err_set("no id to split by");
	if (grow_array(x->take, &x->take_cap, x->set->n, 1) < 0)
		return -1;
	size_t n = strlen(x->prefix);
	(*x->take)[x->set->n - 1] = len >= n && memcmp(id, x->prefix, n) == 0;
	return 0;
}

static void read_set(const char *path, int pixels, probe_set *set, const char *prefix,
		     uint8_t **take, int quiet)
{
	reading x = {set, pixels, prefix, take, 0};
	cli_read_each(path, quiet, add_example, &x);
}

static void save_head(const char *path, const linprobe *p, const probe_classes *classes,
		      const char *features)
{
	float *labels = malloc((size_t)classes->n * sizeof(float));
	if (!labels) {
		err_set("out of memory");
		cli_fail();
	}
	for (int c = 0; c < classes->n; c++)
		labels[c] = (float)classes->label[c];
	size_t k = (size_t)classes->n, dim = p->head.dim;
	st_tensor t[5] = {
		{"weight", 2, {(int64_t)k, (int64_t)dim}, p->head.w, k * dim},
		{"bias", 1, {(int64_t)k}, p->head.b, k},
		{"mean", 1, {(int64_t)dim}, p->mean, dim},
		{"sd", 1, {(int64_t)dim}, p->sd, dim},
		{"classes", 1, {(int64_t)k}, labels, k},
	};
	char wd[32];
	snprintf(wd, sizeof wd, "%g", p->wd);
	const char *meta[] = {"features", features, "wd", wd,
			      "use", "logits = ((x - mean) / sd) @ weight.T + bias"};
	if (st_write(path, t, 5, meta, 3) < 0)
		cli_fail();
	free(labels);
}

static void export_npy(const char *prefix, const char *part, const probe_set *s)
{
	char *x_path = NULL, *y_path = NULL;
	if (asprintf(&x_path, "%s_%s_x.npy", prefix, part) < 0 ||
	    asprintf(&y_path, "%s_%s_y.npy", prefix, part) < 0) {
		err_set("out of memory");
		cli_fail();
	}
	size_t shape[2] = {s->n, s->dim};
	if (npy_write(x_path, "<f4", shape, 2, s->x, sizeof(float)) < 0 ||
	    npy_write(y_path, "<i8", shape, 1, s->label, sizeof(int64_t)) < 0)
		cli_fail();
	free(x_path);
	free(y_path);
}

int main(int argc, char **argv)
{
	enum { SPLIT = 256, PIXELS, WD, VAL, MAX_ITER, KNN, TEMP, SAVE_HEAD, EXPORT_NPY };
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
		{"save-head", required_argument, NULL, SAVE_HEAD},
		{"export-npy", required_argument, NULL, EXPORT_NPY},
		{"threads", required_argument, NULL, 'j'},
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		CLI_OPTIONS_COMMON,
	};
	options o = {.max_iter = 100, .threads = 1, .temperature = KNN_TEMPERATURE, .val = 0.1};
	parse_wd("1e-2,1e-3,1e-4,1e-5,1e-6", &o.probe);
	int opt;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "t:s:j:o:qhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 't': o.train_path = optarg; break;
		case SPLIT: o.split = optarg; break;
		case PIXELS: o.pixels = 1; break;
		case WD: parse_wd(optarg, &o.probe); break;
		case VAL: o.val = cli_real("--val", optarg, 0, 1, 1); break;
		case MAX_ITER: o.max_iter = (int)cli_int("--max-iter", optarg, 1, 100000); break;
		case KNN: o.knn = (int)cli_int("--knn", optarg, 1, 10000); break;
		case TEMP: o.temperature = cli_real("--temperature", optarg, 1e-6, 1e6, 0); break;
		case 's': o.seed = (uint64_t)cli_int("--seed", optarg, 0, INT64_MAX); break;
		case SAVE_HEAD: o.save_head = cli_output_arg(optarg); break;
		case EXPORT_NPY: o.export_npy = optarg; break;
		case 'j': o.threads = (int)cli_int("--threads", optarg, 1, 256); break;
		case 'o': o.out_path = cli_output_arg(optarg); break;
		case 'q': o.quiet = 1; break;
		CLI_CASES_COMMON(help);
		}
	}
	if (!o.train_path == !o.split)
		cli_usage("give either --train FILE or --split SPEC");
	if (o.knn && o.save_head)
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
		read_set(o.train_path, o.pixels, &train, NULL, NULL, o.quiet);
		read_set(test_path, o.pixels, &test, NULL, NULL, o.quiet);
	} else {
		char *end;
		double fraction = strtod(o.split, &end);
		int is_fraction = *end == '\0' && end != o.split;
		if (is_fraction && !(fraction > 0 && fraction < 1))
			cli_usage("--split: a fraction is between 0 and 1, not '%s'", o.split);
		uint8_t *take = NULL;
		read_set(test_path, o.pixels, &train, o.split, is_fraction ? NULL : &take, o.quiet);
		if ((is_fraction ? probe_set_hold_out(&train, &test, fraction, o.seed)
				 : probe_set_move(&train, &test, take)) < 0)
			cli_fail();
		free(take);
	}
	const char *train_name = cli_input_name(o.split ? test_path : o.train_path);
	if (train.n == 0 || test.n == 0) {
		err_set("%s: no %s examples%s", train.n == 0 ? train_name : cli_input_name(test_path),
			train.n == 0 ? "training" : "test",
			o.split ? " after the --split" : "");
		cli_fail();
	}
	if (train.dim != test.dim) {
		err_set("%s: %zu features, %s: %zu", train_name, train.dim, cli_input_name(test_path),
			test.dim);
		cli_fail();
	}
	if (o.export_npy) {
		export_npy(o.export_npy, "train", &train);
		export_npy(o.export_npy, "test", &test);
	}
	probe_classes classes;
	if (probe_classes_of(&classes, &train) < 0 || probe_set_classify(&train, &classes) < 0 ||
	    probe_set_classify(&test, &classes) < 0)
		cli_fail();
	if (!o.knn && classes.n < 2) {
		err_set("%s: the training examples have one class (label %" PRId64 "): nothing to "
			"learn", train_name, classes.label[0]);
		cli_fail();
	}
	float *scores = malloc(test.n * (size_t)classes.n * sizeof(float));
	if (!scores) {
		err_set("out of memory");
		cli_fail();
	}
	o.probe.val_fraction = o.val;
	o.probe.seed = o.seed;
	o.probe.max_iter = o.max_iter;
	linprobe probe = {0};
	if (o.knn) {
		if (knn_votes(train.x, train.cls, train.n, test.x, test.n, train.dim, o.knn,
			      o.temperature, classes.n, scores) < 0)
			cli_fail();
	} else {
		if (linprobe_fit(&probe, &train, classes.n, &o.probe) < 0)
			cli_fail();
		probe_standardise(&test, probe.mean, probe.sd);
		logreg_scores(&probe.head, test.x, test.n, scores);
	}
	probe_accuracy acc;
	if (probe_accuracy_of(&acc, scores, test.cls, test.n, classes.n) < 0) {
		err_prefix("%s: ", cli_input_name(test_path));
		cli_fail();
	}
	probe_report report = {o.pixels ? "pixels" : "emb", train.dim, train.n, test.n, &classes,
			       &acc, o.knn ? NULL : &probe, &o.probe, o.knn, o.temperature};
	if (o.save_head)
		save_head(o.save_head, &probe, &classes, report.features);
	if (!o.quiet)
		probe_report_text(stderr, &report);
	char *json = probe_report_json(&report);
	if (!json)
		cli_fail();
	cli_write_line(o.out_path, json);
	free(json);
	free(scores);
	probe_accuracy_free(&acc);
	linprobe_free(&probe);
	probe_classes_free(&classes);
	probe_set_free(&train);
	probe_set_free(&test);
	return 0;
}
