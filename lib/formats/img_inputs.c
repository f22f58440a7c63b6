#include "formats/img_inputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/err.h"
#include "common/utf8.h"
#include "formats/fileio.h"
#include "formats/image.h"

/* The running state: where images go and how many were seen. */
typedef struct decoder {
	const img_inputs_opts *o;
	const img_sink *sink;
	img im;
	uint64_t seen;    /* images met so far, offset included */
	uint64_t written; /* images given to the sink */
} decoder;

static int done(const decoder *d)
{
	return d->written >= d->o->limit;
}

/* A failure to read one image file: fatal unless skip_bad. */
static int bad_file(decoder *d)
{
	if (!d->o->skip_bad)
		return -1;
	d->sink->skipped(d->sink->ctx);
	return 0;
}

/* Gives the decoded d->im to the sink. */
static int emit(decoder *d, const char *id, int64_t label, int64_t label_coarse)
{
	if (d->seen++ < d->o->offset)
		return 0;
	size_t id_len = strlen(id);
	if (utf8_invalid_at(id, id_len) < id_len) {
		/* an escape could be mistaken for a name that has one: refused */
		err_set("%s: the file name is not valid UTF-8, which ids must be: rename the file",
			id);
		return bad_file(d);
	}
	if (img_convert(&d->im, d->o->channels) < 0 ||
	    d->sink->put(d->sink->ctx, id, label, label_coarse, &d->im) < 0)
		return err_prefix("%s: ", id);
	d->written++;
	return 0;
}

/* Decodes every image of a file; `id` overrides the reader's id. */
static int decode_file(decoder *d, const char *path, const imgsrc_opts *opts, const char *id,
		       int64_t label)
{
	imgsrc *src = imgsrc_open(path, opts);
	if (!src)
		return bad_file(d);
	char src_id[4096];
	int64_t src_label, label_coarse;
	int rc = 0;
	while (!done(d) && (rc = imgsrc_next(src, &d->im, &src_label, &label_coarse, src_id,
					     sizeof src_id)) > 0)
		if (emit(d, id ? id : src_id, label >= 0 ? label : src_label, label_coarse) < 0) {
			imgsrc_close(src);
			return -1;
		}
	imgsrc_close(src);
	return !done(d) && rc < 0 ? bad_file(d) : 0;
}

static int decode_tree(decoder *d, const img_input *in, int n_trees)
{
	for (size_t f = 0; f < in->tree.n_files && !done(d); f++) {
		const imgdir_file *file = &in->tree.files[f];
		char *full;
		if (asprintf(&full, "%s/%s", in->path, file->rel_path) < 0)
			return err_set("out of memory");
		imgsrc_opts by_name = d->o->src;
		by_name.format = imgdir_format_of(file->rel_path);
		/* ids stay unique when several trees share a layout */
		int rc = decode_file(d, full, &by_name, n_trees > 1 ? full : file->rel_path,
				     file->label);
		free(full);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int decode_stdin(decoder *d)
{
	uint8_t *data = NULL;
	size_t len;
	int rc = datafile_read_all("/dev/stdin", IMG_MAX_BYTES, &data, &len);
	if (rc == 0)
		rc = image_decode(data, len, &d->im);
	free(data);
	return rc < 0 ? err_prefix("stdin: ") : emit(d, "stdin", -1, -1);
}

int img_inputs_decode(const img_inputs *in, const img_inputs_opts *o, const img_sink *sink)
{
	decoder d = {.o = o, .sink = sink};
	int rc = in->n == 0 ? decode_stdin(&d) : 0;
	for (int i = 0; rc == 0 && i < in->n && !done(&d); i++)
		rc = in->items[i].is_tree ? decode_tree(&d, &in->items[i], in->n_trees)
					  : decode_file(&d, in->items[i].path, &o->src, NULL, -1);
	img_free(&d.im);
	return rc;
}

/* The number of images in a file: -1 when it cannot be known before
 * reading (a problem is reported when decoding). */
static int64_t file_image_count(const char *path, const imgsrc_opts *opts)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -1; /* a pipe cannot be read twice */
	imgsrc *src = imgsrc_open(path, opts);
	int64_t n_images = src ? imgsrc_count(src) : -1;
	imgsrc_close(src);
	return n_images;
}

uint64_t img_inputs_count(const img_inputs *in, const img_inputs_opts *o)
{
	uint64_t total = 0;
	for (int i = 0; i < in->n; i++) {
		const img_input *item = &in->items[i];
		int64_t n_images = item->is_tree ? (int64_t)item->tree.n_files
						 : file_image_count(item->path, &o->src);
		if (n_images < 0)
			return 0;
		total += (uint64_t)n_images;
	}
	total = total > o->offset ? total - o->offset : 0;
	return total < o->limit ? total : o->limit;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The class names of every directory input must agree. */
static int check_same_classes(const imgdir *a, const imgdir *b, const char *b_path)
{
	int same = a->n_classes == b->n_classes;
	for (size_t i = 0; same && i < a->n_classes; i++)
		same = strcmp(a->classes[i], b->classes[i]) == 0;
	return same ? 0 : err_set("%s: its class directories differ from the first directory's", b_path);
}

int img_inputs_open(img_inputs *in, char *const *paths, int n)
{
	memset(in, 0, sizeof *in);
	in->items = calloc(n ? (size_t)n : 1, sizeof *in->items);
	if (!in->items)
		return err_set("out of memory");
	in->n = n;
	for (int i = 0; i < n; i++) {
		img_input *item = &in->items[i];
		item->path = paths[i];
		if (!(item->is_tree = is_dir(item->path)))
			continue;
		if (imgdir_list(item->path, &item->tree) < 0 ||
		    (in->first_tree && check_same_classes(in->first_tree, &item->tree, item->path) < 0))
			return -1;
		if (!in->first_tree)
			in->first_tree = &item->tree;
		in->n_trees++;
	}
	return 0;
}

void img_inputs_free(img_inputs *in)
{
	for (int i = 0; i < in->n; i++)
		imgdir_free(&in->items[i].tree);
	free(in->items);
	memset(in, 0, sizeof *in);
}
