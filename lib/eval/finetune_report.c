#include "eval/finetune_report.h"

#include <cjson/cJSON.h>

#include "common/err.h"

char *finetune_report_json(const finetune_report *r)
{
	cJSON *o = cJSON_CreateObject();
	if (!o) {
		err_set("out of memory");
		return NULL;
	}
	const mae_finetune_opts *p = r->opts;
	cJSON_AddStringToObject(o, "eval", "finetune");
	cJSON_AddStringToObject(o, "pool", p->pool == MAE_POOL_CLS ? "cls" : "mean");
	cJSON_AddNumberToObject(o, "n_train", (double)r->n_train);
	cJSON_AddNumberToObject(o, "n_labelled", (double)r->n_labelled);
	cJSON_AddNumberToObject(o, "n_test", (double)r->n_test);
	cJSON_AddNumberToObject(o, "n_classes", r->classes->n);
	cJSON_AddNumberToObject(o, "batch", p->batch);
	cJSON_AddNumberToObject(o, "blr", p->blr);
	cJSON_AddNumberToObject(o, "weight_decay", p->weight_decay);
	cJSON_AddNumberToObject(o, "layer_decay", p->layer_decay);
	cJSON_AddNumberToObject(o, "frozen_layers", p->frozen_layers);
	cJSON_AddNumberToObject(o, "smoothing", p->smoothing);
	cJSON_AddNumberToObject(o, "seed", (double)r->seed);
	cJSON *epochs = cJSON_AddArrayToObject(o, "epochs");
	for (int e = 0; epochs && e < r->n_epochs; e++) {
		cJSON *item = cJSON_CreateObject();
		cJSON_AddNumberToObject(item, "epoch", e + 1);
		cJSON_AddNumberToObject(item, "loss", r->epochs[e].loss);
		if (r->epochs[e].top1 >= 0)
			cJSON_AddNumberToObject(item, "top1", probe_rounded(r->epochs[e].top1));
		cJSON_AddItemToArray(epochs, item);
	}
	if (probe_accuracy_json(o, r->classes, r->acc) < 0) {
		cJSON_Delete(o);
		return NULL;
	}
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		err_set("out of memory");
	return text;
}
