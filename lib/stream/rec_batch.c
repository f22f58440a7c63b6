/* Reading records a batch at a time. */
#include <stdlib.h>

#include "common/err.h"
#include "stream/rec_batch.h"

int recbatch_init(recbatch *b, int cap)
{
	b->recs = calloc((size_t)cap, sizeof(rec));
	if (!b->recs)
		return err_set("out of memory for a batch of %d records", cap);
	for (int i = 0; i < cap; i++)
		rec_init(&b->recs[i]);
	b->cap = cap;
	b->n = 0;
	return 0;
}

void recbatch_free(recbatch *b)
{
	for (int i = 0; i < b->cap; i++)
		rec_free(&b->recs[i]);
	free(b->recs);
	b->recs = NULL;
	b->cap = b->n = 0;
}

int recbatch_read(recbatch *b, rec_reader *rd)
{
	int rc = 1;
	b->n = 0;
	while (b->n < b->cap && (rc = rec_reader_next(rd, &b->recs[b->n])) == 1)
		b->n++;
	return rc < 0 ? -1 : 0;
}
