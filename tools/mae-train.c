/* mae-train: MAE pretraining on a record stream of images with their
 * patch grid and mask; writes safetensors checkpoints. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/cli_backend.h"
#include "cli/cli_real.h"
#include "mae/mae_train.h"
#include "mae/mae_train_start.h"
#include "common/progress.h"
#include "mae/mae_input_norm.h"

static const char help[] =
	"Usage: mae-train -o CHECKPOINT [OPTION]... [FILE]\n"
	"Pretrain a masked autoencoder (He et al. 2022, as facebookresearch/mae) on\n"
	"the records of FILE (or stdin): each needs `img`, `grid` and `mask`\n"
	"(patchify, mask-gen). Writes the model as a safetensors checkpoint.\n"
	"\n"
	"Model (a named config, then any size changed by its option):\n"
	"  -c, --config NAME     fmnist (default), tiny64 or stl96\n"
	"      --img-size N, --in-chans N, --patch N\n"
	"      --dim N, --depth N, --heads N              encoder\n"
	"      --dec-dim N, --dec-depth N, --dec-heads N  decoder\n"
	"      --norm-pix-loss   targets normalised per patch\n"
	"      --input-norm SPEC pixels in [0, 1] normalised per channel on the way in:\n"
	"                        none (default), imagenet, or MEAN,...:STD,... (as\n"
	"                        rec-stats prints it); kept in the checkpoint\n"
	"Training:\n"
	"  -b, --batch N         images per step (default 64)\n"
	"      --blr X           base learning rate (default 1.5e-4); lr = X * batch / 256\n"
	"      --min-lr X        the cosine's floor (default 0)\n"
	"      --warmup N        warmup steps (default 5% of the total)\n"
	"      --steps N         total steps (default: epochs * epoch_size / batch\n"
	"                        from the header rec-repeat writes); 0 writes the\n"
	"                        initialised model\n"
	"      --clip X          clip the gradient norm to X (default: no clipping)\n"
	"  -s, --seed S          initialisation seed (default 0)\n"
	"  -j, --threads N       threads (default 1)\n"
	"      --device D        cpu (default), cuda, or auto (cuda if usable)\n"
	"      --precision P     fp32 (default) or bf16: the matrix products' operands\n"
	"                        in bfloat16, everything else float32 (autocast's bf16)\n"
	"  -o, --output F        the checkpoint, written atomically\n"
	"      --save-every N    also write it every N steps\n"
	"      --resume F        continue the run saved in checkpoint F exactly\n"
	"      --log F           one TSV line per step: step, loss, lr, grad_norm, seconds\n"
	"  -q, --quiet           no progress on stderr\n"
	"  -h, --help            show this help and exit\n"
	"  -V, --version         show the version and exit\n"
	"\n"
	"See mae-train(1).\n";

enum {
	OPT_IMG_SIZE = 256, OPT_IN_CHANS, OPT_PATCH, OPT_DIM, OPT_DEPTH, OPT_HEADS, OPT_DEC_DIM,
	OPT_DEC_DEPTH, OPT_DEC_HEADS, OPT_NORM_PIX, OPT_INPUT_NORM, OPT_BLR, OPT_MIN_LR, OPT_WARMUP, OPT_STEPS,
	OPT_CLIP, OPT_SAVE_EVERY, OPT_RESUME, OPT_LOG, OPT_DEVICE, OPT_PRECISION,
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"img-size", required_argument, NULL, OPT_IMG_SIZE},
		{"in-chans", required_argument, NULL, OPT_IN_CHANS},
		{"patch", required_argument, NULL, OPT_PATCH},
		{"dim", required_argument, NULL, OPT_DIM},
		{"depth", required_argument, NULL, OPT_DEPTH},
		{"heads", required_argument, NULL, OPT_HEADS},
		{"dec-dim", required_argument, NULL, OPT_DEC_DIM},
		{"dec-depth", required_argument, NULL, OPT_DEC_DEPTH},
		{"dec-heads", required_argument, NULL, OPT_DEC_HEADS},
		{"norm-pix-loss", no_argument, NULL, OPT_NORM_PIX},
		{"input-norm", required_argument, NULL, OPT_INPUT_NORM},
		{"batch", required_argument, NULL, 'b'},
		{"blr", required_argument, NULL, OPT_BLR},
		{"min-lr", required_argument, NULL, OPT_MIN_LR},
		{"warmup", required_argument, NULL, OPT_WARMUP},
		{"steps", required_argument, NULL, OPT_STEPS},
		{"clip", required_argument, NULL, OPT_CLIP},
		{"seed", required_argument, NULL, 's'},
		{"threads", required_argument, NULL, 'j'},
		{"device", required_argument, NULL, OPT_DEVICE},
		{"precision", required_argument, NULL, OPT_PRECISION},
		{"output", required_argument, NULL, 'o'},
		{"save-every", required_argument, NULL, OPT_SAVE_EVERY},
		{"resume", required_argument, NULL, OPT_RESUME},
		{"log", required_argument, NULL, OPT_LOG},
		{"quiet", no_argument, NULL, 'q'},
		CLI_OPTIONS_COMMON,
	};
	mae_config cfg;
	mae_config_named(&cfg, "fmnist");
	mae_train_opts o = {.batch = 64, .blr = 1.5e-4, .warmup = -1, .total = -1};
	uint64_t seed = 0;
	int threads = 1, quiet = 0, cfg_given = 0, precision = BACKEND_FP32;
	const char *device = "cpu";
	long save_every = 0;
	const char *out_path = NULL, *resume_path = NULL, *log_path = NULL, *input_norm = NULL;
	int opt;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "c:b:s:j:o:qhV", opts, NULL)) != -1) {
		/* a resumed run takes the checkpoint's config unless one is given */
		cfg_given |= opt == 'c' || (opt >= OPT_IMG_SIZE && opt <= OPT_INPUT_NORM);
		switch (opt) {
		case 'c':
			if (mae_config_named(&cfg, optarg) < 0)
				cli_usage("%s", err_msg());
			break;
		case OPT_IMG_SIZE: cfg.img_size = (int)cli_int("--img-size", optarg, 1, 4096); break;
		case OPT_IN_CHANS: cfg.in_chans = (int)cli_int("--in-chans", optarg, 1, 4); break;
		case OPT_PATCH: cfg.patch = (int)cli_int("--patch", optarg, 1, 4096); break;
		case OPT_DIM: cfg.dim = (int)cli_int("--dim", optarg, 4, 65536); break;
		case OPT_DEPTH: cfg.depth = (int)cli_int("--depth", optarg, 0, 1024); break;
		case OPT_HEADS: cfg.heads = (int)cli_int("--heads", optarg, 1, 1024); break;
		case OPT_DEC_DIM: cfg.dec_dim = (int)cli_int("--dec-dim", optarg, 4, 65536); break;
		case OPT_DEC_DEPTH: cfg.dec_depth = (int)cli_int("--dec-depth", optarg, 0, 1024); break;
		case OPT_DEC_HEADS: cfg.dec_heads = (int)cli_int("--dec-heads", optarg, 1, 1024); break;
		case OPT_NORM_PIX: cfg.norm_pix_loss = 1; break;
		case OPT_INPUT_NORM: input_norm = optarg; break;
		case 'b': o.batch = (int)cli_int("--batch", optarg, 1, 1 << 20); break;
		case OPT_BLR: o.blr = cli_real("--blr", optarg, 0, 1e300, 0); break;
		case OPT_MIN_LR: o.min_lr = cli_real("--min-lr", optarg, 0, 1e300, 0); break;
		case OPT_WARMUP: o.warmup = (long)cli_int("--warmup", optarg, 0, INT64_MAX); break;
		case OPT_STEPS: o.total = (long)cli_int("--steps", optarg, 0, INT64_MAX); break;
		case OPT_CLIP: o.clip = cli_real("--clip", optarg, 0, 1e300, 0); break;
		case 's': seed = (uint64_t)cli_int("--seed", optarg, 0, INT64_MAX); break;
		case 'j': threads = (int)cli_int("--threads", optarg, 1, 256); break;
		case OPT_DEVICE: device = cli_device_arg(optarg); break;
		case OPT_PRECISION: precision = cli_precision_arg(optarg); break;
		case 'o': out_path = cli_output_arg(optarg); break;
		case OPT_SAVE_EVERY: save_every = (long)cli_int("--save-every", optarg, 1, INT64_MAX); break;
		case OPT_RESUME: resume_path = optarg; break;
		case OPT_LOG: log_path = cli_output_arg(optarg); break;
		case 'q': quiet = 1; break;
		CLI_CASES_COMMON(help);
		}
	}
	if (!out_path)
		cli_usage("no checkpoint to write: give -o FILE");
	/* after the options: -c sets every other field of the config */
	if (input_norm && mae_input_norm_parse(&cfg, input_norm) < 0)
		cli_usage("--input-norm: %s", err_msg());
	if (mae_config_check(&cfg) < 0)
		cli_usage("%s", err_msg());

	const backend *be = cli_backend(device, threads, precision);
	rec_reader *rd = cli_open_input(cli_one_input(argc, argv));
	const rec *header = rec_reader_header(rd);
	if (!header)
		cli_fail();
	int rc = mae_train_plan(&o, header, rec_reader_name(rd));
	if (rc > 0)
		cli_usage("%s", err_msg());
	if (rc < 0)
		cli_fail();
	mae_trainer t;
	rc = mae_train_start(&t, &o, be, &cfg, cfg_given, seed, resume_path);
	if (rc > 0)
		cli_usage("%s", err_msg());
	if (rc < 0)
		cli_fail();
	FILE *log = NULL;
	if (log_path && !(log = fopen(log_path, resume_path ? "a" : "w"))) {
		err_errno("%s", log_path);
		cli_fail();
	}
	progress prog;
	progress_start(&prog, "images", (uint64_t)o.total * o.batch, quiet);
	/* where the progress shows, what computes it: a bf16 run is not an
	 * fp32 one */
	if (prog.enabled)
		fprintf(stderr, "%s: %s, %d thread%s, %s matrix products\n", cli_prog(), be->name,
			threads, threads == 1 ? "" : "s", cli_precision_name(precision));
	mae_train_output out = {out_path, save_every, log, log_path, !resume_path};
	mae_train_result res;
	rc = mae_train_run(&t, rd, &out, &prog, &res);
	progress_end(&prog);
	if (rc < 0 && res.stopped) {
		mae_train_print_stop(stderr, cli_prog(), &res, out_path);
		exit(1);
	}
	if (rc < 0 || mae_train_save(out_path, &t) < 0)
		cli_fail();
	if (log && fclose(log) != 0) {
		err_errno("%s", log_path);
		cli_fail();
	}
	mae_trainer_free(&t);
	rec_reader_close(rd);
	return 0;
}
