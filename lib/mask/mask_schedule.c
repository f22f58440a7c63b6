#include "mask/mask_schedule.h"

#include <errno.h>
#include <stdlib.h>

#include "common/err.h"

int mask_schedule_parse(mask_schedule *s, const char *text)
{
	const char *p = text;
	s->n_keys = 0;
	for (;;) {
		char *end;
		errno = 0;
		long long epoch = strtoll(p, &end, 10);
		if (end == p || *end != ':' || errno || epoch < 0)
			return err_set("schedule '%s': key %u wants EPOCH:RATIO", text, s->n_keys + 1);
		p = end + 1;
		double ratio = strtod(p, &end);
		if (end == p || (*end && *end != ','))
			return err_set("schedule '%s': key %u wants EPOCH:RATIO", text, s->n_keys + 1);
		if (!(ratio >= 0 && ratio < 1))
			return err_set("schedule '%s': ratio %g is not in [0, 1)", text, ratio);
		if (s->n_keys > 0 && epoch <= s->epoch[s->n_keys - 1])
			return err_set("schedule '%s': epoch %lld does not come after %lld", text, epoch,
				       (long long)s->epoch[s->n_keys - 1]);
		if (s->n_keys == SCHEDULE_MAX_KEYS)
			return err_set("schedule '%s': more than %d keys", text, SCHEDULE_MAX_KEYS);
		s->epoch[s->n_keys] = epoch;
		s->ratio[s->n_keys++] = ratio;
		if (!*end)
			return 0;
		p = end + 1;
	}
}

double mask_schedule_ratio(const mask_schedule *s, int64_t epoch)
{
	uint32_t k = 0;
	while (k + 1 < s->n_keys && s->epoch[k + 1] <= epoch)
		k++;
	if (!s->linear || k + 1 == s->n_keys || epoch <= s->epoch[k])
		return s->ratio[k];
	double t = (double)(epoch - s->epoch[k]) / (double)(s->epoch[k + 1] - s->epoch[k]);
	return s->ratio[k] + t * (s->ratio[k + 1] - s->ratio[k]);
}
