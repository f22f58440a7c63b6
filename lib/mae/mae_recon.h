/* The figure every MAE paper prints (He et al. 2022, Fig. 2): an image, its
 * masked input, and the reconstruction (predicted hidden patches with the
 * visible ones pasted back), side by side. */
#ifndef MASKPIPE_MAE_RECON_H
#define MASKPIPE_MAE_RECON_H

#include <stdint.h>

#include "common/img.h"
#include "mae/mae_config.h"

/* out: an image 3 W wide, W = cfg->img_size (allocated with img_alloc).
 * px: the image (HWC); mask: its bitset; pred: the model's prediction of
 * every patch, [L, K] in models_mae.patchify's (py, px, c) order. Hidden
 * patches show grey in the masked input. With norm_pix_loss the
 * predictions are per-patch normalised pixels, mapped back with the true
 * patch's mean and deviation (as the reference's visualisation does). */
int mae_recon_panel(img *out, const uint8_t *px, const uint8_t *mask, const float *pred,
		    const mae_config *cfg);

#endif
