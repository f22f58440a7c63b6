/* ssearch-boxes: Selective Search object proposals for every record. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_real.h"
#include "stream/rec_map.h"
#include "stream/rec_rng.h"
#include "ssearch/filter.h"
#include "ssearch/selsearch.h"

static const char help[] =
	"Usage: ssearch-boxes [OPTION]... [FILE]\n"
	"Add `boxes`, the Selective Search object proposals of each record's image\n"
	"(Uijlings et al., IJCV 2013), best first, to every record of the record\n"
	"stream FILE (or stdin).\n"
	"\n"
	"  -m, --mode MODE         single (default: HSV, k 100, one hierarchy), fast\n"
	"                          or quality: the paper's settings\n"
	"      --color-spaces L    colour spaces among rgb,hsv,lab,rgi,i,h\n"
	"      --ks L              graph-segmentation scales, e.g. 50,100\n"
	"      --sims L            similarity sums, each of c (colour), t (texture),\n"
	"                          s (size) and f (fill), e.g. ctsf,tsf\n"
	"      --sigma S           smoothing before segmenting (default 0.8)\n"
	"      --min-size N        smallest initial segment in pixels (default: k)\n"
	"      --connectivity N    4 or 8 neighbours in the graph (default 8)\n"
	"  -n, --max-boxes N       keep the N best boxes (default: all)\n"
	"  -s, --seed S            seed of the ranking's random numbers (default 0)\n"
	"  -j, --threads N         records processed in parallel (default 1); the\n"
	"                          output is the same for any N\n"
	"      --emit-segments     also write `segments`, the initial segmentation\n"
	"                          of the first colour space and k\n"
	"  -o, --output F          write to F (atomically) instead of stdout\n"
	"  -q, --quiet             no progress display\n"
	"  -h, --help              show this help and exit\n"
	"  -V, --version           show the version and exit\n"
	"\n"
	"The knobs override the mode's values. See ssearch-boxes(1).\n";

typedef struct job {
	ss_params params;
	uint64_t seed;
	int emit_segments;
} job;

static void *state_new(void *ctx)
{
	(void)ctx;
	ss_result *result = calloc(1, sizeof *result);
	if (!result)
		err_set("out of memory");
	return result;
}

static void state_free(void *state)
{
	ss_result_free(state);
	free(state);
}

static int apply(rec *r, void *state, void *ctx)
{
	const job *j = ctx;
	ss_result *result = state;
	img_view view;
	int found = rec_get_img_gray_or_rgb(r, &view);
	if (found == 1)
		return err_set("no 'img' field");
	if (found < 0 || selective_search(&view, &j->params, j->seed,
					  rec_rng_image_stream(r, REC_RNG_SSEARCH),
					  j->emit_segments, result) < 0)
		return -1;
	if (rec_set_boxes(r, result->boxes, result->n_boxes) < 0)
		return -1;
	if (j->emit_segments &&
	    rec_set_segments(r, result->segments, view.w, view.h, result->n_segments) < 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	enum {
		OPT_CSPACES = 256, OPT_KS, OPT_SIMS, OPT_SIGMA, OPT_MIN_SIZE, OPT_CONNECTIVITY,
		OPT_EMIT_SEGMENTS
	};
	static const struct option opts[] = {
		{"mode", required_argument, NULL, 'm'},
		{"color-spaces", required_argument, NULL, OPT_CSPACES},
		{"ks", required_argument, NULL, OPT_KS},
		{"sims", required_argument, NULL, OPT_SIMS},
		{"sigma", required_argument, NULL, OPT_SIGMA},
		{"min-size", required_argument, NULL, OPT_MIN_SIZE},
		{"connectivity", required_argument, NULL, OPT_CONNECTIVITY},
		{"max-boxes", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"threads", required_argument, NULL, 'j'},
		{"emit-segments", no_argument, NULL, OPT_EMIT_SEGMENTS},
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		CLI_OPTIONS_COMMON,
	};
	const char *mode = "single", *cspaces = NULL, *ks = NULL, *sims = NULL, *out_path = NULL;
	double sigma = -1;
	int64_t min_size = -2, connectivity = 0, max_boxes = -1, threads = 1;
	job j = {.seed = 0};
	int quiet = 0, opt;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "m:n:s:j:o:qhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'm': mode = optarg; break;
		case OPT_CSPACES: cspaces = optarg; break;
		case OPT_KS: ks = optarg; break;
		case OPT_SIMS: sims = optarg; break;
		case OPT_SIGMA: sigma = cli_real("--sigma", optarg, 0, FILTER_SIGMA_MAX, 0); break;
		case OPT_MIN_SIZE: min_size = cli_int("--min-size", optarg, 1, UINT32_MAX); break;
		case OPT_CONNECTIVITY: connectivity = cli_int("--connectivity", optarg, 4, 8); break;
		case 'n': max_boxes = cli_int("--max-boxes", optarg, 1, UINT32_MAX); break;
		case 's': j.seed = (uint64_t)cli_int("--seed", optarg, 0, INT64_MAX); break;
		case 'j': threads = cli_int("--threads", optarg, 1, 256); break;
		case OPT_EMIT_SEGMENTS: j.emit_segments = 1; break;
		case 'o': out_path = cli_output_arg(optarg); break;
		case 'q': quiet = 1; break;
		CLI_CASES_COMMON(help);
		}
	}
	if (connectivity && connectivity != 4 && connectivity != 8)
		cli_usage("--connectivity must be 4 or 8, not %lld", (long long)connectivity);
	if (ss_preset(&j.params, mode) < 0 || (cspaces && ss_parse_cspaces(&j.params, cspaces) < 0) ||
	    (ks && ss_parse_ks(&j.params, ks) < 0) || (sims && ss_parse_sims(&j.params, sims) < 0))
		cli_usage("%s", err_msg());
	j.params.sigma = sigma >= 0 ? sigma : j.params.sigma;
	j.params.min_size = min_size > 0 ? min_size : j.params.min_size;
	j.params.connectivity = connectivity ? (int)connectivity : j.params.connectivity;
	j.params.max_boxes = max_boxes > 0 ? (uint32_t)max_boxes : 0;

	rec_reader *rd;
	rec_writer *w;
	cli_open_filter(cli_one_input(argc, argv), out_path, &rd, &w);
	progress prog;
	progress_start(&prog, "images", 0, quiet);
	recmap_ops ops = {apply, state_new, state_free, &j};
	if (recmap_run(rd, w, (unsigned)threads, &ops, &prog) < 0)
		cli_fail_output(w);
	progress_end(&prog);
	cli_close_output(w);
	rec_reader_close(rd);
	return 0;
}
