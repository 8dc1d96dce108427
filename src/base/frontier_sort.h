/*
 * Internal: the frontier's entries, and the sort Go's parser applies to
 * them when the earliest thread's event cannot happen yet.
 */
#ifndef GT_FRONTIER_SORT_H
#define GT_FRONTIER_SORT_H

#include <stddef.h>
#include <stdint.h>

#include "base/heap.h"

/* One thread (cursor) in the frontier, a min-heap by time. */
struct gt_front {
	int64_t time;            /* the cursor's next event's, copied here
	                            to keep the heap compact */
	uint32_t c;              /* cursor index */
};

GT_HEAP_DEFINE(gt_front_heap, struct gt_front, time)

/*
 * Sorts f[0..n) by time exactly as Go's slices.SortFunc (pattern-defeating
 * quicksort, not stable) orders the same array: entries with equal times
 * end up where Go puts them. That matters beyond ties, since the sorted
 * array becomes the heap later steps update, and which of two tied
 * threads goes first can change what the ordering engine accepts next.
 */
void gt_frontier_sort(struct gt_front *f, size_t n);

#endif
