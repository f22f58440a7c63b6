#include "common/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/grow.h"

int atomic_use_tmpfile = 1;

/* Named temporary files, for atomic_cleanup_all() in a signal handler or
 * at exit; and the count that makes their names unique in this process. */
enum { MAX_OPEN = 64 };
static char *volatile open_tmp[MAX_OPEN];
static unsigned tmp_count;
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

static void track(char *tmp_path, int add)
{
	pthread_mutex_lock(&open_lock);
	for (int i = 0; i < MAX_OPEN; i++) {
		if (add && !open_tmp[i]) {
			open_tmp[i] = tmp_path;
			break;
		}
		if (!add && open_tmp[i] == tmp_path) {
			open_tmp[i] = NULL;
			break;
		}
	}
	pthread_mutex_unlock(&open_lock);
}

void atomic_cleanup_all(void)
{
	for (int i = 0; i < MAX_OPEN; i++)
		if (open_tmp[i])
			unlink(open_tmp[i]);
}

/* Where path leads: *target is the regular file to replace (path, or the
 * file its links end at) or to create, NULL for a device or FIFO written
 * directly; *replacing says whether it exists. -1 for what is refused. */
static int classify(const char *path, char **target, int *replacing)
{
	struct stat st;
	*target = NULL;
	*replacing = 0;
	if (lstat(path, &st) < 0) {
		/* nothing there: a new file (a missing directory or a
		 * permission is reported when it is created) */
		*target = strdup(path);
		return *target ? 0 : err_set("%s: out of memory", path);
	}
	int is_link = S_ISLNK(st.st_mode);
	if (is_link && stat(path, &st) < 0) {
		if (errno == ENOENT)
			return err_set("%s: is a symbolic link to a missing file "
				       "(not written through; name the file itself)", path);
		return err_errno("%s", path);
	}
	if (S_ISDIR(st.st_mode))
		return err_set("%s: is a directory", path);
	if (S_ISSOCK(st.st_mode))
		return err_set("%s: is a socket, which cannot be written to", path);
	if (!S_ISREG(st.st_mode))
		return 0;
	*replacing = 1;
	/* the rename must land on the file, not on the link */
	*target = is_link ? realpath(path, NULL) : strdup(path);
	return *target ? 0 : err_errno("%s", path);
}

int atomic_check(const char *path)
{
	char *target;
	int replacing;
	int rc = classify(path, &target, &replacing);
	free(target);
	return rc;
}

/* ".NAME.tmp.PID.N" beside target: no other process's, nor one of ours. */
static char *tmp_name(const char *target)
{
	pthread_mutex_lock(&open_lock);
	unsigned n = tmp_count++;
	pthread_mutex_unlock(&open_lock);
	const char *slash = strrchr(target, '/');
	int dir_len = slash ? (int)(slash - target + 1) : 0;
	char *name;
	if (asprintf(&name, "%.*s.%s.tmp.%ld.%u", dir_len, target, target + dir_len,
		     (long)getpid(), n) < 0)
		return NULL;
	return name;
}

/* Gives the temporary file a name, f->tmp_path: a new file (create) or a
 * link to the unnamed one f->fd. A name left by a process of the same id
 * that died is skipped (EEXIST), not reused. */
static int name_tmp(atomic_file *f, int create)
{
	enum { TRIES = 100 };
	for (int i = 0; i < TRIES; i++) {
		char *name = tmp_name(f->target);
		if (!name)
			return err_set("%s: out of memory", f->path);
		int ok;
		if (create) {
			ok = (f->fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) >= 0;
		} else {
			char proc[40];
			snprintf(proc, sizeof proc, "/proc/self/fd/%d", f->fd);
			ok = linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0;
		}
		if (ok) {
			f->tmp_path = name;
			track(name, 1);
			return 0;
		}
		int saved = errno;
		free(name);
		errno = saved;
		if (errno != EEXIST)
			break;
	}
	return err_errno(create ? "%s: cannot create a temporary file beside it"
				: "%s: cannot link the finished file beside it", f->path);
}

/* An unnamed file in target's directory, or -1 where the file system has
 * none or /proc, through which atomic_commit links it, is missing. */
static int open_unnamed(const char *target)
{
	const char *slash = strrchr(target, '/');
	char *dir = slash ? strndup(target, (size_t)(slash - target + 1)) : strdup(".");
	if (!dir)
		return -1;
	/* the mode is 0666 less the umask, as for any new file */
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
	free(dir);
	if (fd < 0)
		return -1;
	char proc[40];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	struct stat via_fd, via_proc;
	if (fstat(fd, &via_fd) < 0 || stat(proc, &via_proc) < 0 ||
	    via_fd.st_ino != via_proc.st_ino || via_fd.st_dev != via_proc.st_dev) {
		close(fd);
		return -1;
	}
	return fd;
}

static void release(atomic_file *f)
{
	if (f->tmp_path)
		track(f->tmp_path, 0);
	free(f->path);
	free(f->target);
	free(f->tmp_path);
	memset(f, 0, sizeof *f);
	f->fd = -1;
}

int atomic_open(atomic_file *f, const char *path)
{
	memset(f, 0, sizeof *f);
	f->fd = -1;
	if (classify(path, &f->target, &f->replacing) < 0)
		return -1;
	if (!(f->path = strdup(path))) {
		free(f->target);
		return err_set("%s: out of memory", path);
	}
	if (!f->target) {
		/* a device or FIFO; a FIFO waits for a reader, as with > */
		f->fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (f->fd >= 0)
			return 0;
		err_errno("%s: cannot open", path);
	} else if (atomic_use_tmpfile && (f->fd = open_unnamed(f->target)) >= 0) {
		return 0;
	} else if (name_tmp(f, 1) == 0) {
		return 0;
	}
	release(f);
	return -1;
}

int atomic_commit(atomic_file *f)
{
	int rc = 0;
	if (f->replacing && fsync(f->fd) < 0)
		rc = err_errno("%s: cannot sync", f->path);
	if (rc == 0 && f->target && !f->tmp_path)
		rc = name_tmp(f, 0);
	if (close(f->fd) < 0 && rc == 0)
		rc = err_errno("%s: close", f->path);
	if (rc == 0 && f->target && rename(f->tmp_path, f->target) < 0)
		rc = err_errno("%s: cannot rename the finished file into place", f->path);
	if (rc < 0 && f->tmp_path)
		unlink(f->tmp_path);
	release(f);
	return rc;
}

void atomic_abort(atomic_file *f)
{
	if (!f->path)
		return;
	close(f->fd);
	if (f->tmp_path)
		unlink(f->tmp_path);
	release(f);
}

int atomic_write_file(const char *path, const void *data, size_t len)
{
	atomic_file f;
	if (atomic_open(&f, path) < 0)
		return -1;
	if (write_all(f.fd, data, len) < 0) {
		err_errno("%s: write error", path);
		atomic_abort(&f);
		return -1;
	}
	return atomic_commit(&f);
}
