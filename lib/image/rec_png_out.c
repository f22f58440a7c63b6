#include "image/rec_png_out.h"

#include <stdlib.h>

#include "common/err.h"
#include "formats/png_codec.h"
#include "stream/rec_path.h"

/* Mid-gray between sheet cells and around smaller images: it shows the
 * grid against dark backgrounds (Fashion-MNIST) and light ones alike. */
enum { SHEET_BACKGROUND = 128 };

static int write_png(const rec_png_out *out, const char *path, const img *im)
{
	if (image_png_write_file(path, im) < 0)
		return -1;
	if (out->names)
		fprintf(out->names, "%s\n", path);
	return 0;
}

int rec_png_out_add(rec_png_out *out, const rec *r, img *picture)
{
	if (out->sheet_path)
		return img_tiles_add(&out->tiles, picture);
	char *path = rec_png_path_made(r, out->dir, out->by_label, out->classes, out->n_classes);
	int rc = path ? write_png(out, path, picture) : -1;
	free(path);
	return rc;
}

int rec_png_out_finish(rec_png_out *out)
{
	if (!out->sheet_path)
		return 0;
	img sheet = {0};
	/* the tiles are enlarged already */
	int rc = img_sheet(&sheet, out->tiles.items, out->tiles.n, out->cols, 1, SHEET_BACKGROUND);
	if (rc < 0)
		err_prefix("%s: ", out->sheet_path);
	else
		rc = write_png(out, out->sheet_path, &sheet);
	img_free(&sheet);
	return rc;
}

void rec_png_out_free(rec_png_out *out)
{
	img_tiles_free(&out->tiles);
	rec_free_strs(out->classes, out->n_classes);
	out->classes = NULL;
	out->n_classes = 0;
}
