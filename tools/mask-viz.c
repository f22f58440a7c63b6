/* mask-viz: records as the papers show them, image | hidden patches
 * greyed | boxes drawn, several records on one PNG sheet. */
#include <getopt.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "common/grow.h"
#include "mask/mask_viz.h"
#include "formats/png_codec.h"

static const char help[] =
	"Usage: mask-viz -o PNG [OPTION]... [FILE]\n"
	"Draw the first records of the stream FILE (or stdin) as the masked-image\n"
	"papers show them: the image, the image with its hidden patches (the\n"
	"`mask` over the `grid`) in gray, and the image with its `boxes` drawn,\n"
	"side by side; one row of three per record (or --cols per row), all in\n"
	"one PNG.\n"
	"\n"
	"  -o, --output PNG   the PNG file to write (required)\n"
	"  -n, --limit N      draw the first N records (default 16)\n"
	"  -s, --scale K      enlarge the images K times (default 4)\n"
	"  -c, --cols N       records per row of the sheet (default 1)\n"
	"  -h, --help         show this help and exit\n"
	"  -V, --version      show the version and exit\n"
	"\n"
	"See mask-viz(1).\n";

/* White between the records as between a record's panels: distinct from
 * the gray of hidden patches and from the dark backgrounds of
 * Fashion-MNIST. */
enum { SHEET_BACKGROUND = 255 };

static int record_tile(const rec *r, uint32_t scale, img *tile, box **boxes, size_t *cap_boxes)
{
	img_view view;
	patch_grid grid;
	const uint8_t *mask;
	size_t n_boxes = 0;
	int rc = rec_get_img(r, &view);
	if (rc == 1)
		return err_set("no 'img' field");
	if (rc < 0)
		return -1;
	if ((rc = rec_get_grid(r, &grid)) == 1)
		return err_set("no 'grid' field (patchify writes it)");
	if (rc < 0)
		return -1;
	if ((rc = rec_get_mask(r, &mask, grid_patches(&grid))) == 1)
		return err_set("no 'mask' field (mask-gen writes it)");
	if (rc < 0 || rec_get_boxes(r, boxes, cap_boxes, &n_boxes) < 0)
		return -1;
	return mask_viz_record(&view, &grid, mask, *boxes, n_boxes, scale, tile);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"limit", required_argument, NULL, 'n'},
		{"scale", required_argument, NULL, 's'},
		{"cols", required_argument, NULL, 'c'},
		CLI_OPTIONS_COMMON,
	};
	const char *out_path = NULL;
	uint64_t limit = 16;
	uint32_t scale = 4, cols = 1;
	int c;
	cli_init(argc, argv);
	while ((c = getopt_long(argc, argv, "o:n:s:c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out_path = cli_output_arg(optarg); break;
		case 'n': limit = (uint64_t)cli_int("--limit", optarg, 1, 4096); break;
		case 's': scale = (uint32_t)cli_int("--scale", optarg, 1, 64); break;
		case 'c': cols = (uint32_t)cli_int("--cols", optarg, 1, 4096); break;
		CLI_CASES_COMMON(help);
		}
	}
	if (!out_path)
		cli_usage("-o PNG is required");
	rec_reader *rd = cli_open_input(cli_one_input(argc, argv));
	img *tiles = NULL;
	size_t n_tiles = 0, cap_tiles = 0, cap_boxes = 0;
	box *boxes = NULL;
	rec r;
	rec_init(&r);
	int rc = 0;
	while (n_tiles < limit && (rc = rec_reader_next(rd, &r)) > 0) {
		if (grow_array(&tiles, &cap_tiles, n_tiles + 1, sizeof *tiles) < 0)
			cli_fail();
		tiles[n_tiles] = (img){0};
		if (record_tile(&r, scale, &tiles[n_tiles], &boxes, &cap_boxes) < 0) {
			char what[256];
			err_prefix("%s: %s: ", rec_reader_name(rd), rec_describe(&r, what, sizeof what));
			cli_fail();
		}
		n_tiles++;
	}
	if (rc < 0)
		cli_fail();
	img sheet = {0};
	if (img_sheet(&sheet, tiles, n_tiles, cols, 1, SHEET_BACKGROUND) < 0) {
		err_prefix("%s: ", out_path);
		cli_fail();
	}
	if (image_png_write_file(out_path, &sheet) < 0)
		cli_fail();
	img_free(&sheet);
	for (size_t i = 0; i < n_tiles; i++)
		img_free(&tiles[i]);
	free(tiles);
	free(boxes);
	rec_free(&r);
	rec_reader_close(rd);
	return 0;
}
