#include "eval/probe_eval.h"

#include <math.h>
#include <stdlib.h>

#include "common/err.h"

/* The rank of class c among the scores: how many classes beat it. */
static int rank_of(const float *s, int n_classes, int c)
{
	int rank = 0;
	for (int j = 0; j < n_classes; j++)
		rank += s[j] > s[c] || (s[j] == s[c] && j < c);
	return rank;
}

int probe_accuracy_of(probe_accuracy *a, const float *scores, const int32_t *cls, size_t n,
		      int n_classes)
{
	*a = (probe_accuracy){.n = n, .n_classes = n_classes};
	a->class_n = calloc((size_t)n_classes + 1, sizeof(size_t));
	a->class_right = calloc((size_t)n_classes + 1, sizeof(size_t));
	if (!a->class_n || !a->class_right) {
		probe_accuracy_free(a);
		return err_set("out of memory");
	}
	size_t right1 = 0, right5 = 0;
	for (size_t i = 0; i < n; i++) {
		/* a NaN compares false with everything: it would rank first and
		 * count as right, a model that diverged scoring 100% */
		for (int j = 0; j < n_classes; j++)
			if (!isfinite(scores[i * n_classes + j])) {
				probe_accuracy_free(a);
				return err_set("test example %zu: the score of class %d is not finite "
					       "(%g)", i, j, scores[i * n_classes + j]);
			}
		if (cls[i] < 0) {
			a->n_unknown++;
			continue;
		}
		int rank = rank_of(scores + i * n_classes, n_classes, cls[i]);
		a->class_n[cls[i]]++;
		a->class_right[cls[i]] += rank == 0;
		right1 += rank == 0;
		right5 += rank < 5;
	}
	a->top1 = n ? (double)right1 / n : 0;
	a->top5 = n ? (double)right5 / n : 0;
	return 0;
}

void probe_accuracy_free(probe_accuracy *a)
{
	free(a->class_n);
	free(a->class_right);
	a->class_n = a->class_right = NULL;
}
