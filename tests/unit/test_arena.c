/* The device arena's allocator: first fit, alignment, reuse of what is
 * given back, merging of free neighbours, and a clear error when full. */
#include "kernels/cuda/arena.h"
#include "check.h"
#include "common/err.h"

static void takes_aligned_ranges_first_fit(void)
{
	arena a;
	CHECK_EQ(arena_init(&a, 10 * ARENA_ALIGN + 17), 0);
	CHECK_EQ(a.capacity, 10 * ARENA_ALIGN);
	CHECK_EQ(arena_take(&a, 1), 0);
	CHECK_EQ(arena_take(&a, ARENA_ALIGN + 1), ARENA_ALIGN);
	CHECK_EQ(arena_take(&a, 0), 3 * ARENA_ALIGN);
	/* a freed range is the first to fit again */
	arena_give(&a, ARENA_ALIGN);
	CHECK_EQ(arena_take(&a, ARENA_ALIGN), ARENA_ALIGN);
	CHECK_EQ(arena_take(&a, ARENA_ALIGN), 2 * ARENA_ALIGN);
	arena_free(&a);
}

static void merges_free_neighbours(void)
{
	arena a;
	CHECK_EQ(arena_init(&a, 4 * ARENA_ALIGN), 0);
	long long r[4];
	for (int i = 0; i < 4; i++)
		r[i] = arena_take(&a, ARENA_ALIGN);
	CHECK_EQ(r[3], 3 * ARENA_ALIGN);
	arena_give(&a, (size_t)r[1]);
	arena_give(&a, (size_t)r[3]);
	arena_give(&a, (size_t)r[2]);
	/* 1, 2 and 3 are one free range again, 3 blocks long */
	CHECK_EQ(a.n_ranges, 2);
	CHECK_EQ(arena_take(&a, 3 * ARENA_ALIGN), ARENA_ALIGN);
	/* giving back an unknown offset changes nothing */
	arena_give(&a, 5);
	CHECK_EQ(a.n_ranges, 2);
	arena_free(&a);
}

static void says_when_exhausted(void)
{
	arena a;
	CHECK_EQ(arena_init(&a, 2 * ARENA_ALIGN), 0);
	CHECK_EQ(arena_take(&a, ARENA_ALIGN), 0);
	CHECK(arena_take(&a, 2 * ARENA_ALIGN) < 0);
	CHECK(strstr(err_msg(), "device memory exhausted: 512 bytes wanted, 256 of the "
				"arena's 512 in use") != NULL);
	arena_free(&a);
}

int main(void)
{
	RUN(takes_aligned_ranges_first_fit);
	RUN(merges_free_neighbours);
	RUN(says_when_exhausted);
	return check_exit();
}
