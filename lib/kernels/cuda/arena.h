/* A first-fit allocator of byte ranges within one block of memory it does
 * not own (the CUDA backend's device arena, allocated once per run, so no
 * cudaMalloc runs in the training loop). Only offsets are handed out: the
 * bookkeeping stays on the host. */
#ifndef MASKPIPE_ARENA_H
#define MASKPIPE_ARENA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* every range starts on this many bytes (cudaMalloc's own alignment) */
#define ARENA_ALIGN 256

typedef struct arena_range {
	size_t offset, n_bytes;
	int used;
} arena_range;

typedef struct arena {
	size_t capacity;
	arena_range *ranges;  /* in order of offset, covering [0, capacity) */
	size_t n_ranges, ranges_cap;
} arena;

/* An arena of capacity bytes, all free; -1 with a message on failure. */
int arena_init(arena *a, size_t capacity);
void arena_free(arena *a);
/* The offset of n_bytes (rounded up to ARENA_ALIGN) not in use, or -1 with
 * "device memory exhausted" and the figures. */
long long arena_take(arena *a, size_t n_bytes);
/* Gives back the range that starts at offset (from arena_take); free
 * neighbours merge. */
void arena_give(arena *a, size_t offset);

#ifdef __cplusplus
}
#endif

#endif
