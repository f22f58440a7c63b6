/* A record as the masked-image-modeling papers show it (MAE, fig. 2):
 * the image, the image with its hidden patches greyed out, and the image
 * with its boxes drawn, side by side. */
#ifndef MASKPIPE_MASK_VIZ_H
#define MASKPIPE_MASK_VIZ_H

#include <stddef.h>

#include "image/boxes.h"
#include "common/img.h"
#include "image/patch_grid.h"

/* The gray of hidden patches, as in the papers' figures. */
#define MASK_VIZ_GRAY 128

/* out (allocated here, RGB) = the three panels of im enlarged `scale`
 * times, 1 px of white between them. */
int mask_viz_record(const img_view *im, const patch_grid *grid, const uint8_t *mask,
		    const box *boxes, size_t n_boxes, uint32_t scale, img *out);

#endif
