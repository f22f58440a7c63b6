/* mkrec: writes a small record stream whose every field is chosen on the
 * command line, so a pipeline test can make exactly the input it needs
 * (odd strings, typed bins, raw msgpack values) without the decoders. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "stream/mpk.h"

static const char help[] =
	"Usage: mkrec [OPTION]...\n"
	"Write COUNT test records to stdout (or FILE): each record gets the fields\n"
	"given by --img and --field, in the order given.\n"
	"\n"
	"  -n, --count COUNT        how many records (default 1)\n"
	"      --img WxHxC          field img; byte k of record i's px is (i + k) % 256\n"
	"      --field KEY=TYPE:VALUE  a field; in VALUE, {i} stands for the record index\n"
	"      --no-header          write records only, as a foreign program would\n"
	"  -o, --output FILE        write to FILE (atomically) instead of stdout\n"
	"  -h, --help               show this help and exit\n"
	"\n"
	"TYPE is one of\n"
	"  str      the bytes of VALUE        int      a signed 64-bit integer\n"
	"  float    a float64                 float32  a float32 (strtod: nan, inf too)\n"
	"  bool     true or false             nil      nil (VALUE empty)\n"
	"  bin      bytes, in hex             mpk      one raw msgpack value, in hex\n"
	"  u16le    comma-separated integers, as a bin of little-endian u16\n"
	"  f32le    comma-separated numbers, as a bin of little-endian float32\n"
	"Example: mkrec -n 3 --field id=str:t:{i} --img 4x3x1 --field mask=bin:0f\n";

typedef struct field_spec {
	char *key;        /* NULL: the img field */
	const char *type; /* not NUL-terminated: ends at ':' */
	size_t type_len;
	const char *value;
	uint32_t w, h, c;
} field_spec;

static int parse_img_spec(const char *arg, field_spec *spec)
{
	unsigned w, h, c;
	char end;
	if (sscanf(arg, "%ux%ux%u%c", &w, &h, &c, &end) != 3)
		return err_set("--img wants WxHxC, not '%s'", arg);
	if (img_check_dims(w, h, c) < 0)
		return err_prefix("--img %s: ", arg);
	*spec = (field_spec){.w = w, .h = h, .c = c};
	return 0;
}

/* argv stays as it was: the header's provenance quotes it. */
static int parse_field_spec(const char *arg, field_spec *spec)
{
	const char *eq = strchr(arg, '=');
	const char *colon = eq ? strchr(eq + 1, ':') : NULL;
	if (!eq || !colon || eq == arg)
		return err_set("--field wants KEY=TYPE:VALUE, not '%s'", arg);
	*spec = (field_spec){.key = strndup(arg, (size_t)(eq - arg)), .type = eq + 1,
			     .type_len = (size_t)(colon - eq - 1), .value = colon + 1};
	return spec->key ? 0 : err_set("out of memory");
}

/* VALUE with every "{i}" replaced by the record index; a new string. */
static char *expand_index(const char *value, uint64_t index)
{
	char digits[24];
	int n_digits = snprintf(digits, sizeof digits, "%llu", (unsigned long long)index);
	char *out = malloc(strlen(value) * (size_t)n_digits + 1); /* "{i}" is 3 bytes, digits <= 20 */
	if (!out)
		return NULL;
	char *o = out;
	for (const char *p = value; *p;) {
		if (strncmp(p, "{i}", 3) == 0) {
			memcpy(o, digits, (size_t)n_digits);
			o += n_digits;
			p += 3;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Decodes hex into out (strlen(hex) / 2 bytes). */
static int hex_decode(const char *hex, uint8_t *out, size_t *len)
{
	size_t n_chars = strlen(hex);
	if (n_chars % 2)
		return err_set("odd number of hex digits");
	for (size_t i = 0; i < n_chars; i += 2) {
		int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
		if (hi < 0 || lo < 0)
			return err_set("'%.2s' is not a hex byte", hex + i);
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*len = n_chars / 2;
	return 0;
}

static int parse_number(const char *text, double *v)
{
	char *end;
	errno = 0;
	*v = strtod(text, &end);
	if (end == text || *end || (errno && isfinite(*v)))
		return err_set("'%s' is not a number", text);
	return 0;
}

/* Packs a comma-separated list as a bin of little-endian u16 or float32. */
static int pack_le_list(msgpack_packer *pk, const char *list, int is_f32)
{
	size_t n_items = 1;
	for (const char *p = list; *p; p++)
		n_items += *p == ',';
	uint8_t *bytes = malloc(n_items * 4);
	char *copy = strdup(list);
	int rc = bytes && copy ? 0 : err_set("out of memory");
	size_t n_bytes = 0;
	for (char *item = copy, *next; rc == 0 && item; item = next) {
		if ((next = strchr(item, ',')))
			*next++ = '\0';
		double v;
		if ((rc = parse_number(item, &v)) < 0)
			break;
		if (is_f32) {
			float f = (float)v;
			uint32_t bits;
			memcpy(&bits, &f, 4);
			for (int b = 0; b < 4; b++)
				bytes[n_bytes++] = (uint8_t)(bits >> (8 * b));
		} else if (v < 0 || v > 65535 || v != floor(v)) {
			rc = err_set("'%s' is not a u16", item);
		} else {
			bytes[n_bytes++] = (uint8_t)((unsigned)v & 0xff);
			bytes[n_bytes++] = (uint8_t)((unsigned)v >> 8);
		}
	}
	if (rc == 0) {
		msgpack_pack_bin(pk, n_bytes);
		msgpack_pack_bin_body(pk, bytes, n_bytes);
	}
	free(bytes);
	free(copy);
	return rc;
}

static int type_is(const field_spec *spec, const char *name)
{
	return spec->type_len == strlen(name) && memcmp(spec->type, name, spec->type_len) == 0;
}

/* A bin, or a raw msgpack value (checked to be exactly one), from hex. */
static int set_hex_field(rec *r, const field_spec *spec, const char *hex)
{
	uint8_t *bytes = malloc(strlen(hex) / 2 + 1);
	size_t len = 0;
	int rc = bytes ? hex_decode(hex, bytes, &len) : err_set("out of memory");
	if (rc == 0 && type_is(spec, "bin")) {
		rc = rec_set_bin(r, spec->key, bytes, len);
	} else if (rc == 0) {
		mpk m = mpk_of(bytes, len);
		if ((rc = mpk_skip(&m)) == 0 && mpk_left(&m))
			rc = err_set("%zu bytes after the msgpack value", mpk_left(&m));
		if (rc == 0)
			rc = rec_set_raw(r, spec->key, bytes, len);
	}
	free(bytes);
	return rc < 0 ? -1 : 0;
}

/* Sets one --field on r from its (index-expanded) value text. */
static int set_field(rec *r, const field_spec *spec, const char *value)
{
	if (type_is(spec, "bin") || type_is(spec, "mpk"))
		return set_hex_field(r, spec, value);
	msgpack_packer *pk = rec_pack_begin(r, spec->key);
	int rc = 0;
	double v;
	if (type_is(spec, "str")) { /* packed as given: rec_set_str refuses what is not UTF-8 */
		msgpack_pack_str(pk, strlen(value));
		msgpack_pack_str_body(pk, value, strlen(value));
	} else if (type_is(spec, "int")) {
		char *end;
		errno = 0;
		long long i = strtoll(value, &end, 10);
		if (errno || end == value || *end)
			rc = err_set("'%s' is not an int64", value);
		msgpack_pack_int64(pk, i);
	} else if (type_is(spec, "float") || type_is(spec, "float32")) {
		rc = parse_number(value, &v);
		if (type_is(spec, "float"))
			msgpack_pack_double(pk, v);
		else
			msgpack_pack_float(pk, (float)v);
	} else if (type_is(spec, "bool")) {
		if (strcmp(value, "true") && strcmp(value, "false"))
			rc = err_set("'%s' is not true or false", value);
		(value[0] == 't' ? msgpack_pack_true : msgpack_pack_false)(pk);
	} else if (type_is(spec, "nil")) {
		if (*value)
			rc = err_set("nil takes no value");
		msgpack_pack_nil(pk);
	} else if (type_is(spec, "u16le") || type_is(spec, "f32le")) {
		if ((rc = pack_le_list(pk, value, type_is(spec, "f32le"))) < 0)
			msgpack_pack_nil(pk); /* rec_pack_end wants exactly one value */
	} else {
		rc = err_set("unknown type '%.*s'", (int)spec->type_len, spec->type);
		msgpack_pack_nil(pk);
	}
	return rec_pack_end(r) < 0 || rc < 0 ? -1 : 0;
}

static int make_record(rec *r, const field_spec *specs, size_t n_specs, uint64_t index)
{
	rec_clear(r);
	for (size_t s = 0; s < n_specs; s++) {
		const field_spec *spec = &specs[s];
		if (!spec->key) {
			img im = {0};
			if (img_alloc(&im, spec->w, spec->h, spec->c) < 0)
				return -1;
			for (size_t k = 0; k < img_bytes(&im); k++)
				im.px[k] = (uint8_t)((index + k) % 256);
			int rc = rec_set_img(r, &im);
			img_free(&im);
			if (rc < 0)
				return -1;
			continue;
		}
		char *value = expand_index(spec->value, index);
		int rc = value ? set_field(r, spec, value) : err_set("out of memory");
		free(value);
		if (rc < 0)
			return err_prefix("--field %s: ", spec->key);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"count", required_argument, NULL, 'n'},
		{"img", required_argument, NULL, 'I'},
		{"field", required_argument, NULL, 'F'},
		{"no-header", no_argument, NULL, 'N'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	uint64_t n_records = 1;
	int with_header = 1, opt;
	const char *out_path = NULL;
	field_spec *specs = calloc((size_t)argc, sizeof *specs); /* at most one per argument */
	size_t n_specs = 0;
	cli_init(argc, argv);
	if (!specs)
		cli_fail();
	while ((opt = getopt_long(argc, argv, "n:o:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': n_records = (uint64_t)cli_int("-n", optarg, 0, INT64_MAX); break;
		case 'I':
			if (parse_img_spec(optarg, &specs[n_specs++]) < 0)
				cli_usage("%s", err_msg());
			break;
		case 'F':
			if (parse_field_spec(optarg, &specs[n_specs++]) < 0)
				cli_usage("%s", err_msg());
			break;
		case 'N': with_header = 0; break;
		case 'o': out_path = optarg; break;
		case 'h': cli_help(help);
		default: cli_bad_option();
		}
	}
	if (optind < argc)
		cli_usage("unexpected argument '%s'", argv[optind]);
	rec r;
	rec_init(&r);
	if (make_record(&r, specs, n_specs, 0) < 0) /* a bad spec is bad usage */
		cli_usage("%s", err_msg());
	rec_writer *w = cli_open_output(out_path);
	if (with_header)
		cli_write_header(w, NULL);
	for (uint64_t i = 0; i < n_records; i++) {
		if (make_record(&r, specs, n_specs, i) < 0) {
			rec_writer_abort(w);
			cli_fail();
		}
		if (rec_writer_put(w, &r) < 0)
			cli_fail_output(w);
	}
	cli_close_output(w);
	rec_free(&r);
	for (size_t s = 0; s < n_specs; s++)
		free(specs[s].key);
	free(specs);
	return 0;
}
