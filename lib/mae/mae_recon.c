/* Reconstruction figures. */
#include <math.h>
#include <string.h>

#include "mae/mae_batch.h"
#include "mae/mae_input_norm.h"
#include "mae/mae_recon.h"

/* a hidden patch of the masked input */
#define HIDDEN_GREY 128

static uint8_t to_byte(float v)
{
	float scaled = v * 255.0f + 0.5f;
	return scaled <= 0 ? 0 : scaled >= 255 ? 255 : (uint8_t)scaled;
}

int mae_recon_panel(img *out, const uint8_t *px, const uint8_t *mask, const float *pred,
		    const mae_config *cfg)
{
	int W = cfg->img_size, C = cfg->in_chans, P = cfg->patch, grid = mae_grid(cfg);
	int K = mae_patch_dim(cfg);
	if (img_alloc(out, 3 * (uint32_t)W, (uint32_t)W, (uint32_t)C) < 0)
		return -1;
	size_t row_bytes = (size_t)W * C, out_row = 3 * row_bytes;
	for (int y = 0; y < W; y++) {
		uint8_t *dst = out->px + y * out_row;
		memcpy(dst, px + y * row_bytes, row_bytes);
		memcpy(dst + row_bytes, px + y * row_bytes, row_bytes);
		memcpy(dst + 2 * row_bytes, px + y * row_bytes, row_bytes);
	}
	for (int p = 0; p < grid * grid; p++) {
		if (!mae_mask_bit(mask, p))
			continue;
		int y0 = p / grid * P, x0 = p % grid * P;
		const float *patch = pred + (size_t)p * K;
		double mean = 0, var = 0, scale = 1;
		/* the patch's k-th value as the model sees it (k % C its channel) */
#define INPUT(py, k) \
	mae_input_value(cfg, px[(size_t)(y0 + (py)) * row_bytes + (size_t)x0 * C + (k)], (k) % C)
		if (cfg->norm_pix_loss) {
			for (int py = 0; py < P; py++)
				for (int k = 0; k < P * C; k++)
					mean += INPUT(py, k);
			mean /= K;
			for (int py = 0; py < P; py++)
				for (int k = 0; k < P * C; k++) {
					double d = INPUT(py, k) - mean;
					var += d * d;
				}
			/* unbiased, as the loss's target */
			scale = sqrt(var / (K > 1 ? K - 1 : 1) + 1e-6);
		}
		for (int py = 0; py < P; py++) {
			uint8_t *row = out->px + (size_t)(y0 + py) * out_row + (size_t)x0 * C;
			memset(row + row_bytes, HIDDEN_GREY, (size_t)P * C);
			for (int k = 0; k < P * C; k++)
				row[2 * row_bytes + k] = to_byte((float)mae_input_unit(
					cfg, (float)(patch[py * P * C + k] * scale + mean), k % C));
		}
	}
	return 0;
#undef INPUT
}
