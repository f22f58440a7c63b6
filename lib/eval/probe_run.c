#include "eval/probe_run.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "eval/balanced.h"
#include "eval/knn.h"
#include "eval/probe_head.h"
#include "eval/probe_npy.h"

static int check_sets(const probe_set *train, const probe_set *test, const probe_run_opts *o)
{
	if (train->n == 0 || test->n == 0)
		return err_set("%s: no %s examples%s", train->n == 0 ? o->train_name : o->test_name,
			       train->n == 0 ? "training" : "test",
			       o->split ? " after the --split" : "");
	if (train->dim != test->dim)
		return err_set("%s: %zu features, %s: %zu", o->train_name, train->dim, o->test_name,
			       test->dim);
	return 0;
}

/* The classifier's scores [test n, classes] of the test examples. */
static int score(probe_result *res, probe_set *train, probe_set *test, const probe_run_opts *o,
		 float *scores)
{
	int n_classes = res->classes.n;
	if (o->knn)
		return knn_votes(train->x, train->cls, train->n, test->x, test->n, train->dim,
				 o->knn, o->temperature, n_classes, scores);
	if (linprobe_fit(&res->probe, train, n_classes, o->probe) < 0)
		return -1;
	probe_standardise(test, res->probe.mean, res->probe.sd);
	logreg_scores(&res->probe.head, test->x, test->n, scores);
	return 0;
}

/* Few labels: keeps the class-balanced subset of the training examples
 * that o asks for (classified by classes), classified again. */
static int keep_labelled(probe_set *train, const probe_classes *classes, const probe_run_opts *o)
{
	size_t want = o->labelled ? o->labelled
				  : (size_t)llround(o->labelled_pct / 100.0 * (double)train->n);
	if (want > train->n)
		return err_set("%s: %zu labelled examples asked for, of %zu", o->train_name, want,
			       train->n);
	if (want < (size_t)classes->n)
		return err_set("%s: %zu labelled examples for %d classes: fewer than one a class",
			       o->train_name, want, classes->n);
	uint32_t *idx = malloc(want * sizeof *idx);
	uint8_t *drop = malloc(train->n);
	if (!idx || !drop) {
		free(idx), free(drop);
		return err_set("out of memory");
	}
	long got = balanced_subset(train->key, train->cls, train->n, classes->n, want, o->seed, idx);
	int rc = -1;
	if (got >= 0) {
		memset(drop, 1, train->n);
		for (long i = 0; i < got; i++)
			drop[idx[i]] = 0;
		probe_set rest;
		probe_set_init(&rest);
		rc = probe_set_move(train, &rest, drop);
		probe_set_free(&rest);
	}
	free(idx), free(drop);
	return rc < 0 ? -1 : probe_set_classify(train, classes);
}

static int run(probe_result *res, probe_set *train, probe_set *test, const probe_run_opts *o)
{
	if (check_sets(train, test, o) < 0)
		return -1;
	if (o->export_npy && (probe_set_write_npy(train, o->export_npy, "train") < 0 ||
			      probe_set_write_npy(test, o->export_npy, "test") < 0))
		return -1;
	probe_classes *classes = &res->classes;
	if (probe_classes_of(classes, train) < 0 || probe_set_classify(train, classes) < 0 ||
	    probe_set_classify(test, classes) < 0)
		return -1;
	if (!o->knn && classes->n < 2)
		return err_set("%s: the training examples have one class (label %" PRId64
			       "): nothing to learn", o->train_name, classes->label[0]);
	if ((o->labelled || o->labelled_pct > 0) && keep_labelled(train, classes, o) < 0)
		return -1;
	float *scores = malloc(test->n * (size_t)classes->n * sizeof(float));
	if (!scores)
		return err_set("out of memory");
	int rc = score(res, train, test, o, scores);
	if (rc == 0 && (rc = probe_accuracy_of(&res->acc, scores, test->cls, test->n,
					       classes->n)) < 0)
		err_prefix("%s: ", o->test_name);
	free(scores);
	if (rc < 0)
		return -1;
	res->report = (probe_report){o->features, train->dim, train->n, test->n, classes, &res->acc,
				     o->knn ? NULL : &res->probe, o->probe, o->knn, o->temperature};
	return o->save_head ? probe_head_save(o->save_head, &res->probe, classes, o->features) : 0;
}

int probe_run(probe_result *res, probe_set *train, probe_set *test, const probe_run_opts *o)
{
	memset(res, 0, sizeof *res);
	if (run(res, train, test, o) == 0)
		return 0;
	probe_result_free(res);
	return -1;
}

void probe_result_free(probe_result *res)
{
	probe_accuracy_free(&res->acc);
	linprobe_free(&res->probe);
	probe_classes_free(&res->classes);
}
