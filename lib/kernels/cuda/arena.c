/* The arena's ranges: a sorted array, split on taking, merged on giving. */
#include <stdlib.h>
#include <string.h>

#include "kernels/cuda/arena.h"
#include "common/err.h"

static int reserve(arena *a, size_t n)
{
	if (n <= a->ranges_cap)
		return 0;
	size_t cap = a->ranges_cap ? 2 * a->ranges_cap : 16;
	arena_range *r = realloc(a->ranges, cap * sizeof *r);
	if (!r)
		return err_set("out of memory");
	a->ranges = r;
	a->ranges_cap = cap;
	return 0;
}

int arena_init(arena *a, size_t capacity)
{
	memset(a, 0, sizeof *a);
	a->capacity = capacity / ARENA_ALIGN * ARENA_ALIGN;
	if (reserve(a, 1) < 0)
		return -1;
	a->ranges[0] = (arena_range){0, a->capacity, 0};
	a->n_ranges = 1;
	return 0;
}

void arena_free(arena *a)
{
	free(a->ranges);
	memset(a, 0, sizeof *a);
}

long long arena_take(arena *a, size_t n_bytes)
{
	size_t want = (n_bytes + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
	want = want ? want : ARENA_ALIGN;
	size_t in_use = 0;
	for (size_t i = 0; i < a->n_ranges; i++) {
		arena_range *r = &a->ranges[i];
		in_use += r->used ? r->n_bytes : 0;
		if (r->used || r->n_bytes < want)
			continue;
		if (r->n_bytes > want) {
			if (reserve(a, a->n_ranges + 1) < 0)
				return -1;
			r = &a->ranges[i];
			memmove(r + 2, r + 1, (a->n_ranges - i - 1) * sizeof *r);
			r[1] = (arena_range){r->offset + want, r->n_bytes - want, 0};
			r->n_bytes = want;
			a->n_ranges++;
		}
		r->used = 1;
		return (long long)r->offset;
	}
	return err_set("device memory exhausted: %zu bytes wanted, %zu of the arena's %zu in "
		       "use (set MASKPIPE_CUDA_MEM_MB to change its size)",
		       n_bytes, in_use, a->capacity);
}

void arena_give(arena *a, size_t offset)
{
	size_t i = 0;
	while (i < a->n_ranges && a->ranges[i].offset != offset)
		i++;
	if (i == a->n_ranges || !a->ranges[i].used)
		return;
	a->ranges[i].used = 0;
	/* merge with the next, then the previous, free range */
	if (i + 1 < a->n_ranges && !a->ranges[i + 1].used) {
		a->ranges[i].n_bytes += a->ranges[i + 1].n_bytes;
		memmove(&a->ranges[i + 1], &a->ranges[i + 2],
			(a->n_ranges - i - 2) * sizeof *a->ranges);
		a->n_ranges--;
	}
	if (i > 0 && !a->ranges[i - 1].used) {
		a->ranges[i - 1].n_bytes += a->ranges[i].n_bytes;
		memmove(&a->ranges[i], &a->ranges[i + 1],
			(a->n_ranges - i - 1) * sizeof *a->ranges);
		a->n_ranges--;
	}
}
