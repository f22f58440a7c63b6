#include "stream/rec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "stream/mpk.h"
#include "common/rng.h"
#include "common/sizelimit.h"
#include "common/utf8.h"

/* Field bytes live in blocks that never move, so fields stay valid while
 * more are added. */
struct rec_block {
	rec_block *next;
	size_t used, cap;
	uint8_t data[];
};

enum { BLOCK_MIN = 64 * 1024, PACK_KEEP_BYTES = 1 << 20 };

static void *arena_alloc(rec *r, size_t n)
{
	rec_block *b = r->blocks;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > BLOCK_MIN ? n : BLOCK_MIN;
		rec_block *nb = malloc(sizeof *nb + cap);
		if (!nb) {
			err_set("out of memory (%zu bytes for a record)", n);
			return NULL;
		}
		nb->used = 0;
		nb->cap = cap;
		nb->next = b;
		r->blocks = b = nb;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

void rec_init(rec *r)
{
	memset(r, 0, sizeof *r);
	msgpack_sbuffer_init(&r->scratch);
}

void rec_clear(rec *r)
{
	/* keep the newest block (usually the only one) for the next record */
	rec_block *keep = r->blocks;
	if (keep) {
		rec_block *b = keep->next;
		while (b) {
			rec_block *next = b->next;
			free(b);
			b = next;
		}
		keep->next = NULL;
		keep->used = 0;
	}
	r->n_fields = 0;
	r->is_header = 0;
	r->index = 0;
}

void rec_free(rec *r)
{
	rec_clear(r);
	free(r->blocks);
	free(r->fields);
	free(r->pack_key);
	msgpack_sbuffer_destroy(&r->scratch);
	memset(r, 0, sizeof *r);
}

static int find(const rec *r, const char *key, size_t key_len)
{
	for (size_t i = 0; i < r->n_fields; i++)
		if (r->fields[i].key_len == key_len && memcmp(r->fields[i].key, key, key_len) == 0)
			return (int)i;
	return -1;
}

const rec_field *rec_get_n(const rec *r, const char *key, size_t key_len)
{
	int i = find(r, key, key_len);
	return i < 0 ? NULL : &r->fields[i];
}

const rec_field *rec_get(const rec *r, const char *key)
{
	return rec_get_n(r, key, strlen(key));
}

static int push_field(rec *r, const char *key, size_t key_len, const uint8_t *val, size_t val_len)
{
	if (grow_array(&r->fields, &r->cap_fields, r->n_fields + 1, sizeof *r->fields) < 0)
		return -1;
	rec_field *f = &r->fields[r->n_fields++];
	f->key = key;
	f->key_len = (uint32_t)key_len;
	f->val = val;
	f->val_len = val_len;
	return 0;
}

static int set_raw(rec *r, const char *key, size_t key_len, const void *val, size_t val_len)
{
	int i = find(r, key, key_len);
	uint8_t *copy = arena_alloc(r, val_len + (i < 0 ? key_len : 0));
	if (!copy)
		return -1;
	memcpy(copy, val, val_len);
	if (i >= 0) {
		r->fields[i].val = copy;
		r->fields[i].val_len = val_len;
		return 0;
	}
	memcpy(copy + val_len, key, key_len);
	return push_field(r, (const char *)copy + val_len, key_len, copy, val_len);
}

int rec_set_raw(rec *r, const char *key, const void *val, size_t val_len)
{
	return set_raw(r, key, strlen(key), val, val_len);
}

int rec_set_field(rec *r, const rec_field *f)
{
	return set_raw(r, f->key, f->key_len, f->val, f->val_len);
}

static int same_key(const rec_field *a, const rec_field *b)
{
	return a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0;
}

/* Fails if two fields share a key. A hash table keeps hostile maps of
 * many thousand keys linear; the usual handful is compared pairwise. */
static int check_unique_keys(const rec *r)
{
	enum { PAIRWISE_MAX = 32 };
	size_t n = r->n_fields, dup = SIZE_MAX;
	if (n <= PAIRWISE_MAX) {
		for (size_t i = 1; i < n && dup == SIZE_MAX; i++)
			for (size_t j = 0; j < i; j++)
				if (same_key(&r->fields[i], &r->fields[j]))
					dup = i;
	} else {
		size_t n_slots = 64;
		while (n_slots < 2 * n)
			n_slots *= 2;
		uint32_t *slots = calloc(n_slots, sizeof *slots); /* field index + 1 */
		if (!slots)
			return err_set("out of memory checking %zu keys", n);
		for (size_t i = 0; i < n && dup == SIZE_MAX; i++) {
			const rec_field *f = &r->fields[i];
			size_t s = (size_t)rng_hash(f->key, f->key_len, 0) & (n_slots - 1);
			for (; slots[s] && dup == SIZE_MAX; s = (s + 1) & (n_slots - 1))
				if (same_key(f, &r->fields[slots[s] - 1]))
					dup = i;
			slots[s] = (uint32_t)i + 1;
		}
		free(slots);
	}
	if (dup == SIZE_MAX)
		return 0;
	return err_set("key '%.*s' appears twice", (int)r->fields[dup].key_len, r->fields[dup].key);
}

int rec_parse(rec *r, const uint8_t *map, size_t len)
{
	rec_clear(r);
	uint8_t *copy = arena_alloc(r, len);
	if (!copy)
		return -1;
	memcpy(copy, map, len);
	mpk m = mpk_of(copy, len);
	uint32_t n_pairs;
	if (mpk_read_map(&m, &n_pairs) < 0)
		return err_prefix("a record must be a map: ");
	for (uint32_t i = 0; i < n_pairs; i++) {
		const char *key;
		uint32_t key_len;
		if (mpk_read_str(&m, &key, &key_len) < 0)
			return err_prefix("key %u: ", i);
		const uint8_t *val = m.p;
		if (mpk_skip(&m) < 0)
			return err_prefix("field '%.*s': ", (int)key_len, key);
		if (push_field(r, key, key_len, val, (size_t)(m.p - val)) < 0)
			return -1;
	}
	if (mpk_left(&m))
		return err_set("%zu stray bytes after the record map", mpk_left(&m));
	return check_unique_keys(r);
}

static size_t head_size(uint64_t n, size_t fix_max, int is_str)
{
	if (n <= fix_max)
		return 1;
	if (is_str && n <= 0xff)
		return 2;
	return n <= 0xffff ? 3 : 5;
}

size_t rec_encoded_size(const rec *r)
{
	size_t size = head_size(r->n_fields, 15, 0);
	for (size_t i = 0; i < r->n_fields; i++)
		size += head_size(r->fields[i].key_len, 31, 1) + r->fields[i].key_len +
			r->fields[i].val_len;
	return size;
}

static uint8_t *put_be(uint8_t *out, uint64_t v, int n_bytes)
{
	for (int i = n_bytes - 1; i >= 0; i--)
		*out++ = (uint8_t)(v >> (8 * i));
	return out;
}

static uint8_t *put_head(uint8_t *out, uint64_t n, uint8_t fix, size_t fix_max, uint8_t b8,
			 uint8_t b16, uint8_t b32)
{
	if (n <= fix_max) {
		*out++ = (uint8_t)(fix | n);
		return out;
	}
	if (b8 && n <= 0xff) {
		*out++ = b8;
		return put_be(out, n, 1);
	}
	if (n <= 0xffff) {
		*out++ = b16;
		return put_be(out, n, 2);
	}
	*out++ = b32;
	return put_be(out, n, 4);
}

void rec_encode(const rec *r, uint8_t *out)
{
	out = put_head(out, r->n_fields, 0x80, 15, 0, 0xde, 0xdf);
	for (size_t i = 0; i < r->n_fields; i++) {
		const rec_field *f = &r->fields[i];
		out = put_head(out, f->key_len, 0xa0, 31, 0xd9, 0xda, 0xdb);
		memcpy(out, f->key, f->key_len);
		out += f->key_len;
		memcpy(out, f->val, f->val_len);
		out += f->val_len;
	}
}

/* The packer's writer: msgpack-c ignores what it returns and goes on with
 * the next piece, so a failure (no memory to grow, or a value over the
 * record limit) is remembered here for rec_pack_end, and everything after
 * it is refused too. */
static int pack_write(void *data, const char *buf, size_t len)
{
	rec *r = data;
	if (r->pack_failed)
		return -1;
	if (len > r->pack_limit - r->scratch.size) {
		r->pack_failed = 1;
		return err_set("field '%s' would take over %llu bytes, more than a record may hold "
			       "(%llu MiB; MASKPIPE_MAX_RECORD_MB raises it)",
			       r->pack_key ? r->pack_key : "?",
			       (unsigned long long)(r->scratch.size + len),
			       (unsigned long long)(r->pack_limit >> 20));
	}
	if (msgpack_sbuffer_write(&r->scratch, buf, len) < 0) {
		r->pack_failed = 1;
		return err_set("out of memory packing field '%s' (%llu bytes)",
			       r->pack_key ? r->pack_key : "?",
			       (unsigned long long)(r->scratch.size + len));
	}
	return 0;
}

msgpack_packer *rec_pack_begin(rec *r, const char *key)
{
	msgpack_sbuffer_clear(&r->scratch);
	msgpack_packer_init(&r->packer, r, pack_write);
	free(r->pack_key);
	r->pack_key = strdup(key);
	r->pack_failed = !r->pack_key;
	if (!r->pack_key)
		err_set("out of memory packing a field");
	else if (limit_max_record_bytes(&r->pack_limit) < 0)
		r->pack_failed = 1;
	return &r->packer;
}

int rec_pack_end(rec *r)
{
	/* the message was set where the packing failed */
	int rc = r->pack_failed ? -1 : rec_set_raw(r, r->pack_key, r->scratch.data, r->scratch.size);
	free(r->pack_key);
	r->pack_key = NULL;
	r->pack_failed = 0;
	/* a large field's buffer is not kept for the next record */
	if (r->scratch.alloc > PACK_KEEP_BYTES) {
		msgpack_sbuffer_destroy(&r->scratch);
		msgpack_sbuffer_init(&r->scratch);
	}
	return rc;
}

int rec_set_int(rec *r, const char *key, int64_t v)
{
	msgpack_pack_int64(rec_pack_begin(r, key), v);
	return rec_pack_end(r);
}

/* Packs s as a str. Text that is not valid UTF-8 is refused, or, when
 * lossy, has each byte that is not part of valid UTF-8 replaced by U+FFFD
 * (a command line in the provenance: a record of it for people). */
static int pack_text(msgpack_packer *pk, const char *s, int lossy)
{
	static const char replacement[] = "\xef\xbf\xbd";
	const uint8_t *u = (const uint8_t *)s;
	size_t len = strlen(s), bad = utf8_invalid_at(s, len);
	if (bad == len) {
		msgpack_pack_str(pk, len);
		msgpack_pack_str_body(pk, s, len);
		return 0;
	}
	if (!lossy)
		return err_set("not valid UTF-8 (byte %zu of %zu is 0x%02x)", bad + 1, len, u[bad]);
	size_t out_len = 0;
	for (size_t i = 0, n; i < len; i += n ? n : 1)
		out_len += (n = utf8_seq_len(u + i, len - i)) ? n : 3;
	msgpack_pack_str(pk, out_len);
	for (size_t i = 0, n; i < len; i += n ? n : 1) {
		n = utf8_seq_len(u + i, len - i);
		msgpack_pack_str_body(pk, n ? s + i : replacement, n ? n : 3);
	}
	return 0;
}

int rec_set_str(rec *r, const char *key, const char *s)
{
	msgpack_packer *pk = rec_pack_begin(r, key);
	if (pack_text(pk, s, 0) < 0) {
		err_prefix("field '%s': ", key);
		r->pack_failed = 1;
	}
	return rec_pack_end(r);
}

int rec_set_bin(rec *r, const char *key, const void *data, size_t len)
{
	msgpack_packer *pk = rec_pack_begin(r, key);
	msgpack_pack_bin(pk, len);
	msgpack_pack_bin_body(pk, data, len);
	return rec_pack_end(r);
}

static void pack_key(msgpack_packer *pk, const char *key)
{
	size_t len = strlen(key);
	msgpack_pack_str(pk, len);
	msgpack_pack_str_body(pk, key, len);
}

static int pack_strs(msgpack_packer *pk, char *const *strs, size_t n, int lossy)
{
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++)
		if (pack_text(pk, strs[i], lossy) < 0)
			return err_prefix("item %zu: ", i);
	return 0;
}

int rec_set_strs(rec *r, const char *key, char *const *strs, size_t n)
{
	if (pack_strs(rec_pack_begin(r, key), strs, n, 0) < 0) {
		err_prefix("field '%s' ", key);
		r->pack_failed = 1;
	}
	return rec_pack_end(r);
}

int rec_make_image(rec *r, const char *id, int64_t label, int64_t label_coarse, const img *im)
{
	rec_clear(r);
	if (rec_set_str(r, "id", id) < 0 || (label >= 0 && rec_set_int(r, "label", label) < 0) ||
	    (label_coarse >= 0 && rec_set_int(r, "label_coarse", label_coarse) < 0))
		return -1;
	return rec_set_img(r, im);
}

int rec_set_img(rec *r, const img *im)
{
	msgpack_packer *pk = rec_pack_begin(r, "img");
	msgpack_pack_map(pk, 4);
	pack_key(pk, "w");
	msgpack_pack_uint32(pk, im->w);
	pack_key(pk, "h");
	msgpack_pack_uint32(pk, im->h);
	pack_key(pk, "c");
	msgpack_pack_uint32(pk, im->c);
	pack_key(pk, "px");
	msgpack_pack_bin(pk, img_bytes(im));
	msgpack_pack_bin_body(pk, im->px, img_bytes(im));
	return rec_pack_end(r);
}

/* Positions a cursor on field `key`: 0, 1 if absent. */
static int field_cursor(const rec *r, const char *key, mpk *m)
{
	const rec_field *f = rec_get(r, key);
	if (!f)
		return 1;
	*m = mpk_of(f->val, f->val_len);
	return 0;
}

int rec_get_int(const rec *r, const char *key, int64_t *v)
{
	mpk m;
	if (field_cursor(r, key, &m))
		return 1;
	return mpk_read_int(&m, v) < 0 ? err_prefix("field '%s': ", key) : 0;
}

/* Reads a str that must be valid UTF-8. */
static int read_text(mpk *m, const char **s, uint32_t *len)
{
	if (mpk_read_str(m, s, len) < 0)
		return -1;
	size_t bad = utf8_invalid_at(*s, *len);
	if (bad < *len)
		return err_set("not valid UTF-8 (byte %zu of %u is 0x%02x)", bad + 1, *len,
			       (uint8_t)(*s)[bad]);
	return 0;
}

int rec_get_str(const rec *r, const char *key, const char **s, uint32_t *len)
{
	mpk m;
	if (field_cursor(r, key, &m))
		return 1;
	return read_text(&m, s, len) < 0 ? err_prefix("field '%s': ", key) : 0;
}

int rec_get_bin(const rec *r, const char *key, const uint8_t **data, uint32_t *len)
{
	mpk m;
	if (field_cursor(r, key, &m))
		return 1;
	return mpk_read_bin(&m, data, len) < 0 ? err_prefix("field '%s': ", key) : 0;
}

void rec_free_strs(char **strs, size_t n)
{
	for (size_t i = 0; strs && i < n; i++)
		free(strs[i]);
	free(strs);
}

int rec_get_strs(const rec *r, const char *key, char ***strs, size_t *n)
{
	mpk m;
	*strs = NULL;
	*n = 0;
	if (field_cursor(r, key, &m))
		return 1;
	uint32_t n_items;
	if (mpk_read_array(&m, &n_items) < 0)
		return err_prefix("field '%s': ", key);
	/* every item takes a byte at least: a corrupt count fails before the calloc */
	if (n_items > mpk_left(&m))
		return err_set("field '%s': %u items in %zu bytes", key, n_items, mpk_left(&m));
	char **out = calloc(n_items ? n_items : 1, sizeof *out);
	if (!out)
		return err_set("out of memory");
	for (uint32_t i = 0; i < n_items; i++) {
		const char *s;
		uint32_t len;
		if (read_text(&m, &s, &len) < 0 || !(out[i] = strndup(s, len))) {
			rec_free_strs(out, i);
			return err_prefix("field '%s' item %u: ", key, i);
		}
	}
	*strs = out;
	*n = n_items;
	return 0;
}

static int read_count(mpk *m, uint32_t *count, uint64_t max)
{
	int64_t v;
	if (mpk_read_int(m, &v) < 0)
		return -1;
	if (v < 0 || (uint64_t)v > max)
		return err_set("%lld is out of range", (long long)v);
	*count = (uint32_t)v;
	return 0;
}

/* The shape every per-pixel field shares: a map {w, h, <count_key>, px}
 * whose keys may come in any order, each once; other keys are skipped. */
static int get_pixel_map(const rec *r, const char *field, const char *count_key,
			 uint64_t count_max, uint32_t *w, uint32_t *h, uint32_t *count,
			 const uint8_t **px, uint32_t *px_len)
{
	const char *const keys[] = {"w", "h", count_key, "px"};
	mpk m;
	if (field_cursor(r, field, &m))
		return 1;
	uint32_t n_pairs;
	int seen = 0; /* bit k: keys[k] came */
	if (mpk_read_map(&m, &n_pairs) < 0)
		return err_prefix("field '%s': ", field);
	for (uint32_t i = 0; i < n_pairs; i++) {
		const char *key;
		uint32_t key_len;
		if (mpk_read_str(&m, &key, &key_len) < 0)
			return err_prefix("field '%s': key %u: ", field, i);
		int k = 0;
		while (k < 4 && !(strlen(keys[k]) == key_len && memcmp(keys[k], key, key_len) == 0))
			k++;
		if (k < 4 && (seen & 1 << k))
			return err_set("field '%s': key '%s' appears twice", field, keys[k]);
		int rc = k == 0 ? read_count(&m, w, IMG_MAX_DIM)
			: k == 1 ? read_count(&m, h, IMG_MAX_DIM)
			: k == 2 ? read_count(&m, count, count_max)
			: k == 3 ? mpk_read_bin(&m, px, px_len)
				 : mpk_skip(&m);
		if (rc < 0)
			return err_prefix("field '%s.%.*s': ", field, (int)key_len, key);
		seen |= k < 4 ? 1 << k : 0;
	}
	for (int k = 0; k < 4; k++)
		if (!(seen & 1 << k))
			return err_set("field '%s' lacks %s", field, keys[k]);
	return 0;
}

int rec_get_img(const rec *r, img_view *v)
{
	uint32_t px_len;
	int rc = get_pixel_map(r, "img", "c", 4, &v->w, &v->h, &v->c, &v->px, &px_len);
	if (rc != 0)
		return rc;
	if (img_check_dims(v->w, v->h, v->c) < 0)
		return err_prefix("field 'img': ");
	/* checked once all of w, h and c are known, whatever their order */
	if (px_len != (uint64_t)v->w * v->h * v->c)
		return err_set("field 'img.px' has %u bytes, %ux%ux%u needs %llu", px_len, v->w, v->h,
			       v->c, (unsigned long long)v->w * v->h * v->c);
	return 0;
}

int rec_get_img_gray_or_rgb(const rec *r, img_view *v)
{
	int rc = rec_get_img(r, v);
	/* 2 and 4 (with alpha) are not stream images: img-decode drops alpha */
	if (rc == 0 && v->c != 1 && v->c != 3)
		return err_set("field 'img.c' is %u: a stream's images are gray (1) or RGB (3)", v->c);
	return rc;
}

int rec_set_segments(rec *r, const uint32_t *labels, uint32_t w, uint32_t h, uint32_t n_segments)
{
	size_t n_px = (size_t)w * h;
	msgpack_packer *pk = rec_pack_begin(r, "segments");
	msgpack_pack_map(pk, 4);
	pack_key(pk, "w");
	msgpack_pack_uint32(pk, w);
	pack_key(pk, "h");
	msgpack_pack_uint32(pk, h);
	pack_key(pk, "n");
	msgpack_pack_uint32(pk, n_segments);
	pack_key(pk, "px");
	msgpack_pack_bin(pk, n_px * 4);
	for (size_t i = 0; i < n_px; i++) {
		uint8_t le[4] = {(uint8_t)labels[i], (uint8_t)(labels[i] >> 8),
				 (uint8_t)(labels[i] >> 16), (uint8_t)(labels[i] >> 24)};
		msgpack_pack_bin_body(pk, le, 4);
	}
	return rec_pack_end(r);
}

int rec_get_segments(const rec *r, uint32_t **labels, size_t *cap, uint32_t *w, uint32_t *h,
		     uint32_t *n_segments)
{
	const uint8_t *px;
	uint32_t px_len;
	int rc = get_pixel_map(r, "segments", "n", UINT32_MAX, w, h, n_segments, &px, &px_len);
	if (rc != 0)
		return rc;
	if (img_check_dims(*w, *h, 1) < 0)
		return err_prefix("field 'segments': ");
	size_t n_px = (size_t)*w * *h;
	if (px_len != n_px * 4)
		return err_set("field 'segments.px' has %u bytes, %ux%u labels need %zu", px_len, *w,
			       *h, n_px * 4);
	if (grow_array(labels, cap, n_px, sizeof **labels) < 0)
		return -1;
	for (size_t i = 0; i < n_px; i++) {
		const uint8_t *le = px + 4 * i;
		uint32_t label = le[0] | (uint32_t)le[1] << 8 | (uint32_t)le[2] << 16 |
				 (uint32_t)le[3] << 24;
		if (label >= *n_segments)
			return err_set("field 'segments': pixel %zu has label %u of %u segments", i,
				       label, *n_segments);
		(*labels)[i] = label;
	}
	return 0;
}

const char *rec_describe(const rec *r, char *buf, size_t cap)
{
	const char *id;
	uint32_t id_len;
	/* read without rec_get_str, which would replace the message this
	 * description goes in front of */
	const rec_field *f = rec_get(r, "id");
	mpk m = mpk_of(f ? f->val : NULL, f ? f->val_len : 0);
	if (r->is_header)
		snprintf(buf, cap, "header");
	else if (mpk_peek(&m) == MPK_STR && mpk_read_str(&m, &id, &id_len) == 0 &&
		 utf8_invalid_at(id, id_len) == id_len)
		snprintf(buf, cap, "record %llu (id '%.*s')", (unsigned long long)r->index,
			 (int)(id_len > 200 ? 200 : id_len), id);
	else
		snprintf(buf, cap, "record %llu", (unsigned long long)r->index);
	return buf;
}

int rec_header_make(rec *out, const rec *in, int argc, char **argv)
{
	rec_clear(out);
	out->is_header = 1;
	if (rec_set_int(out, "maskpipe", REC_FORMAT_VERSION) < 0)
		return -1;
	/* provenance: the earlier stages' argv arrays, then ours */
	mpk old = mpk_of(NULL, 0);
	uint32_t n_old = 0;
	const rec_field *prov = in ? rec_get(in, "provenance") : NULL;
	if (prov) {
		old = mpk_of(prov->val, prov->val_len);
		if (mpk_read_array(&old, &n_old) < 0)
			return err_prefix("header field 'provenance': ");
	}
	msgpack_packer *pk = rec_pack_begin(out, "provenance");
	msgpack_pack_array(pk, n_old + 1);
	msgpack_pack_bin_body(pk, old.p, mpk_left(&old)); /* the old items, verbatim */
	pack_strs(pk, argv, (size_t)argc, 1);
	if (rec_pack_end(out) < 0)
		return -1;
	for (size_t i = 0; in && i < in->n_fields; i++) {
		const rec_field *f = &in->fields[i];
		if ((f->key_len == 8 && memcmp(f->key, "maskpipe", 8) == 0) ||
		    (f->key_len == 10 && memcmp(f->key, "provenance", 10) == 0))
			continue;
		if (rec_set_field(out, f) < 0)
			return -1;
	}
	return 0;
}
