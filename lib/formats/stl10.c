#include "formats/stl10.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "formats/fileio.h"

enum { STL10_SIDE = 96, STL10_PLANE = STL10_SIDE * STL10_SIDE, STL10_IMAGE_BYTES = 3 * STL10_PLANE };

struct stl10_reader {
	itemfile images, labels; /* labels.f is NULL without labels */
	uint8_t planes[STL10_IMAGE_BYTES];
};

int stl10_is_name(const char *path)
{
	char name[256];
	if (file_base_name(path, name, sizeof name) < 0)
		return 0;
	size_t len = strlen(name), suffix_len = strlen(STL10_IMAGES_SUFFIX);
	return len > suffix_len && strcmp(name + len - suffix_len, STL10_IMAGES_SUFFIX) == 0;
}

stl10_reader *stl10_open(const char *images_path, const char *labels_path)
{
	stl10_reader *r = calloc(1, sizeof *r);
	char *found = NULL;
	if (!r) {
		err_set("out of memory");
		return NULL;
	}
	if (itemfile_open(&r->images, images_path, "image") < 0 ||
	    itemfile_expect(&r->images, STL10_IMAGE_BYTES, ITEMS_UNKNOWN) < 0)
		goto fail;
	if (file_labels_path(labels_path, images_path, STL10_IMAGES_SUFFIX, STL10_LABELS_SUFFIX,
			     &found) < 0)
		goto fail;
	/* the image count is unknown only for a compressed file; then
	 * stl10_next checks that the two files end together */
	if (found && (itemfile_open(&r->labels, found, "label") < 0 ||
		      itemfile_expect(&r->labels, 1, r->images.count) < 0))
		goto fail;
	free(found);
	return r;
fail:
	free(found);
	stl10_close(r);
	return NULL;
}

int64_t stl10_count(const stl10_reader *r)
{
	return r->images.count == ITEMS_UNKNOWN ? -1 : (int64_t)r->images.count;
}

static int read_label(stl10_reader *r, int images_left, int64_t *label)
{
	uint8_t label_byte;
	int got = itemfile_next(&r->labels, &label_byte);
	if (got < 0)
		return -1;
	if (got != images_left)
		return err_set(got ? "%s: more labels than the %llu images of %s"
				   : "%s: image %llu: no label: the file ends before it",
			       r->labels.path, (unsigned long long)r->images.index - images_left,
			       r->images.path);
	if (!got)
		return 0;
	if (label_byte < 1 || label_byte > 10)
		return err_set("%s: image %llu: label %u is out of range 1..10", r->labels.path,
			       (unsigned long long)r->labels.index - 1, label_byte);
	*label = label_byte - 1;
	return 0;
}

int stl10_next(stl10_reader *r, img *out, int64_t *label)
{
	*label = -1;
	int got = itemfile_next(&r->images, r->planes);
	if (got < 0 || (r->labels.f && read_label(r, got, label) < 0))
		return -1;
	if (!got)
		return 0;
	if (img_alloc(out, STL10_SIDE, STL10_SIDE, 3) < 0)
		return -1;
	/* planes are column-major: pixel (x, y) of channel ch at ch*plane + x*side + y */
	for (int y = 0; y < STL10_SIDE; y++)
		for (int x = 0; x < STL10_SIDE; x++)
			for (int ch = 0; ch < 3; ch++)
				out->px[(y * STL10_SIDE + x) * 3 + ch] =
					r->planes[ch * STL10_PLANE + x * STL10_SIDE + y];
	return 1;
}

void stl10_close(stl10_reader *r)
{
	if (!r)
		return;
	itemfile_close(&r->images);
	itemfile_close(&r->labels);
	free(r);
}
