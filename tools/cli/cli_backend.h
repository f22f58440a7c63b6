/* --device and --precision, as the tools that run the model take them
 * (mae-train, mae-finetune, mae-embed, mae-recon). */
#ifndef MASKPIPE_CLI_BACKEND_H
#define MASKPIPE_CLI_BACKEND_H

#include "kernels/backend.h"

/* The --device argument, checked: cpu, cuda or auto; bad usage otherwise. */
const char *cli_device_arg(const char *arg);

/* The --pool argument, checked: MAE_POOL_CLS for cls, MAE_POOL_MEAN for
 * mean; bad usage otherwise. */
int cli_pool_arg(const char *arg);

/* The --precision argument, checked: BACKEND_FP32 for fp32, BACKEND_BF16
 * for bf16; bad usage otherwise. */
int cli_precision_arg(const char *arg);
/* Its name, as the option spells it. */
const char *cli_precision_name(int precision);

/* The backend `device` names, with `threads` and `precision` set; exits 1
 * with one line when it cannot be used (--device=cuda without a GPU). */
const backend *cli_backend(const char *device, int threads, int precision);

#endif
