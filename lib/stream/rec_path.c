#include "stream/rec_path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mkdirs.h"

size_t path_append_safe(char *dst, size_t len, const char *s, size_t s_len, size_t max)
{
	size_t start = len;
	for (size_t i = 0; i < s_len && i < max; i++) {
		char ch = s[i];
		int keep = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			   (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
		dst[len++] = keep ? ch : '_';
	}
	if (len > start && strspn(dst + start, ".") >= len - start)
		memset(dst + start, '_', len - start);
	return len;
}

size_t path_safe_name(char *dst, const char *s)
{
	size_t len = path_append_safe(dst, 0, s, strlen(s), REC_PATH_PART_MAX);
	dst[len] = '\0';
	if (dst[0] == '.')
		dst[0] = '_';
	return len;
}

size_t rec_class_dir(char *dst, const rec *r, char *const *classes, size_t n_classes)
{
	int64_t label;
	dst[0] = '\0';
	if (rec_get_int(r, "label", &label) != 0 || label < 0)
		return 0;
	if ((uint64_t)label < n_classes) {
		const char *name = classes[label];
		size_t len = path_append_safe(dst, 0, name, strlen(name), REC_PATH_PART_MAX);
		dst[len] = '\0';
		return len;
	}
	return (size_t)snprintf(dst, REC_PATH_PART_MAX + 1, "%04lld", (long long)label);
}

char *rec_png_path(const rec *r, const char *dir, const char *class_dir)
{
	size_t class_len = class_dir ? strlen(class_dir) : 0;
	size_t cap = strlen(dir) + class_len + REC_PATH_PART_MAX + 40;
	char *path = malloc(cap);
	if (!path) {
		err_set("out of memory");
		return NULL;
	}
	size_t len = (size_t)snprintf(path, cap, "%s%s%s/%06llu", dir, class_len ? "/" : "",
				      class_len ? class_dir : "", (unsigned long long)r->index);
	const char *id;
	uint32_t id_len;
	if (rec_get_str(r, "id", &id, &id_len) == 0 && id_len > 0) {
		path[len++] = '_';
		len = path_append_safe(path, len, id, id_len, REC_PATH_PART_MAX);
	}
	memcpy(path + len, ".png", 5);
	return path;
}

char *rec_png_path_made(const rec *r, const char *dir, int by_label, char *const *classes,
			size_t n_classes)
{
	char class_dir[REC_PATH_PART_MAX + 1] = "";
	if (by_label && rec_class_dir(class_dir, r, classes, n_classes) > 0) {
		char *made;
		if (asprintf(&made, "%s/%s", dir, class_dir) < 0) {
			err_set("out of memory");
			return NULL;
		}
		int rc = mkdirs(made);
		free(made);
		if (rc < 0)
			return NULL;
	}
	return rec_png_path(r, dir, class_dir);
}
