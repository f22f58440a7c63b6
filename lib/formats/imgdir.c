#include "formats/imgdir.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/err.h"
#include "common/grow.h"

/* Links could make a cycle; no real data set nests this deep. */
enum { MAX_DEPTH = 32 };

const char *imgdir_format_of(const char *name)
{
	static const struct { const char *ext, *format; } kinds[] = {
		{".png", "png"}, {".jpg", "jpeg"}, {".jpeg", "jpeg"},
	};
	size_t len = strlen(name);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		size_t ext_len = strlen(kinds[i].ext);
		if (len > ext_len && strcasecmp(name + len - ext_len, kinds[i].ext) == 0)
			return kinds[i].format;
	}
	return NULL;
}

static int push(void **items, size_t *n, size_t *cap, size_t item_size, const void *item)
{
	if (grow_array(items, cap, *n + 1, item_size) < 0)
		return -1;
	memcpy((char *)*items + *n * item_size, item, item_size);
	(*n)++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of a directory's entries, hidden ones left out. */
static int read_names(const char *dir, char ***names, size_t *n_names)
{
	size_t cap = 0;
	*names = NULL;
	*n_names = 0;
	DIR *d = opendir(dir);
	if (!d)
		return err_errno("%s", dir);
	struct dirent *e;
	int rc = 0;
	errno = 0;
	while (rc == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *name = strdup(e->d_name);
		if (!name || push((void **)names, n_names, &cap, sizeof name, &name) < 0) {
			free(name);
			rc = err_set("out of memory listing %s", dir);
		}
	}
	if (rc == 0 && errno)
		rc = err_errno("%s", dir);
	closedir(d);
	if (*n_names)
		qsort(*names, *n_names, sizeof **names, by_name);
	return rc;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int walk(imgdir *out, const char *root, const char *rel, int64_t label, int depth)
{
	char *dir;
	if (asprintf(&dir, "%s%s%s", root, *rel ? "/" : "", rel) < 0)
		return err_set("out of memory");
	if (depth > MAX_DEPTH) {
		err_set("%s: directories nested deeper than %d (a link cycle?)", dir, MAX_DEPTH);
		free(dir);
		return -1;
	}
	char **names;
	size_t n_names;
	int rc = read_names(dir, &names, &n_names);
	for (size_t i = 0; rc == 0 && i < n_names; i++) {
		char *path, *child_rel;
		if (asprintf(&path, "%s/%s", dir, names[i]) < 0 ||
		    asprintf(&child_rel, "%s%s%s", rel, *rel ? "/" : "", names[i]) < 0) {
			rc = err_set("out of memory");
			break;
		}
		struct stat st;
		if (stat(path, &st) < 0) {
			rc = err_errno("%s", path);
		} else if (S_ISDIR(st.st_mode)) {
			int64_t child_label = label;
			if (depth == 0) { /* a class directory */
				child_label = (int64_t)out->n_classes;
				char *class_name = strdup(names[i]);
				rc = class_name ? push((void **)&out->classes, &out->n_classes,
						       &out->cap_classes, sizeof class_name, &class_name)
						: err_set("out of memory");
			}
			if (rc == 0)
				rc = walk(out, root, child_rel, child_label, depth + 1);
		} else if (S_ISREG(st.st_mode) && imgdir_format_of(names[i])) {
			imgdir_file f = {child_rel, label};
			rc = push((void **)&out->files, &out->n_files, &out->cap_files, sizeof f, &f);
			child_rel = rc == 0 ? NULL : child_rel; /* now owned by the list */
		}
		free(path);
		free(child_rel);
	}
	free_names(names, n_names);
	free(dir);
	return rc;
}

static int by_rel_path(const void *a, const void *b)
{
	return strcmp(((const imgdir_file *)a)->rel_path, ((const imgdir_file *)b)->rel_path);
}

int imgdir_list(const char *root, imgdir *out)
{
	memset(out, 0, sizeof *out);
	if (walk(out, root, "", -1, 0) < 0) {
		imgdir_free(out);
		return -1;
	}
	/* per-directory sorting already orders a tree, except where names
	 * like "a.png" and "a/" compare differently as whole paths */
	if (out->n_files)
		qsort(out->files, out->n_files, sizeof *out->files, by_rel_path);
	return 0;
}

void imgdir_free(imgdir *d)
{
	for (size_t i = 0; i < d->n_files; i++)
		free(d->files[i].rel_path);
	free(d->files);
	free_names(d->classes, d->n_classes);
	memset(d, 0, sizeof *d);
}
