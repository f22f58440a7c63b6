/* libFuzzer target for the stream reader: any bytes must give records or
 * a clean error, never a crash, a leak or an out-of-bounds read. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "stream/rec_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return 0;
	}
	rec_reader *rd = rec_reader_open_fd(fd, "fuzz");
	rec r;
	rec_init(&r);
	while (rd && rec_reader_next(rd, &r) > 0) {
		/* the typed getters and the encoder see every record too */
		img_view v;
		int64_t i;
		const char *s;
		uint32_t len;
		rec_get_img(&r, &v);
		rec_get_int(&r, "label", &i);
		rec_get_str(&r, "id", &s, &len);
		uint8_t *out = malloc(rec_encoded_size(&r));
		if (out)
			rec_encode(&r, out);
		free(out);
	}
	rec_free(&r);
	rec_reader_close(rd);
	close(fd);
	return 0;
}
