#include "cli/cli_backend.h"

#include <string.h>

#include "cli/cli.h"
#include "mae/mae_model.h"

const char *cli_device_arg(const char *arg)
{
	if (!backend_device_known(arg))
		cli_usage("--device is cpu, cuda or auto, not '%s'", arg);
	return arg;
}

const backend *cli_backend(const char *device, int threads)
{
	const backend *be = backend_for_device(device);
	if (!be) {
		err_prefix("--device=%s: ", device);
		cli_fail();
	}
	be->set_threads(threads);
	return be;
}

int cli_pool_arg(const char *arg)
{
	if (strcmp(arg, "cls") && strcmp(arg, "mean"))
		cli_usage("--pool is cls or mean, not '%s'", arg);
	return strcmp(arg, "cls") == 0 ? MAE_POOL_CLS : MAE_POOL_MEAN;
}
