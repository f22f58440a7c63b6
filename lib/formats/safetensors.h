/* safetensors files (huggingface/safetensors, the format PyTorch users load
 * with safetensors.torch.load_file): an 8-byte little-endian header size,
 * a JSON header mapping each tensor name to {dtype, shape, data_offsets}
 * plus an optional "__metadata__" map of strings, then the tensor bytes.
 * Only F32 tensors are written and read here. */
#ifndef MASKPIPE_SAFETENSORS_H
#define MASKPIPE_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#define ST_MAX_DIMS 8

typedef struct st_tensor {
	const char *name;
	int ndim;
	int64_t shape[ST_MAX_DIMS];
	const float *data; /* writing: the values; reading: into the file's bytes (unaligned) */
	size_t n_floats;
} st_tensor;

/* Writes the tensors and the metadata pairs (meta[2i] = key, meta[2i+1] =
 * value) to path atomically: 0, or -1 with a message naming path. */
int st_write(const char *path, const st_tensor *tensors, int n_tensors, const char *const *meta,
	     int n_meta);

typedef struct st_file {
	uint8_t *bytes;
	size_t n_bytes;
	st_tensor *tensors;
	int n_tensors;
	char **meta;       /* key, value, key, value ... */
	int n_meta;
} st_file;

/* Reads and checks a whole file: header size within the file, one JSON
 * object (then only spaces) with no key twice, F32 tensors whose whole-number
 * offsets lie inside the data and match their shapes' element counts (in
 * integers, no product wrapping), and tensors that tile the data: no
 * overlap, no gap, no byte after the last. -1 with a message naming path
 * and the problem. */
int st_read(st_file *f, const char *path);
void st_free(st_file *f);

const st_tensor *st_find(const st_file *f, const char *name);
/* The metadata value of key, or NULL. */
const char *st_meta(const st_file *f, const char *key);

/* Copies a tensor's values out (the file's bytes need not be aligned). */
void st_copy(float *dst, const st_tensor *t);

#endif
