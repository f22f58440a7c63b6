/* Seconds on the monotonic clock, for measuring durations (progress rates,
 * the seconds columns of the training and fine-tuning logs): unaffected
 * by changes to the wall clock. */
#ifndef MASKPIPE_CLOCK_H
#define MASKPIPE_CLOCK_H

double clock_seconds(void);

#endif
