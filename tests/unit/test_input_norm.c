/* Input normalisation: its text (presets, lists, errors, an exact round
 * trip), the values a batch gives the model and its targets, the way back
 * to pixels in reconstructions, and checkpoints that keep it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/err.h"
#include "common/rng.h"
#include "mae/mae_batch.h"
#include "mae/mae_checkpoint.h"
#include "mae/mae_input_norm.h"
#include "mae/mae_recon.h"

/* 8x8 images of 3 channels in 2x2 patches */
static const mae_config tiny = {8, 3, 2, 8, 1, 2, 8, 1, 2, 4, 0, 0, {0}, {0}};

static void specs_parse_and_print_back(void)
{
	mae_config c = tiny;
	CHECK_EQ(mae_input_norm_parse(&c, "imagenet"), 0);
	CHECK_EQ(c.input_norm, 3);
	CHECK(c.input_mean[1] == 0.456f && c.input_std[2] == 0.225f);
	CHECK_EQ(mae_config_check(&c), 0);
	CHECK_EQ(mae_input_norm_parse(&c, "none"), 0);
	CHECK_EQ(c.input_norm, 0);
	CHECK_EQ(mae_input_norm_parse(&c, "0.1,0.2,0.3:1,2e-1,3.5"), 0);
	CHECK(c.input_norm == 3 && c.input_mean[2] == 0.3f && c.input_std[1] == 0.2f);
	/* the text gives back the same floats */
	char text[MAE_INPUT_NORM_TEXT];
	mae_input_norm_format(&c, text, sizeof text);
	mae_config back = tiny;
	CHECK_EQ(mae_input_norm_parse(&back, text), 0);
	CHECK(memcmp(back.input_mean, c.input_mean, sizeof c.input_mean) == 0);
	CHECK(memcmp(back.input_std, c.input_std, sizeof c.input_std) == 0);
	mae_config none = tiny;
	mae_input_norm_format(&none, text, sizeof text);
	CHECK_STR(text, "none");
	static const char *const bad[] = {
		"", "0.5", "0.5:", ":0.5", "0.5:0", "0.5:-1", "1,2:3", "a:b", "0.5:1x",
		"nan:1", "0.5:inf", "1,2,3,4,5:1,1,1,1,1", "0.5:1:2",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		c = tiny;
		CHECK_EQ(mae_input_norm_parse(&c, bad[i]), -1);
		CHECK(strstr(err_msg(), "input normalisation") != NULL);
		CHECK_EQ(c.input_norm, 0);
	}
	/* one channel's figures for three-channel images */
	CHECK_EQ(mae_input_norm_parse(&c, "0.286:0.353"), 0);
	CHECK_EQ(mae_config_check(&c), -1);
	CHECK(strstr(err_msg(), "1 channel, the images 3") != NULL);
}

static void images(uint8_t px[2][8 * 8 * 3])
{
	rng g;
	rng_seed(&g, 5, 0);
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < 8 * 8 * 3; k++)
			px[i][k] = (uint8_t)rng_below(&g, 256);
}

/* the batch's patches and targets hold (v / 255 - mean) / std, computed in
 * double and rounded once; without normalisation v / 255.0f as before */
static void batches_hold_normalised_values(void)
{
	static uint8_t px[2][8 * 8 * 3];
	images(px);
	static const uint8_t mask[2][2] = {{0x0f, 0x00}, {0xf0, 0x01}};
	const uint8_t *pxs[2] = {px[0], px[1]}, *mks[2] = {mask[0], mask[1]};
	for (int norm = 0; norm < 2; norm++) {
		mae_config c = tiny;
		if (norm)
			CHECK_EQ(mae_input_norm_parse(&c, "0.25,0.5,0.75:0.5,0.25,2"), 0);
		mae_batch b;
		mae_batch_init(&b);
		CHECK_EQ(mae_batch_build(&b, &c, pxs, mks, 2, 0), 0);
		int K = mae_patch_dim(&c), grid = mae_grid(&c), ok = 1, n_vis = 0, n_pred = 0;
		for (int i = 0; i < 2; i++)
			for (int p = 0; p < grid * grid; p++) {
				int hidden = mae_mask_bit(mask[i], p);
				const float *row = hidden ? b.targets + (size_t)n_pred++ * K
							  : b.patches + (size_t)n_vis++ * K;
				int y0 = p / grid * 2, x0 = p % grid * 2;
				for (int k = 0; k < K; k++) {
					/* targets (py, px, c); patches (c, py, px) */
					int ch = hidden ? k % 3 : k / 4, pos = hidden ? k / 3 : k % 4;
					uint8_t v = px[i][((y0 + pos / 2) * 8 + x0 + pos % 2) * 3 + ch];
					double want = v / 255.0;
					if (norm)
						want = (want - c.input_mean[ch]) / c.input_std[ch];
					ok &= row[k] == (norm ? (float)want : v / 255.0f);
				}
			}
		CHECK(ok);
		CHECK_EQ(n_vis, b.n_enc_tokens - 2);
		mae_batch_free(&b);
	}
}

/* predictions equal to the targets come back as the image's own bytes,
 * with and without normalisation, with and without norm_pix_loss */
static void reconstructions_map_back_to_pixels(void)
{
	static uint8_t px[2][8 * 8 * 3];
	images(px);
	static const uint8_t all[2] = {0xff, 0xff};
	for (int norm = 0; norm < 2; norm++)
		for (int norm_pix = 0; norm_pix < 2; norm_pix++) {
			mae_config c = tiny;
			c.norm_pix_loss = norm_pix;
			if (norm)
				CHECK_EQ(mae_input_norm_parse(&c, "0.25,0.5,0.75:0.5,0.25,2"), 0);
			int K = mae_patch_dim(&c), L = mae_n_patches(&c), grid = mae_grid(&c);
			float *pred = malloc((size_t)L * K * sizeof *pred);
			for (int p = 0; p < L; p++) {
				int y0 = p / grid * 2, x0 = p % grid * 2;
				double x[12], mean = 0, var = 0;
				for (int k = 0; k < K; k++) {
					int pos = k / 3;
					x[k] = mae_input_value(
						&c, px[0][((y0 + pos / 2) * 8 + x0 + pos % 2) * 3 + k % 3],
						k % 3);
					mean += x[k] / K;
				}
				for (int k = 0; k < K; k++)
					var += (x[k] - mean) * (x[k] - mean) / (K - 1);
				for (int k = 0; k < K; k++)
					pred[(size_t)p * K + k] =
						(float)(norm_pix ? (x[k] - mean) / sqrt(var + 1e-6) : x[k]);
			}
			img out = {0};
			CHECK_EQ(mae_recon_panel(&out, px[0], all, pred, &c), 0);
			/* the third panel against the image, to the byte (norm_pix's
			 * eps moves a value by less than half a step of 1/255) */
			int ok = 1;
			for (int y = 0; y < 8; y++)
				ok &= memcmp(out.px + (size_t)y * 3 * 24 + 2 * 24, px[0] + y * 24, 24) == 0;
			CHECK(ok);
			img_free(&out);
			free(pred);
		}
}

/* a checkpoint keeps the normalisation: loaded back the same, and a model
 * of another normalisation is another config */
static void checkpoints_keep_it(void)
{
	mae_config c = tiny;
	CHECK_EQ(mae_input_norm_parse(&c, "imagenet"), 0);
	mae_model m, back;
	CHECK_EQ(mae_model_init(&m, &c, backend_cpu()), 0);
	CHECK_EQ(mae_model_init_weights(&m, 1), 0);
	const char *path = check_tmp_path("norm.safetensors");
	CHECK_EQ(mae_checkpoint_save(path, &m, NULL, NULL, 0), 0);
	CHECK_EQ(mae_checkpoint_load(path, backend_cpu(), NULL, &back, NULL), 0);
	CHECK_EQ(back.cfg.input_norm, 3);
	CHECK(memcmp(back.cfg.input_mean, c.input_mean, sizeof c.input_mean) == 0);
	CHECK(memcmp(back.cfg.input_std, c.input_std, sizeof c.input_std) == 0);
	mae_model_free(&back);
	CHECK_EQ(mae_checkpoint_load(path, backend_cpu(), &tiny, &back, NULL), -1);
	CHECK(strstr(err_msg(), "input normalisation") != NULL);
	/* without: no such metadata, as the checkpoints before it */
	mae_model plain;
	CHECK_EQ(mae_model_init(&plain, &tiny, backend_cpu()), 0);
	CHECK_EQ(mae_checkpoint_save(path, &plain, NULL, NULL, 0), 0);
	CHECK_EQ(mae_checkpoint_load(path, backend_cpu(), &tiny, &back, NULL), 0);
	CHECK_EQ(back.cfg.input_norm, 0);
	mae_model_free(&back);
	/* half of it is no normalisation at all */
	const char *half[2] = {"input_mean", "0.5,0.5,0.5"};
	CHECK_EQ(mae_checkpoint_save(path, &plain, NULL, half, 1), 0);
	CHECK_EQ(mae_checkpoint_load(path, backend_cpu(), NULL, &back, NULL), -1);
	CHECK(strstr(err_msg(), "input_std") != NULL);
	mae_model_free(&plain);
	mae_model_free(&m);
}

int main(void)
{
	RUN(specs_parse_and_print_back);
	RUN(batches_hold_normalised_values);
	RUN(reconstructions_map_back_to_pixels);
	RUN(checkpoints_keep_it);
	return check_exit();
}
