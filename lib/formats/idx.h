/* IDX files, the format of MNIST and Fashion-MNIST (LeCun et al.): a
 * big-endian header, magic 0x000008DD (unsigned bytes, DD dimensions), one
 * u32 per dimension, then the array. Images are [N, rows, cols], labels
 * [N]. Plain or gzip, read sequentially: a file is never held whole. */
#ifndef MASKPIPE_FORMATS_IDX_H
#define MASKPIPE_FORMATS_IDX_H

#include <stdint.h>

#include "common/img.h"

/* The name the distributions give image files, and their labels beside. */
#define IDX_IMAGES_SUFFIX "-images-idx3-ubyte"
#define IDX_LABELS_SUFFIX "-labels-idx1-ubyte"

typedef struct idx_reader idx_reader;

/* Opens an IDX image file and its labels: labels_path, or if NULL the file
 * beside it whose name has IDX_LABELS_SUFFIX for IDX_IMAGES_SUFFIX, with or
 * without .gz (none there: no labels). Both headers are checked, and the
 * label count must equal the image count. Errors name the file. */
idx_reader *idx_open(const char *images_path, const char *labels_path);

/* The number of images the header declares. */
uint64_t idx_count(const idx_reader *r);

/* The labels file in use, NULL if none. */
const char *idx_labels_path(const idx_reader *r);

/* Reads the next image (c = 1) into out and its label (-1 without labels).
 * Returns 1, 0 after the last image, -1 with a message naming the file and
 * the image index. out holds an image only after 1; free it with img_free. */
int idx_next(idx_reader *r, img *out, int64_t *label);

void idx_close(idx_reader *r);

#endif
