/* mask-gen: writes each record's `mask` (bit set = patch hidden) with one
 * of the masking strategies the literature compares. */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_real.h"
#include "mask/mask_gen.h"

static const char help[] =
	"Usage: mask-gen --strategy=S [OPTION]... [FILE]\n"
	"Write the `mask` field (bit set = patch hidden) of each record of the\n"
	"stream FILE (or stdin), from its `grid`. Random draws come from the seed\n"
	"and the record's id and epoch.\n"
	"\n"
	"  -S, --strategy S          random (MAE), block (BEiT), grid (1 of 2x2 visible),\n"
	"                            symmetric (checkerboard), objbox, semantic,\n"
	"                            noise:white|red|green|blue|purple (ColorMAE)\n"
	"  -r, --ratio R             hidden fraction in [0, 1) (default 0.75)\n"
	"      --schedule E:R,...    ratio by epoch, e.g. 0:0.2,20:0.4,40:0.5\n"
	"      --schedule-interp M   step (default) or linear between the keys\n"
	"      --lambda L            objbox: weight of the box count (default 0.5)\n"
	"      --min-block N         block: least patches per block (default 16)\n"
	"      --sigma1 S            noise: the weak blur, in patches (default 1)\n"
	"      --sigma2 S            noise: the strong blur, in patches (default 2)\n"
	"      --bank-size N         noise: patterns of N x N patches (default 128)\n"
	"      --bank-patterns K     noise: K patterns (default 4)\n"
	"  -s, --seed S              random seed (default 0)\n"
	"  -o, --output FILE         write to FILE (atomically) instead of stdout\n"
	"  -h, --help                show this help and exit\n"
	"  -V, --version             show the version and exit\n"
	"\n"
	"See mask-gen(1) for each strategy and its paper.\n";

int main(int argc, char **argv)
{
	enum { OPT_SCHEDULE = 256, OPT_INTERP, OPT_LAMBDA, OPT_MIN_BLOCK, OPT_SIGMA1, OPT_SIGMA2,
	       OPT_BANK_SIZE, OPT_BANK_PATTERNS };
	static const struct option opts[] = {
		{"strategy", required_argument, NULL, 'S'},
		{"ratio", required_argument, NULL, 'r'},
		{"schedule", required_argument, NULL, OPT_SCHEDULE},
		{"schedule-interp", required_argument, NULL, OPT_INTERP},
		{"lambda", required_argument, NULL, OPT_LAMBDA},
		{"min-block", required_argument, NULL, OPT_MIN_BLOCK},
		{"sigma1", required_argument, NULL, OPT_SIGMA1},
		{"sigma2", required_argument, NULL, OPT_SIGMA2},
		{"bank-size", required_argument, NULL, OPT_BANK_SIZE},
		{"bank-patterns", required_argument, NULL, OPT_BANK_PATTERNS},
		{"seed", required_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		CLI_OPTIONS_COMMON,
	};
	mask_gen_opts mo = {.kind = -1, .ratio = 0.75, .lambda = 0.5, .min_block = 16,
			    .sigma1 = 1, .sigma2 = 2, .bank_side = 128, .bank_patterns = 4};
	const char *strategy = NULL, *out_path = NULL, *interp = NULL;
	int ratio_given = 0;
	int opt;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "S:r:s:o:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'S':
			strategy = optarg;
			if (mask_strategy_parse(optarg, &mo.kind, &mo.color) < 0)
				cli_usage("--strategy: %s", err_msg());
			break;
		case 'r': mo.ratio = cli_real("--ratio", optarg, 0, 1, 1); ratio_given = 1; break;
		case OPT_SCHEDULE:
			if (mask_schedule_parse(&mo.schedule, optarg) < 0)
				cli_usage("--schedule: %s", err_msg());
			mo.use_schedule = 1;
			break;
		case OPT_INTERP: interp = optarg; break;
		case OPT_LAMBDA: mo.lambda = cli_real("--lambda", optarg, 0, 1, 0); break;
		case OPT_MIN_BLOCK: mo.min_block = (uint32_t)cli_int("--min-block", optarg, 1, 1 << 20); break;
		case OPT_SIGMA1: mo.sigma1 = cli_real("--sigma1", optarg, 0.1, 16, 0); break;
		case OPT_SIGMA2: mo.sigma2 = cli_real("--sigma2", optarg, 0.1, 16, 0); break;
		case OPT_BANK_SIZE: mo.bank_side = (uint32_t)cli_int("--bank-size", optarg, 64, 1024); break;
		case OPT_BANK_PATTERNS:
			mo.bank_patterns = (uint32_t)cli_int("--bank-patterns", optarg, 1, 64);
			break;
		case 's': mo.seed = (uint64_t)cli_int("--seed", optarg, 0, INT64_MAX); break;
		case 'o': out_path = cli_output_arg(optarg); break;
		CLI_CASES_COMMON(help);
		}
	}
	if (!strategy)
		cli_usage("--strategy is required");
	if (interp && strcmp(interp, "step") && strcmp(interp, "linear"))
		cli_usage("--schedule-interp wants step or linear, not '%s'", interp);
	if (interp && !mo.use_schedule)
		cli_usage("--schedule-interp needs --schedule");
	mo.schedule.linear = interp && strcmp(interp, "linear") == 0;
	if (ratio_given && mo.use_schedule)
		cli_usage("--ratio and --schedule exclude each other");
	double fixed = mask_fixed_ratio(mo.kind);
	if (fixed >= 0 && (mo.use_schedule || (ratio_given && mo.ratio != fixed)))
		cli_usage("--strategy %s hides %g of the patches by construction: no other --ratio "
			  "or --schedule", strategy, fixed);
	if (mo.kind == MASK_NOISE && mo.color == NOISE_GREEN && mo.sigma1 >= mo.sigma2)
		cli_usage("--sigma1 must be below --sigma2 for a band-pass (green) filter");

	mask_gen mg;
	if (mask_gen_init(&mg, &mo) < 0)
		cli_fail();
	rec_reader *rd = cli_open_input(cli_one_input(argc, argv));
	const rec *in_header = rec_reader_header(rd);
	if (!in_header)
		cli_fail();
	rec header;
	rec_init(&header);
	if (cli_header_make(&header, in_header) < 0 || rec_set_str(&header, "mask_strategy", strategy) < 0)
		cli_fail();
	rec_writer *w = cli_open_output(out_path);
	cli_put(w, &header);
	rec r;
	rec_init(&r);
	int rc;
	while ((rc = rec_reader_next(rd, &r)) > 0) {
		if (mask_gen_record(&mg, &r) < 0) {
			char what[256];
			err_prefix("%s: %s: ", rec_reader_name(rd), rec_describe(&r, what, sizeof what));
			cli_check_read(-1, w);
		}
		cli_put(w, &r);
	}
	cli_check_read(rc, w);
	cli_close_output(w);
	mask_gen_free(&mg);
	rec_free(&header);
	rec_free(&r);
	rec_reader_close(rd);
	return 0;
}
