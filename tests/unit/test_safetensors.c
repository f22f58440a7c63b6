/* The safetensors reader against files whose header lies: every claim it
 * makes about the bytes (offsets, sizes, shapes, names) is checked before
 * a tensor is handed out. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "common/err.h"
#include "formats/safetensors.h"

/* header_len as the file's first 8 bytes claim it (0: the JSON's length),
 * the JSON, then n_data bytes of data */
static const char *write_file(const char *json, uint64_t header_len, size_t n_data)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/t.safetensors", check_tmpdir());
	FILE *f = fopen(path, "wb");
	if (!header_len)
		header_len = strlen(json);
	for (int i = 0; i < 8; i++)
		fputc((int)(header_len >> (8 * i)) & 0xff, f);
	fputs(json, f);
	for (size_t i = 0; i < n_data; i++)
		fputc(0, f);
	fclose(f);
	return path;
}

/* reading the file fails with a message that contains want */
static int rejected(const char *json, uint64_t header_len, size_t n_data, const char *want)
{
	st_file f;
	if (st_read(&f, write_file(json, header_len, n_data)) == 0) {
		fprintf(stderr, "accepted: %s\n", json);
		st_free(&f);
		return 0;
	}
	if (!strstr(err_msg(), want)) {
		fprintf(stderr, "message '%s', expected '%s'\n", err_msg(), want);
		return 0;
	}
	return 1;
}

#define T(name, begin, end, shape) \
	"\"" name "\":{\"dtype\":\"F32\",\"shape\":" shape ",\"data_offsets\":[" #begin "," #end "]}"

static void honest_files_are_read(void)
{
	st_file f;
	/* out of order in the header, in order in the data; an empty tensor;
	 * spaces padding the header */
	const char *json = "{\"__metadata__\":{\"k\":\"v\"}," T("b", 8, 12, "[1]") "," T("a", 0, 8, "[2,1]")
		"," T("e", 12, 12, "[0,4294967296]") "}   ";
	CHECK_EQ(st_read(&f, write_file(json, 0, 12)), 0);
	CHECK_EQ(f.n_tensors, 3);
	CHECK_STR(st_meta(&f, "k"), "v");
	CHECK(st_find(&f, "a") && st_find(&f, "a")->n_floats == 2);
	CHECK(st_find(&f, "e") && st_find(&f, "e")->n_floats == 0);
	st_free(&f);
}

static void lies_are_rejected(void)
{
	/* two names on the same bytes, with as many bytes as they claim */
	CHECK(rejected("{" T("a", 0, 8, "[2]") "," T("b", 0, 8, "[2]") "}", 0, 16, "overlaps"));
	CHECK(rejected("{" T("a", 0, 8, "[2]") "," T("b", 4, 12, "[2]") "}", 0, 12, "overlaps"));
	/* a hole between tensors, bytes after the last one */
	CHECK(rejected("{" T("a", 0, 4, "[1]") "," T("b", 8, 12, "[1]") "}", 0, 12, "belong to no"));
	CHECK(rejected("{" T("a", 0, 4, "[1]") "}", 0, 8, "cover 4"));
	/* garbage after the JSON object inside the header */
	CHECK(rejected("{" T("a", 0, 4, "[1]") "}garbage", 0, 4, "after its JSON"));
	/* the same name twice, the metadata twice, a metadata key twice */
	CHECK(rejected("{" T("a", 0, 4, "[1]") "," T("a", 4, 8, "[1]") "}", 0, 8, "'a' is in the header twice"));
	CHECK(rejected("{\"__metadata__\":{},\"__metadata__\":{}," T("a", 0, 4, "[1]") "}", 0, 4,
		       "twice"));
	CHECK(rejected("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}," T("a", 0, 4, "[1]") "}", 0, 4,
		       "'k' is in the header twice"));
	/* offsets past the data, reversed, fractional, negative */
	CHECK(rejected("{" T("a", 0, 8, "[2]") "}", 0, 4, "outside"));
	CHECK(rejected("{" T("a", 4, 0, "[1]") "}", 0, 4, "outside"));
	CHECK(rejected("{" T("a", 0.5, 4.5, "[1]") "}", 0, 5, "outside"));
	CHECK(rejected("{" T("a", -4, 0, "[1]") "}", 0, 4, "outside"));
	/* bytes that do not match the shape */
	CHECK(rejected("{" T("a", 0, 8, "[3]") "}", 0, 8, "8 bytes for a shape of 3"));
	/* a shape whose product wraps to 0 (2^64) or 1 in 64 bits, or is not
	 * a whole number */
	CHECK(rejected("{" T("a", 0, 0, "[4294967296,4294967296]") "}", 0, 0, "over 2^62"));
	CHECK(rejected("{" T("a", 0, 4, "[4294967297,4294967297,4294967297]") "}", 0, 4,
		       "over 2^62"));
	CHECK(rejected("{" T("a", 0, 4, "[1.5]") "}", 0, 4, "bad shape"));
	CHECK(rejected("{" T("a", 0, 4, "[-1]") "}", 0, 4, "bad shape"));
	/* a header length past the file, and an absurd one */
	CHECK(rejected("{}", 100, 0, "header of 100 bytes"));
	CHECK(rejected("{}", (uint64_t)1 << 63, 0, "header of"));
}

int main(void)
{
	RUN(honest_files_are_read);
	RUN(lies_are_rejected);
	return check_exit();
}
