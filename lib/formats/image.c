#include "formats/image.h"

#include <string.h>

#include "common/err.h"
#include "formats/jpeg.h"
#include "formats/png_codec.h"

const char *image_format_of(const uint8_t *data, size_t len)
{
	if (len >= 4 && memcmp(data, "\x89PNG", 4) == 0)
		return "png";
	if (len >= 3 && memcmp(data, "\xff\xd8\xff", 3) == 0)
		return "jpeg";
	return NULL;
}

int image_decode(const uint8_t *data, size_t len, img *out)
{
	const char *format = image_format_of(data, len);
	if (!format)
		return err_set(len ? "not a PNG or JPEG image" : "empty input, not an image");
	return format[0] == 'p' ? image_png_decode(data, len, out)
				 : image_jpeg_decode(data, len, out);
}
