#include "stream/mpk.h"

#include <string.h>

#include "common/err.h"

static uint64_t load_be(const uint8_t *p, int n_bytes)
{
	uint64_t v = 0;
	for (int i = 0; i < n_bytes; i++)
		v = v << 8 | p[i];
	return v;
}

int mpk_peek(const mpk *m)
{
	if (m->p >= m->end)
		return MPK_TRUNCATED;
	uint8_t b = *m->p;
	if (b <= 0x7f || b >= 0xe0)
		return MPK_INT;
	if (b <= 0x8f)
		return MPK_MAP;
	if (b <= 0x9f)
		return MPK_ARRAY;
	if (b <= 0xbf)
		return MPK_STR;
	switch (b) {
	case 0xc0: return MPK_NIL;
	case 0xc2: case 0xc3: return MPK_BOOL;
	case 0xc4: case 0xc5: case 0xc6: return MPK_BIN;
	case 0xc7: case 0xc8: case 0xc9: return MPK_EXT;
	case 0xca: case 0xcb: return MPK_FLOAT;
	case 0xcc: case 0xcd: case 0xce: case 0xcf:
	case 0xd0: case 0xd1: case 0xd2: case 0xd3: return MPK_INT;
	case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: return MPK_EXT;
	case 0xd9: case 0xda: case 0xdb: return MPK_STR;
	case 0xdc: case 0xdd: return MPK_ARRAY;
	case 0xde: case 0xdf: return MPK_MAP;
	default: return -1; /* 0xc1 is never used */
	}
}

const char *mpk_type_name(int type)
{
	static const char *names[] = {"nil", "bool", "int", "float", "str",
				      "bin", "array", "map", "ext"};
	if (type >= 0 && type <= MPK_EXT)
		return names[type];
	return type == MPK_TRUNCATED ? "end of data" : "invalid byte 0xc1";
}

/* The parts of the value at m->p: how many bytes its head takes, how many
 * payload bytes follow, and how many nested values (map pairs count 2). */
typedef struct head {
	int type;
	size_t head_len;
	uint64_t payload_len;
	uint64_t n_children;
} head;

static int read_head(const mpk *m, head *h)
{
	static const uint8_t fixext_len[] = {1, 2, 4, 8, 16};
	memset(h, 0, sizeof *h);
	int type = mpk_peek(m);
	if (type == MPK_TRUNCATED) {
		h->head_len = 1;
		return err_set("truncated: a value is missing"), MPK_TRUNCATED;
	}
	if (type < 0)
		return err_set("invalid msgpack byte 0xc1");
	uint8_t b = *m->p;
	size_t len_bytes = 0; /* big-endian length or value that follows the byte */
	h->type = type;
	if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
		h->head_len = 1;
		return 0;
	}
	if (b <= 0x8f) {
		h->head_len = 1, h->n_children = 2u * (b & 0x0f);
		return 0;
	}
	if (b <= 0x9f) {
		h->head_len = 1, h->n_children = b & 0x0f;
		return 0;
	}
	if (b <= 0xbf) {
		h->head_len = 1, h->payload_len = b & 0x1f;
		return 0;
	}
	switch (b) {
	case 0xcc: case 0xd0: h->head_len = 2; return 0;
	case 0xcd: case 0xd1: h->head_len = 3; return 0;
	case 0xca: case 0xce: case 0xd2: h->head_len = 5; return 0;
	case 0xcb: case 0xcf: case 0xd3: h->head_len = 9; return 0;
	case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
		h->head_len = 2, h->payload_len = fixext_len[b - 0xd4];
		return 0;
	case 0xc4: case 0xd9: len_bytes = 1; break;
	case 0xc5: case 0xda: case 0xdc: case 0xde: len_bytes = 2; break;
	case 0xc6: case 0xdb: case 0xdd: case 0xdf: len_bytes = 4; break;
	case 0xc7: len_bytes = 1; break;
	case 0xc8: len_bytes = 2; break;
	case 0xc9: len_bytes = 4; break;
	}
	if (mpk_left(m) < 1 + len_bytes) {
		h->head_len = 1 + len_bytes;
		return err_set("truncated: a %s length is cut off", mpk_type_name(type)), MPK_TRUNCATED;
	}
	uint64_t n = load_be(m->p + 1, (int)len_bytes);
	h->head_len = 1 + len_bytes;
	if (type == MPK_EXT)
		h->head_len += 1; /* the ext type byte */
	if (type == MPK_MAP)
		h->n_children = 2 * n;
	else if (type == MPK_ARRAY)
		h->n_children = n;
	else
		h->payload_len = n;
	return 0;
}

/* Checks that the head and payload are present; the message gives the claim. */
static int check_present(const mpk *m, const head *h)
{
	size_t left = mpk_left(m);
	if (h->head_len > left || h->payload_len > left - h->head_len) {
		err_set("truncated: a %s claims %llu bytes, only %zu left", mpk_type_name(h->type),
			(unsigned long long)h->payload_len,
			left >= h->head_len ? left - h->head_len : 0);
		return MPK_TRUNCATED;
	}
	return 0;
}

void mpk_scanner_init(mpk_scanner *st)
{
	st->pos = 0;
	st->depth = 0;
	st->pending[0] = 1;
}

int mpk_scan(mpk_scanner *st, const uint8_t *buf, size_t len, uint64_t *need)
{
	for (;;) {
		while (st->depth > 0 && st->pending[st->depth] == 0)
			st->depth--;
		if (st->depth == 0 && st->pending[0] == 0)
			return 0;
		mpk m = mpk_of(buf + st->pos, len - st->pos);
		head h;
		int rc = read_head(&m, &h);
		if (rc == 0)
			rc = check_present(&m, &h);
		if (rc == MPK_TRUNCATED && need)
			*need = (uint64_t)st->pos + h.head_len + h.payload_len;
		if (rc < 0)
			return rc; /* the state still points at this value: resumable */
		st->pos += h.head_len + h.payload_len;
		st->pending[st->depth]--;
		if (h.n_children) {
			if (st->depth == MPK_MAX_DEPTH)
				return err_set("values nested deeper than %d levels", MPK_MAX_DEPTH);
			st->pending[++st->depth] = h.n_children;
		}
	}
}

int mpk_skip(mpk *m)
{
	mpk_scanner st;
	mpk_scanner_init(&st);
	int rc = mpk_scan(&st, m->p, mpk_left(m), NULL);
	if (rc == 0)
		m->p += st.pos;
	return rc;
}

/* Reads the head of a value that must be of `want`; moves past the head. */
static int expect(mpk *m, int want, head *h)
{
	int rc = read_head(m, h);
	if (rc < 0)
		return rc;
	if (h->type != want)
		return err_set("expected %s, found %s", mpk_type_name(want), mpk_type_name(h->type));
	if ((rc = check_present(m, h)) < 0)
		return rc;
	return 0;
}

/* Moves past a map's or array's head; n_children counts a map's keys and
 * values both. */
static int read_container(mpk *m, int type, uint64_t *n_children)
{
	head h;
	int rc = expect(m, type, &h);
	if (rc < 0)
		return rc;
	m->p += h.head_len;
	*n_children = h.n_children;
	return 0;
}

int mpk_read_map(mpk *m, uint32_t *n_pairs)
{
	uint64_t n_children;
	int rc = read_container(m, MPK_MAP, &n_children);
	*n_pairs = rc < 0 ? 0 : (uint32_t)(n_children / 2);
	return rc;
}

int mpk_read_array(mpk *m, uint32_t *n_items)
{
	uint64_t n_children;
	int rc = read_container(m, MPK_ARRAY, &n_children);
	*n_items = rc < 0 ? 0 : (uint32_t)n_children;
	return rc;
}

static int read_bytes(mpk *m, int type, const uint8_t **data, uint32_t *len)
{
	head h;
	int rc = expect(m, type, &h);
	if (rc < 0)
		return rc;
	*data = m->p + h.head_len;
	*len = (uint32_t)h.payload_len;
	m->p += h.head_len + h.payload_len;
	return 0;
}

int mpk_read_str(mpk *m, const char **s, uint32_t *len)
{
	return read_bytes(m, MPK_STR, (const uint8_t **)s, len);
}

int mpk_read_bin(mpk *m, const uint8_t **data, uint32_t *len)
{
	return read_bytes(m, MPK_BIN, data, len);
}

int mpk_read_ext(mpk *m, int8_t *type, const uint8_t **data, uint32_t *len)
{
	head h;
	int rc = expect(m, MPK_EXT, &h);
	if (rc < 0)
		return rc;
	*type = (int8_t)m->p[h.head_len - 1];
	*data = m->p + h.head_len;
	*len = (uint32_t)h.payload_len;
	m->p += h.head_len + h.payload_len;
	return 0;
}

int mpk_read_int(mpk *m, int64_t *v)
{
	head h;
	int rc = expect(m, MPK_INT, &h);
	if (rc < 0)
		return rc;
	const uint8_t *p = m->p;
	uint8_t b = *p;
	if (b <= 0x7f)
		*v = b;
	else if (b >= 0xe0)
		*v = (int8_t)b;
	else if (b >= 0xcc && b <= 0xcf) {
		uint64_t u = load_be(p + 1, (int)h.head_len - 1);
		if (u > INT64_MAX)
			return err_set("integer %llu is out of range", (unsigned long long)u);
		*v = (int64_t)u;
	} else {
		uint64_t u = load_be(p + 1, (int)h.head_len - 1);
		int bits = 8 * ((int)h.head_len - 1);
		/* sign-extend the big-endian two's-complement value */
		*v = bits == 64 ? (int64_t)u : (int64_t)(u ^ (1ull << (bits - 1))) - (int64_t)(1ull << (bits - 1));
	}
	m->p += h.head_len;
	return 0;
}

int mpk_read_uint(mpk *m, uint64_t *v)
{
	if (mpk_left(m) >= 9 && *m->p == 0xcf) { /* the one form mpk_read_int may refuse */
		*v = load_be(m->p + 1, 8);
		m->p += 9;
		return 0;
	}
	mpk probe = *m;
	int64_t i;
	int rc = mpk_read_int(&probe, &i);
	if (rc < 0)
		return rc;
	if (i < 0)
		return err_set("integer %lld is negative", (long long)i);
	*m = probe;
	*v = (uint64_t)i;
	return 0;
}

int mpk_read_float(mpk *m, double *v)
{
	if (mpk_peek(m) == MPK_INT) {
		int64_t i;
		int rc = mpk_read_int(m, &i);
		*v = (double)i;
		return rc;
	}
	head h;
	int rc = expect(m, MPK_FLOAT, &h);
	if (rc < 0)
		return rc;
	uint64_t bits = load_be(m->p + 1, (int)h.head_len - 1);
	if (h.head_len == 5) {
		uint32_t b32 = (uint32_t)bits;
		float f;
		memcpy(&f, &b32, 4);
		*v = f;
	} else {
		memcpy(v, &bits, 8);
	}
	m->p += h.head_len;
	return 0;
}

int mpk_read_bool(mpk *m, int *v)
{
	head h;
	int rc = expect(m, MPK_BOOL, &h);
	if (rc < 0)
		return rc;
	*v = *m->p == 0xc3;
	m->p += 1;
	return 0;
}

int mpk_read_nil(mpk *m)
{
	head h;
	int rc = expect(m, MPK_NIL, &h);
	if (rc < 0)
		return rc;
	m->p += 1;
	return 0;
}

int mpk_is_str(const mpk *m, const char *s)
{
	mpk probe = *m;
	const char *str;
	uint32_t len;
	if (mpk_peek(&probe) != MPK_STR || mpk_read_str(&probe, &str, &len) < 0)
		return 0;
	return len == strlen(s) && memcmp(str, s, len) == 0;
}
