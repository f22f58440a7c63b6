/* mask-viz's drawing: three panels, hidden patches gray, boxes drawn. */
#include "check.h"
#include "common/err.h"
#include "mask/mask_viz.h"

static void three_panels(void)
{
	/* a 4x2 gray image of value 10, 2x2 patches (2 of them), the second
	 * hidden, a box around the first patch; scale 1 */
	img im = {0};
	CHECK_EQ(img_alloc(&im, 4, 2, 1), 0);
	memset(im.px, 10, 8);
	img_view view = img_view_of(&im);
	const patch_grid grid = {2, 1, 2};
	const uint8_t mask = 0x2;
	const box b = {0, 0, 2, 2};
	img out = {0};
	CHECK_EQ(mask_viz_record(&view, &grid, &mask, &b, 1, 1, &out), 0);
	CHECK(out.w == 3 * 4 + 2 && out.h == 2 && out.c == 3);
	const uint8_t *row = out.px;
	/* panel 1 untouched, a white gap, panel 2: patch 0 as is, patch 1 gray */
	CHECK_EQ(row[0], 10);
	CHECK_EQ(row[4 * 3], 255);
	CHECK_EQ(row[5 * 3], 10);
	CHECK_EQ(row[7 * 3], MASK_VIZ_GRAY);
	CHECK_EQ(row[8 * 3 + 1], MASK_VIZ_GRAY);
	/* panel 3: the box outline in colour over patch 0, patch 1 as is */
	const uint8_t *outline = row + 10 * 3;
	CHECK(outline[0] != 10 || outline[1] != 10 || outline[2] != 10);
	CHECK_EQ(row[13 * 3], 10);
	img_free(&out);
	const patch_grid wrong = {3, 1, 2};
	CHECK_EQ(mask_viz_record(&view, &wrong, &mask, &b, 1, 1, &out), -1);
	CHECK(strstr(err_msg(), "does not cover the 4x2 image") != NULL);
	img_free(&im);
}

int main(void)
{
	RUN(three_panels);
	return check_exit();
}
