#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "common/atomic.h"
#include "common/env.h"
#include "common/err.h"
#include "common/grow.h"
#include "stream/rec_io.h"
#include "common/sizelimit.h"

/* Records gather in `pending`. A full frame's worth is handed to a slot;
 * worker threads compress slots in parallel (frames are independent) and
 * write them strictly in order. Frame boundaries depend only on the bytes,
 * so the output is identical whatever the timing or the number of workers. */

enum slot_state { SLOT_FREE, SLOT_FILLED, SLOT_BUSY };
enum { MAX_WORKERS = 4 };

typedef struct slot {
	enum slot_state state;
	uint64_t seq;
	uint8_t *raw;
	size_t raw_len, raw_cap;
} slot;

typedef struct worker {
	rec_writer *w;
	pthread_t thread;
	ZSTD_CCtx *cctx;
	uint8_t *frame;
	size_t frame_cap;
} worker;

struct rec_writer {
	int fd;
	char *name;
	atomic_file file; /* when writing to a path */
	int plain;
	int level;
	uint8_t *pending;
	size_t pending_len, pending_cap;

	pthread_mutex_t lock;
	pthread_cond_t changed;
	int n_workers, n_started, n_slots;
	worker workers[MAX_WORKERS];
	slot slots[MAX_WORKERS + 1];
	uint64_t next_seq;  /* given to the next filled slot */
	uint64_t write_seq; /* the slot whose turn it is to be written */
	int stopping;
	int write_errno;     /* errno of a failed write */
	char worker_msg[256];
	int failed;
	int header_written;
	uint64_t records_since_header; /* for the end marker */
	uint64_t max_record; /* the bytes a record may take (limit_max_record_bytes) */
};

/* Compresses a slot into the worker's frame buffer; returns the bytes to
 * write, or NULL with w->worker_msg set (under the lock by the caller). */
static const uint8_t *compress_slot(worker *wk, slot *s, size_t *len, char *msg, size_t msg_cap)
{
	rec_writer *w = wk->w;
	if (w->plain) {
		*len = s->raw_len;
		return s->raw;
	}
	size_t bound = ZSTD_compressBound(s->raw_len);
	if (bound > wk->frame_cap) {
		free(wk->frame);
		wk->frame = malloc(bound);
		wk->frame_cap = wk->frame ? bound : 0;
		if (!wk->frame) {
			snprintf(msg, msg_cap, "out of memory");
			return NULL;
		}
	}
	*len = ZSTD_compress2(wk->cctx, wk->frame, wk->frame_cap, s->raw, s->raw_len);
	if (ZSTD_isError(*len)) {
		snprintf(msg, msg_cap, "zstd: %s", ZSTD_getErrorName(*len));
		return NULL;
	}
	return wk->frame;
}

static slot *oldest_filled(rec_writer *w)
{
	slot *best = NULL;
	for (int i = 0; i < w->n_slots; i++)
		if (w->slots[i].state == SLOT_FILLED && (!best || w->slots[i].seq < best->seq))
			best = &w->slots[i];
	return best;
}

static void *worker_main(void *arg)
{
	worker *wk = arg;
	rec_writer *w = wk->w;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		slot *s;
		while (!(s = oldest_filled(w)) && !w->stopping)
			pthread_cond_wait(&w->changed, &w->lock);
		if (!s)
			break;
		s->state = SLOT_BUSY;
		int skip = w->write_errno || w->worker_msg[0];
		pthread_mutex_unlock(&w->lock);

		char msg[256] = "";
		size_t len = 0;
		const uint8_t *bytes = skip ? NULL : compress_slot(wk, s, &len, msg, sizeof msg);

		pthread_mutex_lock(&w->lock);
		while (w->write_seq != s->seq)
			pthread_cond_wait(&w->changed, &w->lock);
		if (msg[0] && !w->worker_msg[0])
			snprintf(w->worker_msg, sizeof w->worker_msg, "%s", msg);
		if (bytes && !w->write_errno && !w->worker_msg[0]) {
			/* our turn: no other worker writes until write_seq moves on */
			pthread_mutex_unlock(&w->lock);
			int failed = write_all(w->fd, bytes, len) < 0;
			int saved = errno;
			pthread_mutex_lock(&w->lock);
			if (failed)
				w->write_errno = saved;
		}
		w->write_seq++;
		s->state = SLOT_FREE;
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void writer_free(rec_writer *w)
{
	if (w->n_started) {
		pthread_mutex_lock(&w->lock);
		w->stopping = 1;
		pthread_cond_broadcast(&w->changed);
		pthread_mutex_unlock(&w->lock);
		for (int i = 0; i < w->n_started; i++)
			pthread_join(w->workers[i].thread, NULL);
	}
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->changed);
	for (int i = 0; i < w->n_workers; i++) {
		ZSTD_freeCCtx(w->workers[i].cctx);
		free(w->workers[i].frame);
	}
	for (int i = 0; i < w->n_slots; i++)
		free(w->slots[i].raw);
	free(w->pending);
	free(w->name);
	free(w);
}

/* Reads MASKPIPE_PLAIN, MASKPIPE_ZSTD_LEVEL, MASKPIPE_ZSTD_THREADS
 * (default: the processors, at most MAX_WORKERS; plain output needs one)
 * and MASKPIPE_MAX_RECORD_MB. */
static int read_settings(rec_writer *w)
{
	long plain, level, threads;
	long n_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (env_int("MASKPIPE_PLAIN", 0, 0, 1, &plain) < 0 ||
	    env_int("MASKPIPE_ZSTD_LEVEL", REC_DEFAULT_LEVEL, ZSTD_minCLevel(), ZSTD_maxCLevel(),
		    &level) < 0 ||
	    env_int("MASKPIPE_ZSTD_THREADS", n_cpus < MAX_WORKERS ? n_cpus : MAX_WORKERS, 1,
		    MAX_WORKERS, &threads) < 0 ||
	    limit_max_record_bytes(&w->max_record) < 0)
		return -1;
	w->plain = (int)plain;
	w->level = (int)level;
	w->n_workers = plain ? 1 : (int)threads;
	return 0;
}

static rec_writer *writer_new(int fd, const char *name)
{
	rec_writer *w = calloc(1, sizeof *w);
	if (!w || !(w->name = strdup(name))) {
		free(w);
		err_set("%s: out of memory", name);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->changed, NULL);
	w->fd = fd;
	w->file.fd = -1;
	if (read_settings(w) < 0) {
		writer_free(w);
		return NULL;
	}
	w->n_slots = w->n_workers + 1;
	w->pending_cap = REC_FRAME_BYTES + (REC_FRAME_BYTES >> 2);
	int ok = (w->pending = malloc(w->pending_cap)) != NULL;
	for (int i = 0; ok && i < w->n_slots; i++) {
		w->slots[i].raw_cap = w->pending_cap;
		ok = (w->slots[i].raw = malloc(w->pending_cap)) != NULL;
	}
	for (int i = 0; ok && i < w->n_workers; i++) {
		worker *wk = &w->workers[i];
		wk->w = w;
		ok = (wk->cctx = ZSTD_createCCtx()) != NULL;
		if (ok) {
			ZSTD_CCtx_setParameter(wk->cctx, ZSTD_c_compressionLevel, w->level);
			ZSTD_CCtx_setParameter(wk->cctx, ZSTD_c_checksumFlag, 1);
		}
	}
	if (!ok) {
		err_set("%s: out of memory", name);
		writer_free(w);
		return NULL;
	}
	for (int i = 0; i < w->n_workers; i++) {
		if (pthread_create(&w->workers[i].thread, NULL, worker_main, &w->workers[i]) != 0) {
			err_set("%s: cannot start a compression thread", name);
			writer_free(w);
			return NULL;
		}
		w->n_started++;
	}
	return w;
}

rec_writer *rec_writer_open(const char *path)
{
	if (!path || strcmp(path, "-") == 0)
		return writer_new(STDOUT_FILENO, "stdout");
	atomic_file file;
	if (atomic_open(&file, path) < 0)
		return NULL;
	rec_writer *w = writer_new(file.fd, path);
	if (!w) {
		atomic_abort(&file);
		return NULL;
	}
	w->file = file;
	return w;
}

/* Reports what the workers failed at, if anything; call with the lock. */
static int worker_error(rec_writer *w)
{
	if (w->write_errno) {
		errno = w->write_errno;
		return err_errno("%s: write error", w->name);
	}
	if (w->worker_msg[0])
		return err_set("%s: %s", w->name, w->worker_msg);
	return 0;
}

int rec_writer_flush(rec_writer *w)
{
	if (w->failed)
		return err_set("%s: the output failed earlier", w->name);
	if (w->pending_len == 0)
		return 0;
	pthread_mutex_lock(&w->lock);
	slot *s = NULL;
	for (;;) {
		for (int i = 0; i < w->n_slots && !s; i++)
			if (w->slots[i].state == SLOT_FREE)
				s = &w->slots[i];
		if (s || w->write_errno || w->worker_msg[0])
			break;
		pthread_cond_wait(&w->changed, &w->lock);
	}
	if (worker_error(w) < 0) {
		pthread_mutex_unlock(&w->lock);
		w->failed = 1;
		return -1;
	}
	uint8_t *swap = s->raw;
	size_t swap_cap = s->raw_cap;
	s->raw = w->pending;
	s->raw_cap = w->pending_cap;
	s->raw_len = w->pending_len;
	s->seq = w->next_seq++;
	s->state = SLOT_FILLED;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	w->pending = swap;
	w->pending_cap = swap_cap;
	w->pending_len = 0;
	return 0;
}

/* Waits until every filled slot is written. */
static int drain(rec_writer *w)
{
	pthread_mutex_lock(&w->lock);
	while (w->write_seq != w->next_seq)
		pthread_cond_wait(&w->changed, &w->lock);
	int rc = worker_error(w);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

int rec_writer_put(rec_writer *w, const rec *r)
{
	if (w->failed)
		return err_set("%s: the output failed earlier", w->name);
	size_t size = rec_encoded_size(r);
	if (size > w->max_record) { /* no reader would take it */
		char what[256];
		return err_set("%s: %s would take %zu bytes, over the %llu MiB record limit "
			       "(MASKPIPE_MAX_RECORD_MB raises it)", w->name,
			       rec_describe(r, what, sizeof what), size,
			       (unsigned long long)(w->max_record >> 20));
	}
	if (grow_array(&w->pending, &w->pending_cap, w->pending_len + size, 1) < 0) {
		w->failed = 1;
		return err_prefix("%s: ", w->name);
	}
	rec_encode(r, w->pending + w->pending_len);
	w->pending_len += size;
	if (r->is_header) {
		w->header_written = 1;
		w->records_since_header = 0;
	} else {
		w->records_since_header++;
	}
	if (w->pending_len >= REC_FRAME_BYTES)
		return rec_writer_flush(w);
	return 0;
}

int rec_writer_broken_pipe(const rec_writer *w)
{
	return w && w->write_errno == EPIPE;
}

static int put_end_marker(rec_writer *w)
{
	if (!w->header_written)
		return 0;
	rec marker;
	rec_init(&marker);
	int rc = rec_set_int(&marker, REC_END_KEY, (int64_t)w->records_since_header);
	if (rc == 0)
		rc = rec_writer_put(w, &marker);
	rec_free(&marker);
	return rc;
}

int rec_writer_close(rec_writer *w)
{
	int rc = put_end_marker(w);
	if (rc == 0)
		rc = rec_writer_flush(w);
	int drained = drain(w);
	if (rc == 0)
		rc = drained;
	if (w->file.path) {
		if (rc == 0)
			rc = atomic_commit(&w->file);
		else
			atomic_abort(&w->file);
	}
	int pipe_gone = rec_writer_broken_pipe(w);
	writer_free(w);
	return rc < 0 && pipe_gone ? REC_BROKEN_PIPE : rc;
}

void rec_writer_abort(rec_writer *w)
{
	if (!w)
		return;
	w->pending_len = 0;
	drain(w);
	atomic_abort(&w->file);
	writer_free(w);
}
