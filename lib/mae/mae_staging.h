/* A batch's inputs in backend memory, double-buffered: while the current
 * batch computes from one buffer, the next batch is copied into the other
 * on the backend's copy queue (upload_async), so that the copy overlaps
 * the compute. */
#ifndef MASKPIPE_MAE_STAGING_H
#define MASKPIPE_MAE_STAGING_H

#include <stdint.h>

#include "kernels/backend.h"
#include "mae/mae_batch.h"
#include "mae/mae_config.h"

/* the batch's index lists in backend memory (mae_batch names them) */
typedef struct mae_indices {
	int32_t *enc_pos_idx, *enc_patch_rows, *cls_rows, *dec_pos_idx, *dec_from_enc,
		*dec_mask_rows, *pred_rows, *zeros, *patch_image;
} mae_indices;

/* What a batch uploads: pixels, targets and index lists, in one block. */
typedef struct mae_inputs {
	void *mem;
	size_t cap;                /* bytes */
	float *patches, *targets;  /* [V, K], [N, K] */
	mae_indices idx;
	uint64_t staged;           /* the build of the batch copied by
				    * mae_staging_prefetch and not yet current,
				    * 0: none */
	int with_decoder;          /* whether the targets were copied too */
} mae_inputs;

typedef struct mae_staging {
	mae_inputs inputs[2];
	int current;               /* inputs[current]: the current batch's */
} mae_staging;

/* Lets staged copies land, then frees both buffers. */
void mae_staging_free(mae_staging *s, const backend *be);

/* Stages b (the decoder's targets too if with_decoder) for a later
 * mae_staging_take: copies it into the inputs the current batch does not
 * use, on the copy queue; nothing else changes. If those inputs hold a
 * batch staged and not yet current, the copy goes into the current
 * batch's instead, after the work issued on them (issue the current
 * batch's work first: prefetch the next batch, then compute the one
 * prefetched before). b's arrays should be the backend's host memory
 * (mae_batch_init_for), or the copy is not asynchronous; b must stay
 * alive and unchanged until it is current and a result of it has been
 * read. 0, or -1 with a message. */
int mae_staging_prefetch(mae_staging *s, const backend *be, const mae_config *cfg,
			 const mae_batch *b, int with_decoder);

/* Makes b the current batch and returns its inputs: waits for its staged
 * copy if mae_staging_prefetch staged it (with the decoder if
 * with_decoder), or else uploads it now. NULL with a message on failure. */
const mae_inputs *mae_staging_take(mae_staging *s, const backend *be, const mae_config *cfg,
				   const mae_batch *b, int with_decoder);

#endif
