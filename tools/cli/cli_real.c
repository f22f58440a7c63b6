#include "cli/cli_real.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "cli/cli.h"

/* One number at *text, up to `stop`; *text moves past it. */
static double parse_real(const char *opt, const char *arg, const char **text, char stop)
{
	char *end;
	errno = 0;
	double v = strtod(*text, &end);
	if (errno || end == *text || *end != stop || !isfinite(v))
		cli_usage("%s wants a number%s, not '%s'", opt, stop ? "s A,B" : "", arg);
	*text = end;
	return v;
}

static void check_range(const char *opt, double v, double min, double max, int max_open)
{
	if (v < min || v > max || (max_open && v == max))
		cli_usage("%s must be in [%g, %g%s, not %g", opt, min, max, max_open ? ")" : "]", v);
}

double cli_real(const char *opt, const char *arg, double min, double max, int max_open)
{
	const char *text = arg;
	double v = parse_real(opt, arg, &text, '\0');
	check_range(opt, v, min, max, max_open);
	return v;
}

void cli_real_pair(const char *opt, const char *arg, double min, double max, double *a,
		   double *b)
{
	const char *text = arg;
	*a = parse_real(opt, arg, &text, ',');
	text++;
	*b = parse_real(opt, arg, &text, '\0');
	check_range(opt, *a, min, max, 0);
	check_range(opt, *b, min, max, 0);
	if (*a > *b)
		cli_usage("%s wants A,B with A <= B, not '%s'", opt, arg);
}
