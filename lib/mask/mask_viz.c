#include "mask/mask_viz.h"

#include <string.h>

#include "common/err.h"

/* Distinct outline colours, cycled through the boxes in their order. */
static const uint8_t box_colours[][3] = {
	{230, 25, 75}, {60, 180, 75}, {255, 225, 25}, {0, 130, 200}, {245, 130, 48}, {145, 30, 180},
};

static void grey_hidden(img *panel, const patch_grid *grid, const uint8_t *mask, uint32_t scale)
{
	uint32_t side = grid->p * scale;
	for (uint32_t i = 0; i < grid_patches(grid); i++) {
		if (!mask_bit(mask, i))
			continue;
		uint32_t x0 = i % grid->gw * side, y0 = i / grid->gw * side;
		for (uint32_t y = y0; y < y0 + side && y < panel->h; y++) {
			uint32_t x_end = x0 + side < panel->w ? x0 + side : panel->w;
			if (x0 < x_end)
				memset(panel->px + ((size_t)y * panel->w + x0) * 3, MASK_VIZ_GRAY,
				       (size_t)(x_end - x0) * 3);
		}
	}
}

int mask_viz_record(const img_view *im, const patch_grid *grid, const uint8_t *mask,
		    const box *boxes, size_t n_boxes, uint32_t scale, img *out)
{
	if ((uint64_t)grid->gw * grid->p != im->w || (uint64_t)grid->gh * grid->p != im->h)
		return err_set("the %ux%u grid of %u px patches does not cover the %ux%u image",
			       grid->gw, grid->gh, grid->p, im->w, im->h);
	img panels[3] = {{0}};
	int rc = 0;
	for (int k = 0; k < 3 && rc == 0; k++) {
		rc = img_alloc(&panels[k], im->w * scale, im->h * scale, im->c);
		if (rc == 0) {
			img_blit_scaled(&panels[k], 0, 0, im, scale);
			rc = img_convert(&panels[k], 3);
		}
	}
	if (rc == 0) {
		grey_hidden(&panels[1], grid, mask, scale);
		for (size_t i = 0; i < n_boxes; i++) {
			box b = {boxes[i].x * (int32_t)scale, boxes[i].y * (int32_t)scale,
				 boxes[i].w * (int32_t)scale, boxes[i].h * (int32_t)scale};
			img_draw_box(&panels[2], &b, box_colours[i % 6], scale > 1 ? 2 : 1);
		}
		rc = img_sheet(out, panels, 3, 3, 1, 255);
	}
	for (int k = 0; k < 3; k++)
		img_free(&panels[k]);
	return rc;
}
