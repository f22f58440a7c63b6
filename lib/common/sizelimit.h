/* How large an image or a record may be before anything is allocated for
 * it: a corrupt or hostile header's claim (a 389-byte PNG saying
 * 20000x20000, a 29 KB stream inflating to a 900 MiB record) becomes a
 * one-line error instead of gigabytes. The defaults hold every common data
 * set with room to spare; MASKPIPE_MAX_PIXELS and MASKPIPE_MAX_RECORD_MB
 * change them for every stage of a pipeline at once (man 5 maskpipe-rec). */
#ifndef MASKPIPE_SIZELIMIT_H
#define MASKPIPE_SIZELIMIT_H

#include <stdint.h>

/* 8192x8192: a 48-megapixel photograph fits, a 20000x20000 claim does not. */
#define LIMIT_DEFAULT_MAX_PIXELS ((long)1 << 26)
/* The largest image at the default (RGB, 192 MiB) with its segmentation
 * (4 bytes a pixel, 256 MiB) and the small fields fits. */
#define LIMIT_DEFAULT_MAX_RECORD_MB 512L

/* The pixels (w*h) an image may have: 0, or -1 when MASKPIPE_MAX_PIXELS
 * is malformed. */
int limit_max_pixels(uint64_t *max);

/* The bytes one record (a msgpack map, decompressed) may take: 0, or -1
 * when MASKPIPE_MAX_RECORD_MB is malformed. */
int limit_max_record_bytes(uint64_t *max);

#endif
