#include "common/mkdirs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/err.h"

int mkdirs(const char *dir)
{
	char *path = strdup(dir);
	if (!path)
		return err_set("out of memory");
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char end = *p;
		*p = '\0';
		if (mkdir(path, 0777) < 0 && errno != EEXIST) {
			err_errno("%s", path);
			free(path);
			return -1;
		}
		if (!(*p = end))
			break;
	}
	free(path);
	struct stat st;
	if (stat(dir, &st) < 0)
		return err_errno("%s", dir);
	return S_ISDIR(st.st_mode) ? 0 : err_set("%s: not a directory", dir);
}
