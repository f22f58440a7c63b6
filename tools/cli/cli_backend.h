/* --device, as the tools that compute on a backend take it (mae-train,
 * mae-embed, mae-recon). */
#ifndef MASKPIPE_CLI_BACKEND_H
#define MASKPIPE_CLI_BACKEND_H

#include "kernels/backend.h"

/* The --device argument, checked: cpu, cuda or auto; bad usage otherwise. */
const char *cli_device_arg(const char *arg);

/* The --pool argument, checked: MAE_POOL_CLS for cls, MAE_POOL_MEAN for
 * mean; bad usage otherwise. */
int cli_pool_arg(const char *arg);

/* The backend `device` names, with `threads` set; exits 1 with one line
 * when it cannot be used (--device=cuda without a GPU). */
const backend *cli_backend(const char *device, int threads);

#endif
