/* Reading and writing record streams (man 5 maskpipe-rec): msgpack maps in
 * zstd frames with content checksums, or plain msgpack on input; any mix of
 * concatenated streams is one stream. */
#ifndef MASKPIPE_REC_IO_H
#define MASKPIPE_REC_IO_H

#include <stdint.h>

#include "stream/rec.h"

/* A frame is ended once this much uncompressed input has gathered, so the
 * next stage of a pipeline starts early. */
#define REC_FRAME_BYTES ((size_t)1 << 20)

/* The key of the map a writer ends a stream with, holding the number of
 * records since the header: a stream cut short by a failing stage is then
 * an error downstream, not a shorter stream. */
#define REC_END_KEY "maskpipe_end"

typedef struct rec_reader rec_reader;
typedef struct rec_writer rec_writer;

/* Opens `path` ("-" or NULL: standard input). The name appears in messages. */
rec_reader *rec_reader_open(const char *path);
rec_reader *rec_reader_open_fd(int fd, const char *name);
void rec_reader_close(rec_reader *rd);

/* Reads the next record into r: 1, 0 at end of stream, -1 on error (the
 * message names the stream and record). Headers and end markers are
 * consumed: the first header is kept (rec_reader_header), later ones (from
 * `cat a.rec b.rec`) are checked for their version and skipped; each end
 * marker must count the records since its header, and a stream that has a
 * header must end with one. A stream whose first map has no "maskpipe" key
 * is read as records with an empty header and needs no end marker. */
int rec_reader_next(rec_reader *rd, rec *r);

/* The first header, read if need be; NULL (with a message) on error. A
 * stream without one (or an empty input) gets an empty header. */
const rec *rec_reader_header(rec_reader *rd);

/* Records returned so far. */
uint64_t rec_reader_count(const rec_reader *rd);
const char *rec_reader_name(const rec_reader *rd);

/* Writes to `path` through a temporary file renamed into place by a
 * successful rec_writer_close ("-" or NULL: standard output).
 * MASKPIPE_ZSTD_LEVEL sets the compression level (default
 * REC_DEFAULT_LEVEL); MASKPIPE_PLAIN=1 writes plain msgpack.
 * The default is the fastest level: streams are mostly pixels, which
 * level 3 wrote up to 4% smaller and level 10 2.6-6.6% smaller, but with
 * img-decode taking 1.3-1.5 and 3.7-5.5 times as long (64x64 photos,
 * Fashion-MNIST), most of it in zstd; the experiments cached at 1 already. */
#define REC_DEFAULT_LEVEL 1
rec_writer *rec_writer_open(const char *path);

/* Writes a record or header (r->is_header). 0 or -1. */
int rec_writer_put(rec_writer *w, const rec *r);

/* Ends the current frame now (frames also end every REC_FRAME_BYTES). */
int rec_writer_flush(rec_writer *w);

/* Writes the end marker if a header was written, flushes, closes and (for
 * a path) renames into place: 0, -1, or
 * REC_BROKEN_PIPE when the reader of the output went away. */
#define REC_BROKEN_PIPE (-2)
int rec_writer_close(rec_writer *w);

/* Discards the output: the temporary file is removed. */
void rec_writer_abort(rec_writer *w);

/* 1 if the last failure was the reader of our output going away (EPIPE),
 * which a filter treats as a normal end: `... | rec-head -n 1`. */
int rec_writer_broken_pipe(const rec_writer *w);

#endif
