/* Colour spaces, filters, Felzenszwalb-Huttenlocher segmentation and
 * Selective Search. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "ssearch/colorspace.h"
#include "common/err.h"
#include "ssearch/filter.h"
#include "common/rng.h"
#include "ssearch/segment.h"
#include "ssearch/selsearch.h"
#include "ssearch/ss_regions.h"

static void convert_one(enum cspace cs, uint8_t r, uint8_t g, uint8_t b, const uint8_t *want)
{
	const uint8_t rgb[3] = {r, g, b};
	uint8_t out[3] = {0};
	cspace_convert(cs, rgb, 1, out);
	for (uint32_t k = 0; k < cspace_channels(cs); k++)
		if (abs(out[k] - want[k]) > 1) {
			fprintf(stderr, "%s of (%u,%u,%u): channel %u is %u, expected %u\n",
				cspace_name(cs), r, g, b, k, out[k], want[k]);
			check_case_failed = 1;
		}
}

/* Values as OpenCV's cvtColor gives them for 8-bit images. */
static void colour_spaces_match_opencv_encodings(void)
{
	convert_one(CS_HSV, 255, 0, 0, (const uint8_t[]){0, 255, 255});
	convert_one(CS_HSV, 0, 255, 0, (const uint8_t[]){60, 255, 255});
	convert_one(CS_HSV, 0, 0, 255, (const uint8_t[]){120, 255, 255});
	convert_one(CS_HSV, 255, 0, 128, (const uint8_t[]){165, 255, 255});
	convert_one(CS_HSV, 100, 100, 100, (const uint8_t[]){0, 0, 100});
	/* a hue just below 0 degrees wraps to 179, as OpenCV's fixed point has it */
	const uint8_t below_red[3] = {180, 0, 3};
	uint8_t hsv[3];
	cspace_convert(CS_HSV, below_red, 1, hsv);
	CHECK(hsv[0] == 179 && hsv[1] == 255 && hsv[2] == 180);
	convert_one(CS_LAB, 255, 255, 255, (const uint8_t[]){255, 128, 128});
	convert_one(CS_LAB, 0, 0, 0, (const uint8_t[]){0, 128, 128});
	convert_one(CS_LAB, 255, 0, 0, (const uint8_t[]){136, 208, 195});
	convert_one(CS_LAB, 0, 0, 255, (const uint8_t[]){82, 207, 20});
	convert_one(CS_RGI, 0, 0, 0, (const uint8_t[]){85, 85, 0});
	convert_one(CS_RGI, 200, 50, 0, (const uint8_t[]){204, 51, 89});
	convert_one(CS_I, 255, 255, 255, (const uint8_t[]){255});
	convert_one(CS_H, 0, 255, 0, (const uint8_t[]){60});
	convert_one(CS_RGB, 1, 2, 3, (const uint8_t[]){1, 2, 3});
	CHECK_EQ(cspace_parse("lab", 3), CS_LAB);
	CHECK_EQ(cspace_parse("labx", 3), CS_LAB);
	CHECK_EQ(cspace_parse("xyz", 3), -1);
}

static void gaussian_smoothing_keeps_constants_and_ramps(void)
{
	kernel1d k, d;
	kernel_gaussian(&k, 0.8, 0);
	kernel_gaussian(&d, 1.0, 1);
	CHECK_EQ(k.radius, 3);
	CHECK_EQ(d.radius, 4);
	double sum = 0;
	for (int t = 0; t <= 2 * k.radius; t++)
		sum += k.tap[t];
	CHECK(fabs(sum - 1) < 1e-6);
	enum { W = 9, H = 5 };
	float constant[W * H], ramp[W * H], out[W * H], tmp[W * H + W + 2 * FILTER_MAX_RADIUS];
	for (int i = 0; i < W * H; i++) {
		constant[i] = 7;
		ramp[i] = (float)(3 * (i % W));
	}
	filter_separable(constant, out, tmp, W, H, &k, &k);
	for (int i = 0; i < W * H; i++)
		CHECK(fabsf(out[i] - 7) < 1e-4f);
	/* the x derivative of a ramp of slope 3, away from the borders */
	filter_separable(ramp, out, tmp, W, H, &d, &k);
	CHECK(fabsf(out[2 * W + 4] - 3) < 1e-4f);
	filter_separable(ramp, out, tmp, W, H, &k, &d);
	CHECK(fabsf(out[2 * W + 4]) < 1e-4f);
	/* a 1x1 image reflects onto itself */
	float one = 5, one_out, one_tmp[1 + 1 + 2 * FILTER_MAX_RADIUS];
	filter_separable(&one, &one_out, one_tmp, 1, 1, &k, &k);
	CHECK(fabsf(one_out - 5) < 1e-4f);
}

/* Index i reflected into [0, n) without repeating the border, as the
 * definition in filter.h has it. */
static int64_t reflect101(int64_t i, int64_t n)
{
	while (n > 1 && (i < 0 || i >= n))
		i = i < 0 ? -i : 2 * (n - 1) - i;
	return n > 1 ? i : 0;
}

/* filter_separable gives, float for float, the sum over the taps in order
 * of each reflected neighbour: along rows, then along columns, whatever
 * the width (blocks, a tail, kernels wider than the image). */
static void separable_filter_is_the_plain_sum(void)
{
	static const uint32_t dims[][2] = {{1, 1}, {3, 2}, {9, 5}, {17, 13}, {64, 7}, {5, 40}};
	kernel1d k, d, wide;
	kernel_gaussian(&k, 0.8, 0);
	kernel_gaussian(&d, 1.0, 1);
	kernel_gaussian(&wide, 3.0, 0);
	rng g;
	rng_seed(&g, 3, 0);
	for (size_t i = 0; i < sizeof dims / sizeof *dims; i++) {
		uint32_t w = dims[i][0], h = dims[i][1];
		size_t n_px = (size_t)w * h;
		float *src = malloc(n_px * sizeof *src), *out = malloc(n_px * sizeof *out);
		float *rows = malloc(n_px * sizeof *rows), *want = malloc(n_px * sizeof *want);
		float *tmp = malloc(filter_tmp_floats(w, h) * sizeof *tmp);
		for (size_t j = 0; j < n_px; j++)
			src[j] = (float)rng_below(&g, 256);
		const kernel1d *pairs[][2] = {{&k, &k}, {&d, &k}, {&k, &d}, {&wide, &d}};
		for (size_t p = 0; p < sizeof pairs / sizeof *pairs; p++) {
			const kernel1d *kx = pairs[p][0], *ky = pairs[p][1];
			for (int64_t y = 0; y < h; y++)
				for (int64_t x = 0; x < w; x++) {
					float acc = 0;
					for (int t = -kx->radius; t <= kx->radius; t++)
						acc += kx->tap[t + kx->radius] * src[y * w + reflect101(x + t, w)];
					rows[y * w + x] = acc;
				}
			for (int64_t y = 0; y < h; y++)
				for (int64_t x = 0; x < w; x++) {
					float acc = 0;
					for (int t = -ky->radius; t <= ky->radius; t++)
						acc += ky->tap[t + ky->radius] * rows[reflect101(y + t, h) * w + x];
					want[y * w + x] = acc;
				}
			filter_separable(src, out, tmp, w, h, kx, ky);
			CHECK(memcmp(out, want, n_px * sizeof *out) == 0);
		}
		free(src);
		free(out);
		free(rows);
		free(want);
		free(tmp);
	}
}

/* A pseudo-random image with some structure: noise on a few flat areas. */
static uint8_t *test_image(uint32_t w, uint32_t h, uint32_t c, uint64_t seed)
{
	rng g;
	rng_seed(&g, seed, 0);
	uint8_t *px = malloc((size_t)w * h * c);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			for (uint32_t k = 0; k < c; k++) {
				int base = ((x / 7 + y / 5 + k) % 3) * 80;
				px[((size_t)y * w + x) * c + k] = (uint8_t)(base + rng_below(&g, 40));
			}
	return px;
}

/* Every pixel labelled below n, every label used, every segment connected
 * under the graph's connectivity, none smaller than min_size unless the
 * image is. */
typedef struct seg_case {
	double sigma, k;
	uint32_t min_size;
	int connectivity;
} seg_case;

/* Segments px as seg_case says: the number of segments. */
static uint32_t segment(const uint8_t *px, uint32_t w, uint32_t h, uint32_t c, const seg_case *p,
			uint32_t *labels)
{
	float *planes = malloc((size_t)w * h * c * sizeof *planes);
	fh_graph graph = {0};
	uint32_t n = 0;
	CHECK_EQ(fh_smooth(px, w, h, c, p->sigma, planes), 0);
	CHECK_EQ(fh_graph_build(&graph, planes, w, h, c, p->connectivity), 0);
	CHECK_EQ(graph.n_edges, (size_t)(w - 1) * h + (size_t)w * (h - 1) +
					(p->connectivity == 8 ? 2 * (size_t)(w - 1) * (h - 1) : 0));
	for (size_t i = 1; i < graph.n_edges; i++)
		CHECK(graph.edges[i - 1].weight_bits <= graph.edges[i].weight_bits);
	CHECK_EQ(fh_segment(&graph, p->k, p->min_size, labels, &n), 0);
	fh_graph_free(&graph);
	free(planes);
	return n;
}

static void check_segmentation(const uint32_t *labels, uint32_t n, uint32_t w, uint32_t h,
			       const seg_case *p)
{
	size_t n_px = (size_t)w * h;
	uint32_t *size = calloc(n, sizeof *size);
	uint8_t *seen = calloc(n_px, 1);
	uint32_t *queue = malloc(n_px * sizeof *queue);
	uint32_t *reached = calloc(n, sizeof *reached);
	for (size_t i = 0; i < n_px; i++) {
		CHECK(labels[i] < n);
		if (labels[i] < n)
			size[labels[i]]++;
	}
	for (uint32_t s = 0; s < n; s++) {
		CHECK(size[s] > 0);
		CHECK(size[s] >= p->min_size || n_px < p->min_size);
	}
	/* flood fill each segment from its first pixel */
	for (size_t start = 0; start < n_px; start++) {
		uint32_t label = labels[start];
		if (label >= n || reached[label])
			continue;
		size_t head = 0, tail = 0;
		queue[tail++] = (uint32_t)start;
		seen[start] = 1;
		while (head < tail) {
			uint32_t i = queue[head++];
			int x = (int)(i % w), y = (int)(i / w);
			for (int dy = -1; dy <= 1; dy++)
				for (int dx = -1; dx <= 1; dx++) {
					int nx = x + dx, ny = y + dy;
					if ((dx || dy) && (p->connectivity == 8 || !dx || !dy) && nx >= 0 &&
					    ny >= 0 && nx < (int)w && ny < (int)h) {
						size_t j = (size_t)ny * w + (size_t)nx;
						if (!seen[j] && labels[j] == label) {
							seen[j] = 1;
							queue[tail++] = (uint32_t)j;
						}
					}
				}
		}
		reached[label] = (uint32_t)tail;
		CHECK_EQ(tail, size[label]);
	}
	free(size);
	free(seen);
	free(queue);
	free(reached);
}

static void segmentation_invariants(void)
{
	static const uint32_t dims[][3] = {
		{40, 30, 3}, {40, 30, 1}, {1, 1, 3}, {1, 57, 3}, {63, 1, 1}, {2, 2, 1}, {17, 23, 3},
	};
	static const seg_case params[] = {
		{0.8, 100, 20, 8}, {0.8, 150, 100, 4}, {0, 10, 1, 8}, {2.0, 500, 5, 4},
	};
	for (size_t d = 0; d < sizeof dims / sizeof *dims; d++)
		for (size_t p = 0; p < sizeof params / sizeof *params; p++) {
			uint32_t w = dims[d][0], h = dims[d][1], c = dims[d][2];
			uint8_t *px = test_image(w, h, c, d * 10 + p);
			uint32_t *labels = malloc((size_t)w * h * sizeof *labels);
			uint32_t n = segment(px, w, h, c, &params[p], labels);
			CHECK(n >= 1);
			check_segmentation(labels, n, w, h, &params[p]);
			free(labels);
			free(px);
		}
}

/* A flat image is one segment; two flat halves far apart in colour are
 * two, once the blurred strips between them are below min_size. */
static void segmentation_of_flat_areas(void)
{
	enum { W = 20, H = 10 };
	uint8_t px[W * H];
	uint32_t labels[W * H];
	const seg_case p = {0.8, 50, 40, 8};
	memset(px, 90, sizeof px);
	CHECK_EQ(segment(px, W, H, 1, &p, labels), 1);
	for (int i = 0; i < W * H; i++)
		px[i] = i % W < 8 ? 0 : 255;
	CHECK_EQ(segment(px, W, H, 1, &p, labels), 2);
	CHECK(labels[0] == 0 && labels[W - 1] == 1 && labels[W * H - W + 3] == 0);
}

/* Flat rectangles on a background, as the paper's objects: each must
 * come out as a box of IoU >= 0.9. */
static void rectangles_are_found(void)
{
	enum { W = 64, H = 48 };
	static const box rects[] = {{4, 5, 20, 14}, {34, 8, 25, 30}, {10, 28, 14, 16}};
	static const uint8_t colours[][3] = {{220, 30, 30}, {30, 200, 40}, {40, 50, 230}};
	uint8_t px[W * H * 3];
	for (int i = 0; i < W * H; i++) {
		px[3 * i] = 120;
		px[3 * i + 1] = 110;
		px[3 * i + 2] = 100;
	}
	for (int r = 0; r < 3; r++)
		for (int y = rects[r].y; y < rects[r].y + rects[r].h; y++)
			for (int x = rects[r].x; x < rects[r].x + rects[r].w; x++)
				memcpy(px + 3 * (y * W + x), colours[r], 3);
	img_view view = {W, H, 3, px};
	static const char *const modes[] = {"single", "fast", "quality"};
	for (int m = 0; m < 3; m++) {
		ss_params p;
		ss_result result = {0};
		CHECK_EQ(ss_preset(&p, modes[m]), 0);
		p.min_size = 20;
		CHECK_EQ(selective_search(&view, &p, 1, 2, 0, &result), 0);
		for (int r = 0; r < 3; r++) {
			double best = 0;
			for (size_t i = 0; i < result.n_boxes; i++)
				best = fmax(best, box_iou(&rects[r], &result.boxes[i]));
			if (best < 0.9)
				fprintf(stderr, "%s: rectangle %d: best IoU %.3f\n", modes[m], r, best);
			CHECK(best >= 0.9);
		}
		ss_result_free(&result);
	}
}

static int same_boxes(const ss_result *a, const ss_result *b)
{
	return a->n_boxes == b->n_boxes &&
	       memcmp(a->boxes, b->boxes, a->n_boxes * sizeof *a->boxes) == 0;
}

/* The seed decides the order, not the set; the same seed, the same list. */
static void ranking_is_seeded(void)
{
	uint8_t *px = test_image(48, 40, 3, 7);
	img_view view = {48, 40, 3, px};
	ss_params p;
	CHECK_EQ(ss_preset(&p, "fast"), 0);
	ss_result a = {0}, b = {0}, c = {0};
	CHECK_EQ(selective_search(&view, &p, 5, 9, 1, &a), 0);
	CHECK_EQ(selective_search(&view, &p, 5, 9, 0, &b), 0);
	CHECK_EQ(selective_search(&view, &p, 6, 9, 0, &c), 0);
	CHECK(same_boxes(&a, &b));
	CHECK(!same_boxes(&a, &c));
	CHECK_EQ(a.n_boxes, c.n_boxes);
	/* no duplicates, all inside the image, and the whole image among them */
	int whole = 0;
	for (size_t i = 0; i < a.n_boxes; i++) {
		const box *x = &a.boxes[i];
		CHECK(x->x >= 0 && x->y >= 0 && x->w >= 1 && x->h >= 1 && x->x + x->w <= 48 &&
		      x->y + x->h <= 40);
		whole |= x->x == 0 && x->y == 0 && x->w == 48 && x->h == 40;
		for (size_t j = 0; j < i; j++)
			CHECK(memcmp(x, &a.boxes[j], sizeof *x) != 0);
	}
	CHECK(whole);
	CHECK(a.n_segments >= 1);
	p.max_boxes = 3;
	CHECK_EQ(selective_search(&view, &p, 5, 9, 0, &b), 0);
	CHECK_EQ(b.n_boxes, 3);
	CHECK(memcmp(a.boxes, b.boxes, 3 * sizeof *a.boxes) == 0);
	ss_result_free(&a);
	ss_result_free(&b);
	ss_result_free(&c);
	free(px);
}

/* A hierarchy of n connected regions has n - 1 merges, the last the whole
 * image; with size alone as the similarity, the smallest pair goes first. */
static void grouping_builds_the_hierarchy(void)
{
	enum { W = 6, H = 1 };
	const uint32_t labels[W] = {0, 0, 1, 2, 2, 2};
	const uint8_t px[W] = {10, 10, 100, 200, 200, 200};
	ss_pixels pixels = {0};
	ss_regions regions = {0};
	CHECK_EQ(ss_pixels_compute(&pixels, px, W, H, 1), 0);
	CHECK_EQ(ss_regions_compute(&regions, &pixels, labels, 3), 0);
	CHECK_EQ(regions.n_pairs, 2);
	CHECK_EQ(regions.size[2], 3);
	float colour_sum = 0;
	for (uint32_t k = 0; k < regions.colour_len; k++)
		colour_sum += regions.colour[2 * regions.colour_len + k];
	CHECK(fabsf(colour_sum - 1) < 1e-6f);
	ss_bbox boxes[2 * 3];
	size_t n_boxes;
	CHECK_EQ(ss_group(&regions, SIM_SIZE, boxes, &n_boxes), 0);
	CHECK_EQ(n_boxes, 5);
	CHECK(boxes[3].x0 == 0 && boxes[3].x1 == 2); /* sizes 2 + 1 beat 1 + 3 */
	CHECK(boxes[4].x0 == 0 && boxes[4].x1 == 5);
	ss_regions_free(&regions);
	ss_pixels_free(&pixels);
}

static void parameter_lists(void)
{
	ss_params p;
	CHECK_EQ(ss_preset(&p, "quality"), 0);
	CHECK(p.n_cspaces == 5 && p.n_ks == 4 && p.n_sims == 4);
	CHECK_EQ(p.sims[0], SIM_COLOUR | SIM_TEXTURE | SIM_SIZE | SIM_FILL);
	CHECK_EQ(ss_preset(&p, "slow"), -1);
	CHECK(strstr(err_msg(), "slow") != NULL);
	CHECK_EQ(ss_parse_cspaces(&p, "lab,i"), 0);
	CHECK(p.n_cspaces == 2 && p.cspaces[1] == CS_I);
	CHECK_EQ(ss_parse_cspaces(&p, "lab,,i"), -1);
	CHECK_EQ(ss_parse_cspaces(&p, "lab,lab"), -1);
	CHECK_EQ(ss_parse_cspaces(&p, "cmyk"), -1);
	CHECK_EQ(ss_parse_ks(&p, "50,2.5e2"), 0);
	CHECK(p.n_ks == 2 && p.ks[1] == 250);
	CHECK_EQ(ss_parse_ks(&p, "0"), -1);
	CHECK_EQ(ss_parse_ks(&p, "12x"), -1);
	CHECK_EQ(ss_parse_ks(&p, ""), -1);
	CHECK_EQ(ss_parse_ks(&p, "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"), -1);
	CHECK_EQ(ss_parse_sims(&p, "ct,s"), 0);
	CHECK(p.n_sims == 2 && p.sims[0] == (SIM_COLOUR | SIM_TEXTURE));
	CHECK_EQ(ss_parse_sims(&p, "cc"), -1);
	CHECK_EQ(ss_parse_sims(&p, "ct,tc"), -1);
	CHECK_EQ(ss_parse_sims(&p, "x"), -1);
}

int main(void)
{
	RUN(colour_spaces_match_opencv_encodings);
	RUN(gaussian_smoothing_keeps_constants_and_ramps);
	RUN(separable_filter_is_the_plain_sum);
	RUN(segmentation_invariants);
	RUN(segmentation_of_flat_areas);
	RUN(rectangles_are_found);
	RUN(ranking_is_seeded);
	RUN(grouping_builds_the_hierarchy);
	RUN(parameter_lists);
	return check_exit();
}
