/* What mae-finetune reports: one JSON object with the settings, each
 * epoch's training loss and test accuracy, and the last test's accuracy
 * in linprobe's form. */
#ifndef MASKPIPE_FINETUNE_REPORT_H
#define MASKPIPE_FINETUNE_REPORT_H

#include "eval/mae_finetune.h"
#include "eval/probe_eval.h"
#include "eval/probe_report.h"

/* An epoch of a run (finetune_run). */
typedef struct finetune_epoch {
	double loss;     /* mean training loss */
	double top1;     /* test top-1, < 0 when the epoch was not tested */
} finetune_epoch;

typedef struct finetune_report {
	size_t n_train, n_labelled, n_test;
	const probe_classes *classes;
	const mae_finetune_opts *opts;
	uint64_t seed;
	const finetune_epoch *epochs;
	int n_epochs;
	const probe_accuracy *acc; /* of the last epoch */
} finetune_report;

/* A new string holding one line of JSON; NULL with a message. */
char *finetune_report_json(const finetune_report *r);

#endif
