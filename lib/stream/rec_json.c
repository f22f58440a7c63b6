#include "stream/rec_json.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "stream/mpk.h"
#include "common/utf8.h"

/* How the field registry types a value; it decides how a bin is shown. */
enum kind {
	KIND_PLAIN,
	KIND_IMG, /* the img map: its px is KIND_U8 */
	KIND_U8,
	KIND_U16,
	KIND_F32,
	KIND_BITS,
};

static const struct {
	const char *key;
	enum kind kind;
} registry[] = {
	{"img", KIND_IMG},
	{"boxcount", KIND_U16},
	{"emb", KIND_F32},
	{"mask", KIND_BITS},
};

static enum kind field_kind(const char *key, size_t key_len)
{
	for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
		if (strlen(registry[i].key) == key_len && memcmp(registry[i].key, key, key_len) == 0)
			return registry[i].kind;
	return KIND_PLAIN;
}

void json_buf_free(json_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

/* Room for n more bytes: 1, or 0 once an allocation has failed. */
static int reserve(json_buf *b, size_t n)
{
	if (b->failed)
		return 0;
	if (b->cap - b->len >= n)
		return 1;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->len < n)
		cap *= 2;
	char *data = realloc(b->data, cap);
	if (!data) {
		b->failed = 1;
		return 0;
	}
	b->data = data;
	b->cap = cap;
	return 1;
}

static void put_bytes(json_buf *b, const void *p, size_t n)
{
	if (reserve(b, n)) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
	}
}

static void put_char(json_buf *b, char ch)
{
	if (reserve(b, 1))
		b->data[b->len++] = ch;
}

static void put_lit(json_buf *b, const char *s)
{
	put_bytes(b, s, strlen(s));
}

/* printf is the slow part of long int arrays (img.px in full). */
static void put_u64(json_buf *b, uint64_t v)
{
	char digits[20];
	int n = 0;
	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	if (reserve(b, (size_t)n))
		while (n)
			b->data[b->len++] = digits[--n];
}

static void put_i64(json_buf *b, int64_t v)
{
	if (v < 0)
		put_char(b, '-');
	put_u64(b, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
}

/* The shortest "%.Ng" that reads back as the same float32 or float64, as
 * Python and JavaScript print numbers: 0.1 stays 0.1, not 0.100000001. */
static void put_float(json_buf *b, double v, int is_f32)
{
	if (!isfinite(v)) {
		put_lit(b, "null");
		return;
	}
	char text[40];
	int max_digits = is_f32 ? FLT_DECIMAL_DIG : DBL_DECIMAL_DIG;
	for (int digits = is_f32 ? FLT_DIG : DBL_DIG;; digits++) {
		int n = snprintf(text, sizeof text, "%.*g", digits, v);
		double back = strtod(text, NULL);
		if (digits == max_digits || (is_f32 ? (float)back == (float)v : back == v)) {
			put_bytes(b, text, (size_t)n);
			return;
		}
	}
}

/* A summary figure for a person to read, not to compute with. */
static void put_approx(json_buf *b, double v)
{
	char text[40];
	if (!isfinite(v))
		put_lit(b, "null");
	else
		put_bytes(b, text, (size_t)snprintf(text, sizeof text, "%.4g", v));
}

static int is_plain_ascii(uint8_t ch)
{
	return ch >= 0x20 && ch < 0x80 && ch != '"' && ch != '\\';
}

static void put_escape(json_buf *b, uint8_t ch)
{
	static const char hex[] = "0123456789abcdef";
	switch (ch) {
	case '"': put_lit(b, "\\\""); return;
	case '\\': put_lit(b, "\\\\"); return;
	case '\n': put_lit(b, "\\n"); return;
	case '\t': put_lit(b, "\\t"); return;
	case '\r': put_lit(b, "\\r"); return;
	case '\b': put_lit(b, "\\b"); return;
	case '\f': put_lit(b, "\\f"); return;
	}
	if (ch >= 0x80) { /* a byte of invalid UTF-8 */
		put_lit(b, "\\ufffd");
		return;
	}
	char esc[] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
	put_bytes(b, esc, sizeof esc);
}

static void put_str(json_buf *b, const void *text, size_t len)
{
	const uint8_t *s = text;
	put_char(b, '"');
	for (size_t i = 0; i < len;) {
		size_t run_end = i;
		while (run_end < len && is_plain_ascii(s[run_end]))
			run_end++;
		put_bytes(b, s + i, run_end - i);
		if ((i = run_end) == len)
			break;
		size_t seq_len = s[i] >= 0x80 ? utf8_seq_len(s + i, len - i) : 0;
		if (seq_len) {
			put_bytes(b, s + i, seq_len);
			i += seq_len;
		} else {
			put_escape(b, s[i++]);
		}
	}
	put_char(b, '"');
}

static void put_base64(json_buf *b, const uint8_t *p, size_t len)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	put_char(b, '"');
	for (size_t i = 0; i < len; i += 3) {
		uint32_t group = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			group |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			group |= p[i + 2];
		char quad[4] = {alphabet[group >> 18], alphabet[(group >> 12) & 63],
				i + 1 < len ? alphabet[(group >> 6) & 63] : '=',
				i + 2 < len ? alphabet[group & 63] : '='};
		put_bytes(b, quad, 4);
	}
	put_char(b, '"');
}

static uint32_t load_uint(const uint8_t *p, int width)
{
	return width == 1 ? p[0] : (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static float load_f32(const uint8_t *p)
{
	uint32_t bits = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			(uint32_t)p[3] << 24;
	float v;
	memcpy(&v, &bits, sizeof v);
	return v;
}

/* ,"min":a,"max":b,"mean":m of n little-endian unsigned ints of `width` bytes. */
static void put_uint_stats(json_buf *b, const uint8_t *p, size_t n, int width)
{
	if (n == 0)
		return;
	uint32_t min = UINT32_MAX, max = 0;
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t v = load_uint(p + i * (size_t)width, width);
		min = v < min ? v : min;
		max = v > max ? v : max;
		sum += v;
	}
	put_lit(b, ",\"min\":");
	put_u64(b, min);
	put_lit(b, ",\"max\":");
	put_u64(b, max);
	put_lit(b, ",\"mean\":");
	put_approx(b, (double)sum / (double)n);
}

/* The same for float32s; NaNs are counted apart, as a diverged embedding. */
static void put_f32_stats(json_buf *b, const uint8_t *p, size_t n)
{
	float min = INFINITY, max = -INFINITY;
	double sum = 0;
	size_t n_nan = 0;
	for (size_t i = 0; i < n; i++) {
		float v = load_f32(p + 4 * i);
		if (isnan(v)) {
			n_nan++;
			continue;
		}
		min = v < min ? v : min;
		max = v > max ? v : max;
		sum += v;
	}
	if (n_nan < n) {
		put_lit(b, ",\"min\":");
		put_float(b, min, 1);
		put_lit(b, ",\"max\":");
		put_float(b, max, 1);
		put_lit(b, ",\"mean\":");
		put_approx(b, sum / (double)(n - n_nan));
	}
	if (n_nan) {
		put_lit(b, ",\"nan\":");
		put_u64(b, n_nan);
	}
}

static void put_bin_summary(json_buf *b, const uint8_t *p, size_t len, enum kind kind)
{
	put_lit(b, "{\"bin\":");
	put_u64(b, len);
	switch (kind) {
	case KIND_U8:
		put_uint_stats(b, p, len, 1);
		break;
	case KIND_U16:
		put_lit(b, ",\"u16\":");
		put_u64(b, len / 2);
		put_uint_stats(b, p, len / 2, 2);
		break;
	case KIND_F32:
		put_lit(b, ",\"f32\":");
		put_u64(b, len / 4);
		put_f32_stats(b, p, len / 4);
		break;
	case KIND_BITS: {
		uint64_t n_ones = 0;
		for (size_t i = 0; i < len; i++)
			n_ones += (uint64_t)__builtin_popcount(p[i]);
		put_lit(b, ",\"ones\":");
		put_u64(b, n_ones);
		break;
	}
	default:
		break;
	}
	put_char(b, '}');
}

static void put_bin_full(json_buf *b, const uint8_t *p, size_t len, enum kind kind)
{
	if (kind != KIND_U8 && kind != KIND_U16 && kind != KIND_F32 && kind != KIND_BITS) {
		put_base64(b, p, len);
		return;
	}
	size_t width = kind == KIND_U16 ? 2 : kind == KIND_F32 ? 4 : 1;
	put_char(b, '[');
	for (size_t i = 0; i < len; i += width) {
		if (i)
			put_char(b, ',');
		if (kind == KIND_F32) {
			put_float(b, load_f32(p + i), 1);
		} else if (kind == KIND_BITS) {
			char bits[15];
			for (int bit = 0; bit < 8; bit++) {
				bits[2 * bit] = (char)('0' + ((p[i] >> bit) & 1));
				if (bit < 7)
					bits[2 * bit + 1] = ',';
			}
			put_bytes(b, bits, sizeof bits);
		} else {
			put_u64(b, load_uint(p + i, (int)width));
		}
	}
	put_char(b, ']');
}

static void put_bin(json_buf *b, const uint8_t *p, size_t len, enum kind kind, int flags)
{
	/* a registry bin that does not fit its type is shown as the bytes it is */
	if ((kind == KIND_U16 && len % 2) || (kind == KIND_F32 && len % 4))
		kind = KIND_PLAIN;
	if (flags & REC_JSON_FULL)
		put_bin_full(b, p, len, kind);
	else
		put_bin_summary(b, p, len, kind);
}

static void put_ext(json_buf *b, int8_t type, const uint8_t *p, size_t len, int flags)
{
	put_lit(b, "{\"ext\":");
	put_i64(b, type);
	if (flags & REC_JSON_FULL) {
		put_lit(b, ",\"base64\":");
		put_base64(b, p, len);
	} else {
		put_lit(b, ",\"bin\":");
		put_u64(b, len);
	}
	put_char(b, '}');
}

static int put_value(json_buf *b, mpk *m, enum kind kind, int flags, int depth);

static int put_int(json_buf *b, mpk *m)
{
	mpk probe = *m;
	uint64_t u;
	if (mpk_read_uint(&probe, &u) == 0) { /* up to UINT64_MAX */
		*m = probe;
		put_u64(b, u);
		return 0;
	}
	int64_t v;
	if (mpk_read_int(m, &v) < 0)
		return -1;
	put_i64(b, v);
	return 0;
}

/* A map key that is not a string becomes a string of its JSON text. */
static int put_key(json_buf *b, mpk *m, int flags, int depth)
{
	const char *s;
	uint32_t len;
	if (mpk_peek(m) == MPK_STR) {
		if (mpk_read_str(m, &s, &len) < 0)
			return -1;
		put_str(b, s, len);
		return 0;
	}
	json_buf key_text = {0};
	int rc = put_value(&key_text, m, KIND_PLAIN, flags, depth);
	if (rc == 0)
		put_str(b, key_text.data, key_text.len);
	b->failed |= key_text.failed;
	json_buf_free(&key_text);
	return rc;
}

static int put_container(json_buf *b, mpk *m, int type, enum kind kind, int flags, int depth)
{
	uint32_t n;
	if ((type == MPK_MAP ? mpk_read_map(m, &n) : mpk_read_array(m, &n)) < 0)
		return -1;
	if (n && depth >= MPK_MAX_DEPTH) /* the limit rec_parse's mpk_skip applies */
		return err_set("values nested deeper than %d levels", MPK_MAX_DEPTH);
	put_char(b, type == MPK_MAP ? '{' : '[');
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			put_char(b, ',');
		enum kind item_kind = KIND_PLAIN;
		if (type == MPK_MAP) {
			if (kind == KIND_IMG && mpk_is_str(m, "px"))
				item_kind = KIND_U8;
			if (put_key(b, m, flags, depth + 1) < 0)
				return -1;
			put_char(b, ':');
		}
		if (put_value(b, m, item_kind, flags, depth + 1) < 0)
			return -1;
	}
	put_char(b, type == MPK_MAP ? '}' : ']');
	return 0;
}

static int put_value(json_buf *b, mpk *m, enum kind kind, int flags, int depth)
{
	int type = mpk_peek(m), truth;
	const char *s;
	const uint8_t *bytes;
	uint32_t len;
	double v;
	int8_t ext_type;
	switch (type) {
	case MPK_NIL:
		put_lit(b, "null");
		return mpk_read_nil(m);
	case MPK_BOOL:
		if (mpk_read_bool(m, &truth) < 0)
			return -1;
		put_lit(b, truth ? "true" : "false");
		return 0;
	case MPK_INT:
		return put_int(b, m);
	case MPK_FLOAT: {
		int is_f32 = m->p[0] == 0xca;
		if (mpk_read_float(m, &v) < 0)
			return -1;
		put_float(b, v, is_f32);
		return 0;
	}
	case MPK_STR:
		if (mpk_read_str(m, &s, &len) < 0)
			return -1;
		put_str(b, s, len);
		return 0;
	case MPK_BIN:
		if (mpk_read_bin(m, &bytes, &len) < 0)
			return -1;
		put_bin(b, bytes, len, kind, flags);
		return 0;
	case MPK_EXT:
		if (mpk_read_ext(m, &ext_type, &bytes, &len) < 0)
			return -1;
		put_ext(b, ext_type, bytes, len, flags);
		return 0;
	case MPK_ARRAY:
	case MPK_MAP:
		return put_container(b, m, type, kind, flags, depth);
	default:
		mpk_skip(m); /* fails: it says whether the value is cut off or invalid */
		return -1;
	}
}

/* Undoes a failed append, keeping the buffer usable. */
static int undo(json_buf *out, size_t start)
{
	if (out->failed)
		err_set("out of memory for %zu bytes of JSON", out->len - start);
	out->len = start;
	out->failed = 0;
	return -1;
}

int rec_json_value(json_buf *out, const char *field, const uint8_t *val, size_t len, int flags)
{
	size_t start = out->len;
	mpk m = mpk_of(val, len);
	enum kind kind = field ? field_kind(field, strlen(field)) : KIND_PLAIN;
	if (put_value(out, &m, kind, flags, 0) < 0 || out->failed)
		return undo(out, start);
	return 0;
}

int rec_json_line(json_buf *out, const rec *r, int flags)
{
	size_t start = out->len;
	put_char(out, '{');
	for (size_t i = 0; i < r->n_fields; i++) {
		const rec_field *f = &r->fields[i];
		if (i)
			put_char(out, ',');
		put_str(out, f->key, f->key_len);
		put_char(out, ':');
		mpk m = mpk_of(f->val, f->val_len);
		enum kind kind = r->is_header ? KIND_PLAIN : field_kind(f->key, f->key_len);
		if (put_value(out, &m, kind, flags, 0) < 0) {
			err_prefix("field '%.*s': ", (int)(f->key_len > 200 ? 200 : f->key_len), f->key);
			return undo(out, start);
		}
	}
	put_lit(out, "}\n");
	return out->failed ? undo(out, start) : 0;
}
