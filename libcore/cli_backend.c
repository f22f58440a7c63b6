#include "cli_backend.h"

#include "cli.h"

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
