/* The read-ahead loop mae_infer_run and mae_train_run share: the next
 * batch is read and staged before the current one runs, so that on a GPU
 * its upload overlaps the current batch's computing. */
#ifndef MASKPIPE_MAE_READAHEAD_H
#define MASKPIPE_MAE_READAHEAD_H

/* Reads the next batch into slot (0 or 1; the slot of the batch running
 * meanwhile is the other) and stages it: its size, 0 when there is none
 * (the end of the input, or no more wanted), or -1 with a message. */
typedef int (*mae_readahead_read_fn)(void *ctx, int slot);
/* Runs the n records of the batch in slot: 0, or -1 with a message. */
typedef int (*mae_readahead_run_fn)(void *ctx, int slot, int n);

/* Reads batches with `read` and runs each with `run` until `read` finds
 * none. Batch i+1 is read before batch i runs; a failure to read it waits
 * until batch i has run, where a loop reading a batch at a time would meet
 * it, and is then the loop's. 0, or -1 with the message of the failure. */
int mae_readahead_loop(mae_readahead_read_fn read, mae_readahead_run_fn run, void *ctx);

#endif
