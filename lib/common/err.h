/* One error convention for all of the library (after zstd's "one predicate"):
 * a function that can fail returns a negative int (or NULL) and leaves a
 * one-line message, without trailing newline, in a thread-local buffer.
 * Layers that know more context prepend it with err_prefix(), so a tool
 * prints "tool: file.rec: record 17: field 'img.px': truncated". */
#ifndef MASKPIPE_ERR_H
#define MASKPIPE_ERR_H

#if defined(__GNUC__)
#define MP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MP_PRINTF(a, b)
#endif

/* Replace the message; always returns -1 so callers can `return err_set(...)`. */
int err_set(const char *fmt, ...) MP_PRINTF(1, 2);

/* Prepend context to the current message; returns -1. */
int err_prefix(const char *fmt, ...) MP_PRINTF(1, 2);

/* err_set() with ": strerror(errno)" appended; returns -1. */
int err_errno(const char *fmt, ...) MP_PRINTF(1, 2);

/* The current message ("unknown error" if none was set). */
const char *err_msg(void);

#endif
