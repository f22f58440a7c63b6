/* One evaluation as linprobe makes it, between reading the two sets and
 * reporting: the sets checked (examples on both sides, one dimension, two
 * classes or more to learn from), the classes of the training set, the
 * linear probe (or k-NN) trained on one set and scored on the other, and
 * what --export-npy and --save-head write on the way. */
#ifndef MASKPIPE_PROBE_RUN_H
#define MASKPIPE_PROBE_RUN_H

#include "eval/linprobe.h"
#include "eval/probe_eval.h"
#include "eval/probe_report.h"

typedef struct probe_run_opts {
	const char *features;               /* "emb" or "pixels" */
	const char *train_name, *test_name; /* the streams, in messages */
	int split;                          /* both sets are one stream's */
	int knn;                            /* k of a k-NN; 0: the linear probe */
	double temperature;                 /* the k-NN's */
	const linprobe_opts *probe;         /* the linear probe's */
	const char *export_npy;             /* prefix of the sets' .npy files, or NULL */
	const char *save_head;              /* the linear probe's file, or NULL */
	/* few labels: a class-balanced subset (balanced_subset, drawn by
	 * seed) of this many training examples, or of this percentage of
	 * them; both 0: all */
	size_t labelled;
	double labelled_pct;
	uint64_t seed;
} probe_run_opts;

typedef struct probe_result {
	probe_classes classes;
	probe_accuracy acc;
	linprobe probe;      /* all zero for a k-NN */
	probe_report report; /* of the above */
} probe_result;

/* Evaluates; train and test are standardised (linear probe) and given
 * their classes in place. -1 with a message naming the stream at fault,
 * res then freed. */
int probe_run(probe_result *res, probe_set *train, probe_set *test, const probe_run_opts *o);
void probe_result_free(probe_result *res);

#endif
