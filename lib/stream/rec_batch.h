/* Records read a batch at a time, for the tools that compute on batches
 * (mae-train, mae-embed, mae-recon). */
#ifndef MASKPIPE_REC_BATCH_H
#define MASKPIPE_REC_BATCH_H

#include "stream/rec_io.h"

typedef struct recbatch {
	rec *recs;
	int cap, n;
} recbatch;

int recbatch_init(recbatch *b, int cap);
void recbatch_free(recbatch *b);

/* Reads up to cap records into b (b->n of them; fewer only at the end of
 * the stream): 0, or -1 with the reader's message. */
int recbatch_read(recbatch *b, rec_reader *rd);

#endif
