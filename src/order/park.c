/* Parked cursors and their wait lists. See park.h. */
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "base/heap.h"
#include "order/park.h"

#define NIL UINT32_MAX

void gt_park_init(gt_park *p)
{
	memset(p, 0, sizeof *p);
	gt_idmap_init(&p->lists);
	p->free = NIL;
}

void gt_park_free(gt_park *p)
{
	gt_idmap_free(&p->lists);
	free(p->nodes);
	free(p->epoch);
	free(p->heap);
	free(p->woken);
	memset(p, 0, sizeof *p);
}

int gt_park_reset(gt_park *p, size_t ncursors)
{
	if (ncursors > 0) {
		if (GT_GROW(p->epoch, p->epoch_cap, ncursors) != 0)
			return -1;
		memset(p->epoch, 0, ncursors * sizeof *p->epoch);
	}
	p->ncursors = ncursors;
	gt_idmap_clear(&p->lists);
	p->nnodes = 0;
	p->free = NIL;
	p->nparked = 0;
	p->nheap = 0;
	p->nwoken = 0;
	return 0;
}

/* A well-mixed 64-bit key for one condition (splitmix64's finalizer). */
static uint64_t cond_key(uint8_t kind, int by_state, int64_t id, uint64_t seq,
                         uint8_t status)
{
	uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;

	h ^= seq + 0xBF58476D1CE4E5B9ull + (h << 6) + (h >> 2);
	h ^= ((uint64_t)kind << 9 | (uint64_t)status << 1 |
	      (uint64_t)(by_state != 0)) * 0x94D049BB133111EBull;
	h ^= h >> 30;
	h *= 0xBF58476D1CE4E5B9ull;
	h ^= h >> 27;
	h *= 0x94D049BB133111EBull;
	h ^= h >> 31;
	return h;
}

/* The list of cursors to retry after every acceptance. */
#define KEY_ANY_CHANGE cond_key(0xFF, 0, 0, 0, 0)

static int list_push(gt_park *p, uint64_t key, uint32_t cursor)
{
	uint32_t n, head;

	if (p->free != NIL) {
		n = p->free;
		p->free = p->nodes[n].next;
	} else {
		if (p->nnodes >= NIL - 1 ||
		    GT_GROW(p->nodes, p->nodes_cap, p->nnodes + 1) != 0)
			return -1;
		n = (uint32_t)p->nnodes++;
	}
	p->nodes[n].cursor = cursor;
	p->nodes[n].epoch = p->epoch[cursor];
	p->nodes[n].next = gt_idmap_get(&p->lists, key, &head) ? head : NIL;
	if (gt_idmap_put(&p->lists, key, n) != 0) {
		p->nodes[n].next = p->free;
		p->free = n;
		return -1;
	}
	return 0;
}

GT_HEAP_DEFINE(park_heap, gt_park_entry, time)

int gt_park_add(gt_park *p, uint32_t cursor, int64_t time,
                const gt_wait *waits, size_t n)
{
	gt_park_entry e;
	size_t i;

	if (GT_GROW(p->heap, p->heap_cap, p->nheap + 1) != 0)
		return -1;
	p->epoch[cursor]++;            /* now odd: parked */
	for (i = 0; i < n; i++) {
		const gt_wait *w = &waits[i];
		uint64_t key = w->by_state
		                   ? cond_key(w->kind, 1, w->id, w->seq, w->status)
		                   : cond_key(w->kind, 0, w->id, 0, 0);

		if (list_push(p, key, cursor) != 0) {
			p->epoch[cursor]++;    /* not parked after all */
			return -1;
		}
	}
	if (n == 0 && list_push(p, KEY_ANY_CHANGE, cursor) != 0) {
		p->epoch[cursor]++;
		return -1;
	}
	e.time = time;
	e.cursor = cursor;
	e.epoch = p->epoch[cursor];
	park_heap_push(p->heap, &p->nheap, e);
	p->nparked++;
	return 0;
}

static int wake_one(gt_park *p, uint32_t cursor)
{
	if (GT_GROW(p->woken, p->woken_cap, p->nwoken + 1) != 0)
		return -1;
	p->epoch[cursor]++;            /* now even: every listing is stale */
	p->woken[p->nwoken++] = cursor;
	p->nparked--;
	return 0;
}

/* Wakes the cursors listed under key and drops the list. */
static int wake_list(gt_park *p, uint64_t key)
{
	uint32_t n;

	if (!gt_idmap_get(&p->lists, key, &n))
		return 0;
	gt_idmap_del(&p->lists, key);
	while (n != NIL) {
		gt_park_node *node = &p->nodes[n];
		uint32_t next = node->next;

		if (node->epoch == p->epoch[node->cursor] &&
		    wake_one(p, node->cursor) != 0)
			return -1;
		node->next = p->free;
		p->free = n;
		n = next;
	}
	return 0;
}

int gt_park_wake_state(gt_park *p, uint8_t kind, int64_t id, uint64_t seq,
                       uint8_t status)
{
	return wake_list(p, cond_key(kind, 1, id, seq, status));
}

int gt_park_wake(gt_park *p, const gt_order *o)
{
	size_t i;

	p->nwoken = 0;
	if (p->nparked == 0)
		return 0;
	if (o->touched_all)
		return gt_park_wake_all(p);
	if (wake_list(p, KEY_ANY_CHANGE) != 0)
		return -1;
	for (i = 0; i < o->nchanged; i++) {
		const gt_touch *t = &o->changed[i];

		if (wake_list(p, cond_key(t->kind, 0, t->id, 0, 0)) != 0)
			return -1;
		if (t->exists &&
		    gt_park_wake_state(p, t->kind, t->id, t->seq,
		                       t->kind == GT_RES_GC ? 0 : t->status) != 0)
			return -1;
	}
	return 0;
}

int gt_park_wake_all(gt_park *p)
{
	uint32_t c;

	p->nwoken = 0;
	for (c = 0; c < p->ncursors && p->nparked > 0; c++)
		if (gt_park_is_parked(p, c) && wake_one(p, c) != 0)
			return -1;
	/* Every listing is stale now. */
	gt_idmap_clear(&p->lists);
	p->nnodes = 0;
	p->free = NIL;
	p->nheap = 0;
	return 0;
}

int64_t gt_park_min_time(gt_park *p)
{
	while (p->nheap > 0) {
		const gt_park_entry *e = &p->heap[0];

		if (e->epoch == p->epoch[e->cursor])
			return e->time;
		(void)park_heap_pop(p->heap, &p->nheap);
	}
	return INT64_MAX;
}
