#include "eval/finetune_run.h"

#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/err.h"

/* The test of an epoch: every image of test scored, the accuracy into
 * *acc and row->top1. */
static int test_epoch(mae_finetuner *f, const image_set *test, const finetune_run_opts *r,
		      long epoch, float *scores, finetune_epoch *row, probe_accuracy *acc)
{
	progress prog;
	progress_start(&prog, "test images", (uint64_t)test->n, r->quiet);
	int rc = mae_finetune_evaluate(f, test, scores, &prog);
	progress_end(&prog);
	if (rc < 0)
		return -1;
	probe_accuracy_free(acc);
	if (probe_accuracy_of(acc, scores, test->cls, test->n, f->n_classes) < 0) {
		err_prefix("%s: epoch %ld: ", r->test_name, epoch + 1);
		return -1;
	}
	row->top1 = acc->top1;
	return 0;
}

/* The epoch's line of text and of the log. */
static void report_epoch(const finetune_run_opts *r, FILE *log, long epoch,
			 const finetune_epoch *row, double seconds)
{
	if (r->text) {
		fprintf(r->text, "epoch %ld/%ld: loss %.4f", epoch + 1, r->epochs, row->loss);
		if (row->top1 >= 0)
			fprintf(r->text, ", test top-1 %.2f%%", 100 * row->top1);
		fprintf(r->text, " (%.0f s)\n", seconds);
	}
	if (log) {
		fprintf(log, "%ld\t%.6f\t", epoch + 1, row->loss);
		if (row->top1 >= 0)
			fprintf(log, "%.6f", row->top1);
		fprintf(log, "\t%.3f\n", seconds);
		fflush(log);
	}
}

/* The epochs on the images res->sets.used of train, each followed, when
 * due, by a test on every image of test: each epoch's loss and test top-1
 * into res->epochs, the last test's accuracy into res->acc. */
static int train_epochs(finetune_result *res, mae_finetuner *f, const image_set *train,
			const image_set *test, const finetune_run_opts *r, FILE *log)
{
	const uint32_t *idx = res->sets.used;
	size_t n = res->sets.n_used;
	float *scores = malloc(test->n * (size_t)f->n_classes * sizeof *scores);
	if (!scores)
		return err_set("out of memory");
	if (log)
		fprintf(log, "epoch\tloss\ttop1\tseconds\n");
	double start = clock_seconds();
	int rc = 0;
	for (long e = 0; rc == 0 && e < r->epochs; e++) {
		finetune_epoch *row = &res->epochs[e];
		progress prog;
		progress_start(&prog, "images", (uint64_t)n, r->quiet);
		rc = mae_finetune_epoch(f, train, idx, n, r->seed, (int)e, &prog, &row->loss);
		progress_end(&prog);
		if (rc < 0) {
			err_prefix("%s: epoch %ld: ", r->train_name, e + 1);
			break;
		}
		row->top1 = -1;
		if ((e + 1) % r->eval_every == 0 || e + 1 == r->epochs)
			rc = test_epoch(f, test, r, e, scores, row, &res->acc);
		if (rc == 0)
			report_epoch(r, log, e, row, clock_seconds() - start);
	}
	free(scores);
	return rc;
}

static int run(finetune_result *res, mae_finetuner *f, image_set *train, image_set *test,
	       const finetune_run_opts *o)
{
	finetune_sets_opts sets = {o->labelled, o->seed, o->train_name, o->test_name, o->text,
				   o->prog};
	if (finetune_sets_prepare(&res->sets, train, test, &sets) < 0)
		return -1;
	size_t n_used = res->sets.n_used;
	int n_classes = res->sets.classes.n;
	/* an epoch's last batch may be short: a step all the same */
	long steps_per_epoch = (long)((n_used + (size_t)o->tune.batch - 1) / (size_t)o->tune.batch);
	res->tune = o->tune;
	res->tune.total = o->epochs * steps_per_epoch;
	res->tune.warmup =
		(o->warmup_epochs < o->epochs ? o->warmup_epochs : o->epochs) * steps_per_epoch;
	res->epochs = calloc((size_t)o->epochs, sizeof *res->epochs);
	if (!res->epochs)
		return err_set("out of memory");
	if (mae_finetuner_init(f, n_classes, &res->tune, o->seed) < 0 ||
	    mae_finetune_standardise(f, train, res->sets.used, n_used) < 0)
		return -1;
	FILE *log = NULL;
	if (o->log_path && !(log = fopen(o->log_path, "w")))
		return err_errno("%s", o->log_path);
	if (o->text)
		fprintf(o->text, "fine-tuning on %zu of %zu training images, %d classes; "
			"testing on %zu\n", n_used, train->n, n_classes, test->n);
	int rc = train_epochs(res, f, train, test, o, log);
	/* a failed epoch's message stands; the log keeps the epochs before it */
	if (log && fclose(log) != 0 && rc == 0)
		rc = err_errno("%s", o->log_path);
	if (rc < 0)
		return -1;
	res->report = (finetune_report){train->n, n_used, test->n, &res->sets.classes, &res->tune,
					o->seed, res->epochs, (int)o->epochs, &res->acc};
	return 0;
}

int finetune_run(finetune_result *res, mae_finetuner *f, image_set *train, image_set *test,
		 const finetune_run_opts *o)
{
	memset(res, 0, sizeof *res);
	if (run(res, f, train, test, o) == 0)
		return 0;
	finetune_result_free(res);
	return -1;
}

void finetune_result_free(finetune_result *res)
{
	finetune_sets_free(&res->sets);
	free(res->epochs);
	probe_accuracy_free(&res->acc);
	memset(res, 0, sizeof *res);
}
