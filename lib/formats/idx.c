#include "formats/idx.h"

#include <stdlib.h>

#include "common/err.h"
#include "formats/fileio.h"

struct idx_reader {
	itemfile images, labels; /* labels.f is NULL without labels */
	uint32_t rows, cols;
};

static const char *element_type_name(uint8_t code)
{
	switch (code) {
	case 0x08: return "unsigned byte";
	case 0x09: return "signed byte";
	case 0x0B: return "short";
	case 0x0C: return "int";
	case 0x0D: return "float";
	case 0x0E: return "double";
	default: return "unknown";
	}
}

/* Reads and checks the header of an IDX array of unsigned bytes with
 * n_dims dimensions (3 for images, 1 for labels). */
static int read_header(itemfile *it, uint8_t n_dims, uint32_t *dims)
{
	uint8_t magic[4], raw_dims[3 * 4];
	if (itemfile_header(it, magic, sizeof magic) < 0)
		return -1;
	if (magic[0] != 0 || magic[1] != 0)
		return err_set("%s: not an IDX file (it starts with %02x %02x %02x %02x)",
			       it->path, magic[0], magic[1], magic[2], magic[3]);
	if (magic[2] != 0x08)
		return err_set("%s: IDX elements of type 0x%02x (%s) are not supported, "
			       "only unsigned bytes (0x08)",
			       it->path, magic[2], element_type_name(magic[2]));
	if (magic[3] != n_dims)
		return err_set("%s: an IDX array of %u dimensions, expected %u (%s)", it->path,
			       magic[3], n_dims, n_dims == 3 ? "images, rows, columns" : "labels");
	if (itemfile_header(it, raw_dims, 4u * n_dims) < 0)
		return -1;
	for (int i = 0; i < n_dims; i++) {
		const uint8_t *be = raw_dims + 4 * i;
		dims[i] = (uint32_t)be[0] << 24 | (uint32_t)be[1] << 16 | (uint32_t)be[2] << 8 | be[3];
	}
	return 0;
}

static int open_labels(idx_reader *r, const char *labels_path)
{
	uint32_t n_labels;
	if (itemfile_open(&r->labels, labels_path, "label") < 0 ||
	    read_header(&r->labels, 1, &n_labels) < 0)
		return -1;
	if (n_labels != r->images.count)
		return err_set("%s: %u labels for the %llu images of %s", labels_path, n_labels,
			       (unsigned long long)r->images.count, r->images.path);
	return itemfile_expect(&r->labels, 1, n_labels);
}

idx_reader *idx_open(const char *images_path, const char *labels_path)
{
	idx_reader *r = calloc(1, sizeof *r);
	char *found = NULL;
	uint32_t dims[3];
	if (!r) {
		err_set("out of memory");
		return NULL;
	}
	if (itemfile_open(&r->images, images_path, "image") < 0 ||
	    read_header(&r->images, 3, dims) < 0)
		goto fail;
	r->rows = dims[1];
	r->cols = dims[2];
	if (img_check_dims(r->cols, r->rows, 1) < 0) {
		err_prefix("%s: ", images_path);
		goto fail;
	}
	if (itemfile_expect(&r->images, (size_t)r->rows * r->cols, dims[0]) < 0)
		goto fail;
	if (file_labels_path(labels_path, images_path, IDX_IMAGES_SUFFIX, IDX_LABELS_SUFFIX,
			     &found) < 0 ||
	    (found && open_labels(r, found) < 0))
		goto fail;
	free(found);
	return r;
fail:
	free(found);
	idx_close(r);
	return NULL;
}

uint64_t idx_count(const idx_reader *r)
{
	return r->images.count;
}

const char *idx_labels_path(const idx_reader *r)
{
	return r->labels.path;
}

int idx_next(idx_reader *r, img *out, int64_t *label)
{
	*label = -1;
	if (img_alloc(out, r->cols, r->rows, 1) < 0)
		return -1;
	int got = itemfile_next(&r->images, out->px);
	if (got < 0 || !r->labels.f)
		return got;
	/* the counts are equal, so the labels end with the images */
	uint8_t label_byte;
	if (itemfile_next(&r->labels, &label_byte) < 0)
		return -1;
	if (got)
		*label = label_byte;
	return got;
}

void idx_close(idx_reader *r)
{
	if (!r)
		return;
	itemfile_close(&r->images);
	itemfile_close(&r->labels);
	free(r);
}
