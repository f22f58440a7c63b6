/* A minimal unit-test harness: each test binary runs its cases with RUN(),
 * prints "PASS name" or "FAIL name" per case, and exits 1 if any failed.
 * tests/run.sh adds the lines up. */
#ifndef MASKPIPE_CHECK_H
#define MASKPIPE_CHECK_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_case_failed;
static int check_cases_failed;

#define CHECK(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			check_case_failed = 1;                                          \
		}                                                                       \
	} while (0)

#define CHECK_EQ(a, b)                                                                  \
	do {                                                                            \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);         \
		if (check_a_ != check_b_) {                                             \
			fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, \
				__LINE__, #a, check_a_, #b, check_b_);                  \
			check_case_failed = 1;                                          \
		}                                                                       \
	} while (0)

#define CHECK_STR(a, b)                                                                 \
	do {                                                                            \
		const char *check_a_ = (a), *check_b_ = (b);                            \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {        \
			fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, \
				__LINE__, #a, check_a_ ? check_a_ : "(null)",           \
				check_b_ ? check_b_ : "(null)");                        \
			check_case_failed = 1;                                          \
		}                                                                       \
	} while (0)

#define RUN(fn) check_run(#fn, fn)

static inline void check_run(const char *name, void (*fn)(void))
{
	check_case_failed = 0;
	fn();
	printf("%s %s\n", check_case_failed ? "FAIL" : "PASS", name);
	fflush(stdout);
	check_cases_failed += check_case_failed;
}

static inline int check_exit(void)
{
	return check_cases_failed ? 1 : 0;
}

/* A scratch directory the runner creates per test binary. */
static inline const char *check_tmpdir(void)
{
	const char *dir = getenv("MASKPIPE_TEST_TMP");
	return dir ? dir : "/tmp";
}

/* name's path in the temporary directory, in one of four rotating
 * buffers: a test may hold up to four paths at once. */
static inline char *check_tmp_path(const char *name)
{
	static char buf[4][512];
	static int next;
	char *p = buf[next++ % 4];
	snprintf(p, sizeof buf[0], "%s/%s", check_tmpdir(), name);
	return p;
}

/* The number of entries in dir, "." and ".." aside: what a test that
 * leaves no temporary file behind counts. */
static inline int check_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	if (d)
		closedir(d);
	return n;
}

#endif
