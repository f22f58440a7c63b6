/* What a stream of masks looks like as a whole, to compare strategies:
 * the mean hidden ratio, how often each patch position is hidden (a heat
 * map: a strategy that always hides the border shows at a glance), the
 * entropy of those frequencies, and the diversity of the masks one image
 * gets across epochs (mean pairwise Hamming distance). */
#ifndef MASKPIPE_MASK_STATS_H
#define MASKPIPE_MASK_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "common/img.h"
#include "image/patch_grid.h"
#include "stream/rec.h"
#include "stream/rec.h"

typedef struct mask_entry {
	uint64_t id_hash;
	uint32_t id_off, id_len; /* in ids */
	uint32_t bits_off;       /* in bits */
} mask_entry;

typedef struct mask_stats {
	patch_grid grid; /* of the first record; every record must have it */
	uint64_t n_masks, n_hidden;
	uint64_t *hidden_at; /* per position */
	mask_entry *entries;
	char *ids;
	uint8_t *bits;
	size_t cap_entries, len_ids, cap_ids, len_bits, cap_bits;
} mask_stats;

typedef struct mask_summary {
	uint64_t n_masks;
	double mean_ratio;
	double min_freq, max_freq; /* over positions */
	double entropy;   /* of p_i = hidden_at_i / sum, divided by log2(positions): 1 = uniform */
	double diversity; /* mean Hamming distance / positions over pairs of one id's masks */
	uint64_t n_pairs;
} mask_summary;

void mask_stats_init(mask_stats *s);
void mask_stats_free(mask_stats *s);

/* Counts r's mask (needs grid, mask, id): 0, or -1 with a message. */
int mask_stats_add(mask_stats *s, const rec *r);

/* The figures; the diversity sorts the masks by id (s changes order). */
int mask_stats_summary(mask_stats *s, mask_summary *out);

/* Hiding frequency of position i in [0, 1]. */
double mask_stats_freq(const mask_stats *s, uint32_t i);

/* A gray heat map, cell_px pixels per patch: black never hidden, white
 * always hidden. */
int mask_stats_heatmap(const mask_stats *s, uint32_t cell_px, img *out);

/* The frequencies as text, "%.4f" each, one grid row a line. */
void mask_stats_print_freq(FILE *f, const mask_stats *s);

/* A stream's name among strategies: its header's mask_strategy, else its
 * file name (path; NULL: "-"). A new string, or NULL with a message when
 * mask_strategy is not a UTF-8 str. */
char *mask_stats_label(const rec *header, const char *path);

#endif
