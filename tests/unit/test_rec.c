/* The record stream: round trips of every msgpack type, framing,
 * concatenation, plain input, pass-through, and corrupt input. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "check.h"
#include "common/err.h"
#include "stream/mpk.h"
#include "stream/rec_io.h"
#include "stream/rec_rng.h"
#include "common/rng.h"
#include "common/utf8.h"

static char path_buf[4][512];

static const char *tmp_path(int slot, const char *name)
{
	snprintf(path_buf[slot], sizeof path_buf[slot], "%s/%s", check_tmpdir(), name);
	return path_buf[slot];
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc(*len + 1);
	if (fread(buf, 1, *len, f) != *len)
		*len = 0;
	fclose(f);
	return buf;
}

static void spill(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	fwrite(data, 1, len, f);
	fclose(f);
}

/* Packs a random msgpack value of any type, nested up to `depth`. */
static void pack_random(msgpack_packer *pk, rng *g, int depth)
{
	static const uint8_t blob[70000];
	int kind = (int)rng_below(g, depth > 0 ? 12 : 10);
	switch (kind) {
	case 0: msgpack_pack_nil(pk); break;
	case 1: rng_below(g, 2) ? msgpack_pack_true(pk) : msgpack_pack_false(pk); break;
	case 2: msgpack_pack_int64(pk, (int64_t)rng_u64(g) >> rng_below(g, 64)); break;
	case 3: msgpack_pack_uint64(pk, rng_u64(g) >> rng_below(g, 64)); break;
	case 4: msgpack_pack_float(pk, (float)rng_uniform(g)); break;
	case 5: msgpack_pack_double(pk, rng_uniform(g) - 0.5); break;
	case 6: {
		static const size_t lens[] = {0, 5, 31, 32, 255, 256, 65535, 65536};
		size_t len = lens[rng_below(g, 8)];
		msgpack_pack_str(pk, len);
		msgpack_pack_str_body(pk, blob, len);
		break;
	}
	case 7: {
		static const size_t lens[] = {0, 1, 255, 256, 65535, 65536};
		size_t len = lens[rng_below(g, 6)];
		msgpack_pack_bin(pk, len);
		msgpack_pack_bin_body(pk, blob, len);
		break;
	}
	case 8: msgpack_pack_ext(pk, 3, 7); msgpack_pack_ext_body(pk, blob, 3); break;
	case 9: msgpack_pack_int8(pk, -3); break; /* a non-minimal encoding that must survive */
	case 10: {
		uint32_t n = (uint32_t)rng_below(g, 20);
		msgpack_pack_array(pk, n);
		for (uint32_t i = 0; i < n; i++)
			pack_random(pk, g, depth - 1);
		break;
	}
	default: {
		uint32_t n = (uint32_t)rng_below(g, 20);
		msgpack_pack_map(pk, n);
		for (uint32_t i = 0; i < n; i++) {
			msgpack_pack_uint32(pk, i); /* non-string keys are fine inside values */
			pack_random(pk, g, depth - 1);
		}
	}
	}
}

static void make_random(rec *r, rng *g, uint64_t index)
{
	rec_clear(r);
	char id[32];
	snprintf(id, sizeof id, "t:%llu", (unsigned long long)index);
	rec_set_str(r, "id", id);
	int n_fields = (int)rng_below(g, 6);
	for (int f = 0; f < n_fields; f++) {
		char key[16];
		snprintf(key, sizeof key, "f%d", f);
		pack_random(rec_pack_begin(r, key), g, 3);
		rec_pack_end(r);
	}
}

static int same_record(const rec *a, const rec *b)
{
	size_t len = rec_encoded_size(a);
	if (len != rec_encoded_size(b))
		return 0;
	uint8_t *ea = malloc(len), *eb = malloc(len);
	rec_encode(a, ea);
	rec_encode(b, eb);
	int same = memcmp(ea, eb, len) == 0;
	free(ea);
	free(eb);
	return same;
}

static char *argv0[] = {"test_rec", "--flag", NULL};

/* Writes n random records from seed to path; returns 0 or -1. */
static int write_random(const char *path, uint64_t seed, int n)
{
	rec_writer *w = rec_writer_open(path);
	if (!w)
		return -1;
	rec h, r;
	rec_init(&h);
	rec_init(&r);
	rec_header_make(&h, NULL, 2, argv0);
	int rc = rec_writer_put(w, &h);
	rng g;
	rng_seed(&g, seed, 0);
	for (int i = 0; i < n && rc == 0; i++) {
		make_random(&r, &g, (uint64_t)i);
		rc = rec_writer_put(w, &r);
	}
	rec_free(&h);
	rec_free(&r);
	if (rc < 0) {
		rec_writer_abort(w);
		return -1;
	}
	return rec_writer_close(w);
}

/* Reads path and checks it holds the records of `seeds` in order. */
static void check_stream(const char *path, const uint64_t *seeds, const int *counts, int n_parts)
{
	rec_reader *rd = rec_reader_open(path);
	CHECK(rd != NULL);
	if (!rd)
		return;
	rec got, want;
	rec_init(&got);
	rec_init(&want);
	uint64_t total = 0;
	for (int part = 0; part < n_parts; part++) {
		rng g;
		rng_seed(&g, seeds[part], 0);
		for (int i = 0; i < counts[part]; i++, total++) {
			make_random(&want, &g, (uint64_t)i);
			int rc = rec_reader_next(rd, &got);
			CHECK_EQ(rc, 1);
			if (rc != 1) {
				fprintf(stderr, "  %s\n", err_msg());
				goto done;
			}
			CHECK(same_record(&got, &want));
			CHECK_EQ(got.index, total);
		}
	}
	CHECK_EQ(rec_reader_next(rd, &got), 0);
	CHECK_EQ(rec_reader_count(rd), total);
done:
	rec_free(&got);
	rec_free(&want);
	rec_reader_close(rd);
}

static void round_trip_random_records(void)
{
	const char *path = tmp_path(0, "rt.rec");
	uint64_t seed = 11;
	int n = 300;
	CHECK_EQ(write_random(path, seed, n), 0);
	check_stream(path, &seed, &n, 1);
	rec_reader *rd = rec_reader_open(path);
	const rec *h = rec_reader_header(rd);
	int64_t version = 0;
	CHECK(h != NULL && rec_get_int(h, "maskpipe", &version) == 0);
	CHECK_EQ(version, REC_FORMAT_VERSION);
	rec_reader_close(rd);
}

/* Counts zstd frames and checks each carries a content checksum. */
static int count_frames(const uint8_t *data, size_t len, int *all_checksummed)
{
	int n = 0;
	*all_checksummed = 1;
	while (len > 0) {
		if (len < 5)
			return -1;
		*all_checksummed &= (data[4] >> 2) & 1; /* Content_Checksum_flag (RFC 8878) */
		size_t size = ZSTD_findFrameCompressedSize(data, len);
		if (ZSTD_isError(size))
			return -1;
		data += size;
		len -= size;
		n++;
	}
	return n;
}

static void frames_end_every_mebibyte(void)
{
	const char *path = tmp_path(0, "frames.rec");
	rec_writer *w = rec_writer_open(path);
	rec r;
	rec_init(&r);
	static uint8_t px[10000];
	for (size_t i = 0; i < sizeof px; i++)
		px[i] = (uint8_t)(i * 7919 >> 3);
	size_t total = 0;
	for (int i = 0; i < 500; i++) {
		rec_clear(&r);
		rec_set_bin(&r, "px", px, sizeof px);
		rec_writer_put(w, &r);
		total += sizeof px;
	}
	CHECK_EQ(rec_writer_close(w), 0);
	size_t len;
	uint8_t *data = slurp(path, &len);
	int checksummed;
	int n_frames = count_frames(data, len, &checksummed);
	CHECK(n_frames >= (int)(total / REC_FRAME_BYTES));
	CHECK(n_frames <= (int)(total / REC_FRAME_BYTES) + 2);
	CHECK(checksummed);
	free(data);
	rec_free(&r);
}

static void concatenated_streams_are_one(void)
{
	const char *a = tmp_path(0, "a.rec"), *b = tmp_path(1, "b.rec"), *ab = tmp_path(2, "ab.rec");
	uint64_t seeds[3] = {1, 2, 1};
	int counts[3] = {40, 70, 40};
	CHECK_EQ(write_random(a, seeds[0], counts[0]), 0);
	setenv("MASKPIPE_PLAIN", "1", 1); /* and a plain msgpack part in the middle */
	CHECK_EQ(write_random(b, seeds[1], counts[1]), 0);
	unsetenv("MASKPIPE_PLAIN");
	size_t la, lb;
	uint8_t *da = slurp(a, &la), *db = slurp(b, &lb);
	uint8_t *joined = malloc(2 * la + lb);
	memcpy(joined, da, la);
	memcpy(joined + la, db, lb);
	memcpy(joined + la + lb, da, la);
	spill(ab, joined, 2 * la + lb);
	check_stream(ab, seeds, counts, 3);
	free(da);
	free(db);
	free(joined);
}

static void plain_msgpack_input(void)
{
	const char *path = tmp_path(0, "plain.rec");
	setenv("MASKPIPE_PLAIN", "1", 1);
	uint64_t seed = 5;
	int n = 100;
	CHECK_EQ(write_random(path, seed, n), 0);
	unsetenv("MASKPIPE_PLAIN");
	size_t len;
	uint8_t *data = slurp(path, &len);
	CHECK(data[0] >= 0x80 && data[0] <= 0x8f); /* a fixmap: the header */
	free(data);
	check_stream(path, &seed, &n, 1);
}

static void same_bytes_whatever_the_threads(void)
{
	const char *one = tmp_path(0, "t1.rec"), *four = tmp_path(1, "t4.rec");
	setenv("MASKPIPE_ZSTD_THREADS", "1", 1);
	CHECK_EQ(write_random(one, 9, 2000), 0);
	setenv("MASKPIPE_ZSTD_THREADS", "4", 1);
	CHECK_EQ(write_random(four, 9, 2000), 0);
	unsetenv("MASKPIPE_ZSTD_THREADS");
	size_t l1, l4;
	uint8_t *d1 = slurp(one, &l1), *d4 = slurp(four, &l4);
	CHECK(l1 == l4 && memcmp(d1, d4, l1) == 0);
	free(d1);
	free(d4);
}

static void unknown_fields_pass_byte_for_byte(void)
{
	/* {"id": "x", "odd": int64 1 (non-minimal), "f": float32 0.5} */
	static const uint8_t map[] = {0x83, 0xa2, 'i', 'd', 0xa1, 'x', 0xa3, 'o', 'd', 'd', 0xd3,
				      0, 0, 0, 0, 0, 0, 0, 1, 0xa1, 'f', 0xca, 0x3f, 0, 0, 0};
	rec r;
	rec_init(&r);
	CHECK_EQ(rec_parse(&r, map, sizeof map), 0);
	CHECK_EQ(rec_encoded_size(&r), sizeof map);
	uint8_t out[sizeof map];
	rec_encode(&r, out);
	CHECK(memcmp(out, map, sizeof map) == 0);
	rec_set_int(&r, "label", 3); /* adding a field keeps the others */
	const rec_field *odd = rec_get(&r, "odd");
	CHECK(odd && odd->val_len == 9 && odd->val[0] == 0xd3);
	rec_free(&r);
}

static void header_provenance_appends(void)
{
	rec first, second;
	rec_init(&first);
	rec_init(&second);
	char *argv1[] = {"img-decode", "x.png"}, *argv2[] = {"rec-head", "-n", "1"};
	CHECK_EQ(rec_header_make(&first, NULL, 2, argv1), 0);
	rec_set_int(&first, "records", 7);
	CHECK_EQ(rec_header_make(&second, &first, 3, argv2), 0);
	int64_t records = 0;
	CHECK(rec_get_int(&second, "records", &records) == 0 && records == 7);
	const rec_field *prov = rec_get(&second, "provenance");
	mpk m = mpk_of(prov->val, prov->val_len);
	uint32_t n_stages = 0, n_args = 0;
	CHECK_EQ(mpk_read_array(&m, &n_stages), 0);
	CHECK_EQ(n_stages, 2);
	CHECK_EQ(mpk_read_array(&m, &n_args), 0);
	CHECK_EQ(n_args, 2);
	mpk_skip(&m), mpk_skip(&m);
	CHECK_EQ(mpk_read_array(&m, &n_args), 0);
	CHECK_EQ(n_args, 3);
	CHECK(mpk_is_str(&m, "rec-head"));
	rec_free(&first);
	rec_free(&second);
}

static void img_field_round_trip(void)
{
	rec r;
	rec_init(&r);
	uint8_t px[2 * 3 * 3];
	for (int i = 0; i < 18; i++)
		px[i] = (uint8_t)(i * 13);
	img im = {3, 2, 3, px};
	CHECK_EQ(rec_set_img(&r, &im), 0);
	img_view v;
	CHECK_EQ(rec_get_img(&r, &v), 0);
	CHECK(v.w == 3 && v.h == 2 && v.c == 3 && memcmp(v.px, px, 18) == 0);
	/* a px that disagrees with w*h*c is refused */
	msgpack_packer *pk = rec_pack_begin(&r, "img");
	msgpack_pack_map(pk, 4);
	const char *keys[] = {"w", "h", "c"};
	for (int i = 0; i < 3; i++) {
		msgpack_pack_str(pk, 1);
		msgpack_pack_str_body(pk, keys[i], 1);
		msgpack_pack_uint8(pk, i < 2 ? 4 : 3);
	}
	msgpack_pack_str(pk, 2);
	msgpack_pack_str_body(pk, "px", 2);
	msgpack_pack_bin(pk, 5);
	msgpack_pack_bin_body(pk, px, 5);
	rec_pack_end(&r);
	CHECK_EQ(rec_get_img(&r, &v), -1);
	CHECK(strstr(err_msg(), "img.px") != NULL);
	/* channels the format does not have: 2 and 4 */
	im.c = 2;
	CHECK_EQ(rec_set_img(&r, &im), 0);
	CHECK_EQ(rec_get_img(&r, &v), 0);
	CHECK_EQ(rec_get_img_gray_or_rgb(&r, &v), -1);
	CHECK(strstr(err_msg(), "'img.c' is 2") != NULL);
	rec_set_str(&r, "img", "not a map");
	CHECK_EQ(rec_get_img(&r, &v), -1);
	CHECK(strstr(err_msg(), "expected map, found str") != NULL);
	rec_free(&r);
}

static void mpk_integers_of_every_width(void)
{
	static const int64_t values[] = {0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295LL,
					 4294967296LL, INT64_MAX, -1, -32, -33, -128, -129,
					 -32768, -32769, INT32_MIN, (int64_t)INT32_MIN - 1, INT64_MIN};
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	size_t n = sizeof values / sizeof values[0];
	for (size_t i = 0; i < n; i++)
		msgpack_pack_int64(&pk, values[i]);
	msgpack_pack_uint64(&pk, UINT64_MAX);
	mpk m = mpk_of(sb.data, sb.size);
	for (size_t i = 0; i < n; i++) {
		int64_t v = 0;
		CHECK_EQ(mpk_read_int(&m, &v), 0);
		CHECK_EQ(v, values[i]);
	}
	int64_t v;
	mpk before = m;
	CHECK_EQ(mpk_read_int(&m, &v), -1); /* UINT64_MAX does not fit */
	uint64_t u = 0;
	CHECK(m.p == before.p && mpk_read_uint(&m, &u) == 0 && u == UINT64_MAX);
	mpk negative = mpk_of("\xff", 1); /* -1 */
	CHECK_EQ(mpk_read_uint(&negative, &u), -1);
	msgpack_sbuffer_destroy(&sb);
}

/* Reads path to the end; returns the reader's last result, message in err_msg(). */
static int read_all(const char *path)
{
	rec_reader *rd = rec_reader_open(path);
	if (!rd)
		return -1;
	rec r;
	rec_init(&r);
	int rc;
	while ((rc = rec_reader_next(rd, &r)) > 0)
		;
	rec_free(&r);
	rec_reader_close(rd);
	return rc;
}

/* Checks that path fails to read with a message holding each of `words`. */
static void expect_failure(const char *path, const char *const *words)
{
	CHECK_EQ(read_all(path), -1);
	for (; *words; words++)
		if (!strstr(err_msg(), *words)) {
			fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err_msg(), *words);
			CHECK(0);
		}
}

static void corrupt_streams_fail_clearly(void)
{
	const char *good = tmp_path(0, "good.rec"), *bad = tmp_path(1, "bad.rec");
	CHECK_EQ(write_random(good, 3, 3000), 0);
	size_t len;
	uint8_t *data = slurp(good, &len);

	spill(bad, data, len / 2);
	expect_failure(bad, (const char *const[]){"bad.rec", "record", "truncated", NULL});

	data[len / 3] ^= 0x5a;
	spill(bad, data, len);
	expect_failure(bad, (const char *const[]){"bad.rec", "record", "zstd", NULL});
	free(data);

	spill(bad, "", 0);
	expect_failure(bad, (const char *const[]){"bad.rec", "empty", NULL});

	/* a record whose bin claims 4 GiB */
	static const uint8_t huge[] = {0x81, 0xa8, 'm', 'a', 's', 'k', 'p', 'i', 'p', 'e', 0x01,
				       0x81, 0xa1, 'x', 0xc6, 0xff, 0xff, 0xff, 0xff, 1, 2, 3};
	spill(bad, huge, sizeof huge);
	expect_failure(bad, (const char *const[]){"record 0", "bin claims 4294967295", NULL});

	static const uint8_t not_a_map[] = {0x81, 0xa8, 'm', 'a', 's', 'k', 'p', 'i', 'p', 'e', 0x01, 0x93, 1, 2, 3};
	spill(bad, not_a_map, sizeof not_a_map);
	expect_failure(bad, (const char *const[]){"record 0", "array", NULL});

	static const uint8_t int_key[] = {0x81, 0x05, 0x01};
	spill(bad, int_key, sizeof int_key);
	expect_failure(bad, (const char *const[]){"record 0", "key 0", "expected str", NULL});

	static const uint8_t twice[] = {0x82, 0xa1, 'a', 1, 0xa1, 'a', 2};
	spill(bad, twice, sizeof twice);
	expect_failure(bad, (const char *const[]){"'a' appears twice", NULL});

	static const uint8_t future[] = {0x81, 0xa8, 'm', 'a', 's', 'k', 'p', 'i', 'p', 'e', 0x63};
	spill(bad, future, sizeof future);
	expect_failure(bad, (const char *const[]){"header", "version 99", NULL});

	spill(bad, "\x89PNG\r\n\x1a\n", 8);
	expect_failure(bad, (const char *const[]){"PNG image", NULL});

	/* arrays nested past the depth limit */
	uint8_t deep[200];
	deep[0] = 0x81, deep[1] = 0xa1, deep[2] = 'd';
	memset(deep + 3, 0x91, sizeof deep - 4);
	deep[sizeof deep - 1] = 0;
	spill(bad, deep, sizeof deep);
	expect_failure(bad, (const char *const[]){"nested deeper", NULL});
}

/* A record with one bin field of n bytes, written as a stream to path. */
static int write_one_bin(const char *path, size_t n)
{
	rec_writer *w = rec_writer_open(path);
	rec r;
	rec_init(&r);
	uint8_t *blob = calloc(n, 1);
	int rc = w && blob ? rec_set_bin(&r, "blob", blob, n) : -1;
	if (rc == 0)
		rc = rec_writer_put(w, &r);
	free(blob);
	rec_free(&r);
	if (rc < 0) {
		rec_writer_abort(w);
		return -1;
	}
	return rec_writer_close(w);
}

/* A value that cannot be packed (over the record limit here; a failed
 * allocation takes the same path) is an error, not a field missing its
 * body: msgpack-c itself goes on after a failed write. */
static void failed_pack_is_an_error(void)
{
	setenv("MASKPIPE_MAX_RECORD_MB", "1", 1);
	rec r;
	rec_init(&r);
	size_t n = (size_t)3 << 19; /* 1.5 MiB */
	uint8_t *blob = calloc(n, 1);
	CHECK_EQ(rec_set_bin(&r, "blob", blob, n), -1);
	CHECK(strstr(err_msg(), "field 'blob'") != NULL);
	CHECK(strstr(err_msg(), "MASKPIPE_MAX_RECORD_MB") != NULL);
	CHECK(rec_get(&r, "blob") == NULL);
	/* the body alone fails: the head before it was written */
	msgpack_packer *pk = rec_pack_begin(&r, "blob");
	msgpack_pack_bin(pk, n);
	msgpack_pack_bin_body(pk, blob, n);
	msgpack_pack_nil(pk); /* would succeed alone, and hide the failure */
	CHECK_EQ(rec_pack_end(&r), -1);
	CHECK(rec_get(&r, "blob") == NULL);
	/* the record is usable afterwards */
	CHECK_EQ(rec_set_int(&r, "label", 3), 0);
	int64_t v = 0;
	CHECK_EQ(rec_get_int(&r, "label", &v), 0);
	CHECK_EQ(v, 3);
	setenv("MASKPIPE_MAX_RECORD_MB", "x", 1);
	CHECK_EQ(rec_set_int(&r, "label", 4), -1);
	CHECK(strstr(err_msg(), "MASKPIPE_MAX_RECORD_MB=x") != NULL);
	unsetenv("MASKPIPE_MAX_RECORD_MB");
	free(blob);
	rec_free(&r);
}

/* A record over the limit is refused by the writer, and by a reader
 * before it buffers the record; raising the limit lets it through. */
static void records_over_the_limit_are_refused(void)
{
	const char *path = tmp_path(0, "big.rec");
	size_t n = (size_t)3 << 20;
	CHECK_EQ(write_one_bin(path, n), 0);
	setenv("MASKPIPE_MAX_RECORD_MB", "2", 1);
	expect_failure(path, (const char *const[]){"big.rec", "record 0", "over the 2 MiB limit",
						    "MASKPIPE_MAX_RECORD_MB", NULL});
	const char *out = tmp_path(1, "big2.rec");
	rec r;
	rec_init(&r);
	rec_writer *w = rec_writer_open(out);
	/* rec_set_bin would refuse to pack it: build the map from pieces */
	uint8_t *val = malloc(n + 5);
	val[0] = 0xc6, val[1] = (uint8_t)(n >> 24), val[2] = (uint8_t)(n >> 16);
	val[3] = (uint8_t)(n >> 8), val[4] = (uint8_t)n;
	memset(val + 5, 0, n);
	CHECK_EQ(rec_set_raw(&r, "blob", val, n + 5), 0);
	CHECK_EQ(rec_writer_put(w, &r), -1);
	CHECK(strstr(err_msg(), "over the 2 MiB record limit") != NULL);
	rec_writer_abort(w);
	CHECK(access(out, F_OK) != 0);
	setenv("MASKPIPE_MAX_RECORD_MB", "4", 1);
	CHECK_EQ(read_all(path), 0);
	unsetenv("MASKPIPE_MAX_RECORD_MB");
	free(val);
	rec_free(&r);
}

/* Every str maskpipe writes is UTF-8, and one a stage reads must be. */
static void strings_are_utf8(void)
{
	CHECK_EQ(utf8_invalid_at("caf\xc3\xa9", 5), 5);
	CHECK_EQ(utf8_invalid_at("caf\xe9", 4), 3);
	CHECK_EQ(utf8_invalid_at("\xc0\xaf", 2), 0);     /* overlong '/' */
	CHECK_EQ(utf8_invalid_at("\xed\xa0\x80", 3), 0); /* a surrogate */
	CHECK_EQ(utf8_invalid_at("\xf4\x90\x80\x80", 4), 0); /* above U+10FFFF */
	CHECK_EQ(utf8_invalid_at("a\xe2\x82", 3), 1);     /* cut short */
	rec r;
	rec_init(&r);
	CHECK_EQ(rec_set_str(&r, "id", "caf\xe9.png"), -1);
	CHECK(strstr(err_msg(), "field 'id'") && strstr(err_msg(), "byte 4"));
	CHECK(rec_get(&r, "id") == NULL);
	char *names[] = {"ok", "b\xff" "d"};
	CHECK_EQ(rec_set_strs(&r, "classes", names, 2), -1);
	CHECK(strstr(err_msg(), "item 1") != NULL);
	CHECK(rec_get(&r, "classes") == NULL);
	/* read: a str from elsewhere that is not UTF-8 */
	CHECK_EQ(rec_set_raw(&r, "id", "\xa2\x61\xff", 3), 0);
	const char *s;
	uint32_t len;
	CHECK_EQ(rec_get_str(&r, "id", &s, &len), -1);
	CHECK(strstr(err_msg(), "not valid UTF-8") != NULL);
	char **strs;
	size_t n;
	CHECK_EQ(rec_set_raw(&r, "classes", "\x91\xa2\x61\xff", 4), 0);
	CHECK_EQ(rec_get_strs(&r, "classes", &strs, &n), -1);
	/* a command line keeps its place in the provenance, U+FFFD for bad bytes */
	char *argv[] = {"rec-head", "a\xff\xfe.rec"};
	CHECK_EQ(rec_header_make(&r, NULL, 2, argv), 0);
	CHECK_EQ(rec_get_strs(&r, "maskpipe", &strs, &n), -1); /* an int, not strs */
	const rec_field *prov = rec_get(&r, "provenance");
	static const char want[] = "\x91\x92\xa8rec-head\xab" "a\xef\xbf\xbd\xef\xbf\xbd.rec";
	CHECK(prov && prov->val_len == sizeof want - 1 && memcmp(prov->val, want, sizeof want - 1) == 0);
	rec_free(&r);
}

/* A stream cut at a frame boundary decodes cleanly but lacks its end
 * marker: downstream of a failed stage that must be an error, not a
 * shorter stream. */
static void cut_at_a_frame_boundary_is_an_error(void)
{
	const char *good = tmp_path(0, "frames3.rec"), *bad = tmp_path(1, "cut3.rec");
	CHECK_EQ(write_random(good, 4, 6000), 0);
	size_t len;
	uint8_t *data = slurp(good, &len);
	size_t first_frame = ZSTD_findFrameCompressedSize(data, len);
	CHECK(!ZSTD_isError(first_frame) && first_frame < len);
	spill(bad, data, first_frame);
	expect_failure(bad, (const char *const[]){"cut3.rec", "record", "without its end marker", NULL});
	/* the same stream twice, the first cut: a header before the end marker */
	uint8_t *joined = malloc(first_frame + len);
	memcpy(joined, data, first_frame);
	memcpy(joined + first_frame, data, len);
	spill(bad, joined, first_frame + len);
	expect_failure(bad, (const char *const[]){"header before record", "cut off", NULL});
	free(joined);
	free(data);

	/* an end marker that counts other records than came */
	static const uint8_t miscount[] = {0x81, 0xa8, 'm', 'a', 's', 'k', 'p', 'i', 'p', 'e', 0x01,
					   0x81, 0xa1, 'x', 0x01,
					   0x81, 0xac, 'm', 'a', 's', 'k', 'p', 'i', 'p', 'e', '_', 'e', 'n', 'd', 0x02};
	spill(bad, miscount, sizeof miscount);
	expect_failure(bad, (const char *const[]){"end marker", "counts 2 records but 1 came", NULL});
}

/* A value fed a byte at a time is found whole exactly when its last byte
 * arrives, and the walk never restarts. */
static void scan_resumes_across_pieces(void)
{
	rng g;
	rng_seed(&g, 21, 0);
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	for (int i = 0; i < 20; i++)
		pack_random(&pk, &g, 3);
	mpk whole = mpk_of(sb.data, sb.size);
	for (int i = 0; i < 20; i++) {
		const uint8_t *start = whole.p;
		CHECK_EQ(mpk_skip(&whole), 0);
		size_t value_len = (size_t)(whole.p - start);
		mpk_scanner st;
		mpk_scanner_init(&st);
		size_t len = 0;
		int rc;
		uint64_t need = 0;
		while ((rc = mpk_scan(&st, start, len, &need)) == MPK_TRUNCATED) {
			CHECK(need > len && need <= value_len);
			len = need; /* the least that can complete it */
		}
		CHECK_EQ(rc, 0);
		CHECK_EQ(st.pos, value_len);
		CHECK_EQ(len, value_len);
	}
	msgpack_sbuffer_destroy(&sb);
}

static void img_map_is_checked_whole(void)
{
	rec r;
	rec_init(&r);
	img_view v;
	/* px first, then w, h, c: any order is fine */
	static const uint8_t any_order[] = {0x84, 0xa2, 'p', 'x', 0xc4, 4, 1, 2, 3, 4, 0xa1, 'w', 2,
					    0xa1, 'h', 2, 0xa1, 'c', 1};
	rec_set_raw(&r, "img", any_order, sizeof any_order);
	CHECK_EQ(rec_get_img(&r, &v), 0);
	CHECK(v.w == 2 && v.h == 2 && v.c == 1 && v.px[3] == 4);
	/* w given again after px was checked: refused, not read past px */
	static const uint8_t twice[] = {0x85, 0xa1, 'w', 2, 0xa1, 'h', 2, 0xa1, 'c', 1, 0xa2, 'p', 'x',
					0xc4, 4, 1, 2, 3, 4, 0xa1, 'w', 0xcd, 0xff, 0xff};
	rec_set_raw(&r, "img", twice, sizeof twice);
	CHECK_EQ(rec_get_img(&r, &v), -1);
	CHECK(strstr(err_msg(), "'w' appears twice") != NULL);
	rec_free(&r);
}

static void frame_kinds_after_plain_msgpack(void)
{
	const char *path = tmp_path(0, "plainskip.rec");
	static const uint8_t plain_then_skippable[] = {
		0x81, 0xa2, 'i', 'd', 0xa1, 'a',
		0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 0xee, 0xee, /* a skippable frame of 2 bytes */
		0x81, 0xa2, 'i', 'd', 0xa1, 'b'};
	spill(path, plain_then_skippable, sizeof plain_then_skippable);
	CHECK_EQ(read_all(path), 0);
	/* an input of one empty zstd frame holds no maps: not a stream */
	size_t cap = ZSTD_compressBound(0), len;
	uint8_t *frame = malloc(cap);
	len = ZSTD_compress(frame, cap, "", 0, 1);
	spill(path, frame, len);
	free(frame);
	CHECK_EQ(read_all(path), -1);
	CHECK(strstr(err_msg(), "empty input") != NULL);
}

static void many_keys_stay_linear(void)
{
	/* 50,000 keys: a pairwise duplicate check would take seconds */
	enum { N_KEYS = 50000 };
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, N_KEYS);
	for (int i = 0; i < N_KEYS; i++) {
		char key[16];
		int len = snprintf(key, sizeof key, "k%d", i == N_KEYS - 1 ? 7 : i);
		msgpack_pack_str(&pk, (size_t)len);
		msgpack_pack_str_body(&pk, key, (size_t)len);
		msgpack_pack_nil(&pk);
	}
	rec r;
	rec_init(&r);
	clock_t start = clock();
	CHECK_EQ(rec_parse(&r, (const uint8_t *)sb.data, sb.size), -1);
	CHECK(strstr(err_msg(), "'k7' appears twice") != NULL);
	CHECK((double)(clock() - start) / CLOCKS_PER_SEC < 0.5);
	rec_free(&r);
	msgpack_sbuffer_destroy(&sb);
}

static void stream_without_header_is_records(void)
{
	static const uint8_t two[] = {0x81, 0xa2, 'i', 'd', 0xa1, 'a', 0x81, 0xa2, 'i', 'd', 0xa1, 'b'};
	const char *path = tmp_path(0, "nohdr.rec");
	spill(path, two, sizeof two);
	rec_reader *rd = rec_reader_open(path);
	rec r;
	rec_init(&r);
	const char *id;
	uint32_t len;
	CHECK(rec_reader_header(rd) != NULL);
	CHECK_EQ(rec_reader_next(rd, &r), 1);
	CHECK(rec_get_str(&r, "id", &id, &len) == 0 && len == 1 && id[0] == 'a');
	CHECK_EQ(rec_reader_next(rd, &r), 1);
	CHECK(rec_get_str(&r, "id", &id, &len) == 0 && len == 1 && id[0] == 'b');
	CHECK_EQ(rec_reader_next(rd, &r), 0);
	rec_free(&r);
	rec_reader_close(rd);
}

static void failed_output_leaves_no_file(void)
{
	const char *path = tmp_path(0, "aborted.rec");
	rec_writer *w = rec_writer_open(path);
	rec r;
	rec_init(&r);
	rec_set_int(&r, "x", 1);
	rec_writer_put(w, &r);
	rec_writer_abort(w);
	struct stat st;
	CHECK(stat(path, &st) != 0);
	rec_free(&r);
}

/* The image stream (Selective Search's) is the per-record stream at epoch
 * 0: its values are pinned to the bare hash of the id that ssearch-boxes
 * always used, so its boxes never change; without an id, the index. */
static void image_stream_is_the_epoch_0_record_stream(void)
{
	rec r;
	rec_init(&r);
	r.index = 41;
	CHECK(rec_rng_image_stream(&r, REC_RNG_SSEARCH) == 41);
	CHECK_EQ(rec_set_int(&r, "id", 7), 0); /* not a string: still the index */
	CHECK(rec_rng_image_stream(&r, REC_RNG_SSEARCH) == 41);
	CHECK_EQ(rec_set_str(&r, "id", "cifar10:train:3"), 0);
	CHECK(rec_rng_image_stream(&r, REC_RNG_SSEARCH) == rng_hash("cifar10:train:3", 15, 0));
	rng seeded, by_stream;
	CHECK_EQ(rec_rng_seed(&seeded, &r, 5, REC_RNG_MASK), 0);
	rng_seed(&by_stream, 5, rec_rng_image_stream(&r, REC_RNG_MASK));
	CHECK(rng_u64(&seeded) == rng_u64(&by_stream));
	/* a later epoch changes rec_rng_seed's draws, not the image's */
	CHECK_EQ(rec_set_int(&r, "epoch", 2), 0);
	CHECK_EQ(rec_rng_seed(&seeded, &r, 5, REC_RNG_MASK), 0);
	rng_seed(&by_stream, 5, rec_rng_image_stream(&r, REC_RNG_MASK));
	CHECK(rng_u64(&seeded) != rng_u64(&by_stream));
	rec_free(&r);
}

int main(void)
{
	RUN(round_trip_random_records);
	RUN(frames_end_every_mebibyte);
	RUN(concatenated_streams_are_one);
	RUN(plain_msgpack_input);
	RUN(same_bytes_whatever_the_threads);
	RUN(unknown_fields_pass_byte_for_byte);
	RUN(header_provenance_appends);
	RUN(img_field_round_trip);
	RUN(mpk_integers_of_every_width);
	RUN(corrupt_streams_fail_clearly);
	RUN(cut_at_a_frame_boundary_is_an_error);
	RUN(scan_resumes_across_pieces);
	RUN(img_map_is_checked_whole);
	RUN(frame_kinds_after_plain_msgpack);
	RUN(many_keys_stay_linear);
	RUN(stream_without_header_is_records);
	RUN(failed_output_leaves_no_file);
	RUN(failed_pack_is_an_error);
	RUN(records_over_the_limit_are_refused);
	RUN(strings_are_utf8);
	RUN(image_stream_is_the_epoch_0_record_stream);
	return check_exit();
}
