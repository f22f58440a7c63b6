#include "eval/probe_report.h"

#include <cjson/cJSON.h>
#include <inttypes.h>

#include "common/err.h"

double probe_rounded(double v)
{
	return (double)(int64_t)(v * 1e6 + 0.5) / 1e6;
}

static double class_accuracy(const probe_accuracy *a, int c)
{
	return a->class_n[c] ? (double)a->class_right[c] / a->class_n[c] : 0;
}

int probe_accuracy_json(struct cJSON *o, const probe_classes *classes, const probe_accuracy *acc)
{
	cJSON *per_class = cJSON_CreateObject();
	if (!per_class)
		return err_set("out of memory");
	cJSON_AddNumberToObject(o, "top1", probe_rounded(acc->top1));
	if (classes->n > 5)
		cJSON_AddNumberToObject(o, "top5", probe_rounded(acc->top5));
	for (int c = 0; c < classes->n; c++) {
		char key[32];
		snprintf(key, sizeof key, "%" PRId64, classes->label[c]);
		cJSON_AddNumberToObject(per_class, key, probe_rounded(class_accuracy(acc, c)));
	}
	cJSON_AddItemToObject(o, "per_class", per_class);
	cJSON_AddNumberToObject(o, "unknown_label_examples", (double)acc->n_unknown);
	return 0;
}

char *probe_report_json(const probe_report *r)
{
	cJSON *o = cJSON_CreateObject();
	if (!o) {
		err_set("out of memory");
		return NULL;
	}
	cJSON_AddStringToObject(o, "probe", r->probe ? "linear" : "knn");
	cJSON_AddStringToObject(o, "features", r->features);
	cJSON_AddNumberToObject(o, "dim", (double)r->dim);
	cJSON_AddNumberToObject(o, "n_train", (double)r->n_train);
	cJSON_AddNumberToObject(o, "n_test", (double)r->n_test);
	cJSON_AddNumberToObject(o, "n_classes", r->classes->n);
	if (probe_accuracy_json(o, r->classes, r->acc) < 0) {
		cJSON_Delete(o);
		return NULL;
	}
	if (r->probe) {
		cJSON_AddNumberToObject(o, "wd", r->probe->wd);
		if (r->opts->n_wd > 1) {
			cJSON *sweep = cJSON_AddArrayToObject(o, "wd_sweep");
			for (int i = 0; sweep && i < r->opts->n_wd; i++) {
				cJSON *item = cJSON_CreateObject();
				cJSON_AddNumberToObject(item, "wd", r->opts->wd[i]);
				cJSON_AddNumberToObject(item, "val_top1", probe_rounded(r->probe->val_top1[i]));
				cJSON_AddItemToArray(sweep, item);
			}
			cJSON_AddNumberToObject(o, "n_val", (double)r->probe->n_val);
		}
		cJSON_AddNumberToObject(o, "iterations", r->probe->iterations);
	} else {
		cJSON_AddNumberToObject(o, "k", r->knn_k);
		cJSON_AddNumberToObject(o, "temperature", r->temperature);
	}
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		err_set("out of memory");
	return text;
}

void probe_report_text(FILE *f, const probe_report *r)
{
	if (r->probe)
		fprintf(f, "linear probe on %s (%zu features): %zu training, %zu test examples, %d classes\n",
			r->features, r->dim, r->n_train, r->n_test, r->classes->n);
	else
		fprintf(f, "%d-NN (cosine, T = %g) on %s (%zu features): %zu training, %zu test examples, %d classes\n",
			r->knn_k, r->temperature, r->features, r->dim, r->n_train, r->n_test,
			r->classes->n);
	if (r->probe && r->opts->n_wd > 1) {
		for (int i = 0; i < r->opts->n_wd; i++)
			fprintf(f, "  wd %-8g validation top-1 %6.2f%%%s\n", r->opts->wd[i],
				100 * r->probe->val_top1[i],
				r->opts->wd[i] == r->probe->wd ? "  (chosen)" : "");
		fprintf(f, "  (%zu training examples held out to choose wd)\n", r->probe->n_val);
	}
	if (r->probe)
		fprintf(f, "  wd %g, %d L-BFGS iterations on all training examples\n", r->probe->wd,
			r->probe->iterations);
	probe_accuracy_text(f, r->classes, r->acc);
}

void probe_accuracy_text(FILE *f, const probe_classes *classes, const probe_accuracy *acc)
{
	fprintf(f, "top-1 %.2f%%", 100 * acc->top1);
	if (classes->n > 5)
		fprintf(f, "  top-5 %.2f%%", 100 * acc->top5);
	fprintf(f, "\n");
	for (int c = 0; c < classes->n; c++)
		fprintf(f, "  class %-6" PRId64 " %6.2f%%  (%zu examples)\n", classes->label[c],
			100 * class_accuracy(acc, c), acc->class_n[c]);
	if (acc->n_unknown)
		fprintf(f, "  %zu test examples have a label no training example has (counted wrong)\n",
			acc->n_unknown);
}
