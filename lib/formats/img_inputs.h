/* img-decode's inputs, any number of them: image files, data-set files
 * and ImageFolder trees (or one image on stdin), decoded in order with an
 * offset and a limit over them all, and unreadable files fatal or skipped.
 *
 * This is formats/, which may use common/ only, and so it makes no
 * records: each image goes to a callback with its id and labels, and the
 * caller (the tool) makes the record. Records would put the driver in a
 * layer that sees both stream/ and formats/ (image/ and above), which holds
 * nothing about reading image files; kept here, the driver sits beside the
 * readers it drives (imgsrc, imgdir) and the rule stays as it is. */
#ifndef MASKPIPE_FORMATS_IMG_INPUTS_H
#define MASKPIPE_FORMATS_IMG_INPUTS_H

#include <stdint.h>

#include "common/img.h"
#include "formats/imgdir.h"
#include "formats/imgsrc.h"

typedef struct img_inputs_opts {
	uint32_t channels;      /* 1 or 3; 0: as stored, less alpha */
	uint64_t offset, limit; /* images skipped first; most images given */
	int skip_bad;           /* an unreadable file is skipped, not fatal */
	imgsrc_opts src;        /* how the files (not trees' files) are read */
} img_inputs_opts;

/* One argument: a file (an image or a data set) or a tree, listed. */
typedef struct img_input {
	const char *path;
	int is_tree;
	imgdir tree;
} img_input;

typedef struct img_inputs {
	img_input *items;
	int n;
	int n_trees;
	const imgdir *first_tree; /* NULL without a tree */
} img_inputs;

/* Lists the trees among paths[0..n) (directories), whose class names
 * must be the same: they go once into the stream's header (first_tree's
 * classes). -1 with a message naming the input. */
int img_inputs_open(img_inputs *in, char *const *paths, int n);
void img_inputs_free(img_inputs *in);

/* How many images decoding will give, for a progress display; 0 when a
 * file cannot tell before it is read. Opens every file once more. */
uint64_t img_inputs_count(const img_inputs *in, const img_inputs_opts *o);

/* Where the images go. put gets each image (converted to o->channels)
 * with its id (valid UTF-8), label and coarse label (-1: none), and may
 * fail (the message then gets the id in front). skipped is told of each
 * file passed over with o->skip_bad, err_msg() saying why. */
typedef struct img_sink {
	int (*put)(void *ctx, const char *id, int64_t label, int64_t label_coarse, const img *im);
	void (*skipped)(void *ctx);
	void *ctx;
} img_sink;

/* Decodes every input in order (with none, one PNG or JPEG from stdin,
 * id "stdin"): a file's images with the reader's ids; a tree's files with
 * their path below the tree (path/that when there are several trees, so
 * ids stay unique) and their class. -1 with a message at the first
 * failure. */
int img_inputs_decode(const img_inputs *in, const img_inputs_opts *o, const img_sink *sink);

#endif
