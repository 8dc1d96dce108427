/* Internal: unsigned LEB128 varints, with Go's encoding/binary rules. */
#ifndef GT_VARINT_H
#define GT_VARINT_H

#include <stddef.h>
#include <stdint.h>

enum {
	GT_VARINT_OK = 0,
	GT_VARINT_SHORT = 1,    /* input ended inside the varint */
	GT_VARINT_OVERFLOW = 2, /* more than 64 bits */
};

/*
 * Decodes one varint from p[0..avail). On GT_VARINT_OK, *len is its size.
 * On GT_VARINT_SHORT, *len is the number of bytes seen (all continuation
 * bytes). On GT_VARINT_OVERFLOW, *len is the bytes Go's decoder consumed.
 * Overflow means: a tenth byte above 1, or ten bytes all with the
 * continuation bit set.
 */
static inline int gt_varint_decode(const uint8_t *p, size_t avail,
                                   uint64_t *val, size_t *len)
{
	uint64_t x = 0;
	unsigned shift = 0;
	size_t i;

	for (i = 0; i < 10; i++) {
		uint8_t b;

		if (i == avail) {
			*len = i;
			return GT_VARINT_SHORT;
		}
		b = p[i];
		if (b < 0x80) {
			if (i == 9 && b > 1) {
				*len = i + 1;
				return GT_VARINT_OVERFLOW;
			}
			*val = x | (uint64_t)b << shift;
			*len = i + 1;
			return GT_VARINT_OK;
		}
		x |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	}
	*len = 10;
	return GT_VARINT_OVERFLOW;
}

#endif
