/* Record streams (man 5 maskpipe-rec): the files and pipes the maskpipe
 * tools read and write, each a header then records, every record a map of
 * named fields (id, label, img, emb, ...). */
#ifndef MP_STREAM_H
#define MP_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "maskpipe/common.h"
#include "maskpipe/image.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mp_record mp_record;
typedef struct mp_reader mp_reader;
typedef struct mp_writer mp_writer;

/* ---- records ---- */

/* A new empty record (free it with mp_record_free); NULL when out of
 * memory. One record can be read into again and again. */
MP_API mp_record *mp_record_new(void);
MP_API void mp_record_free(mp_record *r);
/* Empties r, keeping its memory. */
MP_API void mp_record_clear(mp_record *r);

/* The record's position among its stream's records, from 0. */
MP_API uint64_t mp_record_index(const mp_record *r);

/* The number of fields, and the key of field i (not NUL-terminated: *len
 * bytes, pointing into r until it changes); NULL when i is out of range. */
MP_API size_t mp_record_field_count(const mp_record *r);
MP_API const char *mp_record_field_key(const mp_record *r, size_t i, size_t *len);

/* Typed getters: 0 found, 1 absent, -1 the field has another type or
 * shape (with a message naming it). mp_record_get_str and _bin point into
 * r until it changes (a str is valid UTF-8, not NUL-terminated);
 * mp_record_get_image copies the `img` field into *out, which the caller
 * frees with mp_image_free. */
MP_API int mp_record_get_int(const mp_record *r, const char *key, int64_t *v);
MP_API int mp_record_get_str(const mp_record *r, const char *key, const char **s,
			     size_t *len);
MP_API int mp_record_get_bin(const mp_record *r, const char *key, const uint8_t **data,
			     size_t *len);
MP_API int mp_record_get_image(const mp_record *r, mp_image *out);

/* Setters: add the field or replace its value (the data is copied). 0, or
 * -1 with a message: out of memory, a record over the size limit, a str
 * that is not valid UTF-8, an image of no pixels or more than 4 channels. */
MP_API int mp_record_set_int(mp_record *r, const char *key, int64_t v);
MP_API int mp_record_set_str(mp_record *r, const char *key, const char *s);
MP_API int mp_record_set_bin(mp_record *r, const char *key, const void *data, size_t len);
/* Sets `img`, the field the tools read an image from. */
MP_API int mp_record_set_image(mp_record *r, const mp_image *im);

/* ---- reading ---- */

/* Opens the stream at path (NULL or "-": standard input), or on fd (left
 * open by mp_reader_close; `name` appears in messages). NULL with a
 * message when the file cannot be opened. */
MP_API mp_reader *mp_reader_open(const char *path);
MP_API mp_reader *mp_reader_open_fd(int fd, const char *name);

/* Reads the next record into r (replacing what it held): 1, 0 at the end
 * of the stream, -1 on error (the message names the stream and record: a
 * corrupt or truncated stream is an error, not an end). */
MP_API int mp_reader_next(mp_reader *rd, mp_record *r);

/* The stream's header (its format version and provenance: the command
 * lines that made it), read if need be; it belongs to rd. NULL with a
 * message on error; a stream without one gets an empty header. */
MP_API const mp_record *mp_reader_header(mp_reader *rd);

MP_API void mp_reader_close(mp_reader *rd);

/* ---- writing ---- */

/* Opens path for writing (NULL or "-": standard output) through a
 * temporary file that mp_writer_close renames into place. Writes zstd
 * frames (MASKPIPE_ZSTD_LEVEL, MASKPIPE_PLAIN=1 as for the tools). NULL
 * with a message. */
MP_API mp_writer *mp_writer_open(const char *path);

/* Writes the stream's header, as a tool does: a copy of `from` (the
 * header of the stream read, or NULL) with the format version set and
 * the command line argv[0..argc) appended to its provenance. Call it
 * once, before the first record. 0 or -1. */
MP_API int mp_writer_header(mp_writer *w, const mp_record *from, int argc,
			    const char *const *argv);

/* Writes a record: 0 or -1. */
MP_API int mp_writer_put(mp_writer *w, const mp_record *r);

/* Ends the stream (its end marker, when it has a header), closes it and
 * frees w: 0; -1 with a message (a path is then left untouched);
 * MP_BROKEN_PIPE when the reader of standard output went away, which a
 * filter takes as a normal end. */
#define MP_BROKEN_PIPE (-2)
MP_API int mp_writer_close(mp_writer *w);

/* Discards the output (the temporary file is removed) and frees w. */
MP_API void mp_writer_abort(mp_writer *w);

#ifdef __cplusplus
}
#endif

#endif
