/* The examples a linear probe or k-NN learns from and is tested on: one
 * feature vector (a record's `emb`, or its raw pixels) and one label per
 * record, the labels turned into class indices, the features standardised. */
#ifndef MASKPIPE_PROBE_DATA_H
#define MASKPIPE_PROBE_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "stream/rec.h"

typedef struct probe_set {
	size_t n, cap;
	size_t dim;      /* 0 until the first example */
	float *x;        /* [n, dim] */
	int64_t *label;  /* [n] as the records hold them */
	uint64_t *key;   /* [n] hash of the id (of the index when none): what
			  * a held-out fraction is drawn from */
	int32_t *cls;    /* [n] index into probe_classes, -1 when the class
			  * is unknown to it (set by probe_set_classify) */
} probe_set;

void probe_set_init(probe_set *s);
void probe_set_free(probe_set *s);

/* Appends one example; every example must have the same dimension. */
int probe_set_add(probe_set *s, const float *x, size_t dim, int64_t label, uint64_t key);

/* The example of a record: its `emb` (float32 LE), or with use_pixels its
 * `img` pixels scaled to [0, 1], and its `label` (required). The message
 * names the field and the problem; the caller prefixes the record. */
int probe_set_add_record(probe_set *s, const rec *r, int use_pixels);

/* The most classes a probe or fine-tuning takes; labels are class indices
 * below it. */
#define PROBE_MAX_CLASSES 100000

/* A record's `label` (required: "no label" otherwise), a class index from
 * 0 to PROBE_MAX_CLASSES - 1, and key, the hash of its id (of its index in
 * the stream when it has none). */
int probe_record_label(const rec *r, int64_t *label, uint64_t *key);

/* Moves the examples whose key hashes (with seed) below `fraction` from
 * `from` to `to`, keeping their order: a held-out split that depends on
 * each id alone, not on the order or number of records. */
int probe_set_hold_out(probe_set *from, probe_set *to, double fraction, uint64_t seed);

/* Moves the examples of `from` for which take[i] is set to `to`. */
int probe_set_move(probe_set *from, probe_set *to, const uint8_t *take);

/* The classes: the sorted distinct labels of a (training) set. */
typedef struct probe_classes {
	int n;
	int64_t *label; /* [n] ascending */
} probe_classes;

int probe_classes_of(probe_classes *c, const probe_set *s);
/* The same from n labels. */
int probe_classes_from(probe_classes *c, const int64_t *label, size_t n);
void probe_classes_free(probe_classes *c);
/* Index of label, or -1. */
int probe_classes_find(const probe_classes *c, int64_t label);

/* Fills s->cls from s->label. */
int probe_set_classify(probe_set *s, const probe_classes *c);
/* *cls (grown) [n]: the class of each label, -1 when c lacks it. */
int probe_classify(int32_t **cls, const int64_t *label, size_t n, const probe_classes *c);

/* Per-feature mean and standard deviation of a set (sd 1 where a feature
 * is constant, so it standardises to 0), and their application. */
int probe_moments(const probe_set *s, float *mean, float *sd);
void probe_standardise(probe_set *s, const float *mean, const float *sd);

#endif
