/* Decimal numbers as users write them (base/decimal.h). */
#include <stddef.h>

#include "base/decimal.h"

const char *gt_parse_u64(const char *s, uint64_t min, uint64_t max,
                         uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (*s == '\0')
		return "empty";
	for (p = s; *p != '\0'; p++) {
		unsigned d;

		if (!gt_is_digit(*p))
			return *p == '-' && p == s ? "must not be negative"
			                           : "not a number";
		d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return "too large";
		v = v * 10 + d;
	}
	if (v > max)
		return "too large";
	if (v < min)
		return min == 1 ? "must be positive" : "too small";
	*out = v;
	return NULL;
}
