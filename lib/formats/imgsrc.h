/* One iterator over every image source img-decode reads: a single PNG or
 * JPEG file, or a data-set file (IDX, CIFAR-10/100, STL-10), each image
 * with its labels and a stable id. */
#ifndef MASKPIPE_FORMATS_IMGSRC_H
#define MASKPIPE_FORMATS_IMGSRC_H

#include <stddef.h>
#include <stdint.h>

#include "common/img.h"

typedef struct imgsrc_opts {
	/* "png", "jpeg", "idx", "cifar10", "cifar100", "stl10"; NULL: detect
	 * (CIFAR and STL-10 by their file names, the rest by content) */
	const char *format;
	/* IDX and STL-10: the labels file; NULL: the one beside, if any */
	const char *labels;
	/* the data set's name in ids; NULL: the directory holding the file */
	const char *name;
} imgsrc_opts;

typedef struct imgsrc imgsrc;

/* 0 if `format` is one imgsrc_opts.format takes, else -1 with a message
 * that lists them. */
int imgsrc_check_format(const char *format);

/* Opens path; opts may be NULL. Errors name the file. */
imgsrc *imgsrc_open(const char *path, const imgsrc_opts *opts);

/* The format read: one of the names imgsrc_opts.format takes. */
const char *imgsrc_format(const imgsrc *src);

/* The number of images, -1 if unknown until the end (compressed CIFAR
 * and STL-10 files). */
int64_t imgsrc_count(const imgsrc *src);

/* Reads the next image into out (1 or 3 channels, or 2 or 4 for a PNG
 * with alpha), its label and, for CIFAR-100, its coarse label (-1 when
 * absent), and its id into id: "<dataset>:<split>:<index>" for data sets
 * ("fashion-mnist:train:17"; the split is the file name without the
 * format's suffix), the path for single images. Returns 1, 0 after the
 * last image, -1 with a message that names the file and, in a data set,
 * the image index. out holds an image only after 1; free it with img_free. */
int imgsrc_next(imgsrc *src, img *out, int64_t *label, int64_t *label_coarse, char *id,
		size_t id_cap);

void imgsrc_close(imgsrc *src);

#endif
