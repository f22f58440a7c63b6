/* libFuzzer target for the safetensors reader and the MAE checkpoint
 * loader: any bytes as a checkpoint file must load or give one clean
 * error, never a crash, a leak, an out-of-bounds read or an allocation
 * that the file's header claims but its bytes do not hold. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernels/backend.h"
#include "mae/mae_checkpoint.h"
#include "formats/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz.st", 0);
	if (fd < 0)
		return 0;
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (write(fd, data, size) == (ssize_t)size) {
		st_file f;
		if (st_read(&f, path) == 0) {
			for (int i = 0; i < f.n_tensors; i++)
				st_find(&f, f.tensors[i].name);
			st_meta(&f, "format");
			st_free(&f);
			mae_model m;
			adamw opt;
			if (mae_checkpoint_load(path, backend_cpu(), NULL, &m, &opt) == 0) {
				adamw_free(&opt, &m);
				mae_model_free(&m);
			}
			if (mae_checkpoint_load(path, backend_cpu(), NULL, &m, NULL) == 0)
				mae_model_free(&m);
		}
	}
	close(fd);
	return 0;
}
