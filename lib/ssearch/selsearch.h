/* Selective Search (Uijlings, van de Sande, Gevers & Smeulders, "Selective
 * Search for Object Recognition", IJCV 2013): object proposals from the
 * hierarchical grouping of Felzenszwalb-Huttenlocher segments, diversified
 * over colour spaces, segmentation scales k and similarity measures. */
#ifndef MASKPIPE_SELSEARCH_H
#define MASKPIPE_SELSEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "image/boxes.h"
#include "ssearch/colorspace.h"
#include "common/img.h"

/* The similarity measures of section 3.2, combined by summing (eq. 6 with
 * each a_i in {0, 1}). */
enum { SIM_COLOUR = 1, SIM_TEXTURE = 2, SIM_SIZE = 4, SIM_FILL = 8 };

#define SS_MAX_KS 16
#define SS_MAX_SIMS 15

typedef struct ss_params {
	enum cspace cspaces[CS_COUNT];
	size_t n_cspaces;
	double ks[SS_MAX_KS];
	size_t n_ks;
	uint8_t sims[SS_MAX_SIMS]; /* each a set of SIM_* bits */
	size_t n_sims;
	double sigma;       /* smoothing before segmentation */
	int64_t min_size;   /* segments below this are merged; < 0: k, as the paper */
	int connectivity;   /* of the segmentation graph, 4 or 8 */
	uint32_t max_boxes; /* 0: all */
} ss_params;

/* Sets p to a mode: "single" (HSV, k 100, colour+texture+size+fill: one
 * hierarchy, for precomputing boxes), "fast" (HSV and Lab, k 50 and 100,
 * C+T+S+F and T+S+F) or "quality" (HSV, Lab, rgI, H and I; k 50, 100, 150
 * and 300; C+T+S+F, T+S+F, F and S): the paper's section 5.2 settings,
 * min size = k, sigma 0.8, 8-connected. -1 for an unknown mode. */
int ss_preset(ss_params *p, const char *mode);

/* Parsers of the knobs' list syntax; -1 with a message on bad input.
 *   colour spaces: "hsv,lab"    k values: "50,100"
 *   similarities: "ctsf,tsf,f,s" (c colour, t texture, s size, f fill) */
int ss_parse_cspaces(ss_params *p, const char *list);
int ss_parse_ks(ss_params *p, const char *list);
int ss_parse_sims(ss_params *p, const char *list);

/* What selective_search produces, and the memory it works in: both
 * reused from one image to the next (memory allocated and freed for every
 * image had the C library give pages back to the system and fault them in
 * again). Zeroed before the first use. */
typedef struct ss_result {
	box *boxes;
	size_t n_boxes, cap_boxes;
	uint32_t *segments; /* labels of the first colour space and k, if asked */
	size_t cap_segments;
	uint32_t n_segments;
	struct ss_work *work; /* selsearch.c's */
} ss_result;

/* The proposals of an image (1 to 4 channels; gray is replicated, alpha
 * ignored), best first: every region of every hierarchy gets the value
 * RND x i, i its position from the top of its hierarchy (the last merge
 * is 1), RND uniform from the generator (seed, stream); boxes are ranked
 * by value and duplicates dropped (section 5.1). With want_segments,
 * out->segments holds the initial segmentation of the first colour space
 * and k. 0, or -1 out of memory. */
int selective_search(const img_view *im, const ss_params *p, uint64_t seed, uint64_t stream,
		     int want_segments, ss_result *out);

void ss_result_free(ss_result *r);

#endif
