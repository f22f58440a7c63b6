#include "mask/mask_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/rng.h"

void mask_stats_init(mask_stats *s)
{
	memset(s, 0, sizeof *s);
}

void mask_stats_free(mask_stats *s)
{
	free(s->hidden_at);
	free(s->entries);
	free(s->ids);
	free(s->bits);
}

int mask_stats_add(mask_stats *s, const rec *r)
{
	patch_grid grid;
	const uint8_t *bits;
	const char *id;
	uint32_t id_len;
	int rc = rec_get_grid(r, &grid);
	if (rc == 1)
		return err_set("no 'grid' field (patchify writes it)");
	if (rc < 0)
		return -1;
	uint32_t n = grid_patches(&grid);
	if ((rc = rec_get_mask(r, &bits, n)) == 1)
		return err_set("no 'mask' field (mask-gen writes it)");
	if (rc < 0)
		return -1;
	if ((rc = rec_get_str(r, "id", &id, &id_len)) == 1)
		return err_set("no 'id' field: masks are compared per id");
	if (rc < 0)
		return -1;
	if (s->n_masks == 0) {
		s->grid = grid;
		if (!(s->hidden_at = calloc(n, sizeof *s->hidden_at)))
			return err_set("out of memory");
	} else if (grid.gh != s->grid.gh || grid.gw != s->grid.gw) {
		return err_set("a %ux%u grid among masks of %ux%u", grid.gh, grid.gw, s->grid.gh,
			       s->grid.gw);
	}
	size_t n_bytes = mask_bytes(n);
	if (s->len_ids + id_len > UINT32_MAX || s->len_bits + n_bytes > UINT32_MAX)
		return err_set("more masks than mask-stats holds (4 GiB of ids or masks)");
	if (grow_array(&s->entries, &s->cap_entries, s->n_masks + 1, sizeof *s->entries) < 0 ||
	    grow_array(&s->ids, &s->cap_ids, s->len_ids + id_len, 1) < 0 ||
	    grow_array(&s->bits, &s->cap_bits, s->len_bits + n_bytes, 1) < 0)
		return -1;
	s->entries[s->n_masks++] = (mask_entry){rng_hash(id, id_len, 0), (uint32_t)s->len_ids, id_len,
						 (uint32_t)s->len_bits};
	memcpy(s->ids + s->len_ids, id, id_len);
	memcpy(s->bits + s->len_bits, bits, n_bytes);
	s->len_ids += id_len;
	s->len_bits += n_bytes;
	for (uint32_t i = 0; i < n; i++)
		if (mask_bit(bits, i)) {
			s->hidden_at[i]++;
			s->n_hidden++;
		}
	return 0;
}

double mask_stats_freq(const mask_stats *s, uint32_t i)
{
	return s->n_masks ? (double)s->hidden_at[i] / s->n_masks : 0;
}

static int compare_ids(const void *a, const void *b, void *stats)
{
	const mask_entry *x = a, *y = b;
	const mask_stats *sorting = stats;
	if (x->id_hash != y->id_hash)
		return x->id_hash < y->id_hash ? -1 : 1;
	if (x->id_len != y->id_len)
		return x->id_len < y->id_len ? -1 : 1;
	int c = memcmp(sorting->ids + x->id_off, sorting->ids + y->id_off, x->id_len);
	return c ? c : (x->bits_off > y->bits_off) - (x->bits_off < y->bits_off);
}

static int same_id(const mask_stats *s, const mask_entry *a, const mask_entry *b)
{
	return a->id_hash == b->id_hash && a->id_len == b->id_len &&
	       memcmp(s->ids + a->id_off, s->ids + b->id_off, a->id_len) == 0;
}

static uint32_t hamming(const uint8_t *a, const uint8_t *b, size_t n_bytes)
{
	uint32_t d = 0;
	for (size_t i = 0; i < n_bytes; i++)
		d += (uint32_t)__builtin_popcount(a[i] ^ b[i]);
	return d;
}

int mask_stats_summary(mask_stats *s, mask_summary *out)
{
	uint32_t n = grid_patches(&s->grid);
	*out = (mask_summary){.n_masks = s->n_masks};
	if (s->n_masks == 0)
		return err_set("no masks");
	out->mean_ratio = (double)s->n_hidden / ((double)s->n_masks * n);
	out->min_freq = 1;
	double entropy = 0;
	for (uint32_t i = 0; i < n; i++) {
		double f = mask_stats_freq(s, i);
		out->min_freq = f < out->min_freq ? f : out->min_freq;
		out->max_freq = f > out->max_freq ? f : out->max_freq;
		double p = s->n_hidden ? (double)s->hidden_at[i] / s->n_hidden : 0;
		entropy -= p > 0 ? p * log2(p) : 0;
	}
	out->entropy = n > 1 ? entropy / log2(n) : 0;
	qsort_r(s->entries, s->n_masks, sizeof *s->entries, compare_ids, s);
	size_t n_bytes = mask_bytes(n);
	double distance = 0;
	for (uint64_t first = 0, last; first < s->n_masks; first = last) {
		last = first + 1;
		while (last < s->n_masks && same_id(s, &s->entries[first], &s->entries[last]))
			last++;
		for (uint64_t a = first; a < last; a++)
			for (uint64_t b = a + 1; b < last; b++) {
				distance += hamming(s->bits + s->entries[a].bits_off,
						    s->bits + s->entries[b].bits_off, n_bytes);
				out->n_pairs++;
			}
	}
	out->diversity = out->n_pairs ? distance / ((double)out->n_pairs * n) : 0;
	return 0;
}

int mask_stats_heatmap(const mask_stats *s, uint32_t cell_px, img *out)
{
	const patch_grid *g = &s->grid;
	if (img_alloc(out, g->gw * cell_px, g->gh * cell_px, 1) < 0)
		return -1;
	for (uint32_t y = 0; y < out->h; y++)
		for (uint32_t x = 0; x < out->w; x++) {
			double f = mask_stats_freq(s, (y / cell_px) * g->gw + x / cell_px);
			out->px[(size_t)y * out->w + x] = (uint8_t)(f * 255 + 0.5);
		}
	return 0;
}

void mask_stats_print_freq(FILE *f, const mask_stats *s)
{
	for (uint32_t y = 0; y < s->grid.gh; y++)
		for (uint32_t x = 0; x < s->grid.gw; x++)
			fprintf(f, "%.4f%c", mask_stats_freq(s, y * s->grid.gw + x),
				x + 1 < s->grid.gw ? ' ' : '\n');
}

char *mask_stats_label(const rec *header, const char *path)
{
	const char *s;
	uint32_t len;
	int rc = rec_get_str(header, "mask_strategy", &s, &len);
	char *label = rc < 0 ? NULL : rc == 0 ? strndup(s, len) : strdup(path ? path : "-");
	if (rc >= 0 && !label)
		err_set("out of memory");
	return label;
}
