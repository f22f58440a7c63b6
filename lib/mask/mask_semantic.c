/* Segment-preserving masking in the spirit of Miao et al. (IEEE Signal
 * Processing Letters, 2024): what the encoder sees is whole, contiguous object regions, never a
 * salt-and-pepper of them. Regions come from `segments` (patch-level
 * segments) or from `boxes` (the patches each box touches, and the
 * background's components).
 *
 * Exact count: regions are taken in a random order and made visible whole
 * while they fit the visible budget. If the budget is not met, the first
 * region (in that order) with patches still hidden supplies the rest,
 * breadth-first from a random hidden patch of it (4-neighbours within the
 * region, then another random hidden patch if its component runs out),
 * so the partial region is a contiguous piece as far as the region allows;
 * then the next such region, and so on. Every patch is in some region, so
 * the budget is always met. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "mask/mask.h"

static int add_region_patch(patch_regions *pr, uint32_t *n_listed, uint32_t patch)
{
	if (grow_array(&pr->patches, &pr->cap_patches, *n_listed + 1, sizeof *pr->patches) < 0)
		return -1;
	pr->patches[(*n_listed)++] = patch;
	return 0;
}

static int close_region(patch_regions *pr, uint32_t n_listed)
{
	if (grow_array(&pr->start, &pr->cap_start, pr->n_regions + 2, sizeof *pr->start) < 0)
		return -1;
	pr->start[++pr->n_regions] = n_listed;
	return 0;
}

/* One region per 4-connected component of patches with equal label
 * (label UINT32_MAX: in no component), flood-filled through pr->pixels. */
static int components(patch_regions *pr, const patch_grid *grid, uint32_t *n_listed)
{
	uint32_t n = grid_patches(grid);
	if (grow_array(&pr->pixels, &pr->cap_pixels, 2 * (size_t)n, sizeof *pr->pixels) < 0)
		return -1;
	uint32_t *done = pr->pixels, *queue = pr->pixels + n;
	memset(done, 0, sizeof *done * n);
	for (uint32_t seed = 0; seed < n; seed++) {
		uint32_t label = pr->label[seed];
		if (done[seed] || label == UINT32_MAX)
			continue;
		uint32_t head = 0, tail = 0;
		queue[tail++] = seed;
		done[seed] = 1;
		while (head < tail) {
			uint32_t i = queue[head++], y = i / grid->gw, x = i % grid->gw;
			if (add_region_patch(pr, n_listed, i) < 0)
				return -1;
			uint32_t next[4] = {x > 0 ? i - 1 : i, x + 1 < grid->gw ? i + 1 : i,
					    y > 0 ? i - grid->gw : i, y + 1 < grid->gh ? i + grid->gw : i};
			for (int k = 0; k < 4; k++)
				if (!done[next[k]] && pr->label[next[k]] == label) {
					done[next[k]] = 1;
					queue[tail++] = next[k];
				}
		}
		if (close_region(pr, *n_listed) < 0)
			return -1;
	}
	return 0;
}

static int regions_begin(patch_regions *pr, const patch_grid *grid)
{
	pr->n_regions = 0;
	if (grow_array(&pr->start, &pr->cap_start, 1, sizeof *pr->start) < 0 ||
	    grow_array(&pr->label, &pr->cap_label, grid_patches(grid), sizeof *pr->label) < 0)
		return -1;
	pr->start[0] = 0;
	return 0;
}

int regions_from_boxes(patch_regions *pr, const patch_grid *grid, const box *boxes, size_t n_boxes)
{
	if (regions_begin(pr, grid) < 0)
		return -1;
	uint32_t n_listed = 0;
	for (uint32_t i = 0; i < grid_patches(grid); i++)
		pr->label[i] = 0;
	for (size_t k = 0; k < n_boxes; k++) {
		uint32_t x0, y0, x1, y1;
		if (!grid_box_cells(grid, &boxes[k], &x0, &y0, &x1, &y1))
			continue;
		for (uint32_t y = y0; y < y1; y++)
			for (uint32_t x = x0; x < x1; x++) {
				if (add_region_patch(pr, &n_listed, y * grid->gw + x) < 0)
					return -1;
				pr->label[y * grid->gw + x] = UINT32_MAX;
			}
		if (close_region(pr, n_listed) < 0)
			return -1;
	}
	return components(pr, grid, &n_listed);
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

int regions_from_segments(patch_regions *pr, const patch_grid *grid, const uint32_t *labels)
{
	if (regions_begin(pr, grid) < 0)
		return -1;
	uint32_t p = grid->p, width = grid->gw * p;
	uint32_t *votes = malloc(sizeof *votes * p * p);
	if (!votes)
		return err_set("out of memory");
	for (uint32_t gy = 0; gy < grid->gh; gy++)
		for (uint32_t gx = 0; gx < grid->gw; gx++) {
			for (uint32_t y = 0; y < p; y++)
				memcpy(votes + y * p, labels + (size_t)(gy * p + y) * width + gx * p,
				       sizeof *votes * p);
			qsort(votes, (size_t)p * p, sizeof *votes, compare_u32);
			uint32_t best = votes[0], best_run = 0, run = 0;
			for (uint32_t i = 0; i < p * p; i++) {
				run = i > 0 && votes[i] == votes[i - 1] ? run + 1 : 1;
				if (run > best_run) {
					best_run = run;
					best = votes[i];
				}
			}
			pr->label[gy * grid->gw + gx] = best;
		}
	free(votes);
	uint32_t n_listed = 0;
	return components(pr, grid, &n_listed);
}

void patch_regions_free(patch_regions *pr)
{
	free(pr->start);
	free(pr->patches);
	free(pr->label);
	free(pr->pixels);
}

/* Reveals hidden patches of region r, breadth-first within the region
 * from a uniformly chosen hidden patch of it (a fixed start would favour
 * one corner of the grid), until *visible reaches budget. member and queue
 * hold n_patches items; member is all zero on entry and on return. */
static void reveal_part(uint8_t *bits, const patch_grid *grid, const patch_regions *pr, uint32_t r,
			uint32_t *visible, uint32_t budget, rng *g, uint32_t *member, uint32_t *queue)
{
	const uint32_t *first = pr->patches + pr->start[r], *last = pr->patches + pr->start[r + 1];
	for (const uint32_t *p = first; p < last; p++)
		member[*p] = mask_bit(bits, *p); /* 1: hidden patch of the region, still to reveal */
	while (*visible < budget) {
		uint32_t n_left = 0;
		for (const uint32_t *p = first; p < last; p++)
			n_left += member[*p];
		if (n_left == 0)
			break;
		uint32_t pick = (uint32_t)rng_below(g, n_left), seed = 0;
		for (const uint32_t *p = first; p < last; p++)
			if (member[*p] && pick-- == 0) {
				seed = *p;
				break;
			}
		uint32_t head = 0, tail = 0;
		queue[tail++] = seed;
		member[seed] = 0;
		while (head < tail && *visible < budget) {
			uint32_t i = queue[head++], y = i / grid->gw, x = i % grid->gw;
			bits[i / 8] &= (uint8_t)~(1u << (i % 8));
			(*visible)++;
			uint32_t next[4] = {x > 0 ? i - 1 : i, x + 1 < grid->gw ? i + 1 : i,
					    y > 0 ? i - grid->gw : i, y + 1 < grid->gh ? i + grid->gw : i};
			for (int k = 0; k < 4; k++)
				if (member[next[k]]) {
					member[next[k]] = 0;
					queue[tail++] = next[k];
				}
		}
	}
	for (const uint32_t *p = first; p < last; p++)
		member[*p] = 0;
}

int mask_semantic(uint8_t *bits, const patch_grid *grid, const patch_regions *pr,
		  uint32_t n_hidden, rng *g, uint32_t **scratch, size_t *cap_scratch)
{
	uint32_t n = grid_patches(grid), budget = n - n_hidden, visible = 0;
	if (grow_array(scratch, cap_scratch, 2 * (size_t)n + pr->n_regions, sizeof **scratch) < 0)
		return -1;
	uint32_t *member = *scratch, *queue = member + n, *order = queue + n;
	memset(member, 0, sizeof *member * n);
	memset(bits, 0xff, mask_bytes(n));
	for (uint32_t r = 0; r < pr->n_regions; r++)
		order[r] = r;
	rng_shuffle(g, order, pr->n_regions);
	uint32_t first_short = UINT32_MAX;
	for (uint32_t k = 0; k < pr->n_regions && visible < budget; k++) {
		uint32_t r = order[k], added = 0;
		for (uint32_t j = pr->start[r]; j < pr->start[r + 1]; j++)
			added += mask_bit(bits, pr->patches[j]) && !member[pr->patches[j]]++;
		for (uint32_t j = pr->start[r]; j < pr->start[r + 1]; j++)
			member[pr->patches[j]] = 0;
		if (visible + added > budget) {
			first_short = first_short == UINT32_MAX ? k : first_short;
			continue;
		}
		for (uint32_t j = pr->start[r]; j < pr->start[r + 1]; j++) {
			uint32_t i = pr->patches[j];
			bits[i / 8] &= (uint8_t)~(1u << (i % 8));
		}
		visible += added;
	}
	for (uint32_t k = first_short; k < pr->n_regions && visible < budget; k++)
		reveal_part(bits, grid, pr, order[k], &visible, budget, g, member, queue);
	/* the bits past the last patch stay clear */
	for (uint32_t i = n; i < mask_bytes(n) * 8; i++)
		bits[i / 8] &= (uint8_t)~(1u << (i % 8));
	return 0;
}
