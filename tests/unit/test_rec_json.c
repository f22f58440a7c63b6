/* The JSON rendering of records (rec_json.h): escaping, numbers, nesting,
 * the registry's bins, and the refusal of broken msgpack. Values are
 * written as msgpack bytes by hand so each case shows exactly its input. */
#include <math.h>
#include <stdint.h>

#include "check.h"
#include "common/err.h"
#include "stream/rec_json.h"

/* The text of b, NUL-terminated, until the next call. */
static const char *text_of(const json_buf *b)
{
	static char text[4096];
	snprintf(text, sizeof text, "%.*s", (int)b->len, b->data ? b->data : "");
	return text;
}

/* The JSON of one value (typed as record field `field`), or "ERROR". */
static const char *render(const char *field, const void *val, size_t len, int flags)
{
	json_buf b = {0};
	int rc = rec_json_value(&b, field, val, len, flags);
	const char *text = rc < 0 ? "ERROR" : text_of(&b);
	json_buf_free(&b);
	return text;
}

#define RENDER(field, flags, ...) \
	render(field, (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}), flags)

static void test_string_escapes(void)
{
	CHECK_STR(RENDER(NULL, 0, 0xa6, '"', '\\', '\n', '\t', 0x01, 0x7f), "\"\\\"\\\\\\n\\t\\u0001\x7f\"");
	CHECK_STR(RENDER(NULL, 0, 0xa3, 'a', 0, 'b'), "\"a\\u0000b\"");
	CHECK_STR(RENDER(NULL, 0, 0xa5, '\b', '\f', '\r', 0x1f, '/'), "\"\\b\\f\\r\\u001f/\"");
	CHECK_STR(RENDER(NULL, 0, 0xa0), "\"\"");
}

static void test_utf8(void)
{
	/* valid sequences of 2, 3 and 4 bytes pass through */
	CHECK_STR(RENDER(NULL, 0, 0xa9, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80),
		  "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	/* each byte outside a valid sequence is one U+FFFD: a stray continuation,
	 * 0xff, an overlong '/', a surrogate, a cut-off euro sign, U+110000 */
	CHECK_STR(RENDER(NULL, 0, 0xa2, 0x80, 0xff), "\"\\ufffd\\ufffd\"");
	CHECK_STR(RENDER(NULL, 0, 0xa2, 0xc0, 0xaf), "\"\\ufffd\\ufffd\"");
	CHECK_STR(RENDER(NULL, 0, 0xa3, 0xed, 0xa0, 0x80), "\"\\ufffd\\ufffd\\ufffd\"");
	CHECK_STR(RENDER(NULL, 0, 0xa3, 0xe2, 0x82, 'x'), "\"\\ufffd\\ufffdx\"");
	CHECK_STR(RENDER(NULL, 0, 0xa4, 0xf4, 0x90, 0x80, 0x80), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

static void test_integers(void)
{
	CHECK_STR(RENDER(NULL, 0, 0x00), "0");
	CHECK_STR(RENDER(NULL, 0, 0x7f), "127");
	CHECK_STR(RENDER(NULL, 0, 0xe0), "-32");
	CHECK_STR(RENDER(NULL, 0, 0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0), "-9223372036854775808");
	CHECK_STR(RENDER(NULL, 0, 0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
		  "9223372036854775807");
	CHECK_STR(RENDER(NULL, 0, 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
		  "18446744073709551615");
	CHECK_STR(RENDER(NULL, 0, 0xcd, 0x01, 0x00), "256");
}

static void test_floats(void)
{
	CHECK_STR(RENDER(NULL, 0, 0xcb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a), "0.1");
	CHECK_STR(RENDER(NULL, 0, 0xca, 0x3d, 0xcc, 0xcc, 0xcd), "0.1"); /* float32 0.1 */
	CHECK_STR(RENDER(NULL, 0, 0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0), "1");
	CHECK_STR(RENDER(NULL, 0, 0xcb, 0x80, 0, 0, 0, 0, 0, 0, 0), "-0");
	CHECK_STR(RENDER(NULL, 0, 0xcb, 0x7f, 0xef, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
		  "1.7976931348623157e+308");
	CHECK_STR(RENDER(NULL, 0, 0xca, 0x3f, 0xaa, 0xaa, 0xab), "1.3333334");
	CHECK_STR(RENDER(NULL, 0, 0xca, 0x5d, 0x6d, 0xc4, 0x1e), "1.07080324e+18"); /* all 9 digits */
	CHECK_STR(RENDER(NULL, 0, 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0), "null"); /* NaN */
	CHECK_STR(RENDER(NULL, 0, 0xca, 0xff, 0x80, 0, 0), "null");            /* -inf */
}

static void test_nesting(void)
{
	/* {"a": [nil, true, false], 1: {}, nil: [], [1, 2]: "x", 1.5: -1} */
	CHECK_STR(RENDER(NULL, 0, 0x85, 0xa1, 'a', 0x93, 0xc0, 0xc3, 0xc2, 0x01, 0x80, 0xc0, 0x90,
			 0x92, 0x01, 0x02, 0xa1, 'x', 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0xff),
		  "{\"a\":[null,true,false],\"1\":{},\"null\":[],\"[1,2]\":\"x\",\"1.5\":-1}");
	/* a key that is a string needing escapes inside a stringified key */
	CHECK_STR(RENDER(NULL, 0, 0x81, 0x91, 0xa1, '"', 0x01), "{\"[\\\"\\\\\\\"\\\"]\":1}");
}

static void test_bins(void)
{
	CHECK_STR(RENDER(NULL, 0, 0xc4, 0x00), "{\"bin\":0}");
	CHECK_STR(RENDER(NULL, 0, 0xc4, 0x03, 'f', 'o', 'o'), "{\"bin\":3}");
	CHECK_STR(RENDER(NULL, REC_JSON_FULL, 0xc4, 0x00), "\"\"");
	CHECK_STR(RENDER(NULL, REC_JSON_FULL, 0xc4, 0x01, 'f'), "\"Zg==\"");
	CHECK_STR(RENDER(NULL, REC_JSON_FULL, 0xc4, 0x02, 'f', 'o'), "\"Zm8=\"");
	CHECK_STR(RENDER(NULL, REC_JSON_FULL, 0xc4, 0x04, 'f', 'o', 'o', 0xff), "\"Zm9v/w==\"");
	CHECK_STR(RENDER(NULL, 0, 0xd6, 0x05, 1, 2, 3, 4), "{\"ext\":5,\"bin\":4}");
	CHECK_STR(RENDER(NULL, REC_JSON_FULL, 0xc7, 0x01, 0xff, 'f'), "{\"ext\":-1,\"base64\":\"Zg==\"}");
}

static void test_registry_bins(void)
{
	/* img: {"w":3,"h":1,"c":1,"px":bin[0,10,255]} */
	CHECK_STR(RENDER("img", 0, 0x84, 0xa1, 'w', 3, 0xa1, 'h', 1, 0xa1, 'c', 1, 0xa2, 'p', 'x',
			 0xc4, 3, 0, 10, 255),
		  "{\"w\":3,\"h\":1,\"c\":1,\"px\":{\"bin\":3,\"min\":0,\"max\":255,\"mean\":88.33}}");
	CHECK_STR(RENDER("img", REC_JSON_FULL, 0x81, 0xa2, 'p', 'x', 0xc4, 3, 0, 10, 255),
		  "{\"px\":[0,10,255]}");
	/* px is typed only inside img */
	CHECK_STR(RENDER(NULL, 0, 0x81, 0xa2, 'p', 'x', 0xc4, 1, 7), "{\"px\":{\"bin\":1}}");
	CHECK_STR(RENDER("boxcount", 0, 0xc4, 4, 1, 0, 0x2c, 0x01), "{\"bin\":4,\"u16\":2,\"min\":1,\"max\":300,\"mean\":150.5}");
	CHECK_STR(RENDER("boxcount", REC_JSON_FULL, 0xc4, 4, 1, 0, 0x2c, 0x01), "[1,300]");
	/* an odd boxcount cannot be u16s: shown as plain bytes */
	CHECK_STR(RENDER("boxcount", REC_JSON_FULL, 0xc4, 1, 'f'), "\"Zg==\"");
	/* emb: 1.5, -2, NaN */
	CHECK_STR(RENDER("emb", 0, 0xc4, 12, 0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0, 0, 0, 0xc0, 0x7f),
		  "{\"bin\":12,\"f32\":3,\"min\":-2,\"max\":1.5,\"mean\":-0.25,\"nan\":1}");
	CHECK_STR(RENDER("emb", REC_JSON_FULL, 0xc4, 12, 0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0, 0, 0, 0xc0, 0x7f),
		  "[1.5,-2,null]");
	CHECK_STR(RENDER("emb", 0, 0xc4, 4, 0, 0, 0xc0, 0x7f), "{\"bin\":4,\"f32\":1,\"nan\":1}");
	/* mask bit i is bit i % 8 of byte i / 8, least significant first */
	CHECK_STR(RENDER("mask", 0, 0xc4, 2, 0x05, 0x80), "{\"bin\":2,\"ones\":3}");
	CHECK_STR(RENDER("mask", REC_JSON_FULL, 0xc4, 2, 0x05, 0x80),
		  "[1,0,1,0,0,0,0,0,0,0,0,0,0,0,0,1]");
	/* a registry field that is not a bin is shown as it is */
	CHECK_STR(RENDER("emb", 0, 0x92, 0x01, 0x02), "[1,2]");
}

static void test_broken_msgpack(void)
{
	json_buf b = {0};
	const uint8_t cut_str[] = {0xa5, 'a', 'b'};
	const uint8_t reserved[] = {0x91, 0xc1};
	CHECK_EQ(rec_json_value(&b, NULL, cut_str, sizeof cut_str, 0), -1);
	CHECK(strstr(err_msg(), "truncated") != NULL);
	CHECK_EQ(rec_json_value(&b, NULL, reserved, sizeof reserved, 0), -1);
	CHECK(strstr(err_msg(), "0xc1") != NULL);
	CHECK_EQ(b.len, 0); /* nothing of a failed value is left behind */
	/* 65 nested non-empty arrays are refused, as rec_parse refuses them */
	uint8_t deep[66];
	memset(deep, 0x91, 65);
	deep[65] = 0x01;
	CHECK_EQ(rec_json_value(&b, NULL, deep, sizeof deep, 0), -1);
	CHECK(strstr(err_msg(), "nested") != NULL);
	CHECK_EQ(rec_json_value(&b, NULL, deep + 1, sizeof deep - 1, 0), 0);
	json_buf_free(&b);
}

static void test_record_line(void)
{
	rec r;
	rec_init(&r);
	CHECK_EQ(rec_set_str(&r, "id", "t:1"), 0);
	CHECK_EQ(rec_set_int(&r, "label", -3), 0);
	CHECK_EQ(rec_set_bin(&r, "mask", "\x0f", 1), 0);
	json_buf b = {0};
	CHECK_EQ(rec_json_line(&b, &r, 0), 0);
	CHECK_EQ(rec_json_line(&b, &r, REC_JSON_FULL), 0);
	CHECK_STR(text_of(&b),
		  "{\"id\":\"t:1\",\"label\":-3,\"mask\":{\"bin\":1,\"ones\":4}}\n"
		  "{\"id\":\"t:1\",\"label\":-3,\"mask\":[1,1,1,1,0,0,0,0]}\n");
	/* a header's fields are not the registry's */
	b.len = 0;
	r.is_header = 1;
	CHECK_EQ(rec_json_line(&b, &r, REC_JSON_FULL), 0);
	CHECK_STR(text_of(&b), "{\"id\":\"t:1\",\"label\":-3,\"mask\":\"Dw==\"}\n");
	/* an empty record is an empty object */
	rec_clear(&r);
	b.len = 0;
	CHECK_EQ(rec_json_line(&b, &r, 0), 0);
	CHECK_STR(text_of(&b), "{}\n");
	json_buf_free(&b);
	rec_free(&r);
}

int main(void)
{
	RUN(test_string_escapes);
	RUN(test_utf8);
	RUN(test_integers);
	RUN(test_floats);
	RUN(test_nesting);
	RUN(test_bins);
	RUN(test_registry_bins);
	RUN(test_broken_msgpack);
	RUN(test_record_line);
	return check_exit();
}
