#include "ssearch/selsearch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/rng.h"
#include "ssearch/segment.h"
#include "ssearch/ss_regions.h"

int ss_preset(ss_params *p, const char *mode)
{
	static const struct preset {
		const char *mode, *cspaces, *ks, *sims;
	} presets[] = {
		{"single", "hsv", "100", "ctsf"},
		{"fast", "hsv,lab", "50,100", "ctsf,tsf"},
		{"quality", "hsv,lab,rgi,h,i", "50,100,150,300", "ctsf,tsf,f,s"},
	};
	for (size_t i = 0; i < sizeof presets / sizeof *presets; i++)
		if (strcmp(mode, presets[i].mode) == 0) {
			*p = (ss_params){.sigma = 0.8, .min_size = -1, .connectivity = 8};
			return ss_parse_cspaces(p, presets[i].cspaces) < 0 ||
					       ss_parse_ks(p, presets[i].ks) < 0 ||
					       ss_parse_sims(p, presets[i].sims) < 0
				       ? -1
				       : 0;
		}
	return err_set("unknown mode '%s' (single, fast or quality)", mode);
}

/* Calls item(p, text, len) on each comma-separated item of list. */
static int each_item(ss_params *p, const char *list, const char *what,
		     int (*item)(ss_params *, const char *, size_t))
{
	if (!*list)
		return err_set("empty list of %s", what);
	for (const char *s = list;; s++) {
		size_t len = strcspn(s, ",");
		if (len == 0)
			return err_set("empty item in the list of %s '%s'", what, list);
		if (item(p, s, len) < 0)
			return -1;
		s += len;
		if (!*s)
			return 0;
	}
}

static int add_cspace(ss_params *p, const char *s, size_t len)
{
	int cs = cspace_parse(s, len);
	if (cs < 0)
		return err_set("unknown colour space '%.*s' (rgb, hsv, lab, rgi, i, h)", (int)len, s);
	for (size_t i = 0; i < p->n_cspaces; i++)
		if (p->cspaces[i] == (enum cspace)cs)
			return err_set("colour space '%.*s' given twice", (int)len, s);
	p->cspaces[p->n_cspaces++] = (enum cspace)cs;
	return 0;
}

static int add_k(ss_params *p, const char *s, size_t len)
{
	char text[32];
	if (len >= sizeof text)
		return err_set("k value '%.*s' is too long", (int)len, s);
	memcpy(text, s, len);
	text[len] = 0;
	char *end;
	errno = 0;
	double k = strtod(text, &end);
	if (*end || errno || !(k > 0 && k <= 1e6))
		return err_set("k value '%s' is not a number in (0, 1e6]", text);
	if (p->n_ks == SS_MAX_KS)
		return err_set("more than %d k values", SS_MAX_KS);
	p->ks[p->n_ks++] = k;
	return 0;
}

static int add_sims(ss_params *p, const char *s, size_t len)
{
	uint8_t set = 0;
	for (size_t i = 0; i < len; i++) {
		const char *letter = strchr("ctsf", s[i]);
		if (!s[i] || !letter)
			return err_set("similarity '%.*s': '%c' is none of c (colour), t (texture), "
				       "s (size), f (fill)", (int)len, s, s[i]);
		uint8_t bit = (uint8_t)(1u << (letter - "ctsf"));
		if (set & bit)
			return err_set("similarity '%.*s' names '%c' twice", (int)len, s, s[i]);
		set |= bit;
	}
	for (size_t i = 0; i < p->n_sims; i++)
		if (p->sims[i] == set)
			return err_set("similarity '%.*s' given twice", (int)len, s);
	p->sims[p->n_sims++] = set; /* at most 15 distinct non-empty sets */
	return 0;
}

int ss_parse_cspaces(ss_params *p, const char *list)
{
	p->n_cspaces = 0;
	return each_item(p, list, "colour spaces", add_cspace);
}

int ss_parse_ks(ss_params *p, const char *list)
{
	p->n_ks = 0;
	return each_item(p, list, "k values", add_k);
}

int ss_parse_sims(ss_params *p, const char *list)
{
	p->n_sims = 0;
	return each_item(p, list, "similarities", add_sims);
}

/* A proposal before ranking. */
typedef struct ranked {
	double value; /* RND x position from the top of its hierarchy */
	uint32_t order;
	ss_bbox bbox;
} ranked;

static int compare_ranked(const void *x, const void *y)
{
	const ranked *a = x, *b = y;
	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* The memory an image is worked in, kept for the next (ss_result's
 * work): each buffer only grows. */
struct ss_work {
	uint8_t *rgb, *converted;
	size_t cap_rgb, cap_converted;
	float *smoothed; /* the converted image, blurred for segmentation */
	size_t cap_smoothed;
	uint32_t *labels;
	size_t cap_labels;
	fh_graph graph;
	ss_pixels pixels;
	ss_regions regions;
	ss_bbox *hierarchy;
	size_t cap_hierarchy;
	ranked *all;
	size_t n_all, cap_all;
	uint64_t *seen; /* open-addressing set of boxes, for duplicates */
	size_t cap_seen;
};

typedef struct ss_work ss_work;

void ss_result_free(ss_result *r)
{
	ss_work *s = r->work;
	if (s) {
		free(s->rgb);
		free(s->converted);
		free(s->smoothed);
		free(s->labels);
		fh_graph_free(&s->graph);
		ss_pixels_free(&s->pixels);
		ss_regions_free(&s->regions);
		free(s->hierarchy);
		free(s->all);
		free(s->seen);
		free(s);
	}
	free(r->boxes);
	free(r->segments);
	memset(r, 0, sizeof *r);
}

/* Gray replicated, alpha dropped. */
static void to_rgb(const img_view *im, uint8_t *rgb)
{
	size_t n_px = (size_t)im->w * im->h;
	for (size_t i = 0; i < n_px; i++)
		for (int k = 0; k < 3; k++)
			rgb[3 * i + k] = im->px[i * im->c + (im->c >= 3 ? k : 0)];
}

/* Every hierarchy of one segmentation, its boxes valued and kept. */
static int add_hierarchies(ss_work *s, const ss_params *p, rng *g)
{
	for (size_t k = 0; k < p->n_sims; k++) {
		size_t n_boxes;
		if (ss_group(&s->regions, p->sims[k], s->hierarchy, &n_boxes) < 0 ||
		    grow_array(&s->all, &s->cap_all, s->n_all + n_boxes, sizeof *s->all) < 0)
			return -1;
		for (size_t i = 0; i < n_boxes; i++) {
			/* section 5.1: position i counts from the top (the last merge is 1) */
			double position = (double)(n_boxes - i);
			s->all[s->n_all] = (ranked){rng_uniform(g) * position, (uint32_t)s->n_all,
						    s->hierarchy[i]};
			s->n_all++;
		}
	}
	return 0;
}

static uint64_t bbox_key(const ss_bbox *b)
{
	return (uint64_t)(uint16_t)b->x0 | (uint64_t)(uint16_t)b->y0 << 16 |
	       (uint64_t)(uint16_t)b->x1 << 32 | (uint64_t)(uint16_t)b->y1 << 48;
}

/* Ranks all proposals and keeps the first of each distinct box. */
static int rank_boxes(ss_work *s, const ss_params *p, ss_result *out)
{
	qsort(s->all, s->n_all, sizeof *s->all, compare_ranked);
	size_t n_slots = 16;
	while (n_slots < 2 * s->n_all)
		n_slots *= 2;
	/* a key is 0 only for the 1x1 box at the origin: slots hold key + 1 */
	if (grow_array(&s->seen, &s->cap_seen, n_slots, sizeof *s->seen) < 0 ||
	    grow_array(&out->boxes, &out->cap_boxes, s->n_all, sizeof *out->boxes) < 0)
		return err_prefix("ranking %zu boxes: ", s->n_all);
	memset(s->seen, 0, n_slots * sizeof *s->seen);
	out->n_boxes = 0;
	for (size_t i = 0; i < s->n_all; i++) {
		if (p->max_boxes && out->n_boxes == p->max_boxes)
			break;
		const ss_bbox *b = &s->all[i].bbox;
		uint64_t key = bbox_key(b) + 1;
		size_t slot = (size_t)rng_hash(&key, sizeof key, 0) & (n_slots - 1);
		while (s->seen[slot] && s->seen[slot] != key)
			slot = (slot + 1) & (n_slots - 1);
		if (s->seen[slot])
			continue;
		s->seen[slot] = key;
		out->boxes[out->n_boxes++] = (box){b->x0, b->y0, b->x1 - b->x0 + 1, b->y1 - b->y0 + 1};
	}
	return 0;
}

static int search_run(ss_work *s, const img_view *im, const ss_params *p, rng *g,
		      int want_segments, ss_result *out)
{
	size_t n_px = (size_t)im->w * im->h;
	s->n_all = 0;
	if (grow_array(&s->rgb, &s->cap_rgb, 3 * n_px, 1) < 0 ||
	    grow_array(&s->converted, &s->cap_converted, 3 * n_px, 1) < 0 ||
	    grow_array(&s->smoothed, &s->cap_smoothed, 3 * n_px, sizeof *s->smoothed) < 0 ||
	    grow_array(&s->labels, &s->cap_labels, n_px, sizeof *s->labels) < 0 ||
	    grow_array(&s->hierarchy, &s->cap_hierarchy, 2 * n_px, sizeof *s->hierarchy) < 0)
		return err_prefix("a %ux%u image: ", im->w, im->h);
	to_rgb(im, s->rgb);
	for (size_t c = 0; c < p->n_cspaces; c++) {
		enum cspace cs = p->cspaces[c];
		uint32_t channels = cspace_channels(cs);
		cspace_convert(cs, s->rgb, n_px, s->converted);
		if (ss_pixels_compute(&s->pixels, s->converted, im->w, im->h, channels) < 0 ||
		    fh_smooth(s->converted, im->w, im->h, channels, p->sigma, s->smoothed) < 0 ||
		    fh_graph_build(&s->graph, s->smoothed, im->w, im->h, channels, p->connectivity) < 0)
			return -1;
		for (size_t k = 0; k < p->n_ks; k++) {
			uint32_t min_size = (uint32_t)(p->min_size < 0 ? p->ks[k] : (double)p->min_size);
			uint32_t n_segments;
			if (fh_segment(&s->graph, p->ks[k], min_size, s->labels, &n_segments) < 0 ||
			    ss_regions_compute(&s->regions, &s->pixels, s->labels, n_segments) < 0)
				return -1;
			if (want_segments && c == 0 && k == 0) {
				if (grow_array(&out->segments, &out->cap_segments, n_px,
					       sizeof *out->segments) < 0)
					return -1;
				memcpy(out->segments, s->labels, n_px * sizeof *s->labels);
				out->n_segments = n_segments;
			}
			if (add_hierarchies(s, p, g) < 0)
				return -1;
		}
	}
	return rank_boxes(s, p, out);
}

int selective_search(const img_view *im, const ss_params *p, uint64_t seed, uint64_t stream,
		     int want_segments, ss_result *out)
{
	rng g;
	rng_seed(&g, seed, stream);
	if (!out->work && !(out->work = calloc(1, sizeof *out->work)))
		return err_set("out of memory");
	return search_run(out->work, im, p, &g, want_segments, out);
}
