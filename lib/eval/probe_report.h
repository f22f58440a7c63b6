/* What linprobe reports: one JSON object (stdout) and the same as text
 * (stderr). */
#ifndef MASKPIPE_PROBE_REPORT_H
#define MASKPIPE_PROBE_REPORT_H

#include <stdio.h>

#include "eval/linprobe.h"
#include "eval/probe_eval.h"

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

/* An accuracy rounded to 1e-6: the JSON then reads the same whatever the
 * printf of the reader's language does with the last binary digits. */
double probe_rounded(double v);

/* The accuracy part of both, for other evaluations (mae-finetune): top1,
 * top5 (more than 5 classes), per_class and unknown_label_examples added
 * to the JSON object o; the same as text. */
struct cJSON;
int probe_accuracy_json(struct cJSON *o, const probe_classes *classes, const probe_accuracy *acc);
void probe_accuracy_text(FILE *f, const probe_classes *classes, const probe_accuracy *acc);

#endif
