/* Internal: growing arrays geometrically. */
#ifndef GT_GROW_H
#define GT_GROW_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * Makes *arr (of *cap elements of elem bytes) hold at least need elements,
 * doubling. Returns 0, or -1 if memory ran out or the size would overflow
 * (the array is unchanged then).
 */
static inline int gt_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 16;
	void *n;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			return -1;
		ncap *= 2;
	}
	n = realloc(*arr, ncap * elem);
	if (n == NULL)
		return -1;
	*arr = n;
	*cap = ncap;
	return 0;
}

#define GT_GROW(arr, cap, need) \
	gt_grow((void **)&(arr), &(cap), (need), sizeof *(arr))

/* Sorts base[0..n) of elem-byte elements stably (a merge sort); returns 0
 * or -1 if memory ran out. */
int gt_stable_sort(void *base, size_t n, size_t elem,
                   int (*cmp)(const void *, const void *));

#endif
