#include "eval/finetune_sets.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

static int check_and_classify(finetune_sets *s, image_set *train, image_set *test,
			      const finetune_sets_opts *o)
{
	if (train->n == 0 || test->n == 0)
		return err_set("%s: no %s images", train->n == 0 ? o->train_name : o->test_name,
			       train->n == 0 ? "training" : "test");
	probe_classes *classes = &s->classes;
	if (probe_classes_from(classes, train->label, train->n) < 0 ||
	    image_set_classify(train, classes) < 0 || image_set_classify(test, classes) < 0)
		return -1;
	if (classes->n < 2)
		return err_set("%s: the training images have one class (label %" PRId64 "): "
			       "nothing to learn", o->train_name, classes->label[0]);
	if (o->labelled > train->n)
		return err_set("--labelled %zu: %s has %zu images", o->labelled, o->train_name,
			       train->n);
	return 0;
}

static int choose_used(finetune_sets *s, const image_set *train, const finetune_sets_opts *o)
{
	s->used = malloc(train->n * sizeof *s->used);
	if (!s->used)
		return err_set("out of memory");
	if (!o->labelled) {
		for (size_t i = 0; i < train->n; i++)
			s->used[i] = (uint32_t)i;
		s->n_used = train->n;
		return 0;
	}
	long got = image_set_balanced(train, s->classes.n, o->labelled, o->seed, s->used);
	if (got < 0)
		return -1;
	s->n_used = (size_t)got;
	if (o->notice && s->n_used < o->labelled)
		fprintf(o->notice, "%s: --labelled %zu: some classes have too few images; "
			"training on %zu\n", o->prog, o->labelled, s->n_used);
	return 0;
}

int finetune_sets_prepare(finetune_sets *s, image_set *train, image_set *test,
			  const finetune_sets_opts *o)
{
	memset(s, 0, sizeof *s);
	if (check_and_classify(s, train, test, o) == 0 && choose_used(s, train, o) == 0)
		return 0;
	finetune_sets_free(s);
	return -1;
}

void finetune_sets_free(finetune_sets *s)
{
	probe_classes_free(&s->classes);
	free(s->used);
	memset(s, 0, sizeof *s);
}
