#include "image.h"

#include <string.h>

#include "err.h"
#include "jpeg.h"
#include "png_codec.h"

int image_decode(const uint8_t *data, size_t len, img *out)
{
	if (len >= 4 && memcmp(data, "\x89PNG", 4) == 0)
		return png_decode(data, len, out);
	if (len >= 3 && memcmp(data, "\xff\xd8\xff", 3) == 0)
		return jpeg_decode(data, len, out);
	return err_set(len ? "not a PNG or JPEG image" : "empty input, not an image");
}
