#include "atomic.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "grow.h"

/* Open temporary names, for atomic_cleanup_all() in a signal handler. */
enum { MAX_OPEN = 64 };
static char *volatile open_tmp[MAX_OPEN];
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

int atomic_open(atomic_file *f, const char *path)
{
	memset(f, 0, sizeof *f);
	f->fd = -1;
	const char *slash = strrchr(path, '/');
	int dir_len = slash ? (int)(slash - path + 1) : 0;
	f->path = strdup(path);
	if (!f->path || asprintf(&f->tmp_path, "%.*s.%s.tmp.XXXXXX", dir_len, path,
				 path + dir_len) < 0) {
		free(f->path);
		return err_set("%s: out of memory", path);
	}
	f->fd = mkstemp(f->tmp_path);
	if (f->fd < 0) {
		err_errno("%s: cannot create a temporary file beside it", path);
		free(f->path);
		free(f->tmp_path);
		return -1;
	}
	track(f->tmp_path, 1);
	return 0;
}

static void release(atomic_file *f)
{
	track(f->tmp_path, 0);
	free(f->path);
	free(f->tmp_path);
	f->path = f->tmp_path = NULL;
	f->fd = -1;
}

int atomic_commit(atomic_file *f)
{
	/* mkstemp made the file readable by its owner only; it gets the mode
	 * any new file would. umask has no read-only query: set and restore. */
	mode_t mask = umask(0);
	umask(mask);
	int rc = 0;
	if (fchmod(f->fd, 0666 & ~mask) < 0)
		rc = err_errno("%s: chmod", f->path);
	if (close(f->fd) < 0 && rc == 0)
		rc = err_errno("%s: close", f->path);
	if (rc == 0 && rename(f->tmp_path, f->path) < 0)
		rc = err_errno("%s: cannot rename the finished file into place", f->path);
	if (rc < 0)
		unlink(f->tmp_path);
	release(f);
	return rc;
}

void atomic_abort(atomic_file *f)
{
	if (!f->tmp_path)
		return;
	close(f->fd);
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
