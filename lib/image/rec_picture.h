/* What rec-png shows of a record: its image enlarged (nearest neighbour,
 * so pixels stay visible), and its Selective Search boxes drawn over it. */
#ifndef MASKPIPE_REC_PICTURE_H
#define MASKPIPE_REC_PICTURE_H

#include <stddef.h>
#include <stdint.h>

#include "common/img.h"
#include "image/boxes.h"
#include "stream/rec.h"

/* The picture of record r, whose image is view, into out: scale times
 * larger; with n_boxes >= 0 its first n_boxes boxes (0: all) drawn, the
 * best in red, on an RGB copy. *boxes (capacity *boxes_cap) is scratch
 * kept between calls. */
int rec_picture(img *out, const rec *r, const img_view *view, uint32_t scale, int64_t n_boxes,
		box **boxes, size_t *boxes_cap);

#endif
