/* Reading and writing safetensors files with cJSON for the header. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic.h"
#include "common/err.h"
#include "formats/fileio.h"
#include "common/grow.h"
#include "formats/safetensors.h"

/* the format's own limit on the header (safetensors' MAX_HEADER_SIZE) */
#define ST_MAX_HEADER ((uint64_t)100 << 20)

static cJSON *make_header(const st_tensor *tensors, int n_tensors, const char *const *meta,
			  int n_meta)
{
	cJSON *root = cJSON_CreateObject();
	if (!root)
		return NULL;
	if (n_meta) {
		cJSON *m = cJSON_AddObjectToObject(root, "__metadata__");
		for (int i = 0; m && i < n_meta; i++)
			if (!cJSON_AddStringToObject(m, meta[2 * i], meta[2 * i + 1]))
				m = NULL;
		if (!m)
			goto fail;
	}
	size_t offset = 0;
	for (int i = 0; i < n_tensors; i++) {
		const st_tensor *t = &tensors[i];
		cJSON *o = cJSON_AddObjectToObject(root, t->name);
		cJSON *shape = o ? cJSON_AddArrayToObject(o, "shape") : NULL;
		cJSON *offsets = shape ? cJSON_AddArrayToObject(o, "data_offsets") : NULL;
		if (!offsets || !cJSON_AddStringToObject(o, "dtype", "F32"))
			goto fail;
		for (int d = 0; d < t->ndim; d++)
			cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)t->shape[d]));
		cJSON_AddItemToArray(offsets, cJSON_CreateNumber((double)offset));
		offset += t->n_floats * sizeof(float);
		cJSON_AddItemToArray(offsets, cJSON_CreateNumber((double)offset));
	}
	return root;
fail:
	cJSON_Delete(root);
	return NULL;
}

int st_write(const char *path, const st_tensor *tensors, int n_tensors, const char *const *meta,
	     int n_meta)
{
	cJSON *root = make_header(tensors, n_tensors, meta, n_meta);
	char *json = root ? cJSON_PrintUnformatted(root) : NULL;
	cJSON_Delete(root);
	if (!json)
		return err_set("%s: out of memory for the header", path);
	/* spaces pad the header so the data starts 8-byte aligned, as the
	 * reference writer does */
	size_t json_len = strlen(json), padded = (json_len + 7) / 8 * 8;
	uint8_t *head = malloc(8 + padded);
	if (!head) {
		free(json);
		return err_set("%s: out of memory", path);
	}
	for (int i = 0; i < 8; i++)
		head[i] = (uint8_t)((uint64_t)padded >> (8 * i));
	memcpy(head + 8, json, json_len);
	memset(head + 8 + json_len, ' ', padded - json_len);
	free(json);
	atomic_file f;
	if (atomic_open(&f, path) < 0) {
		free(head);
		return -1;
	}
	int rc = 0;
	if (write_all(f.fd, head, 8 + padded) < 0)
		rc = err_errno("%s: write", path);
	/* float32 is stored little-endian, as on every machine this runs on */
	for (int i = 0; rc == 0 && i < n_tensors; i++)
		if (write_all(f.fd, tensors[i].data, tensors[i].n_floats * sizeof(float)) < 0)
			rc = err_errno("%s: write", path);
	free(head);
	if (rc == 0)
		return atomic_commit(&f);
	atomic_abort(&f);
	return -1;
}

void st_free(st_file *f)
{
	for (int i = 0; i < f->n_tensors; i++)
		free((char *)f->tensors[i].name);
	for (int i = 0; i < 2 * f->n_meta; i++)
		free(f->meta[i]);
	free(f->tensors);
	free(f->meta);
	free(f->bytes);
	memset(f, 0, sizeof *f);
}

/* a JSON number that is a whole number from 0 to max, into *out */
static int whole_number(const cJSON *item, uint64_t max, uint64_t *out)
{
	if (!cJSON_IsNumber(item))
		return -1;
	double v = item->valuedouble;
	/* max stays below 2^53, where every double is still exact */
	if (!(v >= 0 && v <= (double)max) || v != (double)(uint64_t)v)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

/* the byte range [begin, end) of the data a tensor claims */
typedef struct st_range {
	uint64_t begin, end;
	const char *name;
} st_range;

static int read_tensor(st_file *f, const cJSON *item, size_t data_start, size_t data_len,
		       st_range *range)
{
	const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(item, "dtype");
	const cJSON *shape = cJSON_GetObjectItemCaseSensitive(item, "shape");
	const cJSON *offs = cJSON_GetObjectItemCaseSensitive(item, "data_offsets");
	if (!cJSON_IsString(dtype) || !cJSON_IsArray(shape) || !cJSON_IsArray(offs) ||
	    cJSON_GetArraySize(offs) != 2)
		return err_set("tensor '%s': needs dtype, shape and data_offsets", item->string);
	if (strcmp(dtype->valuestring, "F32") != 0)
		return err_set("tensor '%s': dtype %s, only F32 is read", item->string,
			       dtype->valuestring);
	st_tensor *t = &f->tensors[f->n_tensors];
	memset(t, 0, sizeof *t);
	t->ndim = cJSON_GetArraySize(shape);
	if (t->ndim > ST_MAX_DIMS)
		return err_set("tensor '%s': too many dimensions", item->string);
	int empty = 0;
	for (int d = 0; d < t->ndim; d++) {
		uint64_t dim;
		if (whole_number(cJSON_GetArrayItem(shape, d), (uint64_t)1 << 52, &dim) < 0)
			return err_set("tensor '%s': bad shape", item->string);
		t->shape[d] = (int64_t)dim;
		empty |= dim == 0;
	}
	uint64_t begin, end;
	if (whole_number(cJSON_GetArrayItem(offs, 0), data_len, &begin) < 0 ||
	    whole_number(cJSON_GetArrayItem(offs, 1), data_len, &end) < 0 || end < begin)
		return err_set("tensor '%s': data offsets outside the file (truncated?)",
			       item->string);
	/* the element count in integers, stopped past 2^62 floats (more bytes
	 * than any file here) so that no product wraps into a plausible one */
	const uint64_t huge = (uint64_t)1 << 62;
	uint64_t n = empty ? 0 : 1;
	for (int d = 0; !empty && n <= huge && d < t->ndim; d++)
		n = n > huge / (uint64_t)t->shape[d] ? huge + 1 : n * (uint64_t)t->shape[d];
	if (n > huge)
		return err_set("tensor '%s': %llu bytes for a shape of over 2^62 floats",
			       item->string, (unsigned long long)(end - begin));
	if (end - begin != n * sizeof(float))
		return err_set("tensor '%s': %llu bytes for a shape of %llu floats", item->string,
			       (unsigned long long)(end - begin), (unsigned long long)n);
	t->name = strdup(item->string);
	if (!t->name)
		return err_set("out of memory");
	t->data = (const float *)(f->bytes + data_start + begin);
	t->n_floats = (size_t)n;
	*range = (st_range){begin, end, t->name};
	f->n_tensors++;
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const st_range *x = a, *y = b;
	if (x->begin != y->begin)
		return (x->begin > y->begin) - (x->begin < y->begin);
	return (x->end > y->end) - (x->end < y->end);
}

/* The format requires the tensors to tile the data: sorted by offset,
 * each starts where the one before it ends, the last ends with the file.
 * This rejects overlaps (two names on the same bytes), gaps and trailing
 * bytes, as safetensors' own validation does. */
static int check_tiling(st_range *ranges, int n, size_t data_len)
{
	qsort(ranges, (size_t)n, sizeof *ranges, cmp_range);
	uint64_t at = 0;
	for (int i = 0; i < n; i++) {
		if (ranges[i].begin < at)
			return err_set("tensor '%s' overlaps another's bytes", ranges[i].name);
		if (ranges[i].begin > at)
			return err_set("bytes %llu to %llu belong to no tensor (corrupt)",
				       (unsigned long long)at, (unsigned long long)ranges[i].begin);
		at = ranges[i].end;
	}
	if (at != data_len)
		return err_set("%zu data bytes, but the tensors cover %llu (truncated or corrupt)",
			       data_len, (unsigned long long)at);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* JSON allows a key twice, cJSON keeps both; a file whose tensor (or
 * __metadata__) is named twice has no one meaning */
static int check_unique_keys(const cJSON *root, int n)
{
	const char **names = malloc((size_t)(n ? n : 1) * sizeof *names);
	if (!names)
		return err_set("out of memory");
	int k = 0, rc = 0;
	for (const cJSON *item = root->child; item; item = item->next)
		names[k++] = item->string;
	qsort(names, (size_t)k, sizeof *names, cmp_name);
	for (int i = 1; rc == 0 && i < k; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			rc = err_set("'%s' is in the header twice", names[i]);
	free(names);
	return rc;
}

static int read_meta(st_file *f, const cJSON *m)
{
	int n = cJSON_GetArraySize(m);
	if (check_unique_keys(m, n) < 0)
		return err_prefix("__metadata__: ");
	f->meta = calloc(2 * (size_t)n + 1, sizeof(char *));
	if (!f->meta)
		return err_set("out of memory");
	for (const cJSON *kv = m->child; kv; kv = kv->next) {
		if (!cJSON_IsString(kv))
			return err_set("__metadata__ '%s' is not a string", kv->string);
		f->meta[2 * f->n_meta] = strdup(kv->string);
		f->meta[2 * f->n_meta + 1] = strdup(kv->valuestring);
		f->n_meta++;
		if (!f->meta[2 * f->n_meta - 2] || !f->meta[2 * f->n_meta - 1])
			return err_set("out of memory");
	}
	return 0;
}

static int parse(st_file *f)
{
	if (f->n_bytes < 8)
		return err_set("truncated (%zu bytes, not a safetensors file)", f->n_bytes);
	uint64_t header_len = 0;
	for (int i = 0; i < 8; i++)
		header_len |= (uint64_t)f->bytes[i] << (8 * i);
	if (header_len > ST_MAX_HEADER || header_len > f->n_bytes - 8)
		return err_set("header of %llu bytes in a file of %zu (truncated, or not a "
			       "safetensors file)", (unsigned long long)header_len, f->n_bytes);
	const char *json = (const char *)f->bytes + 8, *json_end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(json, (size_t)header_len, &json_end, 0);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return err_set("the header is not a JSON object");
	}
	/* after the object only the spaces that align the data may follow */
	for (const char *c = json_end; c < json + header_len; c++)
		if (*c != ' ') {
			cJSON_Delete(root);
			return err_set("the header has bytes after its JSON object (corrupt)");
		}
	size_t data_start = 8 + (size_t)header_len, data_len = f->n_bytes - data_start;
	int n_items = cJSON_GetArraySize(root), rc = check_unique_keys(root, n_items);
	f->tensors = calloc((size_t)n_items + 1, sizeof(st_tensor));
	st_range *ranges = calloc((size_t)n_items + 1, sizeof *ranges);
	if (rc == 0 && (!f->tensors || !ranges))
		rc = err_set("out of memory");
	for (const cJSON *item = root->child; rc == 0 && item; item = item->next) {
		if (strcmp(item->string, "__metadata__") == 0)
			rc = cJSON_IsObject(item) ? read_meta(f, item)
						  : err_set("__metadata__ is not a map");
		else
			rc = cJSON_IsObject(item) ? read_tensor(f, item, data_start, data_len,
								&ranges[f->n_tensors])
						  : err_set("'%s' is not a tensor", item->string);
	}
	cJSON_Delete(root);
	if (rc == 0)
		rc = check_tiling(ranges, f->n_tensors, data_len);
	free(ranges);
	return rc;
}

int st_read(st_file *f, const char *path)
{
	memset(f, 0, sizeof *f);
	if (datafile_read_all(path, (size_t)1 << 40, &f->bytes, &f->n_bytes) < 0)
		return err_prefix("%s: ", path);
	if (parse(f) < 0) {
		st_free(f);
		return err_prefix("%s: ", path);
	}
	return 0;
}

const st_tensor *st_find(const st_file *f, const char *name)
{
	for (int i = 0; i < f->n_tensors; i++)
		if (strcmp(f->tensors[i].name, name) == 0)
			return &f->tensors[i];
	return NULL;
}

const char *st_meta(const st_file *f, const char *key)
{
	for (int i = 0; i < f->n_meta; i++)
		if (strcmp(f->meta[2 * i], key) == 0)
			return f->meta[2 * i + 1];
	return NULL;
}

void st_copy(float *dst, const st_tensor *t)
{
	memcpy(dst, t->data, t->n_floats * sizeof(float));
}
