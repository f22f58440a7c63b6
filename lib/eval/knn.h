/* The k-nearest-neighbour classifier of self-supervised evaluation (Wu et
 * al. 2018, "Unsupervised feature learning via non-parametric instance
 * discrimination", §3.5; DINO's eval_knn.py): cosine similarity between
 * L2-normalised features, the k most similar training examples each vote
 * for their class with weight exp(similarity / T), T = 0.07. */
#ifndef MASKPIPE_KNN_H
#define MASKPIPE_KNN_H

#include <stddef.h>
#include <stdint.h>

#define KNN_TEMPERATURE 0.07

/* votes [n_test, n_classes] for test [n_test, dim] against train [n_train,
 * dim] with classes train_cls (< 0: not a neighbour). Equal similarities
 * are ordered by training index, so the result is deterministic. */
int knn_votes(const float *train, const int32_t *train_cls, size_t n_train, const float *test,
	      size_t n_test, size_t dim, int k, double temperature, int n_classes, float *votes);

#endif
