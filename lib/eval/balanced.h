/* Class-balanced subsets, for few-label evaluation: the images a
 * fine-tuning trains on (mae-finetune --labelled), the examples a probe
 * fits (linprobe --labelled). */
#ifndef MASKPIPE_BALANCED_H
#define MASKPIPE_BALANCED_H

#include <stddef.h>
#include <stdint.h>

/* A class-balanced subset of n_take of n examples, whose classes cls [n]
 * (-1: none, never taken) and id hashes key [n] are given: n_take /
 * n_classes of each class, one more for the first n_take % n_classes
 * classes, all of a class that has fewer; within a class the examples
 * whose keys hash lowest with seed, so the subset depends on the ids and
 * the seed, not on the order of the examples. idx [n_take] gets the chosen
 * indices in increasing order; returns how many (fewer than n_take when
 * some class ran short), -1 with a message. */
long balanced_subset(const uint64_t *key, const int32_t *cls, size_t n, int n_classes,
		     size_t n_take, uint64_t seed, uint32_t *idx);

#endif
