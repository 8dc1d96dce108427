/* Internal: UTF-8 decoding with Go's rules (invalid byte -> U+FFFD, width 1). */
#ifndef GT_UTF8_H
#define GT_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define GT_RUNE_ERROR 0xFFFDu

/*
 * Decodes the rune at p[0..n), n > 0. Returns the rune and stores its width
 * in *w. Invalid or incomplete encodings (overlong forms, surrogates, values
 * past U+10FFFF) give U+FFFD with width 1, as Go's utf8.DecodeRune does.
 */
static inline uint32_t gt_utf8_decode(const uint8_t *p, size_t n, size_t *w)
{
	uint8_t b0 = p[0];
	uint8_t lo = 0x80, hi = 0xBF;
	size_t need;
	uint32_t r;
	size_t i;

	if (b0 < 0x80) {
		*w = 1;
		return b0;
	}
	if (b0 >= 0xC2 && b0 <= 0xDF) {
		need = 2;
		r = b0 & 0x1Fu;
	} else if (b0 >= 0xE0 && b0 <= 0xEF) {
		need = 3;
		r = b0 & 0x0Fu;
		if (b0 == 0xE0)
			lo = 0xA0;
		else if (b0 == 0xED)
			hi = 0x9F;
	} else if (b0 >= 0xF0 && b0 <= 0xF4) {
		need = 4;
		r = b0 & 0x07u;
		if (b0 == 0xF0)
			lo = 0x90;
		else if (b0 == 0xF4)
			hi = 0x8F;
	} else {
		*w = 1;
		return GT_RUNE_ERROR;
	}
	if (n < need) {
		*w = 1;
		return GT_RUNE_ERROR;
	}
	for (i = 1; i < need; i++) {
		uint8_t b = p[i];

		if (b < lo || b > hi) {
			*w = 1;
			return GT_RUNE_ERROR;
		}
		lo = 0x80;
		hi = 0xBF;
		r = r << 6 | (b & 0x3Fu);
	}
	*w = need;
	return r;
}

#endif
