/*
 * Internal: the producer of one generation's ordered events.
 *
 * A producer walks one v2 generation: a cursor per M over its batches, a
 * frontier (a min-heap of the cursors by next event time), the CPU
 * samples, and an ordering engine that decides which M's event comes
 * next, exactly as Go's parser does (reader.go: the retry loop, the
 * parking fallback of park.h). It knows nothing of the input or of other
 * generations: the reader reads a generation, installs it here, and takes
 * events until the producer says the generation is exhausted. The engine
 * is the caller's: it carries the scheduler's state from one generation
 * to the next (or, for a speculative worker, starts from unknown state;
 * see docs/parallel.md).
 *
 * The common path (an event accepted at the frontier's head) is inline so
 * that the reader's loop pays no call for it.
 */
#ifndef GT_PRODUCER_H
#define GT_PRODUCER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/error.h"
#include "base/frontier_sort.h"
#include "gen/generation.h"
#include "order/order.h"
#include "order/park.h"
#include "wire/spec.h"
#include "wire/varint.h"
#include "gotrace/reader.h"

/* Events a cursor decodes at once (a window); two windows alternate. */
#define GT_CURSOR_WINDOW 16

/* A cursor over one M's batches in the current generation. */
typedef struct gt_cursor {
	const uint8_t *p;    /* next byte of the current batch */
	const uint8_t *end;  /* end of the current batch */
	const uint8_t *base; /* its first byte, input offset base_offset */
	uint64_t base_offset;
	int64_t last_ts;     /* time of the previous event, ns; 0: count
	                        from the batch's time (Go's rule) */
	gt_event *ev;        /* the M's next event, decoded: in win */
	gt_event *wend;      /* past the last event decoded into ev's
	                        window: ev + 1 is next if below it */
	/* Where ev starts: ev_at, or if at_win, found by walking the window
	 * from wat (gt_cursor_offset; errors only need it). */
	const uint8_t *ev_at;
	const uint8_t *wat;  /* where the window's first event starts */
	int at_win;
	int64_t m;
	size_t batch;        /* index into gt_generation.batches */
	uint32_t m_hint;     /* the ordering engine's slot for m */
	/* Events are decoded a window at a time, while they are plainly
	 * whole (gt_cursor_fill); anything else — a batch's last bytes, a
	 * bad varint, an untimed type — one at a time, as Go reads them, so
	 * that errors come where Go's come. A window is filled only once
	 * the other holds ev, so an event the ordering engine accepted in
	 * place stays intact while the cursor moves on. */
	gt_event win[2 * GT_CURSOR_WINDOW];
} gt_cursor;

/* The input offset where cursor c's current event starts. */
uint64_t gt_cursor_offset(const gt_cursor *c);

/* gt_producer_next's result when the generation has no event left. */
#define GT_GEN_EXHAUSTED 1

/* gt_producer_next's result: as GOTRACE_OK, and with this event the
 * generation started parking (AUTO ordering past its budget). parked_gens
 * grows there and in gt_producer_start only: a caller on the same thread
 * counts parked generations at those two points. */
#define GT_PRODUCER_PARKED 2

/* A speculative engine gave up (gt_order.spec): see order.h. */
#define GT_PRODUCER_GAVE_UP GT_ORDER_GIVE_UP

typedef struct gt_producer {
	const gt_generation *gen;    /* the generation being ordered */
	gt_order *order;             /* the caller's engine */
	int ordering;                /* gotrace_ordering */
	int active;                  /* gen is installed and not exhausted */
	struct gotrace_error *err;   /* where errors go (the caller's) */

	gt_cursor *cursors;
	size_t cursors_cap;
	uint32_t *batch_next;        /* per batch: the same M's next batch */
	size_t batch_next_cap;
	/* Per wire type: its argument count with dt if it is timed, else 0
	 * (from gt_specs): the batch decoder's one lookup per event. */
	uint8_t timed_nargs[GT_SPEC_SLOTS];
	struct gt_front *frontier;   /* heap of cursors by time */
	size_t nfrontier;
	size_t next_sample;          /* next CPU sample of gen */
	int64_t sample_time;         /* its time; INT64_MAX if none is left */
	/* The common path (gt_producer_next) may take the frontier's head
	 * while its time is below this: one past sample_time (INT64_MAX if
	 * none is left), INT64_MIN while parking or without a generation.
	 * An empty frontier's head is a sentinel, INT64_MAX. */
	int64_t gate;

	/* Go's retry loop costs events x Ms when the earliest event keeps
	 * being refused; past a budget the frontier parks refused cursors
	 * instead (park.h). Reset every generation. */
	int parking;
	uint64_t retry_work;         /* cursors sorted or retried */
	uint64_t accepted;           /* events accepted */
	uint64_t parked_gens;        /* generations that parked (all of
	                                this producer's life) */
	gt_park park;
	gt_event scratch;            /* events made here: CPU samples */
	gt_event *in_place;          /* an accepted event left in its cursor */
} gt_producer;

void gt_producer_init(gt_producer *pr, gt_order *order, int ordering,
                      struct gotrace_error *err);
void gt_producer_free(gt_producer *pr);

/*
 * Installs generation g (its batches chained per M, a cursor per M on its
 * first event) to be ordered with order (which may differ from one
 * generation to the next). Returns GOTRACE_OK, or an error (a first event
 * that cannot be decoded, memory) described in *pr->err; the producer is
 * then inactive.
 */
int gt_producer_start(gt_producer *pr, const gt_generation *g, gt_order *order);

/* gt_producer_next's slow path (producer.c). */
int gt_producer_next_slow(gt_producer *pr, gt_event **out);

/* ---- the common path, inline ------------------------------------------- */

/* Points c at batch b, or past the end of its M's batches. */
static inline void gt_cursor_enter(gt_cursor *c, const gt_generation *g,
                                   size_t b)
{
	c->batch = b;
	if (b >= g->nbatches) {
		c->p = c->end = c->base = NULL;
		return;
	}
	c->base = c->p = g->batches[b].data;
	c->end = c->base + g->batches[b].len;
	c->base_offset = g->batches[b].data_offset;
	c->last_ts = 0; /* gt_cursor_next starts from the batch's time */
}

/* gt_cursor_next past its window (producer.c). */
int gt_cursor_fill(gt_cursor *c, const gt_producer *pr);

/* gt_cursor_next's checked decode and its error for an untimed type
 * (producer.c). */
int gt_cursor_decode_checked(gt_cursor *c, const gt_spec *spec, gt_event *e,
                             struct gotrace_error *err, uint64_t *dt);
int gt_cursor_untimed(const gt_cursor *c, uint8_t type,
                      struct gotrace_error *err);

/* Bytes that always hold a whole timed event: type, dt and 4 arguments. */
#define GT_MAX_TIMED_EVENT (1 + 5 * GT_VARINT_MAX)

/*
 * Moves the cursor on to its next timed event. Returns 1 with c->ev
 * pointing to it (leaving the event c->ev pointed to intact), 0 if the M
 * has no more events, or an error (pr->err set).
 */
static GT_ALWAYS_INLINE int gt_cursor_next(gt_cursor *c,
                                           const gt_producer *pr)
{
	if (c->ev + 1 < c->wend) {
		c->ev++;
		return 1;
	}
	return gt_cursor_fill(c, pr);
}

/*
 * Decodes one event into e (in the window c->ev is not in), as Go reads
 * it: gt_cursor_fill's way through the batches' ends and the errors.
 */
static GT_ALWAYS_INLINE int gt_cursor_decode_one(gt_cursor *c,
                                                 const gt_producer *pr,
                                                 gt_event *e)
{
	const gt_generation *g = pr->gen;
	const uint8_t *p;
	uint64_t dt = 0;
	uint8_t type, nargs;
	int rc;

	while (c->p == c->end) {
		if (c->batch >= g->nbatches)
			return 0;
		gt_cursor_enter(c, g, pr->batch_next[c->batch]);
	}
	p = c->ev_at = c->p;
	c->at_win = 0;
	type = *p;
	nargs = pr->timed_nargs[type];
	if (nargs == 0)
		return gt_cursor_untimed(c, type, pr->err);
	memset(e->args, 0, sizeof e->args);
	e->gslot = GT_NO_SLOT;
	if ((size_t)(c->end - p) >= GT_MAX_TIMED_EVENT) {
		uint64_t *a = e->args;

		/* Unrolled: nargs counts dt, and is 1 to 5. */
		p = gt_varint_decode_fast(p + 1, &dt);
		switch (nargs) {
		case 5: if (p) p = gt_varint_decode_fast(p, a++); /* fall through */
		case 4: if (p) p = gt_varint_decode_fast(p, a++); /* fall through */
		case 3: if (p) p = gt_varint_decode_fast(p, a++); /* fall through */
		case 2: if (p) p = gt_varint_decode_fast(p, a++); /* fall through */
		default: break;
		}
	} else {
		p = NULL;
	}
	if (p != NULL) {
		c->p = p;
	} else {
		/* Near the batch's end, or an overlong varint. */
		rc = gt_cursor_decode_checked(c, &gt_specs[type], e, pr->err,
		                              &dt);
		if (rc != 1)
			return rc;
	}
	/* (e->spec is 0 here, as cursor_init left it: only a speculative
	 * engine marks events, and its worker clears each mark once it has
	 * copied the event; gt_order_advance clears a refused one's.) */
	e->type = type;
	/* As in Go's cursor, a running time of 0 means "not started": count
	 * from the batch's time. That is each batch's first event, and any
	 * event after one whose time came to exactly 0 (a zero frequency,
	 * times that wrap). */
	if (c->last_ts == 0)
		c->last_ts = gt_ticks_to_ns(g->ns_per_tick,
		                            g->batches[c->batch].time);
	e->time = (int64_t)((uint64_t)gt_generation_ticks_to_ns(g, dt) +
	                    (uint64_t)c->last_ts);
	c->last_ts = e->time;
	c->ev = e;
	c->wend = e + 1;
	return 1;
}

/* Past the heap's end the frontier holds sentinels, INT64_MAX, for
 * gt_front_heap_down_sentinel (base/heap.h). */
static GT_ALWAYS_INLINE void gt_producer_sift_down(gt_producer *pr, size_t i)
{
	gt_front_heap_down_sentinel(pr->frontier, i);
}

/* The rarer frontier updates (producer.c). */
void gt_producer_heap_update(gt_producer *pr, size_t i);
void gt_producer_heap_remove(gt_producer *pr, size_t i);
int gt_producer_advance_failed(gt_producer *pr, const gt_cursor *c, int rc,
                               int decoding);
int gt_producer_advance_others(gt_producer *pr);
int gt_producer_no_event(gt_producer *pr);

/*
 * Offers the event of the cursor at frontier[i] to the ordering engine.
 * Returns 1 if it was accepted (and the cursor has moved on), 0 if it
 * cannot happen yet, or an error.
 *
 * The inline functions take the engine, pr->order, as an argument: a
 * caller with its engine at a fixed place (the reader's) saves loading
 * the pointer, and keeping it, in its read loop. exact: not parking, so
 * the engine tracks nothing (the two go together, gt_producer_start),
 * and its queue is empty, as it is whenever an event is offered.
 */
static GT_ALWAYS_INLINE int gt_producer_try(gt_producer *pr, gt_order *o,
                                            size_t i, int exact)
{
	gt_cursor *c = &pr->cursors[pr->frontier[i].c];
	int rc;

	rc = gt_order_advance_common(o, c->ev, pr->gen, c->m, c->m_hint,
	                             exact);
	if (rc < 0)
		rc = gt_order_advance(o, c->ev, pr->gen, c->m, &c->m_hint,
		                      pr->err);
	if (rc <= 0)
		return rc < 0 ? gt_producer_advance_failed(pr, c, rc, 0) : 0;
	/* Decoding the next event leaves the accepted one in its slot. */
	pr->in_place = c->ev;
	rc = gt_cursor_next(c, pr);
	if (rc < 0)
		return gt_producer_advance_failed(pr, c, rc, 1);
	if (rc == 0) {
		gt_producer_heap_remove(pr, i);
	} else {
		pr->frontier[i].time = c->ev->time;
		if (i == 0)
			gt_producer_sift_down(pr, 0);
		else
			gt_producer_heap_update(pr, i);
	}
	return 1;
}

/* An event was accepted: it is the one left in place, or first in the
 * engine's queue. */
static GT_ALWAYS_INLINE int gt_producer_accepted(gt_producer *pr,
                                                 gt_order *o, gt_event **out)
{
	pr->accepted++;
	if (o->in_place)
		*out = pr->in_place;
	else if ((*out = gt_order_pop(o)) == NULL)
		return gt_producer_no_event(pr);
	return GOTRACE_OK;
}

/* Go's way: the earliest cursor's event, else the rest. */
static GT_ALWAYS_INLINE int gt_producer_advance_exact(gt_producer *pr,
                                                      gt_order *o,
                                                      gt_event **out)
{
	int rc = gt_producer_try(pr, o, 0, 1);

	if (rc < 0)
		return rc;
	if (rc == 0) {
		/* (Not parking before: it may start here.) */
		if ((rc = gt_producer_advance_others(pr)) != GOTRACE_OK)
			return rc;
		rc = gt_producer_accepted(pr, o, out);
		return rc == GOTRACE_OK && pr->parking ? GT_PRODUCER_PARKED : rc;
	}
	return gt_producer_accepted(pr, o, out);
}

/*
 * The generation's next event in Go's order (o is pr->order): GOTRACE_OK
 * (or GT_PRODUCER_PARKED) with *out valid
 * until the next call (it may be modified), GT_GEN_EXHAUSTED when none is
 * left (or none was installed), or an error described in *pr->err (with
 * a speculative engine, GT_PRODUCER_GAVE_UP: see gt_order_advance). Times
 * are the events' own: Go's fix-up (strictly increasing times across the
 * whole trace) is the caller's. Inline, the common case: nothing queued
 * or parked, and the earliest cursor comes before the next CPU sample and
 * is accepted.
 */
static GT_ALWAYS_INLINE int gt_producer_next(gt_producer *pr, gt_order *o,
                                             gt_event **out)
{
	/* A frontier means a current generation (it is emptied before the
	 * next is installed); not parking means nothing is parked. Both,
	 * and the next CPU sample coming later, are the gate's. */
	if (o->qlen != 0 || !(pr->frontier[0].time < pr->gate))
		return gt_producer_next_slow(pr, out);
	return gt_producer_advance_exact(pr, o, out);
}

#endif
