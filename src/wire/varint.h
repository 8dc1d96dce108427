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

/* The most bytes a varint takes. */
#define GT_VARINT_MAX 10

/*
 * Decodes one varint from p, which the caller guarantees has at least
 * GT_VARINT_MAX readable bytes. Returns the byte after it, or NULL where
 * gt_varint_decode would report GT_VARINT_OVERFLOW. For hot loops: no
 * length bookkeeping, and one branch for the common one-byte case.
 */
static inline const uint8_t *gt_varint_decode_fast(const uint8_t *p,
                                                   uint64_t *val)
{
	uint64_t x;
	unsigned shift;

	if (p[0] < 0x80) {
		*val = p[0];
		return p + 1;
	}
	x = p[0] & 0x7f;
	p++;
	for (shift = 7; shift < 63; shift += 7, p++) {
		if (*p < 0x80) {
			*val = x | (uint64_t)*p << shift;
			return p + 1;
		}
		x |= (uint64_t)(*p & 0x7f) << shift;
	}
	if (*p > 1)
		return NULL;
	*val = x | (uint64_t)*p << 63;
	return p + 1;
}

#endif
