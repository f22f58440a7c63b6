#include "eval/probe_npy.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/err.h"
#include "formats/npy.h"

int probe_set_write_npy(const probe_set *s, const char *prefix, const char *part)
{
	char *x_path, *y_path;
	if (asprintf(&x_path, "%s_%s_x.npy", prefix, part) < 0)
		return err_set("out of memory");
	if (asprintf(&y_path, "%s_%s_y.npy", prefix, part) < 0) {
		free(x_path);
		return err_set("out of memory");
	}
	size_t shape[2] = {s->n, s->dim};
	int rc = npy_write(x_path, "<f4", shape, 2, s->x, sizeof(float)) < 0 ||
			 npy_write(y_path, "<i8", shape, 1, s->label, sizeof(int64_t)) < 0
		 ? -1
		 : 0;
	free(x_path);
	free(y_path);
	return rc;
}
