/*
 * Internal: the scheduler state machine as the caller sees it.
 *
 * It is driven by the events the reader delivers, one at a time: every
 * StateTransition moves a goroutine or P from its old state to its new
 * one, binding or unbinding it to an M. It checks that each transition
 * starts from the state the resource is in, and answers "what is G/P/M
 * doing now" between events. (The ordering engine keeps its own, wire-level
 * bookkeeping, which runs slightly ahead of delivery.)
 */
#ifndef GT_STATE_H
#define GT_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/gidmap.h"
#include "base/idmap.h"
#include "order/order.h"
#include "gotrace/reader.h"
#include "gotrace/state.h"

#define GT_STATE_M_CACHE 16   /* a power of two */

/*
 * A goroutine's record. It keeps its slot in gs[] while the goroutine
 * lives, so a slot is a stable handle: the engine's slot for the same
 * goroutine, which events carry, leads to it through ghint[] without
 * hashing the ID.
 */
typedef struct gt_state_g {
	gotrace_goroutine_info info;
	uint32_t pos;            /* its index in glive[]; live iff < ngs */
} gt_state_g;

typedef struct gt_state {
	/* glive[] lists every slot: the ngs live ones first, in the order
	 * gotrace_reader_goroutine_at enumerates them, then the free ones,
	 * which adds reuse. */
	gt_state_g *gs;
	uint32_t *glive;
	size_t ngs, nslots, gs_cap, glive_cap;
	/*
	 * Slotted (eng set): a v2 read on the caller's thread, where the
	 * engine has accepted exactly the events delivered so far (what it
	 * queues for later is only ever about goroutines alive on both
	 * sides). Then each goroutine's record sits at the engine's own slot
	 * for it, and the engine's ID index is the only one: no index or
	 * hints to keep here, on creations and ends alike. Anything that
	 * breaks that pairing turns the table back into the general form
	 * (gt_state_unslot), which keeps its own index and hints.
	 */
	const gt_order *eng;
	gt_gidmap g_index;        /* goroutine ID -> slot (general form) */
	uint32_t *ghint;         /* engine slot -> slot, where last seen */
	size_t nghint;
	gotrace_proc_info *ps;
	size_t nps, ps_cap;
	gt_idmap p_index;
	gotrace_thread_info *ms;
	size_t nms, ms_cap;
	gt_idmap m_index;
	/* Where each M was found last, by the low bits of its ID (entries
	 * are checked against ms[], so a stale or clashing one only costs a
	 * hash lookup): events alternate among a trace's few Ms. */
	uint32_t m_cache[GT_STATE_M_CACHE];
	uint64_t transitions[2][6][6]; /* [resource][old][new] counts */
	int lenient;             /* count violations instead of failing */
	uint64_t violations;
} gt_state;

void gt_state_init(gt_state *st);
void gt_state_free(gt_state *st);

/*
 * Applying an event is inline below: it runs for nearly every event, and
 * its common case (a goroutine that exists, an M found in the cache) needs
 * no call. The rarer steps are in state.c.
 */

/* Adds goroutine id, Undetermined, reached from engine slot hint
 * (GT_NO_SLOT for none) from now on; NULL if memory ran out. */
gt_state_g *gt_state_add_g(gt_state *st, int64_t id, uint32_t hint);
/* Goroutine id, remembered for engine slot hint, or if absent added as
 * gt_state_add_g does (*added says which); NULL if memory ran out. */
gt_state_g *gt_state_find_or_add_g(gt_state *st, int64_t id, uint32_t hint,
                                   int *added);

/* Makes the table slotted on engine o: only while it is empty. */
void gt_state_slot(gt_state *st, const gt_order *o);
/* Turns a slotted table into the general form, keeping every record
 * where it is. Returns 0, or -1 if memory ran out (the table is then
 * unchanged). */
int gt_state_unslot(gt_state *st);
/* Slotted: adds goroutine id at the engine's slot s, past the slots
 * there are if need be; NULL if memory ran out. */
gt_state_g *gt_state_add_g_at(gt_state *st, int64_t id, uint32_t s);

/* Slotted: the engine's slot for goroutine id — hint if the engine's
 * record there is (or, just ended, was) id's — or GT_NO_SLOT. */
static GT_ALWAYS_INLINE uint32_t gt_state_eng_slot(const gt_state *st,
                                                   int64_t id,
                                                   uint32_t hint)
{
	const gt_order *o = st->eng;
	uint32_t i;

	if (hint < o->ngs && o->gs[hint].id == id)
		return hint;
	return gt_gidmap_get(&o->g_index, (uint64_t)id, &i) ? i : GT_NO_SLOT;
}

/* Slot s's record if it is goroutine id's and alive, else NULL. */
static inline gt_state_g *gt_state_at(gt_state *st, uint32_t s, int64_t id)
{
	if (s < st->nslots && st->gs[s].pos < st->ngs &&
	    st->gs[s].info.id == id)
		return &st->gs[s];
	return NULL;
}

/* Slot s, free, becomes goroutine id's record (Undetermined, on no M):
 * it trades places in the list with the first free slot. */
static inline gt_state_g *gt_state_take_slot(gt_state *st, uint32_t s,
                                             int64_t id)
{
	gt_state_g *g = &st->gs[s];
	uint32_t p = g->pos, q = (uint32_t)st->ngs, other = st->glive[q];

	st->glive[p] = other;
	st->gs[other].pos = p;
	st->glive[q] = s;
	g->pos = q;
	st->ngs = q + 1;
	g->info.id = id;
	g->info.state = GOTRACE_GO_UNDETERMINED;
	g->info.thread = g->info.proc = -1;
	g->info.since = 0;
	return g;
}

/*
 * Slotted, a goroutine created (or first seen): its record at the engine's
 * slot, found or taken there; *added says which. NULL if memory ran out.
 * Inline while the slot is one the table already has and is free or
 * id's; anything else is gt_state_find_or_add_g's.
 */
static GT_ALWAYS_INLINE gt_state_g *gt_state_take_g(gt_state *st, int64_t id,
                                                    uint32_t hint,
                                                    int *added)
{
	uint32_t s = gt_state_eng_slot(st, id, hint);
	gt_state_g *g;

	if (s >= st->nslots)
		return gt_state_find_or_add_g(st, id, hint, added);
	g = &st->gs[s];
	if (g->pos < st->ngs) {
		if (g->info.id != id)
			return gt_state_find_or_add_g(st, id, hint, added);
		*added = 0;
		return g;
	}
	*added = 1;
	return gt_state_take_slot(st, s, id);
}

/* Removes goroutine g; the last one listed takes its place in the list.
 * Inline: every goroutine that ends comes here. */
static inline void gt_state_remove_g(gt_state *st, gt_state_g *g)
{
	uint32_t s = (uint32_t)(g - st->gs), last = (uint32_t)st->ngs - 1;
	uint32_t moved = st->glive[last];

	if (st->eng == NULL)
		gt_gidmap_del(&st->g_index, (uint64_t)g->info.id);
	/* The last live slot takes g's place in the list; g's slot becomes
	 * the first free one. */
	st->glive[g->pos] = moved;
	st->gs[moved].pos = g->pos;
	st->glive[last] = s;
	g->pos = last;
	st->ngs--;
}
/* Goroutine id by its ID, remembered for engine slot hint; NULL if
 * absent. */
gt_state_g *gt_state_find_g_slow(gt_state *st, int64_t id, uint32_t hint);
/* The records of goroutine, P and M id, or NULL: for the public queries. */
const gotrace_goroutine_info *gt_state_query_g(const gt_state *st, int64_t id);
gotrace_proc_info *gt_state_query_p(const gt_state *st, int64_t id);
gotrace_thread_info *gt_state_query_m(const gt_state *st, int64_t id);
/* Adds thread id, holding nothing; NULL if memory ran out. */
gotrace_thread_info *gt_state_add_m(gt_state *st, int64_t id);
/* gt_state_lookup_m past its cache. */
gotrace_thread_info *gt_state_lookup_m_slow(gt_state *st, int64_t id);
/* A transition that does not start where the resource is (is: its state,
 * -1 if unknown): an error, or in lenient mode a counted violation. */
int gt_state_bad_start(gt_state *st, struct gotrace_error *err, int proc,
                       int64_t id, int from, int to, int is);
/* Sets err to out of memory; returns GOTRACE_ERR_NOMEM. */
int gt_state_nomem(struct gotrace_error *err);
/* Applies a P's transition. */
int gt_state_apply_p(gt_state *st, const gotrace_event *ev,
                     struct gotrace_error *err);

/* Thread id's entry in the M cache. */
static inline uint32_t *gt_state_m_cached(gt_state *st, int64_t id)
{
	return &st->m_cache[(uint64_t)id & (GT_STATE_M_CACHE - 1)];
}

/* Thread id, or NULL. Ms are never removed, so where one was found stays
 * right. */
static inline gotrace_thread_info *gt_state_lookup_m(gt_state *st, int64_t id)
{
	uint32_t i = *gt_state_m_cached(st, id);

	if (i < st->nms && st->ms[i].id == id)
		return &st->ms[i];
	return gt_state_lookup_m_slow(st, id);
}

/* Thread id, added if new; NULL for id < 0 or if memory ran out. */
static inline gotrace_thread_info *gt_state_get_m(gt_state *st, int64_t id)
{
	gotrace_thread_info *m = gt_state_lookup_m(st, id);

	if (m != NULL || id < 0)
		return m;
	return gt_state_add_m(st, id);
}

/*
 * Checks that a transition starts from the state the resource is in (is:
 * its tracked state, or -1 if it is not known yet, in which case it must
 * come from Undetermined or NotExist). Undetermined matches anything.
 */
static inline int gt_state_start_ok(int from, int is)
{
	/* Undetermined and NotExist are 0 and 1 for goroutines and Ps alike. */
	return is < 0 ? from <= 1 : from == 0 || from == is;
}

static inline int gt_state_executing(int s)
{
	return s == GOTRACE_GO_RUNNING || s == GOTRACE_GO_SYSCALL;
}

/* Goroutine id, or NULL; hint is the engine's slot for it, or GT_NO_SLOT.
 * A hint only ever leads to a live record with the same ID, so a stale
 * one costs the hash lookup and nothing else. */
static GT_ALWAYS_INLINE gt_state_g *gt_state_find_g(gt_state *st, int64_t id,
                                                    uint32_t hint)
{
	if (st->eng != NULL) {
		/* The event's slot is the engine's for its goroutine. */
		gt_state_g *g = gt_state_at(st, hint, id);

		if (g != NULL)
			return g;
		return gt_state_at(st, gt_state_eng_slot(st, id, hint), id);
	}
	if (hint < st->nghint) {
		uint32_t s = st->ghint[hint];

		if (s < st->nslots && st->gs[s].pos < st->ngs &&
		    st->gs[s].info.id == id)
			return &st->gs[s];
	}
	return gt_state_find_g_slow(st, id, hint);
}

/*
 * Goroutine id goes from state from to state to at time, on thread and
 * proc: a StateTransition of a goroutine, taken apart (a caller that
 * knows the states as constants has them folded in).
 */
static GT_ALWAYS_INLINE int gt_state_step_g(gt_state *st, int64_t id,
                                            int from, int to, int64_t time,
                                            int64_t thread, int64_t proc,
                                            uint32_t hint,
                                            struct gotrace_error *err)
{
	gt_state_g *rec;
	gotrace_goroutine_info *g;
	gotrace_thread_info *m;
	int is;

	if (from == GOTRACE_GO_NOT_EXIST) {
		/* A goroutine created: new, but in a broken trace. What
		 * follows is the general case's, with one lookup. */
		int added;

		rec = st->eng != NULL
		      ? gt_state_take_g(st, id, hint, &added)
		      : gt_state_find_or_add_g(st, id, hint, &added);
		if (rec == NULL)
			return gt_state_nomem(err);
		g = &rec->info;
		if (!added) {
			is = (int)g->state;
			if (!gt_state_start_ok(from, is)) {
				int rc = gt_state_bad_start(st, err, 0, id,
				                            from, to, is);

				if (rc != GOTRACE_OK)
					return rc;
			}
			from = is;
		}
	} else {
		rec = gt_state_find_g(st, id, hint);
		g = rec ? &rec->info : NULL;
		is = g ? (int)g->state : -1;
		if (!gt_state_start_ok(from, is)) {
			int rc = gt_state_bad_start(st, err, 0, id, from, to,
			                            is);

			if (rc != GOTRACE_OK)
				return rc;
		}
		if (g == NULL) {
			if ((rec = gt_state_add_g(st, id, hint)) == NULL)
				return gt_state_nomem(err);
			g = &rec->info;
		} else if (from != GOTRACE_GO_UNDETERMINED) {
			/* Lenient or not, the M bookkeeping follows the
			 * real state. */
			from = (int)g->state;
		}
	}
	/* The M it ran on lets go of it. */
	if (gt_state_executing(from) && !gt_state_executing(to) &&
	    g->thread >= 0) {
		m = gt_state_lookup_m(st, g->thread);
		if (m != NULL && m->goroutine == id) {
			m->goroutine = -1;
			m->since = time;
		}
	}
	st->transitions[0][from][to]++;
	if (to == GOTRACE_GO_NOT_EXIST) {
		gt_state_remove_g(st, rec);
		return GOTRACE_OK;
	}
	g->state = (gotrace_goroutine_state)to;
	g->since = time;
	if (gt_state_executing(to)) {
		g->thread = thread;
		g->proc = proc;
		m = gt_state_get_m(st, thread);
		if (thread >= 0 && m == NULL)
			return gt_state_nomem(err);
		if (m != NULL) {
			m->goroutine = id;
			m->since = time;
		}
	} else {
		g->thread = g->proc = -1;
	}
	return GOTRACE_OK;
}

static inline int gt_state_apply_g(gt_state *st, const gotrace_event *ev,
                                   uint32_t hint, struct gotrace_error *err)
{
	return gt_state_step_g(st, ev->u.transition.id,
	                       ev->u.transition.old_state,
	                       ev->u.transition.new_state, ev->time,
	                       ev->thread, ev->proc, hint, err);
}

/* Applies a delivered event whose goroutine the engine keeps in slot
 * hint (GT_NO_SLOT if unknown). Returns GOTRACE_OK or an error. */
static inline int gt_state_apply_hinted(gt_state *st, const gotrace_event *ev,
                                        uint32_t hint,
                                        struct gotrace_error *err)
{
	if (ev->kind != GOTRACE_EVENT_STATE_TRANSITION)
		return GOTRACE_OK;
	if (ev->u.transition.resource == GOTRACE_RESOURCE_GOROUTINE)
		return gt_state_apply_g(st, ev, hint, err);
	return gt_state_apply_p(st, ev, err);
}

/* Applies a delivered event. Returns GOTRACE_OK or an error. */
static inline int gt_state_apply(gt_state *st, const gotrace_event *ev,
                                 struct gotrace_error *err)
{
	return gt_state_apply_hinted(st, ev, GT_NO_SLOT, err);
}

#endif
