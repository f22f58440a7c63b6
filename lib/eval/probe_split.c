#include "eval/probe_split.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"

int probe_split_parse(probe_split *s, const char *spec)
{
	memset(s, 0, sizeof *s);
	char *end;
	double fraction = strtod(spec, &end);
	if (*end != '\0' || end == spec) {
		s->prefix = spec;
		return 0;
	}
	if (!(fraction > 0 && fraction < 1))
		return err_set("--split: a fraction is between 0 and 1, not '%s'", spec);
	s->fraction = fraction;
	return 0;
}

int probe_split_apply(probe_split *s, probe_set *from, probe_set *to, uint64_t seed)
{
	return s->prefix ? probe_set_move(from, to, s->take)
			 : probe_set_hold_out(from, to, s->fraction, seed);
}

void probe_split_free(probe_split *s)
{
	free(s->take);
	memset(s, 0, sizeof *s);
}

int probe_read_record(void *reading, const rec *r)
{
	probe_reading *x = reading;
	if (probe_set_add_record(x->set, r, x->pixels) < 0)
		return -1;
	probe_split *s = x->split;
	if (!s || !s->prefix)
		return 0;
	const char *id;
	uint32_t len;
	if (rec_get_str(r, "id", &id, &len) != 0)
		return err_set("no id to split by");
	if (grow_array(&s->take, &s->take_cap, x->set->n, 1) < 0)
		return -1;
	size_t n = strlen(s->prefix);
	s->take[x->set->n - 1] = len >= n && memcmp(id, s->prefix, n) == 0;
	return 0;
}
