#include "common/env.h"

#include <errno.h>
#include <stdlib.h>

#include "common/err.h"

int env_int(const char *name, long fallback, long min, long max, long *value)
{
	const char *text = getenv(name);
	if (!text || !*text) {
		*value = fallback;
		return 0;
	}
	char *end;
	errno = 0;
	*value = strtol(text, &end, 10);
	if (errno || *end || *value < min || *value > max)
		return err_set("%s=%s: want an integer from %ld to %ld", name, text, min, max);
	return 0;
}
