/* mp_image: decoding (formats/image.h), channel conversion and PNG output
 * behind the public API. */
#include "maskpipe/image.h"

#include <stdlib.h>

#include "common/err.h"
#include "common/img.h"
#include "formats/fileio.h"
#include "formats/image.h"
#include "formats/png_codec.h"

int mp_image_decode(const void *data, size_t len, int channels, mp_image *out)
{
	if (channels != 0 && channels != 1 && channels != 3)
		return err_set("channels is 0 (as stored), 1 or 3, not %d", channels);
	img im = {0};
	if (image_decode(data, len, &im) < 0)
		return -1;
	if (img_convert(&im, (uint32_t)channels) < 0) {
		img_free(&im);
		return -1;
	}
	*out = (mp_image){im.w, im.h, im.c, im.px};
	return 0;
}

int mp_image_read_file(const char *path, int channels, mp_image *out)
{
	uint8_t *data;
	size_t len;
	if (datafile_read_all(path, IMG_MAX_BYTES, &data, &len) < 0)
		return err_prefix("%s: ", path);
	int rc = mp_image_decode(data, len, channels, out);
	free(data);
	return rc < 0 ? err_prefix("%s: ", path) : 0;
}

int mp_image_write_png(const char *path, const mp_image *im)
{
	img view = {im->width, im->height, im->channels, im->pixels};
	return image_png_write_file(path, &view);
}

void mp_image_free(mp_image *im)
{
	free(im->pixels);
	*im = (mp_image){0};
}
