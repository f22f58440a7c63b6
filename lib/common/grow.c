#include "common/grow.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"

int grow_array(void *items, size_t *cap, size_t need, size_t item_size)
{
	if (need <= *cap)
		return 0;
	size_t new_cap = *cap ? *cap : 16;
	while (new_cap < need) {
		if (new_cap > SIZE_MAX / 2 / item_size)
			return err_set("out of memory: %zu items of %zu bytes", need, item_size);
		new_cap *= 2;
	}
	void **array = items;
	void *grown = realloc(*array, new_cap * item_size);
	if (!grown)
		return err_set("out of memory: %zu items of %zu bytes", new_cap, item_size);
	*array = grown;
	*cap = new_cap;
	return 0;
}

int write_all(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n > 0) {
		ssize_t done = write(fd, p, n);
		if (done < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += done;
		n -= (size_t)done;
	}
	return 0;
}
