/* The public face of the library's error convention (common/err.h). */
#include "maskpipe/common.h"

#include "common/err.h"

const char *mp_last_error(void)
{
	return err_msg();
}

const char *mp_version(void)
{
	return MASKPIPE_VERSION;
}
