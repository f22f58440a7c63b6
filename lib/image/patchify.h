/* patchify's work on one record: the image (and its boxes and segments)
 * through augment_plan's geometry, then `grid` and, when the record has
 * boxes, `boxcount`. */
#ifndef MASKPIPE_PATCHIFY_H
#define MASKPIPE_PATCHIFY_H

#include "image/augment.h"
#include "stream/rec.h"

/* Buffers reused from record to record. */
typedef struct patchify_work {
	img out;
	box *boxes;
	size_t cap_boxes;
	uint32_t *labels, *labels_out;
	size_t cap_labels, cap_labels_out;
	uint16_t *counts;
	size_t cap_counts;
} patchify_work;

/* Transforms r in place with patches of patch x patch pixels; the draws
 * come from (seed, id, epoch). 0, or -1 with a message (no img, an output
 * size not a multiple of the patch, segments of another size than img,
 * an image smaller than a fixed crop). */
int patchify_record(rec *r, const augment_opts *opt, uint32_t patch, uint64_t seed,
		    patchify_work *wk);

void patchify_work_free(patchify_work *wk);

#endif
