#include "common/sizelimit.h"

#include "common/env.h"

int limit_max_pixels(uint64_t *max)
{
	long v;
	/* up to 65536x65536, the largest side times itself (IMG_MAX_DIM) */
	if (env_int("MASKPIPE_MAX_PIXELS", LIMIT_DEFAULT_MAX_PIXELS, 1, (long)1 << 32, &v) < 0)
		return -1;
	*max = (uint64_t)v;
	return 0;
}

int limit_max_record_bytes(uint64_t *max)
{
	long mb;
	/* msgpack lengths are 32-bit, but a map of many fields may be larger */
	if (env_int("MASKPIPE_MAX_RECORD_MB", LIMIT_DEFAULT_MAX_RECORD_MB, 1, 65536, &mb) < 0)
		return -1;
	*max = (uint64_t)mb << 20;
	return 0;
}
