/* Real-valued option arguments, checked as cli_int checks integers: a
 * malformed or out-of-range value is bad usage (exit 2). */
#ifndef MASKPIPE_CLI_REAL_H
#define MASKPIPE_CLI_REAL_H

/* A number in [min, max] (max_open: in [min, max)). */
double cli_real(const char *opt, const char *arg, double min, double max, int max_open);

/* "A,B" with min <= A <= B <= max. */
void cli_real_pair(const char *opt, const char *arg, double min, double max, double *a,
		   double *b);

#endif
