#include "colorspace.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#include "img.h"

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

/* OpenCV's 8-bit HSV: V = max, S = 255 (V - min) / V, H = hue in degrees / 2. */
static void hsv_of(const uint8_t *rgb, uint8_t *hsv)
{
	int r = rgb[0], g = rgb[1], b = rgb[2];
	int v = r > g ? (r > b ? r : b) : (g > b ? g : b);
	int lo = r < g ? (r < b ? r : b) : (g < b ? g : b);
	int diff = v - lo;
	double hue = 0;
	if (diff > 0)
		hue = v == r ? 60.0 * (g - b) / diff : v == g ? 120.0 + 60.0 * (b - r) / diff
							      : 240.0 + 60.0 * (r - g) / diff;
	if (hue < 0)
		hue += 360;
	uint8_t h = clamp_u8(hue / 2);
	hsv[0] = h == 180 ? 0 : h;
	hsv[1] = v ? clamp_u8(255.0 * diff / v) : 0;
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
	static pthread_once_t srgb_once = PTHREAD_ONCE_INIT;
	if (cs == CS_LAB)
		pthread_once(&srgb_once, init_srgb_linear);
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
