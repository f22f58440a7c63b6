/* mae-finetune: fine-tunes a pretrained MAE encoder with a linear head on
 * labelled images and reports the test accuracy per epoch. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_backend.h"
#include "cli/cli_real.h"
#include "eval/finetune_run.h"
#include "mae/mae_checkpoint.h"

static const char help[] =
	"Usage: mae-finetune [OPTION]... --train TRAIN CHECKPOINT [TEST]\n"
	"Fine-tune the encoder of the MAE in CHECKPOINT (written by mae-train) with\n"
	"a linear head on the labelled images of the record stream TRAIN (`img`\n"
	"and `label`), every patch visible, and report the accuracy on the stream\n"
	"TEST (or stdin) after every epoch: text on stderr, one JSON object on\n"
	"stdout. Cross-entropy with label smoothing, AdamW with layer-wise lr\n"
	"decay, linear warmup and a cosine schedule, as MAE's main_finetune.py.\n"
	"\n"
	"  -t, --train FILE        the labelled training stream\n"
	"      --labelled N        train on a class-balanced subset of N images of\n"
	"                          TRAIN, drawn by --seed from their ids (default: all)\n"
	"  -e, --epochs N          epochs (default 10)\n"
	"  -b, --batch N           images per step (default 64)\n"
	"      --blr X             base learning rate (default 1e-3); lr = X * batch / 256\n"
	"      --min-lr X          the cosine's floor (default 1e-6)\n"
	"      --warmup-epochs N   linear warmup (default 1)\n"
	"      --wd X              weight decay of weights (default 0.05)\n"
	"      --layer-decay X     lr factor per layer down from the head (default 0.75;\n"
	"                          1: the same lr everywhere)\n"
	"      --tune-blocks K     partial fine-tuning: train the last K encoder blocks,\n"
	"                          the final norm and the head, freeze the rest\n"
	"                          (default: train all)\n"
	"      --smoothing X       label smoothing (default 0.1)\n"
	"  -p, --pool WHAT         cls (default) or mean: what the head sees\n"
	"      --eval-every N      test every N epochs and after the last (default 1)\n"
	"  -s, --seed N            head initialisation, subset and order (default 0)\n"
	"  -j, --threads N         threads (default 1); same result for any N\n"
	"      --device D          cpu (default), cuda, or auto (cuda if usable)\n"
	"      --precision P       fp32 (default) or bf16: the matrix products' operands\n"
	"      --log FILE          one TSV line per epoch: epoch, loss, top1, seconds\n"
	"  -o, --output FILE       write the JSON to FILE (atomically)\n"
	"  -q, --quiet             no text report or progress on stderr\n"
	"  -h, --help              show this help and exit\n"
	"  -V, --version           show the version and exit\n"
	"\n"
	"See mae-finetune(1).\n";

typedef struct reading {
	image_set *set;
	const mae_config *cfg;
} reading;

static int add_image(void *ctx, const rec *r)
{
	reading *x = ctx;
	return image_set_add_record(x->set, r, x->cfg);
}

int main(int argc, char **argv)
{
	enum { LABELLED = 256, BLR, MIN_LR, WARMUP, WD, LAYER_DECAY, TUNE_BLOCKS, SMOOTHING,
	       EVAL_EVERY, DEVICE, PRECISION, LOG };
	static const struct option longopts[] = {
		{"train", required_argument, NULL, 't'},
		{"labelled", required_argument, NULL, LABELLED},
		{"epochs", required_argument, NULL, 'e'},
		{"batch", required_argument, NULL, 'b'},
		{"blr", required_argument, NULL, BLR},
		{"min-lr", required_argument, NULL, MIN_LR},
		{"warmup-epochs", required_argument, NULL, WARMUP},
		{"wd", required_argument, NULL, WD},
		{"layer-decay", required_argument, NULL, LAYER_DECAY},
		{"tune-blocks", required_argument, NULL, TUNE_BLOCKS},
		{"smoothing", required_argument, NULL, SMOOTHING},
		{"pool", required_argument, NULL, 'p'},
		{"eval-every", required_argument, NULL, EVAL_EVERY},
		{"seed", required_argument, NULL, 's'},
		{"threads", required_argument, NULL, 'j'},
		{"device", required_argument, NULL, DEVICE},
		{"precision", required_argument, NULL, PRECISION},
		{"log", required_argument, NULL, LOG},
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		CLI_OPTIONS_COMMON,
	};
	finetune_run_opts o = {
		.tune = {.batch = 64, .blr = 1e-3, .min_lr = 1e-6, .weight_decay = 0.05,
			 .layer_decay = 0.75, .smoothing = 0.1, .pool = MAE_POOL_CLS},
		.epochs = 10, .warmup_epochs = 1, .eval_every = 1};
	const char *train_path = NULL, *out_path = NULL, *device = "cpu";
	int threads = 1, precision = BACKEND_FP32, tune_blocks = -1, opt;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "t:e:b:p:s:j:o:qhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 't': train_path = optarg; break;
		case LABELLED: o.labelled = (size_t)cli_int("--labelled", optarg, 1, INT32_MAX); break;
		case 'e': o.epochs = (long)cli_int("--epochs", optarg, 1, 1000000); break;
		case 'b': o.tune.batch = (int)cli_int("--batch", optarg, 1, 1 << 20); break;
		case BLR: o.tune.blr = cli_real("--blr", optarg, 0, 1e300, 0); break;
		case MIN_LR: o.tune.min_lr = cli_real("--min-lr", optarg, 0, 1e300, 0); break;
		case WARMUP: o.warmup_epochs = (long)cli_int("--warmup-epochs", optarg, 0, 1000000); break;
		case WD: o.tune.weight_decay = cli_real("--wd", optarg, 0, 1e6, 0); break;
		case LAYER_DECAY: o.tune.layer_decay = cli_real("--layer-decay", optarg, 0, 1, 0); break;
		case TUNE_BLOCKS: tune_blocks = (int)cli_int("--tune-blocks", optarg, 0, 1024); break;
		case SMOOTHING: o.tune.smoothing = cli_real("--smoothing", optarg, 0, 1, 1); break;
		case 'p': o.tune.pool = cli_pool_arg(optarg); break;
		case EVAL_EVERY: o.eval_every = (long)cli_int("--eval-every", optarg, 1, 1000000); break;
		case 's': o.seed = (uint64_t)cli_int("--seed", optarg, 0, INT64_MAX); break;
		case 'j': threads = (int)cli_int("--threads", optarg, 1, 256); break;
		case DEVICE: device = cli_device_arg(optarg); break;
		case PRECISION: precision = cli_precision_arg(optarg); break;
		case LOG: o.log_path = cli_output_arg(optarg); break;
		case 'o': out_path = cli_output_arg(optarg); break;
		case 'q': o.quiet = 1; break;
		CLI_CASES_COMMON(help);
		}
	}
	if (!train_path)
		cli_usage("no training stream: give --train FILE");
	if (optind >= argc)
		cli_usage("no checkpoint given");
	const char *ckpt_path = argv[optind++];
	const char *test_path = cli_one_input(argc, argv);
	if (strcmp(train_path, "-") == 0 && (!test_path || strcmp(test_path, "-") == 0))
		cli_usage("the training and the test stream cannot both be stdin");

	mae_finetuner f;
	memset(&f, 0, sizeof f);
	if (mae_checkpoint_load(ckpt_path, cli_backend(device, threads, precision), NULL, &f.model, NULL) < 0)
		cli_fail();
	/* the blocks are the checkpoint's: known once it is read */
	if (tune_blocks > f.model.cfg.depth)
		cli_usage("--tune-blocks %d: the encoder has %d blocks", tune_blocks, f.model.cfg.depth);
	if (tune_blocks >= 0)
		o.tune.frozen_layers = f.model.cfg.depth + 1 - tune_blocks;
	image_set train, test;
	image_set_init(&train, &f.model.cfg);
	image_set_init(&test, &f.model.cfg);
	cli_read_each(train_path, o.quiet, add_image, &(reading){&train, &f.model.cfg});
	cli_read_each(test_path, o.quiet, add_image, &(reading){&test, &f.model.cfg});
	o.train_name = cli_input_name(train_path);
	o.test_name = cli_input_name(test_path);
	o.prog = cli_prog();
	o.text = o.quiet ? NULL : stderr;
	finetune_result res;
	if (finetune_run(&res, &f, &train, &test, &o) < 0)
		cli_fail();
	if (!o.quiet)
		probe_accuracy_text(stderr, &res.sets.classes, &res.acc);
	char *json = finetune_report_json(&res.report);
	if (!json)
		cli_fail();
	cli_write_line(out_path, json);
	free(json);
	finetune_result_free(&res);
	image_set_free(&train);
	image_set_free(&test);
	mae_finetuner_free(&f);
	return 0;
}
