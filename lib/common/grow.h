/* Growing arrays and writing whole buffers: the two chores every part of
 * maskpipe repeats, written once. */
#ifndef MASKPIPE_GROW_H
#define MASKPIPE_GROW_H

#include <stddef.h>

/* Makes *items (of item_size bytes each, *cap of them allocated) hold at
 * least `need` items, doubling from 16; 0, or -1 with a message. */
int grow_array(void *items, size_t *cap, size_t need, size_t item_size);

/* Writes all n bytes to fd, going on after EINTR and short writes; 0, or
 * -1 with errno set (EPIPE when the reader went away). */
int write_all(int fd, const void *data, size_t n);

#endif
