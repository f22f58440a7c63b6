/* backend_cuda of a build made where nvcc was not found. */
#include "kernels/backend.h"
#include "common/err.h"

const backend *backend_cuda(void)
{
	err_set("no CUDA device: this build has no CUDA backend (nvcc was not found when it "
		"was built)");
	return NULL;
}
