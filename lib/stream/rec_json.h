/* Records as JSON text, one object per line (JSON Lines): what rec-cat
 * prints, for people and for jq. The output is valid JSON (and UTF-8)
 * whatever a record holds:
 *   - fields keep their order; map keys that are not strings become
 *     strings of their JSON text (5 -> "5", [1,2] -> "[1,2]");
 *   - strings escape '"', '\\' and control characters, and every byte that
 *     is not part of a valid UTF-8 sequence becomes \ufffd;
 *   - floats are the shortest decimal that reads back as the same float32
 *     or float64; NaN and infinities (which JSON lacks) become null;
 *   - integers are exact, uint64 above INT64_MAX included.
 * Binary values are typed by the field registry of maskpipe-rec(5) and
 * summarised, or written out in full with REC_JSON_FULL:
 *
 *   value      summary                                  full
 *   img.px     {"bin":N,"min":a,"max":b,"mean":m}        [u8, ...]
 *   boxcount   {"bin":N,"u16":n,"min":a,"max":b,"mean":m} [u16 LE, ...]
 *   emb        {"bin":N,"f32":n,"min":a,"max":b,"mean":m} [f32 LE, ...]
 *              (NaNs are left out of min/max/mean and counted in "nan":k)
 *   mask       {"bin":N,"ones":k}                        [0 or 1, 8N of them]
 *   other bin  {"bin":N}                                 "base64"
 *   ext        {"ext":T,"bin":N}                         {"ext":T,"base64":"..."}
 *
 * N is the byte count, mean has 4 significant digits, and mask bit i is bit
 * i % 8 (least significant first) of byte i / 8, padding bits included. A
 * registry bin whose length does not fit its type (an odd boxcount) is
 * shown as an other bin. Headers get no registry typing. */
#ifndef MASKPIPE_REC_JSON_H
#define MASKPIPE_REC_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "stream/rec.h"

/* Text being built; start from {0}. After a failed allocation appends are
 * dropped and `failed` is set, so the renderer checks once per line. */
typedef struct json_buf {
	char *data;
	size_t len, cap;
	int failed;
} json_buf;

void json_buf_free(json_buf *b);

enum rec_json_flags {
	REC_JSON_FULL = 1, /* bins in full instead of summaries */
};

/* Appends r as one JSON object and a newline. 0, or -1 (out of memory, or
 * a value that is not valid msgpack; the message names the field) with
 * out as it was before the call. */
int rec_json_line(json_buf *out, const rec *r, int flags);

/* Appends one msgpack value as JSON, typed as the record field `field`
 * ("emb", "img", or NULL for no registry typing). 0 or -1 as above. */
int rec_json_value(json_buf *out, const char *field, const uint8_t *val, size_t len, int flags);

#endif
