/*
 * Internal: binary min-heaps ordered by a 64-bit time, in the order Go's
 * heaps keep.
 *
 * The readers' frontiers (v2: which M's next event comes first; v1: which
 * P's) and the parked cursors of order/park.h are min-heaps by time, and
 * where two entries have equal times, which one surfaces first decides
 * the order of events Go's parser prints. So every heap here makes Go's
 * comparisons, in Go's order (container/heap, and the trace reader's own
 * copy of it): an entry moves up past a parent only if strictly earlier,
 * and down to its earlier child, the left one on a tie, only if that child
 * is strictly earlier.
 *
 * GT_HEAP_DEFINE(name, type, key) defines, for an array of type whose
 * time is the int64_t member key (a member path: "time", "ev.ts"):
 *
 *   size_t name_up(type *h, size_t i)         entry i moved up; where it is
 *   void name_down(type *h, size_t i, size_t n)   moved down within h[0..n)
 *   void name_down_sentinel(type *h, size_t i)    the same, unbounded
 *   void name_push(type *h, size_t *n, type x)    h[*n] must be writable
 *   type name_pop(type *h, size_t *n)             the earliest, *n > 0
 *
 * name_down_sentinel needs entries with key INT64_MAX past the heap's end,
 * far enough for any node's children (2n + 2 entries in all): no child is
 * ever earlier than such a sentinel and no sentinel earlier than anything,
 * so the walk needs no bounds checks and stops where the bounded one
 * would. It writes nothing when the entry stays where it is, the common
 * case for a frontier whose first cursor takes several events in a row.
 *
 * The steps move a hole rather than swap; the array ends as Go's swaps
 * leave it.
 */
#ifndef GT_HEAP_H
#define GT_HEAP_H

#include <stddef.h>
#include <stdint.h>

/* A heap's user needs only some of its functions. */
#if defined(__GNUC__)
#define GT_HEAP_FN static inline __attribute__((unused))
#else
#define GT_HEAP_FN static inline
#endif

#define GT_HEAP_DEFINE(name, type, key)                                       \
	GT_HEAP_FN size_t name##_up(type *h, size_t i)                        \
	{                                                                     \
		type x = h[i];                                                \
                                                                              \
		while (i > 0 && x.key < h[(i - 1) / 2].key) {                 \
			h[i] = h[(i - 1) / 2];                                \
			i = (i - 1) / 2;                                      \
		}                                                             \
		h[i] = x;                                                     \
		return i;                                                     \
	}                                                                     \
                                                                              \
	GT_HEAP_FN void name##_down(type *h, size_t i, size_t n)              \
	{                                                                     \
		type x = h[i];                                                \
                                                                              \
		for (;;) {                                                    \
			size_t c = 2 * i + 1;                                 \
                                                                              \
			if (c >= n)                                           \
				break;                                        \
			if (c + 1 < n && h[c + 1].key < h[c].key)             \
				c++;                                          \
			if (!(h[c].key < x.key))                              \
				break;                                        \
			h[i] = h[c];                                          \
			i = c;                                                \
		}                                                             \
		h[i] = x;                                                     \
	}                                                                     \
                                                                              \
	GT_HEAP_FN void name##_down_sentinel(type *h, size_t i)               \
	{                                                                     \
		type x;                                                       \
		size_t c = 2 * i + 1;                                         \
                                                                              \
		c += h[c + 1].key < h[c].key;                                 \
		if (!(h[c].key < h[i].key))                                   \
			return;                                               \
		x = h[i];                                                     \
		do {                                                          \
			h[i] = h[c];                                          \
			i = c;                                                \
			c = 2 * i + 1;                                        \
			c += h[c + 1].key < h[c].key;                         \
		} while (h[c].key < x.key);                                   \
		h[i] = x;                                                     \
	}                                                                     \
                                                                              \
	GT_HEAP_FN void name##_push(type *h, size_t *n, type x)               \
	{                                                                     \
		h[*n] = x;                                                    \
		(void)name##_up(h, (*n)++);                                   \
	}                                                                     \
                                                                              \
	GT_HEAP_FN type name##_pop(type *h, size_t *n)                        \
	{                                                                     \
		type first = h[0];                                            \
                                                                              \
		h[0] = h[--*n];                                               \
		h[*n] = first;                                                \
		name##_down(h, 0, *n);                                        \
		return first;                                                 \
	}

#endif
