/* An MAE's input normalisation (mae_config's input_norm, input_mean and
 * input_std): the value a pixel enters the model as, the way back, and the
 * text that names it on the command line and in checkpoints. */
#ifndef MASKPIPE_MAE_INPUT_NORM_H
#define MASKPIPE_MAE_INPUT_NORM_H

#include <stddef.h>

#include "mae/mae_config.h"

/* The value a byte of channel c enters the model as, in double (the
 * model takes it rounded to float: for every byte, (float)(v / 255.0) is
 * v / 255.0f). */
static inline double mae_input_value(const mae_config *cfg, unsigned v, int c)
{
	double x = v / 255.0;
	return cfg->input_norm ? (x - cfg->input_mean[c]) / cfg->input_std[c] : x;
}

/* A value of the model's input space in channel c back in [0, 1] units
 * (unclamped), the inverse of mae_input_value. */
static inline double mae_input_unit(const mae_config *cfg, double x, int c)
{
	return cfg->input_norm ? x * cfg->input_std[c] + cfg->input_mean[c] : x;
}

/* Sets the input normalisation from spec: "none", "imagenet" (the
 * reference's ImageNet mean and std, 3 channels), or per-channel means and
 * standard deviations "M1,M2,...:S1,S2,..." (rec-stats prints them): 0, or
 * -1 with a message. The channel count is checked by mae_config_check. */
int mae_input_norm_parse(mae_config *cfg, const char *spec);

/* Room for the spec text of a normalisation, or either of its lists. */
#define MAE_INPUT_NORM_TEXT (2 * MAE_MAX_CHANS * 18)
/* The normalisation as spec text ("M,...:S,...", parsed back exactly:
 * %.9g), or "none". */
void mae_input_norm_format(const mae_config *cfg, char *buf, size_t cap);
/* Its means and its standard deviations, each as "V1,V2,..." (%.9g). */
void mae_input_norm_lists(const mae_config *cfg, char *mean, char *std, size_t cap);

#endif
