/* linprobe --export-npy: a probe set as NumPy arrays, so the same examples
 * can be fed to another implementation (scikit-learn, PyTorch) to compare. */
#ifndef MASKPIPE_PROBE_NPY_H
#define MASKPIPE_PROBE_NPY_H

#include "eval/probe_data.h"

/* PREFIX_PART_x.npy (float32 [n, dim]) and PREFIX_PART_y.npy (int64 [n],
 * the labels as the records hold them), each written atomically. */
int probe_set_write_npy(const probe_set *s, const char *prefix, const char *part);

#endif
