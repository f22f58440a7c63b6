#include "image/augment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

/* RandomResizedCrop.get_params of torchvision: ten tries at an area and an
 * aspect ratio that fit, then a centre crop of the clamped aspect. */
static void rrc_window(const augment_opts *opt, double W, double H, rng *g, double *x,
		       double *y, double *w, double *h)
{
	double area = W * H, log_min = log(opt->ratio_min), log_max = log(opt->ratio_max);
	for (int attempt = 0; attempt < 10; attempt++) {
		double target = area * (opt->scale_min + (opt->scale_max - opt->scale_min) * rng_uniform(g));
		double aspect = exp(log_min + (log_max - log_min) * rng_uniform(g));
		double cw = round(sqrt(target * aspect)), ch = round(sqrt(target / aspect));
		if (cw > 0 && cw <= W && ch > 0 && ch <= H) {
			*y = (double)rng_below(g, (uint64_t)(H - ch) + 1);
			*x = (double)rng_below(g, (uint64_t)(W - cw) + 1);
			*w = cw;
			*h = ch;
			return;
		}
	}
	double in_ratio = W / H;
	*w = W;
	*h = H;
	if (in_ratio < opt->ratio_min)
		*h = round(W / opt->ratio_min);
	else if (in_ratio > opt->ratio_max)
		*w = round(H * opt->ratio_max);
	*x = floor((W - *w) / 2);
	*y = floor((H - *h) / 2);
}

int augment_plan(const augment_opts *opt, uint32_t src_w, uint32_t src_h, rng *g, crop_rect *c)
{
	/* the work happens in the resized image's coordinates, scaled back to
	 * the source at the end, so resize and crop are one resampling */
	double W = opt->resize ? opt->resize : src_w, H = opt->resize ? opt->resize : src_h;
	double x = 0, y = 0, w = W, h = H;
	c->out_w = opt->size ? opt->size : (uint32_t)W;
	c->out_h = opt->size ? opt->size : (uint32_t)H;
	if (opt->crop == CROP_RANDOM) {
		if (c->out_w > W || c->out_h > H)
			return err_set("a %ux%u image is smaller than the %ux%u crop", (uint32_t)W,
				       (uint32_t)H, c->out_w, c->out_h);
		x = (double)rng_below(g, (uint64_t)(W - c->out_w) + 1);
		y = (double)rng_below(g, (uint64_t)(H - c->out_h) + 1);
		w = c->out_w;
		h = c->out_h;
	} else if (opt->crop == CROP_RRC) {
		rrc_window(opt, W, H, g, &x, &y, &w, &h);
	}
	c->flip = opt->flip ? (int)rng_below(g, 2) : 0;
	double sx = src_w / W, sy = src_h / H;
	c->x = x * sx;
	c->y = y * sy;
	c->w = w * sx;
	c->h = h * sy;
	return 0;
}

static int is_integer(double v)
{
	return v == floor(v);
}

/* The two source samples around output sample o on one axis (half-pixel
 * centres, clamped at the edges) and the weight of the second, of 256. */
typedef struct sample_tap {
	uint32_t lo, hi, weight;
} sample_tap;

/* The taps of n_out samples spaced `step` source pixels apart from
 * `origin`, in 16.16 fixed point: one multiply-add per tap. */
static void taps(sample_tap *out, double origin, double step, uint32_t n_out, uint32_t n_src)
{
	int64_t pos = (int64_t)llround((origin + 0.5 * step - 0.5) * 65536);
	int64_t inc = (int64_t)llround(step * 65536), last = (int64_t)(n_src - 1) << 16;
	for (uint32_t o = 0; o < n_out; o++, pos += inc) {
		int64_t at = pos < 0 ? 0 : pos > last ? last : pos;
		uint32_t lo = (uint32_t)(at >> 16);
		out[o] = (sample_tap){lo, lo + 1 < n_src ? lo + 1 : lo,
				      (uint32_t)(((at & 0xffff) + 128) >> 8)};
	}
}

/* One output row from its two source rows: vertical blend first, over the
 * source columns [first, last], then the columns; ch is a constant where
 * it is inlined, so each channel count gets its own loop. */
static inline void resample_row(uint8_t *out, const uint8_t *top, const uint8_t *bottom,
				uint32_t weight, const sample_tap *cols, uint32_t n_out,
				uint32_t first, uint32_t last, uint32_t *blend, const uint32_t ch)
{
	for (size_t i = (size_t)first * ch; i < ((size_t)last + 1) * ch; i++)
		blend[i] = top[i] * (256 - weight) + bottom[i] * weight;
	for (uint32_t ox = 0; ox < n_out; ox++) {
		const sample_tap *t = &cols[ox];
		for (uint32_t k = 0; k < ch; k++)
			*out++ = (uint8_t)((blend[t->lo * ch + k] * (256 - t->weight) +
					    blend[t->hi * ch + k] * t->weight + 32768) >> 16);
	}
}

int augment_image(const img_view *src, const crop_rect *c, img *dst)
{
	if (img_alloc(dst, c->out_w, c->out_h, src->c) < 0)
		return -1;
	uint32_t ch = src->c;
	if (c->w == c->out_w && c->h == c->out_h && is_integer(c->x) && is_integer(c->y)) {
		for (uint32_t oy = 0; oy < c->out_h; oy++) {
			const uint8_t *row = src->px + (((size_t)c->y + oy) * src->w + (size_t)c->x) * ch;
			uint8_t *out = dst->px + (size_t)oy * c->out_w * ch;
			if (!c->flip)
				memcpy(out, row, (size_t)c->out_w * ch);
			else
				for (uint32_t ox = 0; ox < c->out_w; ox++)
					memcpy(out + (size_t)(c->out_w - 1 - ox) * ch, row + (size_t)ox * ch, ch);
		}
		return 0;
	}
	/* the taps of every output column and row, computed once */
	size_t row_len = (size_t)src->w * ch;
	sample_tap *cols = malloc(sizeof *cols * ((size_t)c->out_w + c->out_h));
	uint32_t *blend = malloc(sizeof *blend * row_len);
	if (!cols || !blend) {
		free(cols);
		free(blend);
		return err_set("out of memory");
	}
	sample_tap *rows = cols + c->out_w;
	taps(cols, c->x, c->w / c->out_w, c->out_w, src->w);
	taps(rows, c->y, c->h / c->out_h, c->out_h, src->h);
	uint32_t first = cols[0].lo, last = cols[c->out_w - 1].hi; /* the source columns used */
	for (uint32_t ox = 0; c->flip && ox < c->out_w / 2; ox++) {
		sample_tap t = cols[ox];
		cols[ox] = cols[c->out_w - 1 - ox];
		cols[c->out_w - 1 - ox] = t;
	}
	for (uint32_t oy = 0; oy < c->out_h; oy++) {
		const sample_tap *row = &rows[oy];
		uint8_t *out = dst->px + (size_t)oy * c->out_w * ch;
		const uint8_t *top = src->px + (size_t)row->lo * row_len;
		const uint8_t *bottom = src->px + (size_t)row->hi * row_len;
		if (ch == 1)
			resample_row(out, top, bottom, row->weight, cols, c->out_w, first, last, blend, 1);
		else if (ch == 3)
			resample_row(out, top, bottom, row->weight, cols, c->out_w, first, last, blend, 3);
		else
			resample_row(out, top, bottom, row->weight, cols, c->out_w, first, last, blend, ch);
	}
	free(cols);
	free(blend);
	return 0;
}

static uint32_t nearest(double origin, double span, uint32_t n_out, uint32_t o, uint32_t n_src)
{
	double f = floor(origin + (o + 0.5) * span / n_out);
	return f < 0 ? 0 : f >= n_src ? n_src - 1 : (uint32_t)f;
}

void augment_labels(const uint32_t *src, uint32_t src_w, uint32_t src_h, const crop_rect *c,
		    uint32_t *dst)
{
	for (uint32_t oy = 0; oy < c->out_h; oy++) {
		uint32_t sy = nearest(c->y, c->h, c->out_h, oy, src_h);
		for (uint32_t ox = 0; ox < c->out_w; ox++) {
			uint32_t sx = nearest(c->x, c->w, c->out_w, ox, src_w);
			uint32_t dx = c->flip ? c->out_w - 1 - ox : ox;
			dst[(size_t)oy * c->out_w + dx] = src[(size_t)sy * src_w + sx];
		}
	}
}

static double clamp(double v, double hi)
{
	return v < 0 ? 0 : v > hi ? hi : v;
}

size_t augment_boxes(box *boxes, size_t n_boxes, const crop_rect *c, double min_keep)
{
	double sx = c->out_w / c->w, sy = c->out_h / c->h;
	size_t kept = 0;
	for (size_t i = 0; i < n_boxes; i++) {
		const box *b = &boxes[i];
		double x0 = (b->x - c->x) * sx, x1 = (b->x + (double)b->w - c->x) * sx;
		double y0 = (b->y - c->y) * sy, y1 = (b->y + (double)b->h - c->y) * sy;
		double area = (x1 - x0) * (y1 - y0);
		x0 = round(clamp(x0, c->out_w));
		x1 = round(clamp(x1, c->out_w));
		y0 = round(clamp(y0, c->out_h));
		y1 = round(clamp(y1, c->out_h));
		if (x1 - x0 < 1 || y1 - y0 < 1 || (x1 - x0) * (y1 - y0) < min_keep * area)
			continue;
		box out = {(int32_t)x0, (int32_t)y0, (int32_t)(x1 - x0), (int32_t)(y1 - y0)};
		if (c->flip)
			out.x = (int32_t)c->out_w - out.x - out.w;
		boxes[kept++] = out;
	}
	return kept;
}
