/*
 * Internal: parked cursors, for the frontier's bounded-work mode.
 *
 * When the ordering engine refuses an M's next event, it says what the
 * refusal depends on (gt_wait, order.h). Trying that event again before
 * one of those conditions can hold is wasted work, and on a trace whose
 * threads mostly wait on one another that waste is what makes ordering
 * quadratic. A parked cursor sits out of the frontier on wait lists keyed
 * by its conditions until an accepted event touches one of the resources
 * involved; then it is woken and competes again.
 *
 * Waking is conservative: a false wake costs one refused retry, a missed
 * wake would change the event order, so every key a cursor waits on wakes
 * it. Keys are 64-bit hashes of the condition; two conditions that collide
 * share a list, which only adds false wakes.
 */
#ifndef GT_PARK_H
#define GT_PARK_H

#include <stddef.h>
#include <stdint.h>

#include "base/idmap.h"
#include "order/order.h"

typedef struct gt_park_node {
	uint32_t cursor;
	uint32_t epoch;      /* the cursor's park epoch when it was listed */
	uint32_t next;       /* next node of the same list, or UINT32_MAX */
} gt_park_node;

typedef struct gt_park_entry {
	int64_t time;
	uint32_t cursor;
	uint32_t epoch;
} gt_park_entry;

typedef struct gt_park {
	gt_idmap lists;          /* condition key -> first node */
	gt_park_node *nodes;
	size_t nnodes, nodes_cap;
	uint32_t free;           /* recycled nodes, chained through next */

	uint32_t *epoch;         /* per cursor; odd while parked */
	size_t ncursors, epoch_cap;
	size_t nparked;

	/* Parked cursors by time, for the frontier's earliest time; entries
	 * of cursors woken since are stale and dropped when they surface. */
	gt_park_entry *heap;
	size_t nheap, heap_cap;

	uint32_t *woken;         /* output of gt_park_wake */
	size_t nwoken, woken_cap;
} gt_park;

void gt_park_init(gt_park *p);
void gt_park_free(gt_park *p);

/* Empties the lot for a generation of ncursors cursors. Returns 0 or -1
 * if memory ran out. */
int gt_park_reset(gt_park *p, size_t ncursors);

static inline int gt_park_is_parked(const gt_park *p, uint32_t cursor)
{
	return (p->epoch[cursor] & 1u) != 0;
}

/* Parks cursor (whose next event is at time) until one of waits[0..n)
 * may hold; with n == 0, until any event is accepted. Returns 0 or -1 if
 * memory ran out. */
int gt_park_add(gt_park *p, uint32_t cursor, int64_t time,
                const gt_wait *waits, size_t n);

/*
 * Wakes every cursor whose conditions the accepted event may have made
 * true, given the engine's list of changed resources. The woken cursors are left in
 * p->woken[0..p->nwoken), no longer parked. Returns 0 or -1 if memory
 * ran out.
 */
int gt_park_wake(gt_park *p, const gt_order *o);

/*
 * Wakes the cursors waiting (by_state) for resource (kind, id) to hold
 * sequence number seq and status, adding them to p->woken (which the
 * caller empties by setting p->nwoken = 0). Returns 0 or -1 if memory ran
 * out. gt_park_wake does this for every resource an accepted event
 * changed; callers with their own notion of state (the v1 merge) call it
 * directly.
 */
int gt_park_wake_state(gt_park *p, uint8_t kind, int64_t id, uint64_t seq,
                       uint8_t status);

/* Wakes every parked cursor into p->woken. Returns 0 or -1. */
int gt_park_wake_all(gt_park *p);

/* The earliest next-event time among parked cursors, or INT64_MAX. */
int64_t gt_park_min_time(gt_park *p);

#endif
