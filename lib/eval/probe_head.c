#include "eval/probe_head.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/err.h"
#include "formats/safetensors.h"

int probe_head_save(const char *path, const linprobe *p, const probe_classes *classes,
		    const char *features)
{
	float *labels = malloc((size_t)classes->n * sizeof(float));
	if (!labels)
		return err_set("out of memory");
	for (int c = 0; c < classes->n; c++)
		labels[c] = (float)classes->label[c];
	size_t k = (size_t)classes->n, dim = p->head.dim;
	st_tensor t[5] = {
		{"weight", 2, {(int64_t)k, (int64_t)dim}, p->head.w, k * dim},
		{"bias", 1, {(int64_t)k}, p->head.b, k},
		{"mean", 1, {(int64_t)dim}, p->mean, dim},
		{"sd", 1, {(int64_t)dim}, p->sd, dim},
		{"classes", 1, {(int64_t)k}, labels, k},
	};
	char wd[32];
	snprintf(wd, sizeof wd, "%g", p->wd);
	const char *meta[] = {"features", features, "wd", wd,
			      "use", "logits = ((x - mean) / sd) @ weight.T + bias"};
	int rc = st_write(path, t, 5, meta, 3);
	free(labels);
	return rc;
}
