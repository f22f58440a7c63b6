/* libFuzzer target for the single-image decoders (PNG, JPEG): any bytes
 * must give an image or a clean error. */
#include <stdint.h>

#include "formats/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	img im = {0};
	if (image_decode(data, size, &im) == 0 && img_bytes(&im) > 0)
		img_convert(&im, 1);
	img_free(&im);
	return 0;
}
