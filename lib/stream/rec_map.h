/* Applying a per-record function on several threads while the output
 * keeps the input order: the records are read in batches, each batch is
 * shared out among the threads, and written back in order. Since each
 * record's result depends on that record alone, the output is the same
 * for any number of threads. */
#ifndef MASKPIPE_REC_MAP_H
#define MASKPIPE_REC_MAP_H

#include "common/progress.h"
#include "stream/rec_io.h"

typedef struct recmap_ops {
	/* Changes r in place: 0, or -1 with a message. `state` is the
	 * calling thread's own, from state_new (NULL if none). */
	int (*apply)(rec *r, void *state, void *ctx);
	void *(*state_new)(void *ctx); /* NULL allowed; returns NULL on failure */
	void (*state_free)(void *state);
	void *ctx;
} recmap_ops;

/* Reads every record of rd, applies ops->apply on n_threads threads
 * (1 to 256) and writes the results to w in input order, counting them on
 * prog (may be NULL). 0, or -1 with a message naming the stream and the
 * first failing record (a failed write leaves rec_writer_broken_pipe(w)
 * to tell a closed pipe). */
int recmap_run(rec_reader *rd, rec_writer *w, unsigned n_threads, const recmap_ops *ops,
	       progress *prog);

#endif
