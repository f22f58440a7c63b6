/* The binary STL-10 (Coates et al. 2011): *_X.bin holds N images of 3 x 96
 * x 96 bytes, a plane per channel (red, green, blue), each plane stored
 * column by column (MATLAB order); *_y.bin beside it holds one label byte
 * 1..10 per image. unlabeled_X.bin has no labels. */
#ifndef MASKPIPE_FORMATS_STL10_H
#define MASKPIPE_FORMATS_STL10_H

#include <stdint.h>

#include "common/img.h"

#define STL10_IMAGES_SUFFIX "_X.bin"
#define STL10_LABELS_SUFFIX "_y.bin"

typedef struct stl10_reader stl10_reader;

/* Whether the file name is that of STL-10 images (ends in _X.bin). */
int stl10_is_name(const char *path);

/* Opens an images file and its labels: labels_path, or if NULL the
 * *_y.bin beside it if there is one. Sizes must be whole numbers of
 * images, and the label count the image count. Errors name the file. */
stl10_reader *stl10_open(const char *images_path, const char *labels_path);

/* The number of images, -1 while unknown (a gzip-compressed file). */
int64_t stl10_count(const stl10_reader *r);

/* Reads the next image (c = 3, 96 x 96) into out and its label 0..9 (-1
 * without labels). Returns 1, 0 after the last image, -1 with a message
 * naming the file and the image index. */
int stl10_next(stl10_reader *r, img *out, int64_t *label);

void stl10_close(stl10_reader *r);

#endif
