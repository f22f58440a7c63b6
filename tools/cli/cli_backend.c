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

int cli_precision_arg(const char *arg)
{
	if (strcmp(arg, "fp32") && strcmp(arg, "bf16"))
		cli_usage("--precision is fp32 or bf16, not '%s'", arg);
	return strcmp(arg, "bf16") == 0 ? BACKEND_BF16 : BACKEND_FP32;
}

const char *cli_precision_name(int precision)
{
	return precision == BACKEND_BF16 ? "bf16" : "fp32";
}

const backend *cli_backend(const char *device, int threads, int precision)
{
	const backend *be = backend_for_device(device);
	if (!be) {
		err_prefix("--device=%s: ", device);
		cli_fail();
	}
	be->set_threads(threads);
	be->set_precision(precision);
	return be;
}

int cli_pool_arg(const char *arg)
{
	if (strcmp(arg, "cls") && strcmp(arg, "mean"))
		cli_usage("--pool is cls or mean, not '%s'", arg);
	return strcmp(arg, "cls") == 0 ? MAE_POOL_CLS : MAE_POOL_MEAN;
}
