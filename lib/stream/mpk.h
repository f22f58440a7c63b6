/* A bounds-checked msgpack reading cursor. msgpack-c writes our streams; this
 * reads them, because a reader must check every length a corrupt stream
 * claims against the bytes actually there before trusting it, and must be
 * able to hand back any value's exact bytes for pass-through. */
#ifndef MASKPIPE_MPK_H
#define MASKPIPE_MPK_H

#include <stddef.h>
#include <stdint.h>

typedef struct mpk {
	const uint8_t *p, *end;
} mpk;

enum mpk_type {
	MPK_NIL,
	MPK_BOOL,
	MPK_INT, /* positive or negative */
	MPK_FLOAT,
	MPK_STR,
	MPK_BIN,
	MPK_ARRAY,
	MPK_MAP,
	MPK_EXT,
};

/* Returned when the value runs past `end`: more input may complete it. */
#define MPK_TRUNCATED (-2)

/* Nesting deeper than this is rejected, so a hostile stream cannot
 * exhaust the stack. */
#define MPK_MAX_DEPTH 64

static inline mpk mpk_of(const void *data, size_t len)
{
	mpk m = {(const uint8_t *)data, (const uint8_t *)data + len};
	return m;
}

static inline size_t mpk_left(const mpk *m)
{
	return (size_t)(m->end - m->p);
}

/* Type of the next value, -1 for the reserved byte 0xc1, MPK_TRUNCATED at end. */
int mpk_peek(const mpk *m);

/* Name of a type for messages ("map", "str", ...). */
const char *mpk_type_name(int type);

/* Skips one whole value (with everything nested in it). Returns 0,
 * MPK_TRUNCATED (message says what was claimed and what is left) or -1. */
int mpk_skip(mpk *m);

/* Finding the end of one value that may arrive in pieces: mpk_scan walks
 * buf[0..len) from where the last call stopped, without recursion, so a
 * value that comes a megabyte at a time is walked once, not once per
 * megabyte. The state's pos is relative to buf, which may move between
 * calls as long as the bytes before len stay the same. */
typedef struct mpk_scanner {
	size_t pos; /* end of the last whole value walked */
	int depth;
	uint64_t pending[MPK_MAX_DEPTH + 1]; /* values still to walk, per level */
} mpk_scanner;

void mpk_scanner_init(mpk_scanner *st);

/* 1 if nothing of the value has been walked yet. */
static inline int mpk_scanner_at_start(const mpk_scanner *st)
{
	return st->pos == 0 && st->depth == 0 && st->pending[0] == 1;
}

/* 0 when the value is whole (it ends at st->pos); MPK_TRUNCATED when more
 * bytes are needed, *need (if not NULL) then being the least total length
 * buf must reach, from the lengths the value claims; -1 on invalid data. */
int mpk_scan(mpk_scanner *st, const uint8_t *buf, size_t len, uint64_t *need);

/* Typed reads: 0 on success; -1 with "expected X, found Y" on a type
 * mismatch (the cursor does not move), MPK_TRUNCATED past the end. */
int mpk_read_map(mpk *m, uint32_t *n_pairs);
int mpk_read_array(mpk *m, uint32_t *n_items);
int mpk_read_str(mpk *m, const char **s, uint32_t *len);
int mpk_read_bin(mpk *m, const uint8_t **data, uint32_t *len);
int mpk_read_int(mpk *m, int64_t *v);   /* rejects uints above INT64_MAX */
int mpk_read_uint(mpk *m, uint64_t *v); /* rejects negative integers */
int mpk_read_float(mpk *m, double *v);  /* float32, float64, or an integer */
int mpk_read_bool(mpk *m, int *v);
int mpk_read_nil(mpk *m);

/* An ext value: its type byte and payload. */
int mpk_read_ext(mpk *m, int8_t *type, const uint8_t **data, uint32_t *len);

/* 1 if the next value is a str equal to `s` (cursor unmoved). */
int mpk_is_str(const mpk *m, const char *s);

#endif
