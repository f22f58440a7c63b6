/* Input normalisation: its text and its presets. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "mae/mae_input_norm.h"

/* a list of n_max numbers or fewer separated by commas, ending at `end`
 * (':' or the string's end): how many, or -1 */
static int parse_list(const char **at, char end, float *out, int n_max)
{
	int n = 0;
	for (;;) {
		char *stop;
		errno = 0;
		double v = strtod(*at, &stop);
		if (stop == *at || errno || !isfinite(v) || n == n_max)
			return -1;
		out[n++] = (float)v;
		*at = stop;
		if (**at != ',')
			break;
		(*at)++;
	}
	return **at == end ? n : -1;
}

int mae_input_norm_parse(mae_config *cfg, const char *spec)
{
	if (strcmp(spec, "none") == 0) {
		cfg->input_norm = 0;
		memset(cfg->input_mean, 0, sizeof cfg->input_mean);
		memset(cfg->input_std, 0, sizeof cfg->input_std);
		return 0;
	}
	/* facebookresearch/mae main_pretrain.py: IMAGENET_DEFAULT_MEAN/STD */
	const char *text = strcmp(spec, "imagenet") == 0 ? "0.485,0.456,0.406:0.229,0.224,0.225"
							 : spec;
	/* unused channels zero, so that configs compare whole */
	float mean[MAE_MAX_CHANS] = {0}, std[MAE_MAX_CHANS] = {0};
	const char *at = text;
	int n_mean = parse_list(&at, ':', mean, MAE_MAX_CHANS);
	int n_std = -1;
	if (n_mean > 0) {
		at++;
		n_std = parse_list(&at, '\0', std, MAE_MAX_CHANS);
	}
	if (n_mean < 1 || n_std != n_mean)
		return err_set("input normalisation '%s': none, imagenet, or MEAN,...:STD,... with "
			       "one mean and one std per channel (at most %d)", spec, MAE_MAX_CHANS);
	for (int c = 0; c < n_std; c++)
		if (!(std[c] > 0))
			return err_set("input normalisation '%s': a standard deviation must be "
				       "positive", spec);
	cfg->input_norm = n_mean;
	memcpy(cfg->input_mean, mean, sizeof mean);
	memcpy(cfg->input_std, std, sizeof std);
	return 0;
}

/* values as "V1,V2,..." (%.9g: a float32 back exactly) */
static void format_list(const float *values, int n, char *buf, size_t cap)
{
	size_t at = 0;
	buf[0] = '\0';
	for (int c = 0; c < n; c++)
		at += (size_t)snprintf(buf + at, at < cap ? cap - at : 0, "%s%.9g", c ? "," : "",
				       (double)values[c]);
}

void mae_input_norm_lists(const mae_config *cfg, char *mean, char *std, size_t cap)
{
	format_list(cfg->input_mean, cfg->input_norm, mean, cap);
	format_list(cfg->input_std, cfg->input_norm, std, cap);
}

void mae_input_norm_format(const mae_config *cfg, char *buf, size_t cap)
{
	if (!cfg->input_norm) {
		snprintf(buf, cap, "none");
		return;
	}
	char mean[MAE_INPUT_NORM_TEXT], std[MAE_INPUT_NORM_TEXT];
	mae_input_norm_lists(cfg, mean, std, sizeof mean);
	snprintf(buf, cap, "%s:%s", mean, std);
}
