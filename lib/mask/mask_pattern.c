/* The fixed patterns: MAE's grid-wise sampling and the checkerboard. */
#include "mask/mask.h"

void mask_grid(uint8_t *bits, const patch_grid *grid)
{
	for (uint32_t y = 0; y < grid->gh; y++)
		for (uint32_t x = 0; x < grid->gw; x++)
			if (x % 2 || y % 2)
				mask_set(bits, y * grid->gw + x);
}

void mask_checkerboard(uint8_t *bits, const patch_grid *grid, uint32_t parity)
{
	for (uint32_t y = 0; y < grid->gh; y++)
		for (uint32_t x = 0; x < grid->gw; x++)
			if ((x + y) % 2 == parity)
				mask_set(bits, y * grid->gw + x);
}
