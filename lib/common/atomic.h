/* Output files that appear under their name only when complete, and what
 * an output path may name:
 * - a regular file, or nothing yet: the bytes go to a temporary file in
 *   the same directory, renamed over the name by atomic_commit. The
 *   temporary file is unnamed (Linux's O_TMPFILE), so that no exit, not
 *   even SIGKILL, leaves it behind; it gets a name (".NAME.tmp.PID.N")
 *   only for the instant between link and rename, or for the whole write
 *   where the file system has no unnamed files. Named ones are removed on
 *   SIGINT, SIGTERM, SIGHUP and exit() (see cli_init);
 * - a symbolic link: followed; the file it finally names is replaced as
 *   above, the link stays. A link to nothing is refused: creating files
 *   through dangling links is how a link planted in a shared directory
 *   redirects a write, and cp(1) refuses it for the same reason;
 * - a character or block device or a FIFO: written to directly, never
 *   removed nor replaced (`-o /dev/null` must not make /dev/null a file);
 * - a directory or a socket: refused, since neither can be written.
 * Not fsync'ed, except before replacing an existing file: atomicity
 * holds against the process dying; against the machine dying it matters
 * only where a crash could leave an empty file in place of a good old
 * one, and an fsync on every new file would slow tools that write many
 * small ones (rec-png) for no such gain. */
#ifndef MASKPIPE_ATOMIC_H
#define MASKPIPE_ATOMIC_H

#include <stddef.h>

typedef struct atomic_file {
	int fd;
	char *path;     /* the name given, for messages; NULL when not open */
	char *target;   /* the file replaced at commit; NULL when written directly */
	char *tmp_path; /* the temporary file's name, while it has one */
	int replacing;  /* target exists: fsync before the rename */
} atomic_file;

/* 0 when path may be written by atomic_open, else -1 with a message
 * naming it ("is a directory", a dangling link, "is a socket"). */
int atomic_check(const char *path);

/* Opens the temporary file, or the device or FIFO itself; 0 or -1 with a
 * message naming `path`. A new file gets mode 0666 less the umask. */
int atomic_open(atomic_file *f, const char *path);

/* Closes, and renames the temporary file into place; 0 or -1 (then
 * nothing is left behind and an older file is untouched). */
int atomic_commit(atomic_file *f);

/* Closes and removes the temporary file. */
void atomic_abort(atomic_file *f);

/* Writes len bytes to path through atomic_open and atomic_commit. */
int atomic_write_file(const char *path, const void *data, size_t len);

/* Removes every named temporary file still open; async-signal-safe. */
void atomic_cleanup_all(void);

/* 1 (default): temporary files are unnamed where the file system allows.
 * The unit tests set 0 to exercise the named fallback. */
extern int atomic_use_tmpfile;

#endif
