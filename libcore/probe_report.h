/* What linprobe reports: one JSON object (stdout) and the same as text
 * (stderr). */
#ifndef MASKPIPE_PROBE_REPORT_H
#define MASKPIPE_PROBE_REPORT_H

#include <stdio.h>

#include "linprobe.h"
#include "probe_eval.h"

typedef struct probe_report {
	const char *features;        /* "emb" or "pixels" */
	size_t dim, n_train, n_test;
	const probe_classes *classes;
	const probe_accuracy *acc;
	const linprobe *probe;       /* NULL for k-NN */
	const linprobe_opts *opts;   /* the sweep's candidates, with probe */
	int knn_k;                   /* k-NN only */
	double temperature;
} probe_report;

/* A new string holding one line of JSON; NULL with a message. */
char *probe_report_json(const probe_report *r);

void probe_report_text(FILE *f, const probe_report *r);

#endif
