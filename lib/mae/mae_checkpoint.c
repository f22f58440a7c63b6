/* The MAE's state_dict to and from safetensors. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "mae/mae_checkpoint.h"
#include "mae/mae_input_norm.h"
#include "formats/safetensors.h"

/* the tensor list: the model's, then the optimiser's moments */
static st_tensor *tensor_list(const mae_model *m, const adamw *opt, float *host, char *names,
			      int *n)
{
	const mae_layout *l = &m->layout;
	st_tensor *list = calloc(3 * (size_t)l->n_tensors, sizeof(st_tensor));
	if (!list)
		return NULL;
	*n = 0;
	for (int part = 0; part < (opt ? 3 : 1); part++)
		for (int i = 0; i < l->n_tensors; i++) {
			const mae_tensor *t = &l->tensors[i];
			if (part && !t->trainable)
				continue;
			char *name = names + (size_t)*n * 96;
			snprintf(name, 96, "%s%s", part == 0 ? "" : part == 1 ? MAE_OPT_PREFIX "exp_avg."
									  : MAE_OPT_PREFIX "exp_avg_sq.",
				 t->name);
			st_tensor *s = &list[(*n)++];
			s->name = name;
			s->ndim = t->ndim;
			for (int d = 0; d < t->ndim; d++)
				s->shape[d] = t->shape[d];
			s->data = host + (size_t)part * l->n_floats + t->offset;
			s->n_floats = t->size;
		}
	return list;
}

int mae_checkpoint_save(const char *path, const mae_model *m, const adamw *opt,
			const char *const *extra_meta, int n_extra)
{
	size_t n = m->layout.n_floats, bytes = n * sizeof(float);
	float *host = malloc(bytes * (opt ? 3 : 1));
	char *names = malloc(3 * (size_t)m->layout.n_tensors * 96);
	int n_keys = 0;
	while (mae_config_keys[n_keys])
		n_keys++;
	int norm = m->cfg.input_norm != 0;
	int n_meta = n_keys + 2 + 2 * norm + n_extra;
	const char **meta = calloc(2 * (size_t)n_meta, sizeof(char *));
	char(*values)[24] = calloc((size_t)n_keys + 1, sizeof *values);
	int n_tensors = 0, rc = -1;
	st_tensor *list = host && names && meta && values ? tensor_list(m, opt, host, names, &n_tensors)
							   : NULL;
	if (!list) {
		err_set("%s: out of memory", path);
		goto done;
	}
	m->be->download(host, m->param_mem, bytes);
	if (opt) {
		m->be->download(host + n, opt->m, bytes);
		m->be->download(host + 2 * n, opt->v, bytes);
	}
	int k = 0;
	/* safetensors.torch writes "format": "pt"; loaders look for it */
	meta[2 * k] = "format", meta[2 * k + 1] = "pt", k++;
	for (int i = 0; i < n_keys; i++, k++) {
		snprintf(values[i], sizeof values[i], "%d", mae_config_get(&m->cfg, mae_config_keys[i]));
		meta[2 * k] = mae_config_keys[i], meta[2 * k + 1] = values[i];
	}
	snprintf(values[n_keys], sizeof values[n_keys], "%ld", opt ? opt->step : 0L);
	meta[2 * k] = MAE_OPT_PREFIX "step", meta[2 * k + 1] = values[n_keys], k++;
	/* the input normalisation, when there is one, as two lists of
	 * numbers (a PyTorch user splits them on ',') */
	char norm_text[2][MAE_INPUT_NORM_TEXT];
	if (norm) {
		mae_input_norm_lists(&m->cfg, norm_text[0], norm_text[1], sizeof norm_text[0]);
		meta[2 * k] = "input_mean", meta[2 * k + 1] = norm_text[0], k++;
		meta[2 * k] = "input_std", meta[2 * k + 1] = norm_text[1], k++;
	}
	for (int i = 0; i < 2 * n_extra; i++)
		meta[2 * k + i] = extra_meta[i];
	rc = st_write(path, list, n_tensors, meta, n_meta);
done:
	free(list);
	free(values);
	free(meta);
	free(names);
	free(host);
	return rc;
}

int mae_config_diff(const mae_config *a, const mae_config *b, char *buf, size_t cap)
{
	for (int i = 0; mae_config_keys[i]; i++) {
		int va = mae_config_get(a, mae_config_keys[i]), vb = mae_config_get(b, mae_config_keys[i]);
		if (va != vb) {
			snprintf(buf, cap, "%s %d, expected %d", mae_config_keys[i], va, vb);
			return 1;
		}
	}
	char na[MAE_INPUT_NORM_TEXT], nb[MAE_INPUT_NORM_TEXT];
	mae_input_norm_format(a, na, sizeof na);
	mae_input_norm_format(b, nb, sizeof nb);
	if (strcmp(na, nb)) {
		snprintf(buf, cap, "input normalisation %s, expected %s", na, nb);
		return 1;
	}
	return 0;
}

static int read_config(const st_file *f, mae_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	for (int i = 0; mae_config_keys[i]; i++) {
		const char *text = st_meta(f, mae_config_keys[i]);
		char *end;
		errno = 0;
		long v = text ? strtol(text, &end, 10) : 0;
		if (!text || errno || *end || end == text || v < 0 || v > 1000000)
			return err_set("no valid '%s' in the metadata: not an MAE checkpoint",
				       mae_config_keys[i]);
		mae_config_set(cfg, mae_config_keys[i], (int)v);
	}
	const char *mean = st_meta(f, "input_mean"), *std = st_meta(f, "input_std");
	if (!mean != !std)
		return err_set("'input_mean' without 'input_std' in the metadata, or the reverse");
	if (mean) {
		char spec[2 * MAE_INPUT_NORM_TEXT];
		snprintf(spec, sizeof spec, "%s:%s", mean, std);
		if (strlen(mean) >= MAE_INPUT_NORM_TEXT || strlen(std) >= MAE_INPUT_NORM_TEXT ||
		    mae_input_norm_parse(cfg, spec) < 0)
			return err_set("no valid 'input_mean' and 'input_std' in the metadata");
	}
	return mae_config_check(cfg);
}

/* the tensor `name` of the file, checked to have t's shape */
static const st_tensor *find_tensor(const st_file *f, const char *name, const mae_tensor *t)
{
	const st_tensor *s = st_find(f, name);
	if (!s) {
		err_set("no tensor '%s'", name);
		return NULL;
	}
	int same = s->ndim == t->ndim;
	for (int d = 0; same && d < t->ndim; d++)
		same = s->shape[d] == t->shape[d];
	if (!same) {
		err_set("tensor '%s' has another shape than the config gives", name);
		return NULL;
	}
	return s;
}

/* the names of a trainable tensor's AdamW moments */
static void moment_names(char names[2][96], const char *tensor)
{
	snprintf(names[0], 96, MAE_OPT_PREFIX "exp_avg.%s", tensor);
	snprintf(names[1], 96, MAE_OPT_PREFIX "exp_avg_sq.%s", tensor);
}

/* Every tensor of the layout (and with_opt, the moments of the trainable
 * ones) is in the file with its shape, and no other model tensor is.
 * Checked on the layout alone, before any memory is taken for the model:
 * the safetensors reader has made sure the file holds every tensor's
 * bytes, so a config that passes is backed by the file's size, and a
 * header claiming a huge model allocates nothing. */
static int check_tensors(const st_file *f, const mae_layout *l, int with_opt)
{
	char names[2][96];
	for (int i = 0; i < l->n_tensors; i++) {
		const mae_tensor *t = &l->tensors[i];
		if (!find_tensor(f, t->name, t))
			return -1;
		if (!with_opt || !t->trainable)
			continue;
		moment_names(names, t->name);
		if (!find_tensor(f, names[0], t) || !find_tensor(f, names[1], t))
			return err_prefix("no optimiser state to resume from: ");
	}
	int n_model = 0;
	for (int i = 0; i < f->n_tensors; i++)
		n_model += strncmp(f->tensors[i].name, MAE_OPT_PREFIX, strlen(MAE_OPT_PREFIX)) != 0;
	if (n_model != l->n_tensors)
		return err_set("%d tensors that the config does not have", n_model - l->n_tensors);
	return 0;
}

/* copies the tensor `name` of the file (checked by check_tensors) into
 * dst, backend memory, through host */
static int load_tensor(const st_file *f, const backend *be, const char *name,
		       const mae_tensor *t, float *dst, float *host)
{
	st_copy(host, st_find(f, name));
	/* a NaN or an infinity would only come out later as NaN embeddings,
	 * losses or accuracies that nothing flags */
	for (size_t k = 0; k < t->size; k++)
		if (!isfinite(host[k]))
			return err_set("tensor '%s' holds a non-finite value (%g at %zu)", name,
				       host[k], k);
	be->upload(dst, host, t->size * sizeof(float));
	return 0;
}

static int load(const st_file *f, const backend *be, const mae_config *want, mae_model *m,
		adamw *opt)
{
	mae_config cfg;
	char diff[2 * MAE_INPUT_NORM_TEXT + 64];
	if (read_config(f, &cfg) < 0)
		return -1;
	if (want && mae_config_diff(&cfg, want, diff, sizeof diff))
		return err_set("a checkpoint of another config (%s)", diff);
	mae_layout layout;
	if (mae_layout_make(&layout, &cfg) < 0)
		return -1;
	int rc = check_tensors(f, &layout, opt != NULL);
	mae_layout_free(&layout);
	if (rc < 0)
		return -1;
	long step = 0;
	if (opt) {
		const char *text = st_meta(f, MAE_OPT_PREFIX "step");
		char *end;
		errno = 0;
		step = text ? strtol(text, &end, 10) : -1;
		if (!text || errno || end == text || *end || step < 0)
			return err_set("no valid '" MAE_OPT_PREFIX "step' in the metadata");
	}
	if (mae_model_init(m, &cfg, be) < 0)
		return -1;
	if (opt && adamw_init(opt, m) < 0)
		return -1;
	const mae_layout *l = &m->layout;
	float *host = malloc(l->n_floats * sizeof(float));
	if (!host)
		return err_set("out of memory");
	char names[2][96];
	for (int i = 0; rc == 0 && i < l->n_tensors; i++) {
		const mae_tensor *t = &l->tensors[i];
		rc = load_tensor(f, be, t->name, t, m->param_mem + t->offset, host);
		if (rc < 0 || !opt || !t->trainable)
			continue;
		moment_names(names, t->name);
		rc = load_tensor(f, be, names[0], t, opt->m + t->offset, host);
		if (rc == 0)
			rc = load_tensor(f, be, names[1], t, opt->v + t->offset, host);
	}
	free(host);
	if (opt)
		opt->step = step;
	return rc;
}

int mae_checkpoint_meta(const char *path, const char *key, char *buf, size_t cap)
{
	st_file f;
	if (st_read(&f, path) < 0)
		return -1;
	const char *value = st_meta(&f, key);
	if (value)
		snprintf(buf, cap, "%s", value);
	st_free(&f);
	return value ? 0 : 1;
}

int mae_checkpoint_load(const char *path, const backend *be, const mae_config *want,
			mae_model *m, adamw *opt)
{
	st_file f;
	memset(m, 0, sizeof *m);
	if (opt)
		memset(opt, 0, sizeof *opt);
	if (st_read(&f, path) < 0)
		return -1;
	int rc = load(&f, be, want, m, opt);
	st_free(&f);
	if (rc < 0) {
		if (opt && m->be)
			adamw_free(opt, m);
		if (m->be)
			mae_model_free(m);
		return err_prefix("%s: ", path);
	}
	return 0;
}
