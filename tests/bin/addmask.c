/* addmask: gives each record of a stream the `grid` and a random `mask`
 * field, so the MAE tools can be tested before patchify and mask-gen
 * exist: record i hides a seeded random set of patches whose size varies
 * around the ratio from record to record (ragged batches). */
#include <getopt.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "common/rng.h"

static const char help[] =
	"Usage: addmask --patch P [--ratio R] [--jitter J] [--seed S] [FILE]\n"
	"Add grid {p, gh, gw} (the image cut in PxP patches) and a mask hiding a\n"
	"random R +- J share of the patches (default 0.75 +- 0) to each record.\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"patch", required_argument, NULL, 'p'},
		{"ratio", required_argument, NULL, 'r'},
		{"jitter", required_argument, NULL, 'j'},
		{"seed", required_argument, NULL, 's'},
		CLI_OPTIONS_COMMON,
	};
	int patch = 0, opt;
	double ratio = 0.75, jitter = 0;
	uint64_t seed = 0;
	cli_init(argc, argv);
	while ((opt = getopt_long(argc, argv, "p:r:j:s:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': patch = (int)cli_int("--patch", optarg, 1, 4096); break;
		case 'r': ratio = atof(optarg); break;
		case 'j': jitter = atof(optarg); break;
		case 's': seed = (uint64_t)cli_int("--seed", optarg, 0, INT64_MAX); break;
		CLI_CASES_COMMON(help);
		}
	}
	if (!patch)
		cli_usage("--patch is needed");
	rec_reader *rd;
	rec_writer *w;
	cli_open_filter(cli_one_input(argc, argv), NULL, &rd, &w);
	rec r;
	rec_init(&r);
	int rc;
	uint32_t *order = NULL;
	uint8_t *bits = NULL;
	while ((rc = rec_reader_next(rd, &r)) == 1) {
		img_view v;
		if (rec_get_img(&r, &v) != 0)
			cli_fail();
		int gh = (int)v.h / patch, gw = (int)v.w / patch, n = gh * gw;
		order = realloc(order, sizeof(uint32_t) * (size_t)n);
		bits = realloc(bits, (size_t)(n + 7) / 8);
		rng g;
		rng_seed(&g, seed, r.index);
		double share = ratio + jitter * (2 * rng_uniform(&g) - 1);
		int n_hidden = (int)(share * n + 0.5);
		n_hidden = n_hidden < 0 ? 0 : n_hidden > n ? n : n_hidden;
		rng_permutation(order, (size_t)n, seed, r.index + (1ull << 40));
		memset(bits, 0, (size_t)(n + 7) / 8);
		for (int i = 0; i < n_hidden; i++)
			bits[order[i] / 8] |= (uint8_t)(1u << (order[i] % 8));
		msgpack_packer *pk = rec_pack_begin(&r, "grid");
		msgpack_pack_map(pk, 3);
		msgpack_pack_str_with_body(pk, "p", 1);
		msgpack_pack_int(pk, patch);
		msgpack_pack_str_with_body(pk, "gh", 2);
		msgpack_pack_int(pk, gh);
		msgpack_pack_str_with_body(pk, "gw", 2);
		msgpack_pack_int(pk, gw);
		if (rec_pack_end(&r) < 0 || rec_set_bin(&r, "mask", bits, (size_t)(n + 7) / 8) < 0)
			cli_fail();
		cli_put(w, &r);
	}
	cli_check_read(rc, w);
	cli_close_output(w);
	free(order);
	free(bits);
	rec_free(&r);
	rec_reader_close(rd);
	return 0;
}
