/* Labelled images held in memory for fine-tuning (mae-finetune): each
 * record's `img`, of the model's size, its `label` and the hash of its id,
 * and the class-balanced subset that few-label fine-tuning trains on. */
#ifndef MASKPIPE_IMAGE_SET_H
#define MASKPIPE_IMAGE_SET_H

#include <stddef.h>
#include <stdint.h>

#include "mae/mae_config.h"
#include "eval/probe_data.h"
#include "stream/rec.h"

typedef struct image_set {
	size_t n, cap;
	size_t img_bytes; /* per image: img_size^2 * in_chans */
	uint8_t *px;      /* [n, img_bytes] HWC */
	int64_t *label;   /* [n] */
	uint64_t *key;    /* [n] see probe_record_label */
	int32_t *cls;     /* [n] after image_set_classify */
} image_set;

void image_set_init(image_set *s, const mae_config *cfg);
void image_set_free(image_set *s);

/* Appends a record's image (checked against the config) and label; the
 * message names the field, the caller adds the record. */
int image_set_add_record(image_set *s, const rec *r, const mae_config *cfg);

int image_set_classify(image_set *s, const probe_classes *c);

/* balanced_subset (eval/balanced.h) of the set's images, after
 * image_set_classify. */
long image_set_balanced(const image_set *s, int n_classes, size_t n_take, uint64_t seed,
			uint32_t *idx);

#endif
