/* UTF-8 as RFC 3629 defines it: every msgpack str of a stream holds it
 * (man 5 maskpipe-rec), since msgpack readers in other languages decode
 * str to text and fail on anything else. */
#ifndef MASKPIPE_UTF8_H
#define MASKPIPE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at s (left bytes there), 0 if there
 * is none: no overlong forms, no surrogates, nothing above U+10FFFF. */
size_t utf8_seq_len(const uint8_t *s, size_t left);

/* The offset of the first byte that is not part of valid UTF-8; len when
 * all of s is valid. */
size_t utf8_invalid_at(const void *s, size_t len);

#endif
