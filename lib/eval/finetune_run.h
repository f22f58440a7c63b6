/* One fine-tuning as mae-finetune makes it, between reading the two sets
 * and reporting: the sets prepared (finetune_sets), the schedule's steps
 * from the epochs, the finetuner set up and its standardisation taken
 * from the images trained on, then the epochs, each followed when due by
 * a test on every test image, with their lines of text and of the log. */
#ifndef MASKPIPE_FINETUNE_RUN_H
#define MASKPIPE_FINETUNE_RUN_H

#include <stdio.h>

#include "eval/finetune_report.h"
#include "eval/finetune_sets.h"
#include "eval/mae_finetune.h"

typedef struct finetune_run_opts {
	mae_finetune_opts tune;             /* the finetuner's but its steps
					     * (warmup, total), set from the epochs */
	size_t labelled;                    /* see finetune_sets_opts */
	long epochs, warmup_epochs;
	long eval_every;                    /* test every eval_every epochs and
					     * after the last */
	uint64_t seed;                      /* of the subset, the head and the
					     * epochs' orders */
	const char *train_name, *test_name; /* the streams, in messages */
	const char *prog;                   /* starts notices */
	int quiet;                          /* no progress */
	FILE *text;                         /* the text report: a notice of a short
					     * subset, a line before training, one
					     * per epoch; or NULL */
	const char *log_path;               /* a TSV line per epoch (epoch, loss,
					     * top1, seconds) after a header line,
					     * or NULL */
} finetune_run_opts;

typedef struct finetune_result {
	finetune_sets sets;       /* the classes, the images trained on */
	mae_finetune_opts tune;   /* as run, with its steps */
	finetune_epoch *epochs;   /* [epochs] */
	probe_accuracy acc;       /* of the last test */
	finetune_report report;   /* of the above */
} finetune_result;

/* Fine-tunes f, whose model is loaded (the rest of it is set up here), on
 * train and tests it on test; both get their classes in place. The caller
 * frees f whatever the outcome. -1 with a message naming the stream at
 * fault (and the epoch), res then freed. */
int finetune_run(finetune_result *res, mae_finetuner *f, image_set *train, image_set *test,
		 const finetune_run_opts *o);
void finetune_result_free(finetune_result *res);

#endif
