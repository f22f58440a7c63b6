/* The backend a tool's --device names. */
#include <string.h>

#include "kernels/backend.h"
#include "common/err.h"

int backend_device_known(const char *device)
{
	return strcmp(device, "cpu") == 0 || strcmp(device, "cuda") == 0 ||
	       strcmp(device, "auto") == 0;
}

const backend *backend_for_device(const char *device)
{
	if (strcmp(device, "cpu") == 0)
		return backend_cpu();
	if (strcmp(device, "cuda") == 0)
		return backend_cuda();
	if (strcmp(device, "auto") == 0) {
		const backend *gpu = backend_cuda();
		return gpu ? gpu : backend_cpu();
	}
	err_set("unknown device '%s' (cpu, cuda or auto)", device);
	return NULL;
}
