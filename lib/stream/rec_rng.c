#include "stream/rec_rng.h"

#include "common/err.h"

/* The hash of an id that keys a record's draws: salt keeps stages apart,
 * the epoch keeps epochs apart. */
static uint64_t id_stream(const char *id, uint32_t id_len, uint64_t salt, int64_t epoch)
{
	return rng_hash(id, id_len, salt ^ (uint64_t)epoch * 0x9e3779b97f4a7c15ull);
}

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
	rng_seed(g, seed, id_stream(id, id_len, salt, epoch));
	return 0;
}

uint64_t rec_rng_image_stream(const rec *r, uint64_t salt)
{
	const char *id;
	uint32_t id_len;
	if (rec_get_str(r, "id", &id, &id_len) == 0)
		return id_stream(id, id_len, salt, 0);
	return r->index;
}
