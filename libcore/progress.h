/* Progress on stderr for long work: shown only when stderr is a terminal
 * and not silenced, redrawn at most a few times a second, on one line. */
#ifndef MASKPIPE_PROGRESS_H
#define MASKPIPE_PROGRESS_H

#include <stdint.h>

typedef struct progress {
	int enabled;
	const char *unit;     /* "images" */
	uint64_t total;       /* 0 when unknown: no ETA */
	uint64_t done;
	double start, last_draw;
} progress;

void progress_start(progress *p, const char *unit, uint64_t total, int quiet);
void progress_add(progress *p, uint64_t n);
/* Clears the line. */
void progress_end(progress *p);

#endif
