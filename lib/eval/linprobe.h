/* The linear probe: features standardised with the training set's moments
 * (MAE's probe puts a BatchNorm without affine parameters before its
 * linear head, the same map once trained), then logistic regression with
 * its weight decay chosen from a small sweep by accuracy on a held-out
 * part of the training set (never the test set), and refitted on all of
 * the training set with the decay chosen. */
#ifndef MASKPIPE_LINPROBE_H
#define MASKPIPE_LINPROBE_H

#include "eval/logreg.h"
#include "eval/probe_data.h"

#define LINPROBE_MAX_WDS 16

typedef struct linprobe_opts {
	double wd[LINPROBE_MAX_WDS]; /* candidates; one: no sweep */
	int n_wd;
	double val_fraction;  /* of the training set held out to choose wd */
	uint64_t seed;        /* which examples are held out */
	int max_iter;         /* L-BFGS iterations per fit */
} linprobe_opts;

typedef struct linprobe {
	float *mean, *sd;              /* [dim] the standardisation */
	logreg head;
	double wd;                     /* chosen */
	double val_top1[LINPROBE_MAX_WDS]; /* per candidate (sweeps only) */
	size_t n_val;                  /* examples held out */
	int iterations;                /* of the final fit */
} linprobe;

/* Fits the probe on train (whose cls must be set; its features are
 * standardised in place). */
int linprobe_fit(linprobe *p, probe_set *train, int n_classes, const linprobe_opts *opts);
void linprobe_free(linprobe *p);

#endif
