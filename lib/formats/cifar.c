#include "formats/cifar.h"

#include <fnmatch.h>
#include <stdlib.h>

#include "common/err.h"
#include "formats/fileio.h"

enum { CIFAR_SIDE = 32, CIFAR_PLANE = CIFAR_SIDE * CIFAR_SIDE, CIFAR_PIXEL_BYTES = 3 * CIFAR_PLANE };

struct cifar_reader {
	itemfile records;
	int variant;
	uint8_t record[2 + CIFAR_PIXEL_BYTES];
};

int cifar_variant_from_name(const char *path)
{
	char name[256];
	if (file_base_name(path, name, sizeof name) < 0)
		return 0;
	if (fnmatch("data_batch_*" CIFAR_SUFFIX, name, 0) == 0 ||
	    fnmatch("test_batch" CIFAR_SUFFIX, name, 0) == 0)
		return 10;
	if (fnmatch("train" CIFAR_SUFFIX, name, 0) == 0 || fnmatch("test" CIFAR_SUFFIX, name, 0) == 0)
		return 100;
	return 0;
}

cifar_reader *cifar_open(const char *path, int variant)
{
	if (variant == 0 && !(variant = cifar_variant_from_name(path))) {
		err_set("%s: cannot tell CIFAR-10 from CIFAR-100 by the file name", path);
		return NULL;
	}
	if (variant != 10 && variant != 100) {
		err_set("%s: CIFAR-%d does not exist (10 or 100)", path, variant);
		return NULL;
	}
	cifar_reader *r = calloc(1, sizeof *r);
	if (!r) {
		err_set("out of memory");
		return NULL;
	}
	r->variant = variant;
	size_t label_bytes = variant == 10 ? 1 : 2;
	if (itemfile_open(&r->records, path, "image") < 0 ||
	    itemfile_expect(&r->records, label_bytes + CIFAR_PIXEL_BYTES, ITEMS_UNKNOWN) < 0) {
		cifar_close(r);
		return NULL;
	}
	return r;
}

int64_t cifar_count(const cifar_reader *r)
{
	return r->records.count == ITEMS_UNKNOWN ? -1 : (int64_t)r->records.count;
}

static int check_label(const cifar_reader *r, const char *which, uint8_t label, unsigned n_classes)
{
	if (label < n_classes)
		return 0;
	return err_set("%s: image %llu: %slabel %u is out of range 0..%u", r->records.path,
		       (unsigned long long)r->records.index - 1, which, label, n_classes - 1);
}

int cifar_next(cifar_reader *r, img *out, int64_t *label, int64_t *label_coarse)
{
	*label = *label_coarse = -1;
	int got = itemfile_next(&r->records, r->record);
	if (got <= 0)
		return got;
	const uint8_t *planes = r->record + (r->variant == 10 ? 1 : 2);
	if (r->variant == 10) {
		if (check_label(r, "", r->record[0], 10) < 0)
			return -1;
		*label = r->record[0];
	} else {
		if (check_label(r, "coarse ", r->record[0], 20) < 0 ||
		    check_label(r, "fine ", r->record[1], 100) < 0)
			return -1;
		*label_coarse = r->record[0];
		*label = r->record[1];
	}
	if (img_alloc(out, CIFAR_SIDE, CIFAR_SIDE, 3) < 0)
		return -1;
	for (int i = 0; i < CIFAR_PLANE; i++)
		for (int ch = 0; ch < 3; ch++)
			out->px[3 * i + ch] = planes[ch * CIFAR_PLANE + i];
	return 1;
}

void cifar_close(cifar_reader *r)
{
	if (!r)
		return;
	itemfile_close(&r->records);
	free(r);
}
