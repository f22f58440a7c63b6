/* mask-stats' files of one stream, named for its strategy: its heat map
 * (DIR/NAME.png) and its frequencies as text (DIR/NAME.txt). */
#ifndef MASKPIPE_MASK_STATS_FILES_H
#define MASKPIPE_MASK_STATS_FILES_H

#include <stdint.h>

#include "mask/mask_stats.h"

/* Writes the two files of the stream s labelled label (mask_stats_label)
 * into dir, each whole or not at all: the heat map with cell_px pixels
 * per patch (mask_stats_heatmap), and mask_stats_print_freq's text. NAME
 * is label made one safe file name (path_safe_name), with "_N" after it
 * when N-1 of the n_earlier labels of the streams before it are the same,
 * so that a strategy given twice keeps both its files. 0, or -1 with a
 * message. */
int mask_stats_write_files(const mask_stats *s, const char *label, char *const *earlier_labels,
			   int n_earlier, const char *dir, uint32_t cell_px);

#endif
