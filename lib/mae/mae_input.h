/* What the MAE reads from a record: `img` of the config's size and, for
 * training and reconstruction, `grid` and `mask` that match it. */
#ifndef MASKPIPE_MAE_INPUT_H
#define MASKPIPE_MAE_INPUT_H

#include <stdint.h>

#include "mae/mae_config.h"
#include "stream/rec.h"
#include "stream/rec_batch.h"

/* *px: the image's HWC bytes; *mask: the bitset, or NULL when need_mask is
 * 0 (nothing hidden). Points into r. 0, or -1 with a message naming the
 * field (the caller adds the record). */
int mae_record_input(const rec *r, const mae_config *cfg, int need_mask, const uint8_t **px,
		     const uint8_t **mask);

/* mae_record_input for every record of b, into px[i] and mask[i]; the
 * message of a bad record names the stream and the record. */
int mae_batch_input(const recbatch *b, const mae_config *cfg, int need_mask,
		    const uint8_t **px, const uint8_t **mask, const char *stream);

#endif
