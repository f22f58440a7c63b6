/* Progress on stderr for long work: shown only when stderr is a terminal
 * and not silenced, redrawn at most a few times a second, on one line. */
#ifndef MASKPIPE_PROGRESS_H
#define MASKPIPE_PROGRESS_H

#include <stdint.h>

#include "common/err.h"

typedef struct progress {
	int enabled;
	const char *unit;     /* "images" */
	uint64_t total;       /* 0 when unknown: no ETA */
	uint64_t done;
	double start, last_draw;
	char detail[96];      /* shown after the counts when not empty */
} progress;

void progress_start(progress *p, const char *unit, uint64_t total, int quiet);
void progress_add(progress *p, uint64_t n);
/* Sets the text shown after the counts ("step 10, loss 0.52"). */
void progress_detail(progress *p, const char *fmt, ...) MP_PRINTF(2, 3);

/* Clears the line. */
void progress_end(progress *p);

#endif
