/* linprobe's saved head (--save-head): the fitted classifier as a
 * safetensors file that any framework can load without maskpipe. */
#ifndef MASKPIPE_PROBE_HEAD_H
#define MASKPIPE_PROBE_HEAD_H

#include "eval/linprobe.h"

/* Writes p to path (atomically, as st_write does): tensors weight
 * [classes, dim], bias [classes], the standardisation's mean and sd [dim]
 * and the classes' labels [classes] (float32, as the rest); metadata the
 * features ("emb" or "pixels"), the chosen wd and how to apply it. */
int probe_head_save(const char *path, const linprobe *p, const probe_classes *classes,
		    const char *features);

#endif
