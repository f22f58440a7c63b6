/* Settings every tool reads from the environment (MASKPIPE_*), so that one
 * export reaches each stage of a pipeline. */
#ifndef MASKPIPE_ENV_H
#define MASKPIPE_ENV_H

/* An integer setting: fallback when unset or empty, -1 with a message
 * naming the variable when it is not an integer in [min, max]. */
int env_int(const char *name, long fallback, long min, long max, long *value);

#endif
