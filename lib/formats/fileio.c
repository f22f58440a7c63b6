#include "formats/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "common/err.h"

/* Large enough that inflate runs in long stretches (the 47 MB of MNIST
 * training images decode at memory speed), small enough to not matter. */
enum { GZ_BUFFER_BYTES = 256 * 1024 };

struct datafile {
	gzFile gz;
	int64_t plain_size;
};

datafile *datafile_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_errno("cannot open");
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		err_errno("cannot stat");
		close(fd);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		err_set("is a directory");
		close(fd);
		return NULL;
	}
	datafile *f = calloc(1, sizeof *f);
	if (!f || !(f->gz = gzdopen(fd, "rb"))) {
		err_set("out of memory opening a file");
		free(f);
		close(fd);
		return NULL;
	}
	gzbuffer(f->gz, GZ_BUFFER_BYTES);
	f->plain_size = S_ISREG(st.st_mode) && gzdirect(f->gz) ? (int64_t)st.st_size : -1;
	return f;
}

int64_t datafile_plain_size(const datafile *f)
{
	return f->plain_size;
}

/* zlib reports a gzip stream cut short as a plain end of file and keeps the
 * reason aside; this turns it, and real errors, into messages. */
static int gz_failure(gzFile gz)
{
	int errnum;
	const char *msg = gzerror(gz, &errnum);
	if (errnum == Z_ERRNO)
		return err_errno("read error");
	if (errnum == Z_BUF_ERROR)
		return err_set("truncated gzip data");
	return err_set("gzip: %s", msg);
}

/* Reads up to n bytes, stopping only at the end of the file. zlib may have
 * met the damage ahead of what was asked for: what came before it is good,
 * so the damage is reported only when the read comes short. */
static int read_some(datafile *f, uint8_t *buf, size_t n, size_t *got)
{
	*got = 0;
	while (*got < n) {
		size_t want = n - *got < INT_MAX ? n - *got : INT_MAX;
		int ret = gzread(f->gz, buf + *got, (unsigned)want);
		if (ret < 0)
			return gz_failure(f->gz);
		if (ret == 0)
			break;
		*got += (size_t)ret;
	}
	int errnum;
	gzerror(f->gz, &errnum);
	return *got == n || errnum == Z_OK ? 0 : gz_failure(f->gz);
}

int datafile_read(datafile *f, void *buf, size_t n)
{
	size_t got;
	if (read_some(f, buf, n, &got) < 0)
		return -1;
	if (got == n)
		return 1;
	if (got == 0)
		return 0;
	return err_set("truncated: %zu of %zu bytes", got, n);
}

int datafile_count_rest(datafile *f, uint64_t *n_left)
{
	uint8_t chunk[64 * 1024];
	size_t got;
	*n_left = 0;
	do {
		if (read_some(f, chunk, sizeof chunk, &got) < 0)
			return -1;
		*n_left += got;
	} while (got == sizeof chunk);
	return 0;
}

void datafile_close(datafile *f)
{
	if (!f)
		return;
	gzclose(f->gz);
	free(f);
}

/* A plain file's size is known before reading; a pipe's or a gzip file's
 * is not, so the buffer grows as data arrives and the limit holds before
 * the memory is taken, whatever the gzip header says. */
static int read_all_open(datafile *f, size_t max_bytes, uint8_t **data, size_t *len)
{
	int64_t plain = datafile_plain_size(f);
	if (plain > (int64_t)max_bytes)
		return err_set("file of %lld bytes is over the %zu-byte limit", (long long)plain,
			       max_bytes);
	size_t cap = plain >= 0 ? (size_t)plain + 1 : 64 * 1024;
	uint8_t *buf = NULL;
	*len = 0;
	for (;;) {
		uint8_t *grown = realloc(buf, cap);
		if (!grown) {
			free(buf);
			return err_set("out of memory reading %zu bytes", cap);
		}
		buf = grown;
		size_t got;
		if (read_some(f, buf + *len, cap - *len, &got) < 0) {
			free(buf);
			return -1;
		}
		*len += got;
		if (*len > max_bytes) {
			free(buf);
			return err_set("file is over the %zu-byte limit", max_bytes);
		}
		if (*len < cap)
			break;
		cap = cap * 2 > max_bytes + 1 ? max_bytes + 1 : cap * 2;
	}
	*data = buf;
	return 0;
}

int datafile_read_all(const char *path, size_t max_bytes, uint8_t **data, size_t *len)
{
	datafile *f = datafile_open(path);
	if (!f)
		return -1;
	int ret = read_all_open(f, max_bytes, data, len);
	datafile_close(f);
	return ret;
}

int itemfile_open(itemfile *it, const char *path, const char *noun)
{
	*it = (itemfile){ .noun = noun, .count = ITEMS_UNKNOWN };
	if (!(it->path = strdup(path)))
		return err_set("out of memory");
	if (!(it->f = datafile_open(path))) {
		err_prefix("%s: ", path);
		itemfile_close(it);
		return -1;
	}
	return 0;
}

int itemfile_header(itemfile *it, void *buf, size_t n)
{
	int got = datafile_read(it->f, buf, n);
	if (got == 0)
		return err_set("%s: empty file", it->path);
	if (got < 0)
		return err_prefix("%s: header: ", it->path);
	it->header_bytes += n;
	return 0;
}

/* A data-set file without a single item is a mistake (a failed download,
 * the wrong file), not an empty data set. */
static int no_items(const itemfile *it)
{
	return err_set("%s: no %ss: the file holds none", it->path, it->noun);
}

int itemfile_expect(itemfile *it, size_t item_bytes, uint64_t count)
{
	it->item_bytes = item_bytes;
	it->count = count;
	if (count == 0)
		return no_items(it);
	int64_t size = datafile_plain_size(it->f);
	if (size < 0)
		return 0;
	uint64_t payload = (uint64_t)size - it->header_bytes;
	if (count == ITEMS_UNKNOWN) {
		if (payload % item_bytes != 0)
			return err_set("%s: size %lld is not a whole number of %zu-byte records",
				       it->path, (long long)size, item_bytes);
		it->count = payload / item_bytes;
		return it->count == 0 ? no_items(it) : 0;
	}
	/* no overflow: counts are 32-bit or derived from a file size, items
	 * at most IMG_MAX_DIM squared bytes */
	uint64_t claimed = count * item_bytes;
	if (payload < claimed)
		return err_set("%s: truncated: room for %llu of the %llu %ss (%llu of %llu bytes)",
			       it->path, (unsigned long long)(payload / item_bytes),
			       (unsigned long long)count, it->noun, (unsigned long long)payload,
			       (unsigned long long)claimed);
	if (payload > claimed)
		return err_set("%s: %llu bytes of trailing data after the %llu %ss",
			       it->path, (unsigned long long)(payload - claimed),
			       (unsigned long long)count, it->noun);
	return 0;
}

/* At the end of the items: for a file whose size was not checked up front,
 * make sure nothing follows them. */
static int expect_end(itemfile *it)
{
	uint64_t n_left;
	if (datafile_count_rest(it->f, &n_left) < 0)
		return err_prefix("%s: after the last %s: ", it->path, it->noun);
	if (n_left > 0)
		return err_set("%s: %llu bytes of trailing data after the %llu %ss", it->path,
			       (unsigned long long)n_left, (unsigned long long)it->index, it->noun);
	return 0;
}

int itemfile_next(itemfile *it, void *buf)
{
	if (it->index == it->count)
		return expect_end(it) < 0 ? -1 : 0;
	int got = datafile_read(it->f, buf, it->item_bytes);
	if (got < 0)
		return err_prefix("%s: %s %llu: ", it->path, it->noun,
				  (unsigned long long)it->index);
	if (got == 0 && it->count != ITEMS_UNKNOWN)
		return err_set("%s: %s %llu: truncated: the file ends after %llu of %llu %ss",
			       it->path, it->noun, (unsigned long long)it->index,
			       (unsigned long long)it->index, (unsigned long long)it->count,
			       it->noun);
	if (got == 0) {
		it->count = it->index;
		return it->count == 0 ? no_items(it) : 0;
	}
	it->index++;
	return 1;
}

void itemfile_close(itemfile *it)
{
	datafile_close(it->f);
	free(it->path);
	*it = (itemfile){ 0 };
}

int file_labels_path(const char *given, const char *path, const char *suffix,
		     const char *replacement, char **found)
{
	static const char *const endings[] = { ".gz", "" };
	if (given)
		return (*found = strdup(given)) ? 0 : err_set("out of memory");
	const char *slash = strrchr(path, '/');
	const char *at = NULL;
	for (const char *s = slash ? slash + 1 : path; (s = strstr(s, suffix)); s++)
		at = s;
	*found = NULL;
	if (!at)
		return 0;
	int prefix_len = (int)(at - path);
	size_t cap = (size_t)prefix_len + strlen(replacement) + sizeof ".gz";
	char *candidate = malloc(cap);
	if (!candidate)
		return err_set("out of memory");
	for (size_t i = 0; i < sizeof endings / sizeof *endings; i++) {
		snprintf(candidate, cap, "%.*s%s%s", prefix_len, path, replacement, endings[i]);
		if (access(candidate, F_OK) == 0) {
			*found = candidate;
			return 0;
		}
	}
	free(candidate);
	return 0;
}

int file_base_name(const char *path, char *buf, size_t cap)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t len = strlen(base);
	if (len > 3 && strcmp(base + len - 3, ".gz") == 0)
		len -= 3;
	if (len >= cap)
		return err_set("file name longer than %zu bytes", cap - 1);
	memcpy(buf, base, len);
	buf[len] = '\0';
	return 0;
}
