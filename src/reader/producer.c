/*
 * One generation's ordered events: cursors, the frontier, CPU samples and
 * the retry loop around the ordering engine. See producer.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/grow.h"
#include "order/speculate.h"
#include "reader/producer.h"

/* The frontier of a producer with no generation yet: empty, as its
 * sentinel says (never written: gt_producer_start replaces it). */
static const struct gt_front no_front[1] = {{INT64_MAX, 0}};

/* The common path's limit (gt_producer.gate) after the next CPU sample's
 * time or parking changed. */
static void update_gate(gt_producer *pr)
{
	if (pr->parking)
		pr->gate = INT64_MIN;
	else if (pr->sample_time == INT64_MAX)
		pr->gate = INT64_MAX;
	else
		pr->gate = pr->sample_time + 1;
}

void gt_producer_init(gt_producer *pr, gt_order *order, int ordering,
                      struct gotrace_error *err)
{
	size_t i;

	memset(pr, 0, sizeof *pr);
	pr->order = order;
	pr->ordering = ordering;
	pr->err = err;
	pr->sample_time = INT64_MAX;
	pr->frontier = (struct gt_front *)no_front;
	pr->gate = INT64_MIN;
	gt_park_init(&pr->park);
	for (i = 0; i < GT_SPEC_SLOTS; i++)
		pr->timed_nargs[i] = gt_specs[i].timed ? gt_specs[i].nargs : 0;
}

void gt_producer_free(gt_producer *pr)
{
	free(pr->cursors);
	if (pr->frontier != no_front)
		free(pr->frontier);
	free(pr->batch_next);
	gt_park_free(&pr->park);
	memset(pr, 0, sizeof *pr);
}

/* ---- decoding ------------------------------------------------------------ */

int gt_cursor_decode_checked(gt_cursor *c, const gt_spec *spec, gt_event *e,
                             struct gotrace_error *err, uint64_t *dt)
{
	const uint8_t *p = c->ev_at + 1;
	uint64_t v;
	size_t len, i;

	if (gt_varint_decode(p, (size_t)(c->end - p), dt, &len) != GT_VARINT_OK) {
		gt_error_set(err, GOTRACE_ERR_CORRUPT,
		             c->base_offset + (uint64_t)(p - c->base), NULL,
		             "found invalid uvarint for timestamp");
		return GOTRACE_ERR_CORRUPT;
	}
	p += len;
	for (i = 0; i + 1 < spec->nargs; i++) {
		if (gt_varint_decode(p, (size_t)(c->end - p), &v, &len) !=
		    GT_VARINT_OK) {
			gt_error_set(err, GOTRACE_ERR_CORRUPT,
			             c->base_offset + (uint64_t)(p - c->base), NULL,
			             "found invalid uvarint");
			return GOTRACE_ERR_CORRUPT;
		}
		e->args[i] = v;
		p += len;
	}
	c->p = p;
	return 1;
}

/* The window of W events, the first or the second, that e is in. */
static gt_event *window_of(const gt_cursor *c, const gt_event *e)
{
	return (gt_event *)(e >= c->win + GT_CURSOR_WINDOW
	                    ? c->win + GT_CURSOR_WINDOW : c->win);
}

int gt_cursor_fill(gt_cursor *c, const gt_producer *pr)
{
	const gt_generation *g = pr->gen;
	gt_event *w = window_of(c, c->ev) == c->win ? c->win + GT_CURSOR_WINDOW
	                                            : c->win;
	const uint8_t *p, *end;
	int64_t last;
	size_t n = 0;

	while (c->p == c->end) {
		if (c->batch >= g->nbatches)
			return 0;
		gt_cursor_enter(c, g, pr->batch_next[c->batch]);
	}
	p = c->p;
	end = c->end;
	last = c->last_ts;
	/* What gt_cursor_decode_one does for an event that is whole and
	 * plain, with the cursor's fields and the generation's tick
	 * conversion in registers. */
	if ((size_t)(end - p) >= GT_MAX_TIMED_EVENT) {
		const uint8_t *safe = end - GT_MAX_TIMED_EVENT;
		const uint8_t *nargs_of = pr->timed_nargs;
		uint64_t exact_below = g->tick_exact_below, tick_ns = g->tick_ns;
		gt_event *e = w, *wend = w + GT_CURSOR_WINDOW;

		do {
			uint8_t type = *p, nargs = nargs_of[type];
			uint64_t dt, *a = e->args;
			const uint8_t *q;

			if (nargs == 0)
				break;
			memset(e->args, 0, sizeof e->args);
			q = gt_varint_decode_fast(p + 1, &dt);
			switch (nargs) {
			case 5: if (q) q = gt_varint_decode_fast(q, a++); /* fall through */
			case 4: if (q) q = gt_varint_decode_fast(q, a++); /* fall through */
			case 3: if (q) q = gt_varint_decode_fast(q, a++); /* fall through */
			case 2: if (q) q = gt_varint_decode_fast(q, a++); /* fall through */
			default: break;
			}
			if (q == NULL)
				break;
			e->type = type;
			e->gslot = GT_NO_SLOT;
			if (last == 0)
				last = gt_ticks_to_ns(g->ns_per_tick,
				                      g->batches[c->batch].time);
			last = (int64_t)((dt < exact_below
			                  ? dt * tick_ns
			                  : (uint64_t)gt_ticks_to_ns(g->ns_per_tick,
			                                             dt)) +
			                 (uint64_t)last);
			e->time = last;
			p = q;
			e++;
		} while (e < wend && p <= safe);
		n = (size_t)(e - w);
	}
	if (n == 0)
		return gt_cursor_decode_one(c, pr, w);
	c->wat = c->p;
	c->at_win = 1;
	c->p = p;
	c->last_ts = last;
	c->ev = w;
	c->wend = w + n;
	return 1;
}

uint64_t gt_cursor_offset(const gt_cursor *c)
{
	const uint8_t *at = c->ev_at;

	if (c->at_win) {
		/* Step over the window's events before ev: each was whole. */
		size_t k = (size_t)(c->ev - window_of(c, c->ev)), i, j;

		at = c->wat;
		for (i = 0; i < k; i++) {
			uint8_t nargs = gt_specs[*at++].nargs;
			uint64_t v;

			for (j = 0; j < nargs; j++)
				at = gt_varint_decode_fast(at, &v);
		}
	}
	return c->base_offset + (uint64_t)(at - c->base);
}

GT_COLD int gt_cursor_untimed(const gt_cursor *c, uint8_t type,
                              struct gotrace_error *err)
{
	if (type >= GT_SPEC_TABLE_SIZE)
		gt_error_set(err, GOTRACE_ERR_CORRUPT, gt_cursor_offset(c), NULL,
		             "found invalid event type: %u", type);
	else
		gt_error_set(err, GOTRACE_ERR_CORRUPT, gt_cursor_offset(c), NULL,
		             "found event without a timestamp: type=%u", type);
	return GOTRACE_ERR_CORRUPT;
}

/* ---- the frontier: a binary min-heap of cursors by next event time ------ */

static void fswap(gt_producer *pr, size_t i, size_t j)
{
	struct gt_front t = pr->frontier[i];

	pr->frontier[i] = pr->frontier[j];
	pr->frontier[j] = t;
}

static void heap_insert(gt_producer *pr, uint32_t cursor)
{
	struct gt_front x;

	x.time = pr->cursors[cursor].ev->time;
	x.c = cursor;
	gt_front_heap_push(pr->frontier, &pr->nfrontier, x);
}

/* As Go's reader: up if it can, else down. */
void gt_producer_heap_update(gt_producer *pr, size_t i)
{
	if (gt_front_heap_up(pr->frontier, i) != i)
		return;
	gt_producer_sift_down(pr, i);
}

/* As Go's reader removes an entry: carried to the root past every
 * ancestor whatever its time, then swapped with the last. */
void gt_producer_heap_remove(gt_producer *pr, size_t i)
{
	while (i > 0) {
		fswap(pr, (i - 1) / 2, i);
		i = (i - 1) / 2;
	}
	fswap(pr, 0, pr->nfrontier - 1);
	pr->nfrontier--;
	pr->frontier[pr->nfrontier].time = INT64_MAX;
	gt_producer_sift_down(pr, 0);
}

/* Orders the frontier by time, tied entries as Go's sort leaves them. A
 * sorted array is still a valid heap. */
static void sort_frontier(gt_producer *pr)
{
	gt_frontier_sort(pr->frontier, pr->nfrontier);
}

/* ---- installing a generation --------------------------------------------- */

/*
 * Chains each M's batches: batch_next[b] is the index of the next batch of
 * b's M (nbatches if none), batch_next[nbatches + m] the first of M slot m.
 */
static int link_batches(gt_producer *pr)
{
	const gt_generation *g = pr->gen;
	size_t need = g->nbatches + g->nms, i;
	uint32_t end;

	if (g->nbatches >= UINT32_MAX)
		return -1;
	if (GT_GROW(pr->batch_next, pr->batch_next_cap, need) != 0)
		return -1;
	end = (uint32_t)g->nbatches;
	for (i = 0; i < g->nms; i++)
		pr->batch_next[g->nbatches + i] = end;
	/* Walk backwards so each M's list ends up in file order. */
	for (i = g->nbatches; i-- > 0;) {
		uint32_t *head = &pr->batch_next[g->nbatches + g->batches[i].m_slot];

		pr->batch_next[i] = *head;
		*head = (uint32_t)i;
	}
	return 0;
}

static void cursor_init(gt_cursor *c, const gt_generation *g, uint32_t m_slot,
                        size_t first_batch)
{
	memset(c, 0, sizeof *c);
	c->m = (int64_t)g->ms[m_slot];
	c->m_hint = UINT32_MAX;
	c->ev = &c->win[GT_CURSOR_WINDOW]; /* the first fill goes to win[0] */
	c->wend = c->ev;                   /* which is the next step */
	gt_cursor_enter(c, g, first_batch);
}

static GT_COLD int nomem_error(gt_producer *pr)
{
	gt_error_set(pr->err, GOTRACE_ERR_NOMEM, pr->gen->read_offset, NULL,
	             "out of memory");
	return GOTRACE_ERR_NOMEM;
}

int gt_producer_start(gt_producer *pr, const gt_generation *g, gt_order *order)
{
	size_t i;

	pr->gen = g;
	pr->order = order;
	pr->active = 0;
	pr->gate = INT64_MIN;
	pr->nfrontier = 0;
	pr->next_sample = 0;
	pr->sample_time = INT64_MAX;
	if (link_batches(pr) != 0)
		return nomem_error(pr);
	pr->parking = pr->ordering == GOTRACE_ORDERING_PARKING;
	pr->parked_gens += (uint64_t)pr->parking;
	gt_order_track(order, pr->parking);
	pr->retry_work = 0;
	pr->accepted = 0;
	if (gt_park_reset(&pr->park, g->nms) != 0)
		return nomem_error(pr);
	if (g->nms > pr->cursors_cap) {
		gt_cursor *nc = realloc(pr->cursors, g->nms * sizeof *nc);
		struct gt_front *nf;

		if (nc == NULL)
			return nomem_error(pr);
		pr->cursors = nc;
		/* Room for the sentinels past the heap (sift_down). */
		if (g->nms > SIZE_MAX / 2 / sizeof *nf - 1)
			return nomem_error(pr);
		nf = realloc(pr->frontier == no_front ? NULL : pr->frontier,
		             (2 * g->nms + 2) * sizeof *nf);
		if (nf == NULL)
			return nomem_error(pr);
		pr->frontier = nf;
		pr->cursors_cap = g->nms;
	}
	for (i = 0; pr->frontier != no_front && i < 2 * pr->cursors_cap + 2;
	     i++)
		pr->frontier[i].time = INT64_MAX;
	for (i = 0; i < g->nms; i++) {
		int rc;

		cursor_init(&pr->cursors[i], g, (uint32_t)i,
		            pr->batch_next[g->nbatches + i]);
		rc = gt_cursor_next(&pr->cursors[i], pr);
		if (rc < 0) {
			gt_error_locate(pr->err, gt_cursor_offset(&pr->cursors[i]),
			                "generation %" PRIu64 ", M %" PRId64
			                ", decoding event", g->gen, pr->cursors[i].m);
			return rc;
		}
		if (rc == 1)
			heap_insert(pr, (uint32_t)i);
	}
	pr->sample_time = g->nsamples > 0 ? g->samples[0].time : INT64_MAX;
	update_gate(pr);
	pr->active = 1;
	return GOTRACE_OK;
}

/* ---- advancing ------------------------------------------------------------ */

/* The error of an advance: where the engine or the decoder failed. A
 * speculative engine's giving up is not an error of the trace. */
GT_COLD int gt_producer_advance_failed(gt_producer *pr, const gt_cursor *c,
                                       int rc, int decoding)
{
	if (rc == GT_ORDER_GIVE_UP)
		return GT_PRODUCER_GAVE_UP;
	gt_error_locate(pr->err, gt_cursor_offset(c),
	                "generation %" PRIu64 ", M %" PRId64 ", %s event",
	                pr->gen->gen, c->m,
	                decoding ? "decoding" : gt_specs[c->ev->type].name);
	return rc;
}

static GT_COLD void describe_stuck(gt_producer *pr)
{
	char buf[GT_ERROR_MSG_MAX];
	size_t len = 0, i;

	len += (size_t)snprintf(buf, sizeof buf,
	                        "broken trace: failed to advance: frontier:\n"
	                        "[gen=%" PRIu64 "]\n\n", pr->gen->gen);
	for (i = 0; i < pr->nfrontier && len < sizeof buf; i++) {
		const gt_cursor *c = &pr->cursors[pr->frontier[i].c];
		const gt_spec *spec = &gt_specs[c->ev->type];
		size_t k;

		len += (size_t)snprintf(buf + len, sizeof buf - len,
		                        "M %" PRId64 " [%s time=%" PRId64, c->m,
		                        spec->name, c->ev->time);
		for (k = 1; k < spec->nargs && len < sizeof buf; k++)
			len += (size_t)snprintf(buf + len, sizeof buf - len,
			                        " %s=%" PRIu64, spec->args[k],
			                        c->ev->args[k - 1]);
		if (len < sizeof buf)
			len += (size_t)snprintf(buf + len, sizeof buf - len, "]\n");
	}
	if (len < sizeof buf) {
		len += (size_t)snprintf(buf + len, sizeof buf - len, "\n");
		len = gt_order_dump(pr->order, buf, len, sizeof buf);
		if (len + 1 < sizeof buf) {
			buf[len++] = '\n';
			buf[len] = '\0';
		}
	}
	gt_error_set(pr->err, GOTRACE_ERR_INVALID,
	             pr->nfrontier ? gt_cursor_offset(&pr->cursors[pr->frontier[0].c])
	                           : pr->gen->read_offset,
	             NULL, "%s", buf);
	if (pr->nfrontier)
		gt_error_locate(pr->err, pr->err->offset,
		                "generation %" PRIu64 ", no M can go on (first: M %"
		                PRId64 ", %s event)", pr->gen->gen,
		                pr->cursors[pr->frontier[0].c].m,
		                gt_specs[pr->cursors[pr->frontier[0].c].ev->type].name);
}

/* No M can go on: Go's error (a speculative engine gives up instead: the
 * state it lacks may be what the Ms wait for). */
static GT_COLD int stuck_error(gt_producer *pr)
{
	if (pr->order->spec != NULL) {
		pr->order->spec->reason = GT_GIVEUP_STUCK;
		return GT_PRODUCER_GAVE_UP;
	}
	describe_stuck(pr);
	return GOTRACE_ERR_INVALID;
}

/* After an acceptance while parking: back into the frontier with every
 * cursor the accepted event may have unblocked. */
static int wake_parked(gt_producer *pr)
{
	size_t i;

	if (gt_park_wake(&pr->park, pr->order) != 0)
		return GOTRACE_ERR_NOMEM;
	for (i = 0; i < pr->park.nwoken; i++)
		heap_insert(pr, pr->park.woken[i]);
	return GOTRACE_OK;
}

/* No M can go on: Go's error, with every cursor, parked or not. */
static int stuck(gt_producer *pr)
{
	if (pr->park.nparked > 0) {
		size_t i;

		if (gt_park_wake_all(&pr->park) != 0)
			return nomem_error(pr);
		for (i = 0; i < pr->park.nwoken; i++)
			heap_insert(pr, pr->park.woken[i]);
	}
	sort_frontier(pr);
	return stuck_error(pr);
}

/*
 * Parking mode: try the earliest unparked cursor; park it if refused, and
 * go on with the next, until one is accepted.
 */
static int advance_parking(gt_producer *pr)
{
	for (;;) {
		uint32_t ci;
		int rc;

		if (pr->nfrontier == 0)
			return stuck(pr);
		ci = pr->frontier[0].c;
		rc = gt_producer_try(pr, pr->order, 0, 0);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			rc = wake_parked(pr);
			return rc == GOTRACE_OK ? rc : nomem_error(pr);
		}
		gt_producer_heap_remove(pr, 0);
		if (gt_park_add(&pr->park, ci, pr->cursors[ci].ev->time,
		                pr->order->waits_unknown ? NULL : pr->order->waits,
		                pr->order->waits_unknown ? 0 : pr->order->nwaits) != 0)
			return nomem_error(pr);
	}
}

/*
 * Go's way, once the earliest cursor was refused: every other in time
 * order; or, in AUTO mode past the generation's retry budget, parking
 * from here on. Returns GOTRACE_OK with an event accepted, or an error.
 */
int gt_producer_advance_others(gt_producer *pr)
{
	size_t i;
	int rc;

	if (pr->ordering == GOTRACE_ORDERING_AUTO &&
	    pr->retry_work > 16 * pr->accepted + 65536) {
		/* A speculative engine does not track what refusals wait
		 * for in terms of the state it has not seen. */
		if (pr->order->spec != NULL) {
			pr->order->spec->reason = GT_GIVEUP_PARKING;
			return GT_PRODUCER_GAVE_UP;
		}
		pr->parking = 1;
		update_gate(pr);
		pr->parked_gens++;
		gt_order_track(pr->order, 1);
		return advance_parking(pr);
	}
	sort_frontier(pr);
	pr->retry_work += pr->nfrontier;
	for (i = 1; i < pr->nfrontier; i++) {
		pr->retry_work++;
		rc = gt_producer_try(pr, pr->order, i, 1);
		if (rc < 0)
			return rc;
		if (rc == 1)
			return GOTRACE_OK;
	}
	return stuck_error(pr);
}

GT_COLD int gt_producer_no_event(gt_producer *pr)
{
	gt_error_set(pr->err, GOTRACE_ERR_INVALID, pr->gen->read_offset, NULL,
	             "internal error: advanced without an event");
	return GOTRACE_ERR_INVALID;
}

/* Notes that the CPU sample next_sample is next (or that none is left). */
static void set_sample_time(gt_producer *pr)
{
	pr->sample_time = pr->next_sample < pr->gen->nsamples
	                  ? pr->gen->samples[pr->next_sample].time : INT64_MAX;
	update_gate(pr);
}

int gt_producer_next_slow(gt_producer *pr, gt_event **out)
{
	gt_event *ev = &pr->scratch;
	int64_t first;
	int rc;

	if ((*out = gt_order_pop(pr->order)) != NULL)
		return GOTRACE_OK;
	if (!pr->active)
		return GT_GEN_EXHAUSTED;
	if (pr->nfrontier == 0 && pr->park.nparked == 0 &&
	    pr->next_sample == pr->gen->nsamples) {
		pr->active = 0;
		return GT_GEN_EXHAUSTED;
	}
	/* The earliest next event of any M, parked or not, as in Go. */
	first = pr->nfrontier ? pr->frontier[0].time : INT64_MAX;
	if (pr->park.nparked > 0) {
		int64_t pt = gt_park_min_time(&pr->park);

		if (pt < first)
			first = pt;
	}
	/* Go's parser takes a sample first when no M has an event left. */
	if (pr->next_sample < pr->gen->nsamples &&
	    (pr->sample_time < first ||
	     (pr->nfrontier == 0 && pr->park.nparked == 0))) {
		const gt_cpu_sample *s = &pr->gen->samples[pr->next_sample++];

		set_sample_time(pr);
		memset(ev, 0, sizeof *ev);
		ev->gslot = GT_NO_SLOT;
		ev->type = GOTRACE_WIRE_CPU_SAMPLE;
		ev->time = s->time;
		ev->m = (int64_t)s->m;
		ev->p = (int64_t)s->p;
		ev->g = s->g == 0 ? GT_NO_ID : (int64_t)s->g;
		ev->args[0] = s->stack;
		ev->gen = pr->gen;
		*out = ev;
		return GOTRACE_OK;
	}
	if (pr->parking) {
		rc = advance_parking(pr);
		if (rc != GOTRACE_OK)
			return rc;
		return gt_producer_accepted(pr, pr->order, out);
	}
	return gt_producer_advance_exact(pr, pr->order, out);
}
