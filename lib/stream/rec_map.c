#include "stream/rec_map.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

/* Records per thread in a batch: large enough that starting the threads
 * is negligible, small enough that the next stage starts early. */
enum { RECORDS_PER_THREAD = 64 };

typedef struct batch {
	rec *records;
	char **errors; /* per record: the message of a failure, or NULL */
	size_t n;
	atomic_size_t next;
	const recmap_ops *ops;
	void **states;
} batch;

typedef struct worker {
	batch *b;
	void *state;
} worker;

static void *work(void *arg)
{
	worker *wk = arg;
	batch *b = wk->b;
	size_t i;
	while ((i = atomic_fetch_add(&b->next, 1)) < b->n)
		if (b->ops->apply(&b->records[i], wk->state, b->ops->ctx) < 0)
			b->errors[i] = strdup(err_msg());
	return NULL;
}

/* Runs a batch on the calling thread and n_threads - 1 others. */
static void run_batch(batch *b, unsigned n_threads)
{
	pthread_t threads[256];
	worker workers[256];
	unsigned n_started = 0;
	atomic_store(&b->next, 0);
	for (unsigned t = 0; t < n_threads; t++)
		workers[t] = (worker){b, b->states[t]};
	for (unsigned t = 1; t < n_threads && (size_t)t < b->n; t++, n_started++)
		if (pthread_create(&threads[t - 1], NULL, work, &workers[t]) != 0)
			break; /* the threads there are finish the batch */
	work(&workers[0]);
	for (unsigned t = 0; t < n_started; t++)
		pthread_join(threads[t], NULL);
}

static int write_batch(batch *b, rec_reader *rd, rec_writer *w, progress *prog)
{
	for (size_t i = 0; i < b->n; i++) {
		if (b->errors[i]) {
			char what[256];
			err_set("%s: %s: %s", rec_reader_name(rd),
				rec_describe(&b->records[i], what, sizeof what), b->errors[i]);
			return -1;
		}
		if (rec_writer_put(w, &b->records[i]) < 0)
			return -1;
	}
	if (prog)
		progress_add(prog, b->n);
	return 0;
}

int recmap_run(rec_reader *rd, rec_writer *w, unsigned n_threads, const recmap_ops *ops,
	       progress *prog)
{
	size_t cap = (size_t)n_threads * RECORDS_PER_THREAD;
	batch b = {.records = calloc(cap, sizeof *b.records),
		   .errors = calloc(cap, sizeof *b.errors),
		   .ops = ops,
		   .states = calloc(n_threads, sizeof *b.states)};
	int rc = b.records && b.errors && b.states ? 0 : err_set("out of memory");
	for (size_t i = 0; rc == 0 && i < cap; i++)
		rec_init(&b.records[i]);
	for (unsigned t = 0; rc == 0 && ops->state_new && t < n_threads; t++)
		if (!(b.states[t] = ops->state_new(ops->ctx)))
			rc = -1;
	while (rc == 0) {
		int got = 1;
		for (b.n = 0; b.n < cap && (got = rec_reader_next(rd, &b.records[b.n])) > 0; b.n++)
			;
		/* the records before a bad one are written first, then its message stands */
		char *read_error = got < 0 ? strdup(err_msg()) : NULL;
		run_batch(&b, n_threads);
		if (write_batch(&b, rd, w, prog) < 0)
			rc = -1;
		else if (got < 0)
			rc = err_set("%s", read_error ? read_error : "out of memory");
		free(read_error);
		for (size_t i = 0; i < b.n; i++) {
			free(b.errors[i]);
			b.errors[i] = NULL;
		}
		if (got <= 0)
			break;
	}
	for (size_t i = 0; b.records && i < cap; i++)
		rec_free(&b.records[i]);
	for (unsigned t = 0; b.states && ops->state_free && t < n_threads; t++)
		if (b.states[t])
			ops->state_free(b.states[t]);
	free(b.records);
	free(b.errors);
	free(b.states);
	return rc;
}
