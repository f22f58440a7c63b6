#include "stream/rec_rng.h"

#include "common/err.h"

int rec_rng_seed(rng *g, const rec *r, uint64_t seed, uint64_t salt)
{
	const char *id;
	uint32_t id_len;
	int64_t epoch = 0;
	int rc = rec_get_str(r, "id", &id, &id_len);
	if (rc == 1)
		return err_set("no 'id' field: the random draws of a record are keyed on its id");
	if (rc < 0 || rec_get_int(r, "epoch", &epoch) < 0)
		return -1;
	rng_seed(g, seed, rng_hash(id, id_len, salt ^ (uint64_t)epoch * 0x9e3779b97f4a7c15ull));
	return 0;
}
