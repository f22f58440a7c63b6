#include "common/img_tiles.h"

#include <stdlib.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/sizelimit.h"

int img_tiles_add(img_tiles *t, img *picture)
{
	uint64_t max_pixels;
	if (limit_max_pixels(&max_pixels) < 0)
		return -1;
	t->pixels += (uint64_t)picture->w * picture->h;
	if (t->pixels > max_pixels)
		return err_set("a sheet of %zu images would have over %llu pixels, the limit "
			       "(MASKPIPE_MAX_PIXELS raises it)",
			       t->n + 1, (unsigned long long)max_pixels);
	if (grow_array(&t->items, &t->cap, t->n + 1, sizeof *t->items) < 0)
		return -1;
	t->items[t->n++] = *picture;
	*picture = (img){0};
	return 0;
}

void img_tiles_free(img_tiles *t)
{
	for (size_t i = 0; i < t->n; i++)
		img_free(&t->items[i]);
	free(t->items);
	*t = (img_tiles){0};
}
