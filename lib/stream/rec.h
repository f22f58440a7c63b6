/* A record (or header) of the stream: an ordered list of fields, each a key
 * and the exact msgpack bytes of its value. Fields a stage does not touch
 * are written back byte for byte; new values are packed with msgpack-c. */
#ifndef MASKPIPE_REC_H
#define MASKPIPE_REC_H

#include <msgpack.h>
#include <stddef.h>
#include <stdint.h>

#include "common/img.h"

/* The format version a header's "maskpipe" key holds. */
#define REC_FORMAT_VERSION 1

typedef struct rec_field {
	const char *key; /* not NUL-terminated */
	uint32_t key_len;
	const uint8_t *val; /* one whole msgpack value */
	size_t val_len;
} rec_field;

typedef struct rec_block rec_block;

typedef struct rec {
	rec_field *fields;
	size_t n_fields, cap_fields;
	int is_header;
	uint64_t index;     /* position among the stream's records (headers not counted) */
	rec_block *blocks;  /* bytes the fields point into */
	msgpack_sbuffer scratch; /* a value being packed, see rec_pack_begin */
	msgpack_packer packer;
	char *pack_key;
	int pack_failed;     /* a write of the value being packed failed */
	uint64_t pack_limit; /* the bytes a value may take: the record limit */
} rec;

void rec_init(rec *r);
void rec_free(rec *r);
/* Empties the record, keeping its memory for the next one. */
void rec_clear(rec *r);

/* Fills r from one msgpack map (copied): keys must be strings and unique. */
int rec_parse(rec *r, const uint8_t *map, size_t len);

/* Encoded size and encoding of r as one msgpack map. */
size_t rec_encoded_size(const rec *r);
void rec_encode(const rec *r, uint8_t *out);

/* The field with this key, or NULL. */
const rec_field *rec_get(const rec *r, const char *key);
const rec_field *rec_get_n(const rec *r, const char *key, size_t key_len);

/* Adds or replaces a field with a ready msgpack value (copied). */
int rec_set_raw(rec *r, const char *key, const void *val, size_t val_len);

/* Adds or replaces a field with a copy of another record's field. */
int rec_set_field(rec *r, const rec_field *f);


/* Packs a new value for `key` with msgpack-c:
 *   msgpack_packer *pk = rec_pack_begin(r, "boxes");
 *   msgpack_pack_array(pk, n); ...
 *   rec_pack_end(r);
 * Exactly one value must be packed in between. Whatever fails in between
 * (memory, or a value over the record limit, limit_max_record_bytes) makes
 * rec_pack_end fail and leaves the record without the field. */
msgpack_packer *rec_pack_begin(rec *r, const char *key);
int rec_pack_end(rec *r);

int rec_set_int(rec *r, const char *key, int64_t v);
int rec_set_str(rec *r, const char *key, const char *s);
int rec_set_bin(rec *r, const char *key, const void *data, size_t len);
/* Sets `img` to {w, h, c, px}. */
int rec_set_img(rec *r, const img *im);

/* Typed getters: 0 found, 1 absent, -1 wrong type or shape (message names
 * the field); a str must be valid UTF-8, which rec_set_str and
 * rec_set_strs refuse to write otherwise. */
int rec_get_int(const rec *r, const char *key, int64_t *v);
int rec_get_str(const rec *r, const char *key, const char **s, uint32_t *len);
int rec_get_bin(const rec *r, const char *key, const uint8_t **data, uint32_t *len);

/* Sets `key` to an array of the n strings. */
int rec_set_strs(rec *r, const char *key, char *const *strs, size_t n);

/* Fills r as img-decode's record of an image: id, label and label_coarse
 * (each left out when negative) and img. */
int rec_make_image(rec *r, const char *id, int64_t label, int64_t label_coarse, const img *im);

/* An array of str field as new NUL-terminated strings (free each and the
 * array with rec_free_strs): 0 found, 1 absent, -1 wrong type. */
int rec_get_strs(const rec *r, const char *key, char ***strs, size_t *n);
void rec_free_strs(char **strs, size_t n);

/* The `img` field as a view into the record (px not owned): 0 found, 1
 * absent, -1 malformed. Channels may be 1 to 4: rec-png and mask-viz
 * write any as PNG, a model checks them against its own in_chans... */
int rec_get_img(const rec *r, img_view *v);
/* ...but the stages that transform pixels into stream images (patchify)
 * or compute colour features (ssearch-boxes) take only what the format
 * has, gray (1) or RGB (3): -1 for other channel counts. */
int rec_get_img_gray_or_rgb(const rec *r, img_view *v);

/* The `segments` field: a segmentation of the image as a map {w, h, n,
 * px}, px holding one u32 LE label in [0, n) per pixel, row-major. */
int rec_set_segments(rec *r, const uint32_t *labels, uint32_t w, uint32_t h, uint32_t n_segments);

/* Reads `segments` into *labels (grown with grow_array, *cap items
 * allocated, reusable across records): 0 found, 1 absent, -1 bad shape or
 * a label not below n. */
int rec_get_segments(const rec *r, uint32_t **labels, size_t *cap, uint32_t *w, uint32_t *h,
		     uint32_t *n_segments);

/* The record's id for messages: "record 17 (id 'train:17')". */
const char *rec_describe(const rec *r, char *buf, size_t cap);

/* A header for a stage's output: copies `in` (may be NULL), sets
 * "maskpipe" to the format version and appends argv to "provenance". */
int rec_header_make(rec *out, const rec *in, int argc, char **argv);

#endif
