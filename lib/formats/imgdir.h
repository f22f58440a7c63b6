/* An image directory tree in torchvision's ImageFolder layout: every
 * first-level subdirectory is a class, numbered in sorted order; its image
 * files, at any depth, belong to it. Image files at the top have no class. */
#ifndef MASKPIPE_IMGDIR_H
#define MASKPIPE_IMGDIR_H

#include <stddef.h>
#include <stdint.h>

typedef struct imgdir_file {
	char *rel_path; /* relative to the root: the record id */
	int64_t label;  /* class index, -1 for files at the top */
} imgdir_file;

typedef struct imgdir {
	imgdir_file *files; /* sorted by rel_path, byte order */
	size_t n_files, cap_files;
	char **classes; /* sorted first-level subdirectory names */
	size_t n_classes, cap_classes;
} imgdir;

/* The format a file name's extension says, as imgsrc_opts.format takes it:
 * "png" for .png, "jpeg" for .jpg and .jpeg (any case), else NULL. Files
 * in a tree are read as what their names say, so that a data-set file
 * named like an image cannot turn into many records with one id. */
const char *imgdir_format_of(const char *name);

/* Lists root's image files, recursively; other files are ignored. Hidden
 * entries (starting with '.') are skipped, symbolic links followed. */
int imgdir_list(const char *root, imgdir *out);

void imgdir_free(imgdir *d);

#endif
