/* Where a record's image goes as a file: rec-png's names, and its
 * ImageFolder layout (a directory per class). */
#ifndef MASKPIPE_REC_PATH_H
#define MASKPIPE_REC_PATH_H

#include <stddef.h>

#include "stream/rec.h"

/* Ids and class names are cut to this many bytes in file names. */
#define REC_PATH_PART_MAX 200

/* Appends s to dst[len..] with characters other than [A-Za-z0-9._-]
 * mapped to '_', so that an id or a class name can never climb out of the
 * directory (no '/', never "." or ".." alone); at most `max` bytes.
 * Returns the new length; dst needs room for max more bytes. */
size_t path_append_safe(char *dst, size_t len, const char *s, size_t s_len, size_t max);

/* s as one file name, into dst (of at least REC_PATH_PART_MAX + 1 bytes):
 * path_append_safe cut to REC_PATH_PART_MAX bytes (so a long name still
 * fits), and never a hidden file (a leading '.' becomes '_'). Returns the
 * length. */
size_t path_safe_name(char *dst, const char *s);

/* The class directory of a record in an ImageFolder tree, into dst (of at
 * least REC_PATH_PART_MAX + 1 bytes): the class name when `classes` has
 * one for its label, else the label zero-padded to 4 digits so that sorted
 * names keep the label order; "" (returning 0) when it has no label.
 * Returns the length. */
size_t rec_class_dir(char *dst, const rec *r, char *const *classes, size_t n_classes);

/* DIR[/CLASS]/000017_fashion-mnist_train_17.png, a new string: the index
 * sorts the files in stream order, the id says which image it is.
 * class_dir may be "" or NULL. */
char *rec_png_path(const rec *r, const char *dir, const char *class_dir);

/* rec-png's file of r: rec_png_path under dir, and with by_label in r's
 * class directory (rec_class_dir of the header's classes), made first. */
char *rec_png_path_made(const rec *r, const char *dir, int by_label, char *const *classes,
			size_t n_classes);

#endif
