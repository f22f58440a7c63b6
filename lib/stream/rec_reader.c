#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "common/err.h"
#include "stream/mpk.h"
#include "stream/rec_io.h"
#include "common/sizelimit.h"

enum mode { MODE_START, MODE_ZSTD, MODE_PLAIN };

struct rec_reader {
	int fd, own_fd;
	char *name;
	enum mode mode;
	ZSTD_DCtx *dctx;
	int in_frame; /* a zstd frame has begun and not ended */
	uint8_t *in;  /* bytes read from fd, not yet decoded */
	size_t in_pos, in_len, in_cap;
	uint8_t *out; /* msgpack bytes */
	size_t out_pos, out_len, out_cap;
	int eof;
	uint64_t n_records;
	uint64_t n_maps; /* top-level maps read, headers included */
	size_t last_map_len; /* bytes of the map read last, to unread it */
	rec header;
	int header_read;
	mpk_scanner scan;          /* how far the map being read has been walked */
	int segment_open;          /* a header came and its end marker has not */
	int segment_ended;         /* the last header or marker was an end marker */
	uint64_t segment_records;  /* records since that header */
	uint64_t max_record;       /* the bytes a record may take (limit_max_record_bytes) */
};

static const uint8_t zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};

/* The first byte of a zstd frame, or of a skippable frame (magic
 * 0x184D2A50..5F, little-endian); neither can start a msgpack map. */
static int may_start_frame(uint8_t first)
{
	return first == zstd_magic[0] || (first & 0xf0) == 0x50;
}

static int is_zstd_frame_start(const uint8_t *p)
{
	return memcmp(p, zstd_magic, 4) == 0 ||
	       (may_start_frame(p[0]) && p[0] != zstd_magic[0] && p[1] == 0x2a && p[2] == 0x4d &&
		p[3] == 0x18);
}

rec_reader *rec_reader_open_fd(int fd, const char *name)
{
	rec_reader *rd = calloc(1, sizeof *rd);
	if (!rd || !(rd->name = strdup(name))) {
		free(rd);
		err_set("%s: out of memory", name);
		return NULL;
	}
	if (limit_max_record_bytes(&rd->max_record) < 0) {
		free(rd->name);
		free(rd);
		err_prefix("%s: ", name);
		return NULL;
	}
	rd->fd = fd;
	rd->in_cap = ZSTD_DStreamInSize() > ((size_t)1 << 20) ? ZSTD_DStreamInSize() : (size_t)1 << 20;
	rd->out_cap = (size_t)2 << 20;
	rd->in = malloc(rd->in_cap);
	rd->out = malloc(rd->out_cap);
	rd->dctx = ZSTD_createDCtx();
	rec_init(&rd->header);
	mpk_scanner_init(&rd->scan);
	if (!rd->in || !rd->out || !rd->dctx) {
		rec_reader_close(rd);
		err_set("%s: out of memory", name);
		return NULL;
	}
	return rd;
}

rec_reader *rec_reader_open(const char *path)
{
	if (!path || strcmp(path, "-") == 0)
		return rec_reader_open_fd(STDIN_FILENO, "stdin");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_errno("%s", path);
		return NULL;
	}
	rec_reader *rd = rec_reader_open_fd(fd, path);
	if (!rd)
		close(fd);
	else
		rd->own_fd = 1;
	return rd;
}

void rec_reader_close(rec_reader *rd)
{
	if (!rd)
		return;
	if (rd->own_fd)
		close(rd->fd);
	ZSTD_freeDCtx(rd->dctx);
	rec_free(&rd->header);
	free(rd->in);
	free(rd->out);
	free(rd->name);
	free(rd);
}

uint64_t rec_reader_count(const rec_reader *rd)
{
	return rd->n_records;
}

const char *rec_reader_name(const rec_reader *rd)
{
	return rd->name;
}

/* Reads more raw input; 1 if some came, 0 at end of file, -1 on error. */
static int read_input(rec_reader *rd)
{
	if (rd->eof)
		return 0;
	if (rd->in_pos > 0) {
		memmove(rd->in, rd->in + rd->in_pos, rd->in_len - rd->in_pos);
		rd->in_len -= rd->in_pos;
		rd->in_pos = 0;
	}
	for (;;) {
		ssize_t n = read(rd->fd, rd->in + rd->in_len, rd->in_cap - rd->in_len);
		if (n > 0) {
			rd->in_len += (size_t)n;
			return 1;
		}
		if (n == 0) {
			rd->eof = 1;
			return 0;
		}
		if (errno != EINTR)
			return err_errno("read error");
	}
}

/* Makes room for `want` more bytes after out_len, dropping consumed bytes. */
static int reserve_out(rec_reader *rd, size_t want)
{
	if (rd->out_pos > 0) {
		memmove(rd->out, rd->out + rd->out_pos, rd->out_len - rd->out_pos);
		rd->out_len -= rd->out_pos;
		rd->out_pos = 0;
	}
	if (rd->out_cap - rd->out_len >= want)
		return 0;
	size_t cap = rd->out_cap;
	while (cap - rd->out_len < want)
		cap *= 2;
	uint8_t *out = realloc(rd->out, cap);
	if (!out)
		return err_set("out of memory (%zu bytes of stream buffer)", cap);
	rd->out = out;
	rd->out_cap = cap;
	return 0;
}

/* Ensures at least `n` unread input bytes unless the input ends first. */
static int want_input(rec_reader *rd, size_t n)
{
	while (rd->in_len - rd->in_pos < n) {
		int rc = read_input(rd);
		if (rc <= 0)
			return rc;
	}
	return 1;
}

/* Moves undecoded input into the msgpack buffer: plain msgpack. */
static int take_plain(rec_reader *rd)
{
	if (rd->in_pos == rd->in_len) {
		int rc = read_input(rd);
		if (rc <= 0)
			return rc;
	}
	size_t n = rd->in_len - rd->in_pos;
	if (reserve_out(rd, n) < 0)
		return -1;
	memcpy(rd->out + rd->out_len, rd->in + rd->in_pos, n);
	rd->out_len += n;
	rd->in_pos = rd->in_len;
	return 1;
}

/* What the undecoded input starts with. */
enum input_kind { INPUT_ERROR = -1, INPUT_END, INPUT_ZSTD, INPUT_OTHER };

static enum input_kind next_input_kind(rec_reader *rd)
{
	if (want_input(rd, 4) < 0)
		return INPUT_ERROR;
	size_t left = rd->in_len - rd->in_pos;
	if (left == 0)
		return INPUT_END;
	return left >= 4 && is_zstd_frame_start(rd->in + rd->in_pos) ? INPUT_ZSTD : INPUT_OTHER;
}

static int decode_zstd(rec_reader *rd)
{
	for (;;) {
		if (!rd->in_frame) {
			enum input_kind kind = next_input_kind(rd);
			if (kind == INPUT_ERROR || kind == INPUT_END)
				return kind == INPUT_ERROR ? -1 : 0;
			if (kind == INPUT_OTHER) {
				rd->mode = MODE_PLAIN; /* plain msgpack concatenated after a frame */
				return take_plain(rd);
			}
			rd->in_frame = 1;
		}
		if (rd->in_pos == rd->in_len) {
			int rc = read_input(rd);
			if (rc < 0)
				return -1;
			if (rc == 0)
				return err_set("truncated: the stream ends inside a zstd frame");
		}
		if (reserve_out(rd, ZSTD_DStreamOutSize()) < 0)
			return -1;
		ZSTD_inBuffer zin = {rd->in, rd->in_len, rd->in_pos};
		ZSTD_outBuffer zout = {rd->out, rd->out_cap, rd->out_len};
		size_t ret = ZSTD_decompressStream(rd->dctx, &zout, &zin);
		if (ZSTD_isError(ret)) {
			return err_set("corrupt zstd data: %s", ZSTD_getErrorName(ret));
		}
		rd->in_pos = zin.pos;
		int produced = zout.pos > rd->out_len;
		rd->out_len = zout.pos;
		if (ret == 0)
			rd->in_frame = 0;
		if (produced)
			return 1;
	}
}

/* Decodes more msgpack bytes: 1 if some came, 0 at end, -1 on error. */
static int fill(rec_reader *rd)
{
	if (rd->mode == MODE_START) {
		enum input_kind kind = next_input_kind(rd);
		if (kind == INPUT_ERROR || kind == INPUT_END)
			return kind == INPUT_ERROR ? -1 : 0;
		rd->mode = kind == INPUT_ZSTD ? MODE_ZSTD : MODE_PLAIN;
	}
	return rd->mode == MODE_ZSTD ? decode_zstd(rd) : take_plain(rd);
}

/* Names what a non-stream input looks like, for a better message. */
static const char *sniff(const uint8_t *p, size_t n)
{
	static const struct { const char *magic; size_t len; const char *what; } kinds[] = {
		{"\x89PNG", 4, "a PNG image (use img-decode)"},
		{"\xff\xd8\xff", 3, "a JPEG image (use img-decode)"},
		{"\x1f\x8b", 2, "gzip data"},
		{"\x00\x00\x08", 3, "an IDX file (use img-decode)"},
		{"{", 1, "JSON text"},
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (n >= kinds[i].len && memcmp(p, kinds[i].magic, kinds[i].len) == 0)
			return kinds[i].what;
	return NULL;
}

/* Hands the undecoded msgpack bytes from `p` on back to the input side,
 * where a zstd frame starts: plain msgpack was followed by a frame. */
static int back_to_input(rec_reader *rd, const uint8_t *p, size_t left)
{
	size_t undecoded = rd->in_len - rd->in_pos;
	size_t cap = rd->in_cap > left + undecoded ? rd->in_cap : left + undecoded;
	uint8_t *in = malloc(cap);
	if (!in)
		return err_set("out of memory");
	memcpy(in, p, left);
	memcpy(in + left, rd->in + rd->in_pos, undecoded);
	free(rd->in);
	rd->in = in;
	rd->in_cap = cap;
	rd->in_pos = 0;
	rd->in_len = left + undecoded;
	rd->out_len = rd->out_pos;
	rd->mode = MODE_ZSTD;
	rd->in_frame = 0;
	return 0;
}

/* Finds the next complete top-level map: 1 with its bytes, 0 at the end. */
static int next_map(rec_reader *rd, const uint8_t **map, size_t *len)
{
	for (;;) {
		size_t left = rd->out_len - rd->out_pos;
		const uint8_t *p = rd->out + rd->out_pos;
		int at_boundary = mpk_scanner_at_start(&rd->scan);
		/* at a value boundary a frame may follow plain msgpack */
		if (at_boundary && rd->mode == MODE_PLAIN && left > 0 && may_start_frame(p[0])) {
			if (left < 4 && !rd->eof) {
				if (take_plain(rd) < 0)
					return -1;
				continue;
			}
			if (left >= 4 && is_zstd_frame_start(p)) {
				if (back_to_input(rd, p, left) < 0)
					return -1;
				continue;
			}
		}
		uint64_t need = 0;
		if (left > 0) {
			if (at_boundary) {
				const char *what = rd->n_maps == 0 ? sniff(p, left) : NULL;
				if (what)
					return err_set("not a maskpipe record stream: this is %s", what);
				int type = mpk_peek(&(mpk){p, p + left});
				if (type != MPK_MAP)
					return err_set("not a maskpipe record stream: found a msgpack %s "
						       "where a map must start", mpk_type_name(type));
			}
			int rc = mpk_scan(&rd->scan, p, left, &need);
			if (rc == 0 && rd->scan.pos > rd->max_record)
				return err_set("a record of %zu bytes is over the %llu MiB limit "
					       "(MASKPIPE_MAX_RECORD_MB raises it)", rd->scan.pos,
					       (unsigned long long)(rd->max_record >> 20));
			if (rc == 0) {
				*map = p;
				*len = rd->scan.pos;
				rd->out_pos += *len;
				rd->n_maps++;
				mpk_scanner_init(&rd->scan);
				return 1;
			}
			if (rc != MPK_TRUNCATED)
				return -1;
			/* a claim past the limit fails now, before anything is buffered */
			if (need > rd->max_record) {
				char claim[256]; /* "truncated: a bin claims ..." */
				const char *msg = err_msg();
				const char *colon = strstr(msg, ": ");
				snprintf(claim, sizeof claim, "%s", colon ? colon + 2 : msg);
				return err_set("a record of at least %llu bytes is over the %llu MiB limit "
					       "(MASKPIPE_MAX_RECORD_MB raises it): %s",
					       (unsigned long long)need,
					       (unsigned long long)(rd->max_record >> 20), claim);
			}
		}
		int rc = fill(rd);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			if (left == 0)
				return 0;
			/* scan again for the message that says what is cut off */
			mpk_scanner_init(&rd->scan);
			mpk_scan(&rd->scan, p, left, NULL);
			return err_prefix("truncated stream: ");
		}
	}
}

static int is_header_map(const rec *r)
{
	return rec_get(r, "maskpipe") != NULL;
}

static int is_end_marker(const rec *r)
{
	return rec_get(r, REC_END_KEY) != NULL;
}

/* Checks an end marker against the records of its part of the stream. */
static int close_segment(rec_reader *rd, const rec *marker)
{
	int64_t count;
	if (!rd->segment_open)
		return err_set("an end marker with no header before it");
	if (rec_get_int(marker, REC_END_KEY, &count) < 0)
		return -1;
	if (count < 0 || (uint64_t)count != rd->segment_records)
		return err_set("the end marker counts %lld records but %llu came: records were lost",
			       (long long)count, (unsigned long long)rd->segment_records);
	rd->segment_open = 0;
	return 0;
}

static int check_version(const rec *h)
{
	int64_t version;
	if (rec_get_int(h, "maskpipe", &version) < 0)
		return -1;
	if (version < 1 || version > REC_FORMAT_VERSION)
		return err_set("stream format version %lld is not supported (this maskpipe reads 1 to %d)",
			       (long long)version, REC_FORMAT_VERSION);
	return 0;
}

/* The header keys every stage relies on: the version it can read, and a
 * provenance each stage appends its command line to. */
static int check_header(const rec *h)
{
	if (check_version(h) < 0)
		return -1;
	const rec_field *prov = rec_get(h, "provenance");
	if (!prov)
		return 0;
	mpk m = mpk_of(prov->val, prov->val_len);
	uint32_t n_stages, n_args;
	if (mpk_read_array(&m, &n_stages) < 0)
		return err_prefix("field 'provenance': ");
	for (uint32_t i = 0; i < n_stages; i++) {
		if (mpk_read_array(&m, &n_args) < 0)
			return err_prefix("field 'provenance' item %u: ", i);
		for (uint32_t j = 0; j < n_args; j++) {
			const char *arg;
			uint32_t len;
			if (mpk_read_str(&m, &arg, &len) < 0)
				return err_prefix("field 'provenance' item %u.%u: ", i, j);
		}
	}
	return 0;
}

/* Reads one map into r: 1, 0 at end, -1 with the message prefixed. */
static int read_map(rec_reader *rd, rec *r)
{
	const uint8_t *map = NULL;
	size_t len = 0;
	int rc = next_map(rd, &map, &len);
	rd->last_map_len = len;
	if (rc == 1 && rec_parse(r, map, len) < 0)
		rc = -1;
	if (rc < 0)
		err_prefix("%s: record %llu: ", rd->name, (unsigned long long)rd->n_records);
	return rc;
}

static int read_header(rec_reader *rd)
{
	rd->header_read = 1;
	int rc = read_map(rd, &rd->header);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		rec_clear(&rd->header);
		if (rd->n_maps == 0)
			return err_set("%s: empty input (no header, no records): not a record stream",
				       rd->name);
	} else if (!is_header_map(&rd->header)) {
		/* plain records with no header, e.g. written by another program:
		 * the map stays in the buffer, to be read again as record 0 */
		rd->out_pos -= rd->last_map_len;
		rec_clear(&rd->header);
	} else if (check_header(&rd->header) < 0) {
		return err_prefix("%s: header: ", rd->name);
	} else {
		rd->segment_open = 1;
	}
	rd->header.is_header = 1;
	return 0;
}

const rec *rec_reader_header(rec_reader *rd)
{
	if (!rd->header_read && read_header(rd) < 0)
		return NULL;
	return &rd->header;
}

int rec_reader_next(rec_reader *rd, rec *r)
{
	if (!rd->header_read && read_header(rd) < 0)
		return -1;
	for (;;) {
		int rc = read_map(rd, r);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			if (!rd->segment_open)
				return 0;
			return err_set("%s: record %llu: the stream ends without its end marker: "
				       "the stage that wrote it failed or was cut off",
				       rd->name, (unsigned long long)rd->n_records);
		}
		const char *what = NULL;
		if (is_end_marker(r)) {
			if (close_segment(rd, r) < 0)
				what = "end marker";
			rd->segment_ended = 1;
		} else if (is_header_map(r)) { /* a header from `cat a.rec b.rec` */
			if (rd->segment_open)
				err_set("a header comes before the end marker of the stream before it: "
					"that stream was cut off");
			if (rd->segment_open || check_header(r) < 0)
				what = "header";
			rd->segment_open = 1;
			rd->segment_ended = 0;
			rd->segment_records = 0;
		} else if (rd->segment_ended) {
			/* only a header may follow an end marker (man 5 maskpipe-rec) */
			err_set("a record after the end marker, with no header before it");
			what = "record";
		} else {
			break;
		}
		if (what)
			return err_prefix("%s: %s before record %llu: ", rd->name, what,
					  (unsigned long long)rd->n_records);
	}
	r->is_header = 0;
	r->index = rd->n_records++;
	rd->segment_records += rd->segment_open;
	return 1;
}
