#include "common/progress.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "common/clock.h"

void progress_start(progress *p, const char *unit, uint64_t total, int quiet)
{
	p->enabled = !quiet && isatty(STDERR_FILENO);
	p->unit = unit;
	p->total = total;
	p->done = 0;
	p->detail[0] = 0;
	p->start = p->last_draw = clock_seconds();
}

static void draw(progress *p, double t)
{
	double elapsed = t - p->start;
	double rate = elapsed > 0 ? (double)p->done / elapsed : 0;
	/* the program's name as glibc keeps it (what error(3) prints): the
	 * library knows nothing of the tool that runs it */
	fprintf(stderr, "\r%s: %llu", program_invocation_short_name, (unsigned long long)p->done);
	if (p->total)
		fprintf(stderr, "/%llu", (unsigned long long)p->total);
	fprintf(stderr, " %s, %.0f/s", p->unit, rate);
	if (p->total && rate > 0 && p->done <= p->total)
		fprintf(stderr, ", ETA %.0fs", (double)(p->total - p->done) / rate);
	if (p->detail[0])
		fprintf(stderr, ", %s", p->detail);
	fprintf(stderr, "\033[K");
}

void progress_add(progress *p, uint64_t n)
{
	p->done += n;
	/* the clock is read once per 64 items, whatever the step n */
	if (!p->enabled || (p->done - n) >> 6 == p->done >> 6)
		return;
	double t = clock_seconds();
	if (t - p->last_draw >= 0.25) {
		p->last_draw = t;
		draw(p, t);
	}
}

void progress_detail(progress *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->detail, sizeof p->detail, fmt, ap);
	va_end(ap);
}

void progress_end(progress *p)
{
	if (p->enabled)
		fprintf(stderr, "\r\033[K");
}
