#include <string.h>

#include "common/err.h"
#include "common/img.h"

void img_blit_scaled(img *dst, uint32_t x0, uint32_t y0, const img_view *src, uint32_t scale)
{
	size_t channels = src->c;
	for (uint32_t y = 0; y < src->h * scale; y++) {
		const uint8_t *src_row = src->px + (size_t)(y / scale) * src->w * channels;
		uint8_t *dst_row = dst->px + ((size_t)(y0 + y) * dst->w + x0) * channels;
		for (uint32_t x = 0; x < src->w * scale; x++)
			memcpy(dst_row + x * channels, src_row + (x / scale) * channels, channels);
	}
}

int img_sheet(img *sheet, img *tiles, size_t n_tiles, uint32_t cols, uint32_t scale,
	      uint8_t background)
{
	if (n_tiles == 0)
		return err_set("no images for the sheet");
	uint32_t max_w = 0, max_h = 0, channels = 1;
	for (size_t i = 0; i < n_tiles; i++) {
		max_w = tiles[i].w > max_w ? tiles[i].w : max_w;
		max_h = tiles[i].h > max_h ? tiles[i].h : max_h;
		channels = tiles[i].c >= 3 ? 3 : channels;
	}
	for (size_t i = 0; i < n_tiles; i++)
		if (img_convert(&tiles[i], channels) < 0)
			return -1;
	if (cols == 0)
		while ((uint64_t)cols * cols < n_tiles)
			cols++;
	if (cols > n_tiles)
		cols = (uint32_t)n_tiles;
	uint64_t rows = (n_tiles + cols - 1) / cols;
	uint64_t cell_w = (uint64_t)max_w * scale, cell_h = (uint64_t)max_h * scale;
	uint64_t sheet_w = cols * (cell_w + 1) - 1, sheet_h = rows * (cell_h + 1) - 1;
	if (img_check_dims(sheet_w, sheet_h, channels) < 0)
		return err_prefix("a sheet of %zu images in %u columns: ", n_tiles, cols);
	if (img_alloc(sheet, (uint32_t)sheet_w, (uint32_t)sheet_h, channels) < 0)
		return -1;
	memset(sheet->px, background, img_bytes(sheet));
	for (size_t i = 0; i < n_tiles; i++) {
		img_view view = img_view_of(&tiles[i]);
		img_blit_scaled(sheet, (uint32_t)(i % cols * (cell_w + 1)),
				(uint32_t)(i / cols * (cell_h + 1)), &view, scale);
	}
	return 0;
}
