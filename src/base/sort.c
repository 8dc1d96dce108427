/* A stable merge sort: Go's parser sorts some things stably, and where it
 * does not, a fixed order is the best we can promise. */
#include <string.h>

#include "base/grow.h"

int gt_stable_sort(void *base, size_t n, size_t elem,
                   int (*cmp)(const void *, const void *))
{
	unsigned char *v = base, *tmp;
	size_t width, i;

	if (n < 2)
		return 0;
	tmp = malloc(n * elem);
	if (tmp == NULL)
		return -1;
	for (width = 1; width < n; width *= 2) {
		for (i = 0; i < n; i += 2 * width) {
			size_t mid = i + width < n ? i + width : n;
			size_t hi = i + 2 * width < n ? i + 2 * width : n;
			size_t a = i, b = mid, k = i;

			while (a < mid && b < hi) {
				/* Take from the right only if strictly smaller. */
				if (cmp(v + b * elem, v + a * elem) < 0)
					memcpy(tmp + k++ * elem, v + b++ * elem, elem);
				else
					memcpy(tmp + k++ * elem, v + a++ * elem, elem);
			}
			if (a < mid)
				memcpy(tmp + k * elem, v + a * elem, (mid - a) * elem);
			k += mid - a;
			if (b < hi)
				memcpy(tmp + k * elem, v + b * elem, (hi - b) * elem);
		}
		memcpy(v, tmp, n * elem);
	}
	free(tmp);
	return 0;
}
