/* The binary versions of CIFAR-10 and CIFAR-100 (Krizhevsky 2009): records
 * of the label byte(s) then 3072 pixel bytes, the red 32x32 plane, green,
 * blue, each row-major. CIFAR-10 has one label (0..9) per record,
 * CIFAR-100 two: coarse (0..19), then fine (0..99). */
#ifndef MASKPIPE_FORMATS_CIFAR_H
#define MASKPIPE_FORMATS_CIFAR_H

#include <stdint.h>

#include "common/img.h"

/* Every file of both data sets ends so; the split is the name before it. */
#define CIFAR_SUFFIX ".bin"

typedef struct cifar_reader cifar_reader;

/* 10 or 100 from the distribution's file names (data_batch_N.bin and
 * test_batch.bin; train.bin and test.bin), 0 for any other name. */
int cifar_variant_from_name(const char *path);

/* Opens a CIFAR-10 (variant 10) or CIFAR-100 (100) file, or one named as
 * in the distribution (0). Its size must be a whole number of records.
 * Errors name the file. */
cifar_reader *cifar_open(const char *path, int variant);

/* The number of images, -1 while unknown (a gzip-compressed file). */
int64_t cifar_count(const cifar_reader *r);

/* Reads the next image (c = 3) into out, its label (CIFAR-100: the fine
 * one) and its coarse label (CIFAR-10: -1). Returns 1, 0 after the last
 * image, -1 with a message naming the file and the image index. */
int cifar_next(cifar_reader *r, img *out, int64_t *label, int64_t *label_coarse);

void cifar_close(cifar_reader *r);

#endif
