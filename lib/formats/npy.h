/* NumPy's .npy files (format version 1.0, numpy/lib/format.py), for people
 * who continue in Python: np.load reads them. */
#ifndef MASKPIPE_NPY_H
#define MASKPIPE_NPY_H

#include <stddef.h>

/* Writes a C-order array of dtype descr ("<f4", "<i8") with ndim (1 or 2)
 * dimensions to path atomically; 0 or -1 with a message naming path. */
int npy_write(const char *path, const char *descr, const size_t *shape, int ndim,
	      const void *data, size_t item_bytes);

#endif
