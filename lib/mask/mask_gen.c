#include "mask/mask_gen.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "stream/rec_rng.h"

int mask_strategy_parse(const char *name, int *kind, int *color)
{
	static const char *const kinds[] = {"random", "block", "grid", "symmetric", "objbox", NULL,
					    "semantic"};
	static const char *const colors[] = {"white", "red", "green", "blue", "purple"};
	for (int k = 0; k < 7; k++)
		if (kinds[k] && strcmp(name, kinds[k]) == 0) {
			*kind = k;
			return 0;
		}
	if (strncmp(name, "noise:", 6) == 0)
		for (int c = 0; c < 5; c++)
			if (strcmp(name + 6, colors[c]) == 0) {
				*kind = MASK_NOISE;
				*color = c;
				return 0;
			}
	return err_set("unknown strategy '%s' (random, block, grid, symmetric, objbox, semantic, "
		       "noise:white|red|green|blue|purple)", name);
}

double mask_fixed_ratio(int kind)
{
	return kind == MASK_GRID ? 0.75 : kind == MASK_SYMMETRIC ? 0.5 : -1;
}

int mask_gen_init(mask_gen *mg, const mask_gen_opts *opt)
{
	*mg = (mask_gen){.opt = *opt};
	if (opt->kind != MASK_NOISE)
		return 0;
	/* the bank depends on the seed and the filter only: every record of
	 * the run draws its window from the same patterns */
	return noise_bank_make(&mg->bank, opt->color, opt->sigma1, opt->sigma2, opt->bank_side,
			       opt->bank_patterns, opt->seed ^ 0x636f6c6f726d6165ull);
}

static int grow_work(mask_gen *mg, uint32_t n)
{
	if (grow_array(&mg->bits, &mg->cap_bits, mask_bytes(n), 1) < 0 ||
	    grow_array(&mg->idx, &mg->cap_idx, n, sizeof *mg->idx) < 0 ||
	    grow_array(&mg->weight, &mg->cap_weight, n, sizeof *mg->weight) < 0 ||
	    grow_array(&mg->keys, &mg->cap_keys, n, sizeof *mg->keys) < 0 ||
	    grow_array(&mg->counts, &mg->cap_counts, n, sizeof *mg->counts) < 0)
		return -1;
	memset(mg->bits, 0, mask_bytes(n));
	return 0;
}

static int semantic(mask_gen *mg, const rec *r, const patch_grid *grid, uint32_t n_hidden, rng *g)
{
	uint32_t w, h, n_segments;
	int rc = rec_get_segments(r, &mg->labels, &mg->cap_labels, &w, &h, &n_segments);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		if (w != grid->gw * grid->p || h != grid->gh * grid->p)
			return err_set("field 'segments' is %ux%u, the grid covers %ux%u", w, h,
				       grid->gw * grid->p, grid->gh * grid->p);
		rc = regions_from_segments(&mg->regions, grid, mg->labels);
	} else {
		size_t n_boxes;
		rc = rec_get_boxes(r, &mg->boxes, &mg->cap_boxes, &n_boxes);
		if (rc == 1)
			return err_set("no 'segments' or 'boxes' field: semantic masks keep whole regions "
				       "of them (ssearch-boxes writes them)");
		if (rc < 0)
			return -1;
		rc = regions_from_boxes(&mg->regions, grid, mg->boxes, n_boxes);
	}
	if (rc < 0)
		return -1;
	return mask_semantic(mg->bits, grid, &mg->regions, n_hidden, g, &mg->idx, &mg->cap_idx);
}

int mask_gen_record(mask_gen *mg, rec *r)
{
	const mask_gen_opts *opt = &mg->opt;
	patch_grid grid;
	int64_t epoch = 0;
	int rc = rec_get_grid(r, &grid);
	if (rc == 1)
		return err_set("no 'grid' field (patchify writes it)");
	if (rc < 0 || rec_get_int(r, "epoch", &epoch) < 0)
		return -1;
	uint32_t n = grid_patches(&grid);
	double ratio = opt->use_schedule ? mask_schedule_ratio(&opt->schedule, epoch) : opt->ratio;
	uint32_t n_hidden = mask_hidden_count(ratio, n);
	rng g;
	if (grow_work(mg, n) < 0 ||
	    (opt->kind != MASK_GRID && rec_rng_seed(&g, r, opt->seed, REC_RNG_MASK) < 0))
		return -1;
	switch (opt->kind) {
	case MASK_RANDOM:
		mask_random(mg->bits, n, n_hidden, &g, mg->idx);
		break;
	case MASK_BLOCK:
		mask_block(mg->bits, &grid, n_hidden, opt->min_block, &g, mg->idx);
		break;
	case MASK_GRID:
		mask_grid(mg->bits, &grid);
		break;
	case MASK_SYMMETRIC:
		mask_checkerboard(mg->bits, &grid, (uint32_t)rng_below(&g, 2));
		break;
	case MASK_OBJBOX:
		rc = rec_get_boxcount(r, mg->counts, n);
		if (rc == 1)
			return err_set("no 'boxcount' field (patchify writes it from 'boxes')");
		if (rc < 0)
			return -1;
		mask_objbox(mg->bits, mg->counts, n, n_hidden, opt->lambda, &g, mg->weight, mg->keys);
		break;
	case MASK_NOISE:
		if (grid.gh > mg->bank.side || grid.gw > mg->bank.side)
			return err_set("a %ux%u grid is larger than the %ux%u noise patterns (--bank-size)",
				       grid.gh, grid.gw, mg->bank.side, mg->bank.side);
		mask_noise(mg->bits, &mg->bank, &grid, n_hidden, &g, mg->weight, mg->keys);
		break;
	default:
		if (semantic(mg, r, &grid, n_hidden, &g) < 0)
			return -1;
	}
	return rec_set_mask(r, mg->bits, n);
}

void mask_gen_free(mask_gen *mg)
{
	noise_bank_free(&mg->bank);
	patch_regions_free(&mg->regions);
	free(mg->bits);
	free(mg->idx);
	free(mg->weight);
	free(mg->keys);
	free(mg->counts);
	free(mg->boxes);
	free(mg->labels);
}
