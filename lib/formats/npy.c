#include "formats/npy.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/atomic.h"
#include "common/err.h"
#include "common/grow.h"

int npy_write(const char *path, const char *descr, const size_t *shape, int ndim,
	      const void *data, size_t item_bytes)
{
	if (ndim < 1 || ndim > 2)
		return err_set("%s: %d dimensions (1 or 2 are written)", path, ndim);
	char dims[64], head[192];
	size_t n_items = shape[0] * (ndim == 2 ? shape[1] : 1);
	if (ndim == 1)
		snprintf(dims, sizeof dims, "(%zu,)", shape[0]);
	else
		snprintf(dims, sizeof dims, "(%zu, %zu)", shape[0], shape[1]);
	int len = snprintf(head + 10, sizeof head - 10,
			   "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, dims);
	/* the header is padded with spaces and ends in '\n' so that the data
	 * starts 64-byte aligned, as numpy writes it */
	size_t total = (10 + (size_t)len + 1 + 63) / 64 * 64;
	memset(head + 10 + len, ' ', total - 10 - (size_t)len - 1);
	head[total - 1] = '\n';
	memcpy(head, "\x93NUMPY\x01\x00", 8);
	head[8] = (char)((total - 10) & 0xff);
	head[9] = (char)((total - 10) >> 8);
	atomic_file f;
	if (atomic_open(&f, path) < 0)
		return -1;
	/* little-endian data, as on every machine this runs on */
	if (write_all(f.fd, head, total) < 0 || write_all(f.fd, data, n_items * item_bytes) < 0) {
		int rc = err_errno("%s: write", path);
		atomic_abort(&f);
		return rc;
	}
	return atomic_commit(&f);
}
