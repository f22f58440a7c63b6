/* Files that appear under their name only when complete: written under a
 * temporary name in the same directory, renamed into place on success.
 * Temporary files still open are removed if the process is killed by
 * SIGINT, SIGTERM or SIGHUP (see cli_init). */
#ifndef MASKPIPE_ATOMIC_H
#define MASKPIPE_ATOMIC_H

#include <stddef.h>

typedef struct atomic_file {
	int fd;
	char *path;     /* the final name */
	char *tmp_path; /* where the bytes go until atomic_commit */
} atomic_file;

/* Creates the temporary file; 0 or -1 with a message naming `path`. */
int atomic_open(atomic_file *f, const char *path);

/* Closes and renames into place (mode 0666 less umask); 0 or -1. */
int atomic_commit(atomic_file *f);

/* Closes and removes the temporary file. */
void atomic_abort(atomic_file *f);

/* Writes len bytes to path through atomic_open and atomic_commit. */
int atomic_write_file(const char *path, const void *data, size_t len);

/* Removes every temporary file still open; async-signal-safe. */
void atomic_cleanup_all(void);

#endif
