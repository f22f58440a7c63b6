/* The training and test sets of a fine-tuning as mae-finetune takes them,
 * between reading the two streams and training: both checked (images on
 * both sides, two classes or more to learn from, no more --labelled
 * images asked for than there are), the classes of the training set given
 * to both, and the training images trained on (all, or a class-balanced
 * subset). */
#ifndef MASKPIPE_FINETUNE_SETS_H
#define MASKPIPE_FINETUNE_SETS_H

#include <stdio.h>

#include "eval/image_set.h"
#include "eval/probe_data.h"

typedef struct finetune_sets_opts {
	size_t labelled;                    /* a class-balanced subset of this many
					     * training images (image_set_balanced);
					     * 0: all of them */
	uint64_t seed;                      /* of the subset */
	const char *train_name, *test_name; /* the streams, in messages */
	FILE *notice;                       /* a line when the subset is short of
					     * labelled, or NULL */
	const char *prog;                   /* starts the notice */
} finetune_sets_opts;

typedef struct finetune_sets {
	probe_classes classes; /* the training set's */
	uint32_t *used;        /* [n_used] the training images trained on, in
				* stream order */
	size_t n_used;
} finetune_sets;

/* Checks train and test, classifies both in place by the classes of train
 * and chooses the images to train on. 0, or -1 with a message naming the
 * stream at fault, s then freed. */
int finetune_sets_prepare(finetune_sets *s, image_set *train, image_set *test,
			  const finetune_sets_opts *o);
void finetune_sets_free(finetune_sets *s);

#endif
