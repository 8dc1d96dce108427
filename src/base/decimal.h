/* Internal: decimal numbers as users write them (ranges, the
 * environment). */
#ifndef GT_DECIMAL_H
#define GT_DECIMAL_H

#include <stdint.h>

static inline int gt_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Reads s, which must be all decimal digits, as a number in [min, max]
 * into *out. Returns NULL, or why s is not one ("empty", "not a number",
 * "must not be negative", "too large", "must be positive", "too small");
 * *out is then unchanged.
 */
const char *gt_parse_u64(const char *s, uint64_t min, uint64_t max,
                         uint64_t *out);

#endif
