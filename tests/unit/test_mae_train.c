/* What mae-train settles around its run: the steps (from the header
 * rec-repeat writes, or given), the trainer new or resumed from a
 * checkpoint, and the message of a run stopped early. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/err.h"
#include "mae/mae_train.h"
#include "mae/mae_train_start.h"

static const mae_config tiny = {8, 2, 2, 8, 2, 2, 12, 1, 3, 4, 1, 0, {0}, {0}};

/* The total from the header's epochs and epoch size (a last short batch
 * dropped), or the one given; the warmup 5% of it unless given. */
static void steps_from_header_or_given(void)
{
	rec h;
	rec_init(&h);
	rec_set_int(&h, "epochs", 10);
	rec_set_int(&h, "epoch_size", 100);
	mae_train_opts o = {.batch = 7, .warmup = -1, .total = -1};
	CHECK_EQ(mae_train_plan(&o, &h, "s.rec"), 0);
	CHECK_EQ(o.total, 142); /* 1000 / 7 */
	CHECK_EQ(o.warmup, 7);
	o = (mae_train_opts){.batch = 64, .warmup = 3, .total = 200};
	CHECK_EQ(mae_train_plan(&o, &h, "s.rec"), 0);
	CHECK_EQ(o.total, 200);
	CHECK_EQ(o.warmup, 3);
	rec_clear(&h);
	o = (mae_train_opts){.batch = 64, .warmup = -1, .total = 200};
	CHECK_EQ(mae_train_plan(&o, &h, "s.rec"), 0);
	CHECK_EQ(o.warmup, 10);
	rec_free(&h);
}

/* A header without counts and a run past a 64-bit image count are the
 * options' fault (1); counts that overflow are the stream's (-1). */
static void steps_that_cannot_be(void)
{
	rec h;
	rec_init(&h);
	mae_train_opts o = {.batch = 64, .warmup = -1, .total = -1};
	CHECK_EQ(mae_train_plan(&o, &h, "s.rec"), 1);
	CHECK_STR(err_msg(),
		  "s.rec: no total step count: give --steps, or put the stream through rec-repeat");
	o = (mae_train_opts){.batch = 2, .warmup = -1, .total = INT64_MAX / 2 + 1};
	CHECK_EQ(mae_train_plan(&o, &h, "s.rec"), 1);
	CHECK(strstr(err_msg(), "steps of 2 images: more than a 64-bit count") != NULL);
	o.total = INT64_MAX / 2;
	CHECK_EQ(mae_train_plan(&o, &h, "s.rec"), 0);
	rec_set_int(&h, "epochs", INT64_MAX / 2);
	rec_set_int(&h, "epoch_size", 3);
	o = (mae_train_opts){.batch = 64, .warmup = -1, .total = -1};
	CHECK_EQ(mae_train_plan(&o, &h, "s.rec"), -1);
	CHECK(strstr(err_msg(), "s.rec: header: ") == err_msg());
	rec_free(&h);
}

/* A new trainer has the weights of its seed and no step taken. */
static void a_new_run(void)
{
	mae_train_opts o = {.batch = 4, .blr = 1e-3, .warmup = 0, .total = 10};
	mae_trainer t;
	CHECK_EQ(mae_train_start(&t, &o, backend_cpu(), &tiny, 0, 5, NULL), 0);
	CHECK_EQ(t.opt.step, 0);
	CHECK_EQ(t.o.total, 10);
	mae_model seeded;
	CHECK_EQ(mae_model_init(&seeded, &tiny, backend_cpu()), 0);
	CHECK_EQ(mae_model_init_weights(&seeded, 5), 0);
	size_t bytes = seeded.layout.n_floats * sizeof(float);
	CHECK(memcmp(t.model.param_mem, seeded.param_mem, bytes) == 0);
	CHECK_EQ(mae_model_init_weights(&seeded, 6), 0);
	CHECK(memcmp(t.model.param_mem, seeded.param_mem, bytes) != 0);
	mae_model_free(&seeded);
	mae_trainer_free(&t);
}

/* A resumed trainer is the saved one, with its step; only with the same
 * batch size, within the steps to take, and the config asked for. */
static void a_resumed_run(void)
{
	mae_train_opts o = {.batch = 4, .blr = 1e-3, .warmup = 0, .total = 10};
	mae_trainer saved, t;
	CHECK_EQ(mae_train_start(&saved, &o, backend_cpu(), &tiny, 0, 5, NULL), 0);
	saved.opt.step = 3;
	saved.model.param_mem[0] = 0.25f;
	const char *path = check_tmp_path("run.safetensors");
	CHECK_EQ(mae_train_save(path, &saved), 0);
	size_t bytes = saved.model.layout.n_floats * sizeof(float);

	mae_config other = tiny;
	other.dim = 16;
	/* the checkpoint's config, whatever cfg says unless it was given */
	CHECK_EQ(mae_train_start(&t, &o, backend_cpu(), &other, 0, 9, path), 0);
	CHECK_EQ(t.opt.step, 3);
	CHECK_EQ(t.model.cfg.dim, tiny.dim);
	CHECK(memcmp(t.model.param_mem, saved.model.param_mem, bytes) == 0);
	mae_trainer_free(&t);
	CHECK_EQ(mae_train_start(&t, &o, backend_cpu(), &tiny, 1, 9, path), 0);
	mae_trainer_free(&t);
	CHECK_EQ(mae_train_start(&t, &o, backend_cpu(), &other, 1, 9, path), -1);
	mae_trainer_free(&t);

	o.batch = 8;
	CHECK_EQ(mae_train_start(&t, &o, backend_cpu(), &tiny, 0, 5, path), 1);
	CHECK(strstr(err_msg(), "the run used --batch 4; resume it with the same") != NULL);
	mae_trainer_free(&t);
	o.batch = 4;
	o.total = 2;
	CHECK_EQ(mae_train_start(&t, &o, backend_cpu(), &tiny, 0, 5, path), -1);
	CHECK(strstr(err_msg(), "the run is at step 3, past the 2 steps to take") != NULL);
	mae_trainer_free(&t);
	mae_trainer_free(&saved);
}

/* A stopped run's message says what the checkpoint holds. */
static void the_stop_message(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	err_set("x.rec: the input ended after 7 of the 9 steps");
	mae_train_print_stop(f, "mae-train", &(mae_train_result){.saved_step = 5, .stopped = 1},
			     "ck.st");
	mae_train_print_stop(f, "mae-train", &(mae_train_result){.saved_step = -1, .stopped = 1},
			     "ck.st");
	fclose(f);
	CHECK_STR(text, "mae-train: x.rec: the input ended after 7 of the 9 steps; ck.st holds "
			"step 5, the last --save-every\n"
			"mae-train: x.rec: the input ended after 7 of the 9 steps; ck.st not written\n");
	free(text);
}

int main(void)
{
	RUN(steps_from_header_or_given);
	RUN(steps_that_cannot_be);
	RUN(a_new_run);
	RUN(a_resumed_run);
	RUN(the_stop_message);
	return check_exit();
}
