#include "common/utf8.h"

size_t utf8_seq_len(const uint8_t *s, size_t left)
{
	uint8_t lead = s[0], lo = 0x80, hi = 0xbf; /* the range of the second byte */
	size_t n;
	if (lead < 0x80)
		return 1;
	if (lead >= 0xc2 && lead <= 0xdf) {
		n = 2;
	} else if (lead >= 0xe0 && lead <= 0xef) {
		n = 3;
		lo = lead == 0xe0 ? 0xa0 : lo;
		hi = lead == 0xed ? 0x9f : hi;
	} else if (lead >= 0xf0 && lead <= 0xf4) {
		n = 4;
		lo = lead == 0xf0 ? 0x90 : lo;
		hi = lead == 0xf4 ? 0x8f : hi;
	} else {
		return 0;
	}
	if (left < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t k = 2; k < n; k++)
		if ((s[k] & 0xc0) != 0x80)
			return 0;
	return n;
}

size_t utf8_invalid_at(const void *text, size_t len)
{
	const uint8_t *s = text;
	size_t i = 0;
	while (i < len) {
		size_t n = utf8_seq_len(s + i, len - i);
		if (n == 0)
			return i;
		i += n;
	}
	return len;
}
