/* Output files (atomic.c), in both of their ways (an unnamed O_TMPFILE
 * file, a named temporary file): they appear whole or not at all; what
 * the path names decides how they are written (a device or FIFO in place,
 * a symbolic link followed, a dangling link, a socket or a directory
 * refused); and no failure, signal, exit() or SIGKILL leaves a temporary
 * file behind. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/atomic.h"
#include "check.h"
#include "cli/cli.h"
#include "common/err.h"

enum { PATH_CAP = 512 };

/* A new empty directory for one case, under the scratch directory. */
static const char *fresh_dir(const char *name)
{
	static char dir[PATH_CAP];
	static int n;
	snprintf(dir, sizeof dir, "%s/%s.%d", check_tmpdir(), name, n++);
	CHECK_EQ(mkdir(dir, 0777), 0);
	return dir;
}

static const char *in(const char *dir, const char *name)
{
	static char buf[4][PATH_CAP];
	static int next;
	char *p = buf[next++ % 4];
	snprintf(p, PATH_CAP, "%s/%s", dir, name);
	return p;
}

/* The file's text (up to 63 bytes), "" when it cannot be read. */
static const char *text_of(const char *path)
{
	static char buf[64];
	buf[0] = '\0';
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return buf;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

/* Whether dir's file system has unnamed files (O_TMPFILE): where it has
 * none (overlayfs before Linux 6.6), atomic.c names its temporary files,
 * and SIGKILL can leave one. */
static int has_unnamed(const char *dir)
{
	int fd = open(dir, O_TMPFILE | O_WRONLY, 0600);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static void appears_whole(int unnamed)
{
	atomic_use_tmpfile = unnamed;
	const char *dir = fresh_dir(unnamed ? "whole-unnamed" : "whole-named");
	const char *path = in(dir, "out");
	CHECK_EQ(atomic_write_file(path, "hello", 5), 0);
	CHECK_STR(text_of(path), "hello");
	atomic_file f;
	CHECK_EQ(atomic_open(&f, path), 0);
	CHECK(write(f.fd, "partial", 7) == 7);
	/* an unnamed temporary file is nowhere to be seen, so nothing can
	 * leave it behind */
	CHECK_EQ(check_count_entries(dir), unnamed && has_unnamed(dir) ? 1 : 2);
	atomic_abort(&f);
	CHECK_STR(text_of(path), "hello"); /* the old file stays */
	CHECK_EQ(check_count_entries(dir), 1);
	CHECK_EQ(atomic_open(&f, path), 0);
	CHECK(write(f.fd, "new", 3) == 3);
	CHECK_EQ(atomic_commit(&f), 0);
	CHECK_STR(text_of(path), "new");
	CHECK_EQ(check_count_entries(dir), 1);
	const char *fresh = in(dir, "fresh");
	CHECK_EQ(atomic_write_file(fresh, "x", 1), 0);
	struct stat st;
	mode_t mask = umask(0);
	umask(mask);
	CHECK(stat(fresh, &st) == 0 && (st.st_mode & 0777) == (0666 & ~mask));
	CHECK_EQ(atomic_write_file(in(dir, "no/such/dir/x"), "x", 1), -1);
	CHECK(strstr(err_msg(), "no/such/dir/x") != NULL);
	CHECK_EQ(check_count_entries(dir), 2);
	atomic_use_tmpfile = 1;
}

static void appears_whole_unnamed(void)
{
	appears_whole(1);
}

static void appears_whole_named(void)
{
	appears_whole(0);
}

/* `-o /dev/null` once made /dev/null a regular file: a device or a FIFO
 * is written in place, never renamed over nor removed. */
static void devices_and_fifos_written_in_place(void)
{
	const char *dir = fresh_dir("fifo");
	const char *fifo = in(dir, "fifo");
	CHECK_EQ(mkfifo(fifo, 0666), 0);
	int reader = open(fifo, O_RDONLY | O_NONBLOCK);
	CHECK_EQ(atomic_write_file(fifo, "abc", 3), 0);
	char got[8] = "";
	CHECK_EQ(read(reader, got, sizeof got - 1), 3);
	CHECK_STR(got, "abc");
	atomic_file f;
	CHECK_EQ(atomic_open(&f, fifo), 0);
	atomic_abort(&f); /* a failure does not remove it either */
	close(reader);
	struct stat st;
	CHECK(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK_EQ(check_count_entries(dir), 1);

	/* a device node needs root; without it there is nothing to check */
	if (geteuid() != 0)
		return;
	const char *null = in(dir, "null");
	CHECK_EQ(mknod(null, S_IFCHR | 0666, makedev(1, 3)), 0);
	CHECK_EQ(atomic_write_file(null, "abc", 3), 0);
	CHECK(lstat(null, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
	CHECK_EQ(check_count_entries(dir), 2);
}

static void links_followed_dangling_refused(void)
{
	const char *dir = fresh_dir("links");
	CHECK_EQ(atomic_write_file(in(dir, "real"), "old", 3), 0);
	CHECK_EQ(symlink("real", in(dir, "link")), 0);
	CHECK_EQ(symlink("link", in(dir, "chain")), 0);
	CHECK_EQ(atomic_write_file(in(dir, "chain"), "new", 3), 0);
	struct stat st;
	CHECK(lstat(in(dir, "chain"), &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(lstat(in(dir, "link"), &st) == 0 && S_ISLNK(st.st_mode));
	CHECK_STR(text_of(in(dir, "real")), "new");
	CHECK_EQ(check_count_entries(dir), 3);

	CHECK_EQ(symlink("missing", in(dir, "dangling")), 0);
	CHECK_EQ(atomic_check(in(dir, "dangling")), -1);
	CHECK(strstr(err_msg(), "dangling: is a symbolic link to a missing file") != NULL);
	CHECK_EQ(atomic_write_file(in(dir, "dangling"), "x", 1), -1);
	CHECK(lstat(in(dir, "missing"), &st) < 0); /* not created through the link */
	CHECK_EQ(check_count_entries(dir), 4);
}

static void sockets_and_directories_refused(void)
{
	const char *dir = fresh_dir("refused");
	const char *sock = in(dir, "sock");
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock);
	CHECK_EQ(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
	CHECK_EQ(atomic_check(sock), -1);
	CHECK(strstr(err_msg(), "sock: is a socket") != NULL);
	CHECK_EQ(atomic_write_file(sock, "x", 1), -1);
	struct stat st;
	CHECK(lstat(sock, &st) == 0 && S_ISSOCK(st.st_mode));
	close(fd);
	CHECK_EQ(atomic_check(dir), -1);
	CHECK(strstr(err_msg(), "is a directory") != NULL);
	CHECK_EQ(check_count_entries(dir), 1);
}

/* How a child process ends while its output is open. */
enum ending { END_EXIT, END_SIGNAL, END_KILL };

/* Runs a child that starts a tool's way (cli_init), opens path, writes,
 * and ends as told; returns its wait status. */
static int end_mid_write(const char *path, int unnamed, enum ending how)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {"test_atomic", NULL};
		cli_init(1, argv);
		atomic_use_tmpfile = unnamed;
		atomic_file f;
		if (atomic_open(&f, path) < 0 || write(f.fd, "partial", 7) != 7)
			_exit(3);
		if (how == END_EXIT)
			exit(1); /* as CUDA_CHECK and cli_fail do */
		raise(how == END_SIGNAL ? SIGTERM : SIGKILL);
		_exit(4);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	return status;
}

static void nothing_left_by_any_end(void)
{
	for (int unnamed = 0; unnamed <= 1; unnamed++) {
		const char *dir = fresh_dir("end");
		const char *path = in(dir, "out");
		int status = end_mid_write(path, unnamed, END_EXIT);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
		CHECK_EQ(check_count_entries(dir), 0);
		status = end_mid_write(path, unnamed, END_SIGNAL);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
		CHECK_EQ(check_count_entries(dir), 0);
	}
	/* SIGKILL cannot be caught: only an unnamed file leaves nothing */
	const char *dir = fresh_dir("kill");
	if (!has_unnamed(dir))
		return;
	int status = end_mid_write(in(dir, "out"), 1, END_KILL);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK_EQ(check_count_entries(dir), 0);
}

int main(void)
{
	RUN(appears_whole_unnamed);
	RUN(appears_whole_named);
	RUN(devices_and_fifos_written_in_place);
	RUN(links_followed_dangling_refused);
	RUN(sockets_and_directories_refused);
	RUN(nothing_left_by_any_end);
	return check_exit();
}
