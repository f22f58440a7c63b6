/* The colour spaces Selective Search diversifies over (Uijlings et al.,
 * IJCV 2013, section 3.2), each as 8-bit channels with OpenCV's encodings
 * (HSV hue in [0, 180), Lab's L scaled to [0, 255] and a, b offset by 128),
 * so graph-segmentation thresholds k mean the same as with OpenCV. */
#ifndef MASKPIPE_COLORSPACE_H
#define MASKPIPE_COLORSPACE_H

#include <stddef.h>
#include <stdint.h>

enum cspace { CS_RGB, CS_HSV, CS_LAB, CS_RGI, CS_I, CS_H, CS_COUNT };

const char *cspace_name(enum cspace cs);

/* The colour space called `name` ("rgb", "hsv", "lab", "rgi", "i", "h"),
 * or -1. */
int cspace_parse(const char *name, size_t len);

/* 3, or 1 for the intensity and hue spaces. */
uint32_t cspace_channels(enum cspace cs);

/* Converts n_px interleaved RGB pixels into cspace_channels(cs)
 * interleaved channels. rgI is the paper's: normalised r = R/(R+G+B) and
 * g = G/(R+G+B), scaled to [0, 255], and intensity (ITU-R 601 luma). */
void cspace_convert(enum cspace cs, const uint8_t *rgb, size_t n_px, uint8_t *out);

#endif
