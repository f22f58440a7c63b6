/* mp_reader and mp_writer: the stream layer's reader and writer behind the
 * public API. */
#include <stdlib.h>

#include "api/api_record.h"
#include "common/err.h"
#include "stream/rec_io.h"

struct mp_reader {
	rec_reader *rd;
	/* a copy of rec_reader_header's, as an mp_record, once asked for */
	mp_record header;
	int have_header;
};

struct mp_writer {
	rec_writer *w;
};

static mp_reader *reader_of(rec_reader *rd)
{
	if (!rd)
		return NULL;
	mp_reader *r = calloc(1, sizeof *r);
	if (!r) {
		rec_reader_close(rd);
		err_set("out of memory for a reader");
		return NULL;
	}
	r->rd = rd;
	rec_init(&r->header.rec);
	return r;
}

mp_reader *mp_reader_open(const char *path)
{
	return reader_of(rec_reader_open(path));
}

mp_reader *mp_reader_open_fd(int fd, const char *name)
{
	return reader_of(rec_reader_open_fd(fd, name));
}

int mp_reader_next(mp_reader *rd, mp_record *r)
{
	return rec_reader_next(rd->rd, &r->rec);
}

const mp_record *mp_reader_header(mp_reader *rd)
{
	if (rd->have_header)
		return &rd->header;
	const rec *h = rec_reader_header(rd->rd);
	if (!h)
		return NULL;
	rec_clear(&rd->header.rec);
	for (size_t i = 0; i < h->n_fields; i++)
		if (rec_set_field(&rd->header.rec, &h->fields[i]) < 0)
			return NULL;
	rd->header.rec.is_header = 1;
	rd->have_header = 1;
	return &rd->header;
}

void mp_reader_close(mp_reader *rd)
{
	if (!rd)
		return;
	rec_reader_close(rd->rd);
	rec_free(&rd->header.rec);
	free(rd);
}

mp_writer *mp_writer_open(const char *path)
{
	mp_writer *w = malloc(sizeof *w);
	if (!w) {
		err_set("out of memory for a writer");
		return NULL;
	}
	if (!(w->w = rec_writer_open(path))) {
		free(w);
		return NULL;
	}
	return w;
}

int mp_writer_header(mp_writer *w, const mp_record *from, int argc, const char *const *argv)
{
	rec header;
	rec_init(&header);
	/* rec_header_make only reads argv (its type is main's) */
	int rc = rec_header_make(&header, from ? &from->rec : NULL, argc, (char **)argv);
	if (rc == 0)
		rc = rec_writer_put(w->w, &header);
	rec_free(&header);
	return rc;
}

int mp_writer_put(mp_writer *w, const mp_record *r)
{
	return rec_writer_put(w->w, &r->rec);
}

int mp_writer_close(mp_writer *w)
{
	int rc = rec_writer_close(w->w);
	free(w);
	return rc == REC_BROKEN_PIPE ? MP_BROKEN_PIPE : rc;
}

void mp_writer_abort(mp_writer *w)
{
	if (!w)
		return;
	rec_writer_abort(w->w);
	free(w);
}
