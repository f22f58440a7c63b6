#include "formats/imgsrc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "formats/cifar.h"
#include "common/err.h"
#include "formats/fileio.h"
#include "formats/idx.h"
#include "formats/image.h"
#include "formats/jpeg.h"
#include "formats/png_codec.h"
#include "formats/stl10.h"

enum imgsrc_kind { KIND_PNG, KIND_JPEG, KIND_IDX, KIND_CIFAR10, KIND_CIFAR100, KIND_STL10, N_KINDS };

/* A kind's name (imgsrc_opts.format) and, for a data set, the end of its
 * file names that the split name in ids leaves out. */
static const struct {
	const char *name;
	const char *split_suffix; /* NULL: a single image */
} kinds[N_KINDS] = {
	[KIND_PNG] = { "png", NULL },
	[KIND_JPEG] = { "jpeg", NULL },
	[KIND_IDX] = { "idx", IDX_IMAGES_SUFFIX },
	[KIND_CIFAR10] = { "cifar10", CIFAR_SUFFIX },
	[KIND_CIFAR100] = { "cifar100", CIFAR_SUFFIX },
	[KIND_STL10] = { "stl10", STL10_IMAGES_SUFFIX },
};

struct imgsrc {
	enum imgsrc_kind kind;
	char *path;
	char *id_prefix; /* "<dataset>:<split>" of a data set, NULL for a single image */
	uint64_t index;  /* of the next image */
	idx_reader *idx;
	cifar_reader *cifar;
	stl10_reader *stl10;
};

/* These return an enum imgsrc_kind, or -1. */
static int kind_by_format(const char *format)
{
	for (int k = 0; k < N_KINDS; k++)
		if (strcmp(format, kinds[k].name) == 0)
			return k;
	return err_set("unknown format '%s' (png, jpeg, idx, cifar10, cifar100 or stl10)", format);
}

int imgsrc_check_format(const char *format)
{
	return kind_by_format(format) < 0 ? -1 : 0;
}

/* CIFAR and STL-10 files have no magic number, only their names; the
 * names are checked first because their pixels may start like one. */
static int detect_kind(const char *path)
{
	int cifar_variant = cifar_variant_from_name(path);
	if (cifar_variant)
		return cifar_variant == 10 ? KIND_CIFAR10 : KIND_CIFAR100;
	if (stl10_is_name(path))
		return KIND_STL10;
	/* sniffing reads bytes a pipe cannot give twice */
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return err_set(S_ISDIR(st.st_mode) ? "%s: is a directory"
						   : "%s: not a regular file: give --format to read it as a stream",
			       path);
	uint8_t head[4];
	datafile *f = datafile_open(path);
	int got = f ? datafile_read(f, head, sizeof head) : -1;
	datafile_close(f);
	if (got < 0)
		return err_prefix("%s: ", path);
	if (got == 0)
		return err_set("%s: empty file", path);
	const char *image_format = image_format_of(head, sizeof head);
	if (image_format)
		return kind_by_format(image_format);
	if (head[0] == 0 && head[1] == 0 && head[3] == 3) /* any element type: idx_open names it */
		return KIND_IDX;
	return err_set("%s: unrecognised format: not PNG, JPEG or IDX by content, "
		       "nor named like a CIFAR or STL-10 file",
		       path);
}

/* The name of the directory holding path, which names the data set. */
static char *containing_dir_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, (size_t)(slash - path) + 1) : strdup(".");
	char *abs = dir ? realpath(dir, NULL) : NULL;
	if (!abs)
		err_errno("%s: cannot resolve its directory", path);
	free(dir);
	if (!abs)
		return NULL;
	char *name = strdup(strrchr(abs, '/') + 1);
	if (!name)
		err_set("out of memory");
	free(abs);
	return name;
}

static char *dataset_id_prefix(const char *path, const char *dataset, const char *suffix)
{
	char split[PATH_MAX];
	if (file_base_name(path, split, sizeof split) < 0) {
		err_prefix("%s: ", path);
		return NULL;
	}
	size_t len = strlen(split), suffix_len = strlen(suffix);
	if (len > suffix_len && strcmp(split + len - suffix_len, suffix) == 0)
		split[len - suffix_len] = '\0';
	char *dir_name = dataset ? NULL : containing_dir_name(path);
	if (!dataset && !dir_name)
		return NULL;
	char *prefix;
	if (asprintf(&prefix, "%s:%s", dataset ? dataset : dir_name, split) < 0) {
		err_set("out of memory");
		prefix = NULL;
	}
	free(dir_name);
	return prefix;
}

/* Opens the reader of a data-set kind. */
static int open_dataset(imgsrc *src, const imgsrc_opts *opts)
{
	switch (src->kind) {
	case KIND_IDX:
		src->idx = idx_open(src->path, opts->labels);
		return src->idx ? 0 : -1;
	case KIND_CIFAR10:
	case KIND_CIFAR100:
		src->cifar = cifar_open(src->path, src->kind == KIND_CIFAR10 ? 10 : 100);
		return src->cifar ? 0 : -1;
	case KIND_STL10:
		src->stl10 = stl10_open(src->path, opts->labels);
		return src->stl10 ? 0 : -1;
	default:
		return 0;
	}
}

imgsrc *imgsrc_open(const char *path, const imgsrc_opts *opts)
{
	static const imgsrc_opts defaults;
	if (!opts)
		opts = &defaults;
	int kind = opts->format ? kind_by_format(opts->format) : detect_kind(path);
	if (kind < 0)
		return NULL;
	if (opts->labels && kind != KIND_IDX && kind != KIND_STL10) {
		err_set("%s: a labels file goes only with IDX and STL-10 images, this is %s", path,
			kinds[kind].name);
		return NULL;
	}
	imgsrc *src = calloc(1, sizeof *src);
	if (!src || !(src->path = strdup(path))) {
		err_set("out of memory");
		free(src);
		return NULL;
	}
	src->kind = (enum imgsrc_kind)kind;
	if (open_dataset(src, opts) < 0 ||
	    (kinds[kind].split_suffix &&
	     !(src->id_prefix = dataset_id_prefix(path, opts->name, kinds[kind].split_suffix)))) {
		imgsrc_close(src);
		return NULL;
	}
	return src;
}

const char *imgsrc_format(const imgsrc *src)
{
	return kinds[src->kind].name;
}

int64_t imgsrc_count(const imgsrc *src)
{
	switch (src->kind) {
	case KIND_IDX: return (int64_t)idx_count(src->idx);
	case KIND_CIFAR10:
	case KIND_CIFAR100: return cifar_count(src->cifar);
	case KIND_STL10: return stl10_count(src->stl10);
	default: return 1;
	}
}

static int decode_single(const imgsrc *src, img *out)
{
	uint8_t *data;
	size_t len;
	if (datafile_read_all(src->path, IMG_MAX_BYTES, &data, &len) < 0)
		return err_prefix("%s: ", src->path);
	int ret = src->kind == KIND_PNG ? image_png_decode(data, len, out)
					  : image_jpeg_decode(data, len, out);
	free(data);
	return ret < 0 ? err_prefix("%s: ", src->path) : 1;
}

int imgsrc_next(imgsrc *src, img *out, int64_t *label, int64_t *label_coarse, char *id,
		size_t id_cap)
{
	int got;
	*label = *label_coarse = -1;
	switch (src->kind) {
	case KIND_IDX: got = idx_next(src->idx, out, label); break;
	case KIND_CIFAR10:
	case KIND_CIFAR100: got = cifar_next(src->cifar, out, label, label_coarse); break;
	case KIND_STL10: got = stl10_next(src->stl10, out, label); break;
	default: got = src->index == 0 ? decode_single(src, out) : 0; break;
	}
	if (got <= 0)
		return got;
	int id_len = src->id_prefix
			     ? snprintf(id, id_cap, "%s:%llu", src->id_prefix,
					(unsigned long long)src->index)
			     : snprintf(id, id_cap, "%s", src->path);
	if (id_len < 0 || (size_t)id_len >= id_cap)
		return err_set("%s: image %llu: its id is longer than %zu bytes", src->path,
			       (unsigned long long)src->index, id_cap ? id_cap - 1 : 0);
	src->index++;
	return 1;
}

void imgsrc_close(imgsrc *src)
{
	if (!src)
		return;
	idx_close(src->idx);
	cifar_close(src->cifar);
	stl10_close(src->stl10);
	free(src->path);
	free(src->id_prefix);
	free(src);
}
