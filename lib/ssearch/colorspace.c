#include "ssearch/colorspace.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#include "common/img.h"

static const char *const names[CS_COUNT] = {"rgb", "hsv", "lab", "rgi", "i", "h"};

const char *cspace_name(enum cspace cs)
{
	return names[cs];
}

int cspace_parse(const char *name, size_t len)
{
	for (int cs = 0; cs < CS_COUNT; cs++)
		if (strlen(names[cs]) == len && strncmp(names[cs], name, len) == 0)
			return cs;
	return -1;
}

uint32_t cspace_channels(enum cspace cs)
{
	return cs == CS_I || cs == CS_H ? 1 : 3;
}

static uint8_t clamp_u8(double v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : lrint(v));
}

/* OpenCV's 8-bit HSV, in its fixed point (12 fractional bits) so that
 * every value is the one cvtColor gives: V = max, S = 255 (V - min) / V,
 * H = hue in degrees / 2 in [0, 180). */
enum { HSV_SHIFT = 12 };

static int32_t saturation_div[256], hue_div[256];

static void init_hsv_tables(void)
{
	for (int i = 1; i < 256; i++) {
		saturation_div[i] = (int32_t)lrint((255 << HSV_SHIFT) / (double)i);
		hue_div[i] = (int32_t)lrint((180 << HSV_SHIFT) / (6.0 * i));
	}
}

static void hsv_of(const uint8_t *rgb, uint8_t *hsv)
{
	int32_t r = rgb[0], g = rgb[1], b = rgb[2];
	int32_t v = r > g ? (r > b ? r : b) : (g > b ? g : b);
	int32_t lo = r < g ? (r < b ? r : b) : (g < b ? g : b);
	int32_t diff = v - lo;
	/* the hue's sixth of the circle, as (diff units) from red, green or blue */
	int32_t sixth = v == r ? g - b : v == g ? b - r + 2 * diff : r - g + 4 * diff;
	int32_t s = (diff * saturation_div[v] + (1 << (HSV_SHIFT - 1))) >> HSV_SHIFT;
	/* an arithmetic shift: a slightly negative hue rounds to -1, then wraps to 179 */
	int32_t h = (int32_t)(((int64_t)sixth * hue_div[diff] + (1 << (HSV_SHIFT - 1))) >> HSV_SHIFT);
	h += h < 0 ? 180 : 0;
	hsv[0] = (uint8_t)h;
	hsv[1] = (uint8_t)s;
	hsv[2] = (uint8_t)v;
}

/* sRGB companding undone (IEC 61966-2-1), per 8-bit value. */
static float srgb_linear[256];

static void init_srgb_linear(void)
{
	for (int i = 0; i < 256; i++) {
		double c = i / 255.0;
		srgb_linear[i] = (float)(c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4));
	}
}

static double lab_f(double t)
{
	return t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116.0;
}

/* CIE L*a*b* under D65 from sRGB, in OpenCV's 8-bit encoding. */
static void lab_of(const uint8_t *rgb, uint8_t *lab)
{
	double r = srgb_linear[rgb[0]], g = srgb_linear[rgb[1]], b = srgb_linear[rgb[2]];
	double x = (0.412453 * r + 0.357580 * g + 0.180423 * b) / 0.950456;
	double y = 0.212671 * r + 0.715160 * g + 0.072169 * b;
	double z = (0.019334 * r + 0.119193 * g + 0.950227 * b) / 1.088754;
	double fx = lab_f(x), fy = lab_f(y), fz = lab_f(z);
	double l = y > 0.008856 ? 116.0 * fy - 16.0 : 903.3 * y;
	lab[0] = clamp_u8(l * 255.0 / 100.0);
	lab[1] = clamp_u8(500.0 * (fx - fy) + 128.0);
	lab[2] = clamp_u8(200.0 * (fy - fz) + 128.0);
}

static void rgi_of(const uint8_t *rgb, uint8_t *rgi)
{
	int sum = rgb[0] + rgb[1] + rgb[2];
	/* black has no chromaticity: the grey point r = g = 1/3 */
	rgi[0] = sum ? (uint8_t)((255 * rgb[0] + sum / 2) / sum) : 85;
	rgi[1] = sum ? (uint8_t)((255 * rgb[1] + sum / 2) / sum) : 85;
	rgi[2] = img_luma(rgb);
}

void cspace_convert(enum cspace cs, const uint8_t *rgb, size_t n_px, uint8_t *out)
{
	static pthread_once_t srgb_once = PTHREAD_ONCE_INIT, hsv_once = PTHREAD_ONCE_INIT;
	if (cs == CS_LAB)
		pthread_once(&srgb_once, init_srgb_linear);
	if (cs == CS_HSV || cs == CS_H)
		pthread_once(&hsv_once, init_hsv_tables);
	for (size_t i = 0; i < n_px; i++) {
		const uint8_t *px = rgb + 3 * i;
		uint8_t hsv[3];
		switch (cs) {
		case CS_RGB: memcpy(out + 3 * i, px, 3); break;
		case CS_HSV: hsv_of(px, out + 3 * i); break;
		case CS_LAB: lab_of(px, out + 3 * i); break;
		case CS_RGI: rgi_of(px, out + 3 * i); break;
		case CS_I: out[i] = img_luma(px); break;
		case CS_H: hsv_of(px, hsv); out[i] = hsv[0]; break;
		case CS_COUNT: break;
		}
	}
}
