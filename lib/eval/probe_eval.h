/* Accuracy of a classifier's scores: top-1, top-5 and per class. */
#ifndef MASKPIPE_PROBE_EVAL_H
#define MASKPIPE_PROBE_EVAL_H

#include <stddef.h>
#include <stdint.h>

typedef struct probe_accuracy {
	size_t n;            /* examples scored */
	size_t n_unknown;    /* of them, with a class the classifier never saw */
	double top1, top5;   /* fractions of n */
	int n_classes;
	size_t *class_n;     /* [n_classes] examples of each class */
	size_t *class_right; /* [n_classes] of them right at top-1 */
} probe_accuracy;

/* Scores [n, n_classes] against classes cls [n] (-1: a class the
 * classifier has no output for, always wrong). The top-k predictions are
 * the k highest scores, equal scores ranked by the lower class index. A
 * score that is not finite is an error naming the example. */
int probe_accuracy_of(probe_accuracy *a, const float *scores, const int32_t *cls, size_t n,
		      int n_classes);
void probe_accuracy_free(probe_accuracy *a);

#endif
