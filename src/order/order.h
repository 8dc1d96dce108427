/*
 * Internal: the ordering engine.
 *
 * Events of one generation arrive per M, each M's in order. The engine
 * keeps the scheduler's state as the trace describes it — each goroutine's
 * and P's status and sequence number, which G and P each M holds, the GC
 * cycle, active tasks, regions and ranges — and decides whether an event
 * can happen next given that state. An event that cannot happen yet (its
 * goroutine has not been unblocked, its P not yet stolen...) is refused
 * without error so that another M's event can go first; an event that can
 * never be valid is an error. Accepted events, plus the events some of
 * them imply (a GoSwitch also blocks one goroutine and starts another),
 * are queued in delivery order.
 *
 * The rules are those of Go's trace parser (internal/trace), including its
 * error messages, so that the same traces are accepted and the same events
 * come out in the same order.
 */
#ifndef GT_ORDER_H
#define GT_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "gen/generation.h"
#include "base/gidmap.h"
#include "base/idmap.h"
#include "gotrace/reader.h"
#include "gotrace/wire.h"
#include "wire/spec.h"

/* The type code of synthesized Sync events (no wire event has it). */
#define GT_EV_SYNC 255

#define GT_NO_ID (-1)
#define GT_NO_SLOT UINT32_MAX    /* gt_event.gslot: none known */

/* An event in the ordering: the wire event and its scheduling context.
 * The worker thread's copy into the pipe (gt_pipe_store, pipe.h) names
 * every field: a new field must be added there too. */
typedef struct gt_event {
	int64_t time;            /* nanoseconds */
	int64_t m, p, g;         /* context before the event; -1 for none */
	uint64_t args[4];        /* arguments after dt, plus smuggled data;
	                            a UserTaskEnd's args[3] is its task's
	                            name, a const gt_interned *, which stays
	                            put for the engine's life (so a reader on
	                            another thread may use it) */
	const gt_generation *gen;/* tables for IDs; NULL for bare syncs */
	uint8_t type;            /* wire type, or GT_EV_SYNC */
	uint8_t spec;            /* a speculative engine's marks: what of the
	                            event depends on the state before its
	                            generation (GT_SPEC_* in speculate.h); 0 from
	                            any other engine */
	uint8_t parked;          /* reader: generations that started parking
	                            since the previous event (0 or 1) */
	uint32_t gslot;          /* the engine's slot for the goroutine whose
	                            state the event changes, or GT_NO_SLOT:
	                            where a slotted state machine keeps it
	                            (always set for a goroutine's end, which
	                            the index has dropped), a checked hint for
	                            any other (state.h) */
} gt_event;

/* A sequence number scoped to its generation. */
typedef struct gt_seq {
	uint64_t gen, seq;
} gt_seq;

/* Go's rule for sequence numbers: next follows cur when both belong to
 * the same generation and next is one more (unsigned arithmetic). */
static inline int gt_seq_succeeds(gt_seq next, gt_seq cur)
{
	return next.gen == cur.gen && next.seq == cur.seq + 1;
}

typedef struct gt_range {
	uint8_t type;            /* the range's Begin event type */
	uint64_t desc;           /* STW kind string ID, else 0 */
} gt_range;

typedef struct gt_ranges {
	gt_range *items;
	size_t n, cap;
} gt_ranges;

typedef struct gt_region {
	uint64_t task;
	uint32_t name;           /* interned string */
} gt_region;

/* The engine keeps a goroutine's state as the public gotrace_goroutine_state
 * (GoStatus arguments are converted as they are read), and a P's as its
 * wire ProcStatus (GT_WIRE_PROC_*, wire/spec.h), which tells a syscall and
 * an abandoned one apart. */

/* gt_gstate.sflags, gt_pstate.sflags: what a speculative engine (speculate.h)
 * knows of a goroutine or P it did not see begin. */
#define GT_SF_INHERITED 0x01     /* from before the generation, with
                                    state the engine does not have (a P:
                                    maybe, it may not have existed) */
#define GT_SF_STATUS_UNK 0x02    /* status unknown (kept as 0) */
#define GT_SF_SEQ_UNK 0x04       /* sequence number unknown (one of an
                                    earlier generation: never followed) */

typedef struct gt_gstate {
	int64_t id;
	uint8_t status;          /* gotrace_goroutine_state */
	uint8_t live;            /* 0 while the slot is free */
	uint8_t sflags;          /* GT_SF_*; 0 but in a speculative engine */
	gt_seq seq;
	gt_region *regions;
	size_t nregions, regions_cap;
	gt_ranges ranges;
	uint32_t next_free;      /* free-list link when unused */
	uint32_t slot;           /* its own index in gs[] (for hints, without
	                            dividing a pointer difference) */
} gt_gstate;

typedef struct gt_pstate {
	int64_t id;
	uint8_t status;          /* wire ProcStatus: GT_WIRE_PROC_* */
	uint8_t sflags;          /* GT_SF_*; 0 but in a speculative engine */
	gt_seq seq;
	gt_ranges ranges;
} gt_pstate;

/* gt_mstate.unk: a speculative engine's M whose context at the start of
 * the generation it does not know (the field then holds GT_NO_ID). */
#define GT_MU_P 0x01             /* p unknown */
#define GT_MU_G 0x02             /* g unknown */
#define GT_MU_P_SOME 0x04        /* ... but assumed to be some P */
#define GT_MU_G_SOME 0x08        /* ... but assumed to be some G */
#define GT_MU_P_WAS_UNK 0x10     /* p last changed from an unknown P (which
                                    may have been the same one) */

typedef struct gt_mstate {
	int64_t id;
	int64_t g, p;
	uint32_t hprev, hnext;   /* other Ms holding the same P */
	uint32_t g_slot;         /* where g was when the common path started
	                            it: a hint, checked before use */
	uint32_t pseq;           /* speculative engine: when p last changed
	                            (gt_speculation.pseq), 0 if it did not */
	uint8_t unk;             /* GT_MU_*; 0 but in a speculative engine */
} gt_mstate;

typedef struct gt_task {
	uint64_t id;
	uint64_t parent;
	uint32_t name;           /* interned string */
} gt_task;

/* Interned strings: names that must outlive their generation's table.
 * Each is allocated once and never moves, so a pointer to one stays valid
 * (on any thread) until the engine is freed. */
typedef struct gt_interned {
	size_t len;
	char data[];             /* len bytes and a NUL */
} gt_interned;

/* Kinds of scheduler resources, for the frontier's wait lists. */
enum { GT_RES_G, GT_RES_P, GT_RES_M, GT_RES_GC };

/* A resource as an advance first saw it, to tell afterwards whether the
 * advance changed it. */
typedef struct gt_touch {
	uint8_t kind;
	uint8_t exists;
	uint8_t status;
	int64_t id;
	uint64_t seq;            /* G, P: sequence number; GC: cycle */
	int64_t g, p;            /* M: context */
} gt_touch;

/*
 * What a refused event waits for. by_state: until the resource holds
 * sequence number seq and status (GC: cycle seq) — nothing else can make
 * the event acceptable; otherwise until the resource changes at all.
 */
typedef struct gt_wait {
	uint8_t kind;
	uint8_t by_state;
	uint8_t status;
	int64_t id;
	uint64_t seq;
} gt_wait;

#define GT_MAX_TOUCHES 16
#define GT_MAX_WAITS 4

struct gt_speculation;

typedef struct gt_order {
	gotrace_version version;
	uint64_t initial_gen;
	/* Non-NULL: a speculative engine, which orders one generation
	 * without the state the generations before it left (speculate.h). */
	struct gt_speculation *spec;

	gt_gstate *gs;           /* slots; free ones are chained */
	size_t ngs, gs_cap;
	uint32_t gs_free;        /* head of the free list, UINT32_MAX if none */
	uint64_t gs_max_id;      /* the largest goroutine ID (as unsigned)
	                            ever added: larger ones never existed */
	gt_gidmap g_index;

	gt_pstate *ps;
	size_t nps, ps_cap;
	gt_idmap p_index;

	gt_mstate *ms;
	size_t nms, ms_cap;
	gt_idmap m_index;
	gt_idmap p_holders;      /* P ID -> the M that took it last */

	gt_task *tasks;
	size_t ntasks, tasks_cap;
	gt_idmap task_index;

	gt_interned **strs;
	size_t nstrs, strs_cap;
	gt_idmap str_index;      /* string hash -> first index with that hash */

	uint64_t gc_seq;
	uint8_t gc_state;        /* 0 undetermined, 1 not running, 2 running */

	gt_event *queue;         /* ring buffer */
	size_t qhead, qlen, qcap;
	int in_place;            /* the last acceptance left its own event in
	                            place, first in line (gt_order_advance) */

	/* Dependency tracking, for callers that park refused events (see
	 * gt_order_track). Refreshed by every gt_order_advance. */
	int track;
	gt_touch touched[GT_MAX_TOUCHES];   /* first sight of each resource */
	size_t ntouched;
	int touched_all;         /* too many to list: assume anything changed */
	gt_touch changed[GT_MAX_TOUCHES];   /* after an acceptance: new state */
	size_t nchanged;
	gt_wait waits[GT_MAX_WAITS];
	size_t nwaits;
	int waits_unknown;       /* a refusal that must be retried after any
	                            acceptance */
} gt_order;

/* gt_order_advance's result when a speculative engine cannot decide
 * without the state before its generation (speculate.h): not an error of the
 * trace, nothing is set in err. */
#define GT_ORDER_GIVE_UP (-900)

void gt_order_init(gt_order *o, gotrace_version version);
void gt_order_free(gt_order *o);

/*
 * Tries to advance ev (type, time and args filled in; args are the wire
 * arguments after dt) observed on thread m in generation g. m_hint, if not
 * NULL, caches where the engine keeps m's state between calls for the same
 * m (start it at UINT32_MAX). Returns 1 if the event was accepted, 0 if it
 * cannot happen yet, or an error (negative, err set).
 *
 * The events an acceptance yields are queued, except that when the event
 * itself comes first it is not copied: its context (m, p, g, gen) is
 * written into *ev and o->in_place is set, and the caller delivers *ev
 * before popping the queue. Call only with an empty queue.
 */
int gt_order_advance(gt_order *o, gt_event *ev, const gt_generation *g,
                     int64_t m, uint32_t *m_hint, struct gotrace_error *err);

/* The goroutine with ID id, or NULL. */
static inline gt_gstate *gt_order_find_g(const gt_order *o, int64_t id)
{
	uint32_t i;

	return gt_gidmap_get(&o->g_index, (uint64_t)id, &i) ? &o->gs[i] : NULL;
}

/* The goroutine with ID id, looked for first in slot hint. */
static inline gt_gstate *gt_order_find_g_hinted(const gt_order *o, int64_t id,
                                                uint32_t hint)
{
	if (hint < o->ngs && o->gs[hint].live && o->gs[hint].id == id)
		return &o->gs[hint];
	return gt_order_find_g(o, id);
}

/* The P with ID id, or NULL. */
static inline gt_pstate *gt_order_find_p(const gt_order *o, int64_t id)
{
	uint32_t i;

	return gt_idmap_get(&o->p_index, (uint64_t)id, &i) ? &o->ps[i] : NULL;
}

/* Adds goroutine id, in status with sequence number seq; NULL if memory
 * ran out. */
gt_gstate *gt_order_add_g(gt_order *o, int64_t id, uint8_t status, gt_seq seq);

/* A speculative engine's note of an inherited goroutine that ended
 * (order.c). */
void gt_order_note_death(gt_order *o, int64_t id);

/* Removes goroutine gs (its slot is reused by a later add). Inline: every
 * goroutine that ends comes here. */
static GT_ALWAYS_INLINE void gt_order_remove_g(gt_order *o, gt_gstate *gs)
{
	uint32_t i = gs->slot;

	gt_gidmap_del(&o->g_index, (uint64_t)gs->id);
	gs->live = 0;
	gs->next_free = o->gs_free;
	o->gs_free = i;
	/* If memory runs out the engine gives up (gt_speculation.nomem). */
	if (o->spec != NULL && (gs->sflags & GT_SF_INHERITED))
		gt_order_note_death(o, gs->id);
}

/* Slot i, just taken for goroutine id, as a new goroutine's record; both
 * ways of adding one (gt_order_add_g, gt_order_create_g) end here. */
static inline gt_gstate *gt_order_init_g(gt_order *o, uint32_t i, int64_t id,
                                         uint8_t status, gt_seq seq)
{
	gt_gstate *s = &o->gs[i];

	s->id = id;
	if ((uint64_t)id > o->gs_max_id)
		o->gs_max_id = (uint64_t)id;
	s->slot = i;
	s->live = 1;
	s->status = status;
	s->sflags = 0;
	s->seq = seq;
	s->nregions = 0;          /* capacity is kept for reuse */
	s->ranges.n = 0;
	return s;
}

/*
 * For the common path, in an engine that is not speculative and tracks
 * nothing: adds goroutine id as gt_order_add_g does, unless it exists;
 * NULL if it does (or memory ran out). One lookup, and no call while
 * a slot is free and id's page of the index is there.
 */
static inline gt_gstate *gt_order_create_g(gt_order *o, int64_t id,
                                           uint8_t status, gt_seq seq)
{
	gt_gidmap_page *pg = gt_gidmap_page_of(&o->g_index, (uint64_t)id);
	uint32_t i;

	if (pg == NULL || o->gs_free == UINT32_MAX) {
		if (gt_order_find_g(o, id) != NULL)
			return NULL;
		return gt_order_add_g(o, id, status, seq);
	}
	if (gt_gidmap_page_has(pg, (uint64_t)id))
		return NULL;
	i = o->gs_free;
	o->gs_free = o->gs[i].next_free;
	gt_gidmap_fill(&o->g_index, pg, (uint64_t)id, i);
	return gt_order_init_g(o, i, id, status, seq);
}

/* Goroutine gs exists in status want, and seq (of generation gen) follows
 * its sequence number: Go's test for an event that names a goroutine it
 * moves along, such as GoStart or GoUnblock. */
static inline int gt_order_g_next(const gt_gstate *gs, uint8_t want,
                                  uint64_t gen, uint64_t seq)
{
	gt_seq next = {gen, seq};

	return gs != NULL && gs->status == want &&
	       gt_seq_succeeds(next, gs->seq);
}

/* If gt_order_g_next allows it, moves goroutine id on to status to with
 * sequence number seq and returns it; else NULL, having changed nothing. */
static inline gt_gstate *gt_order_g_step(const gt_order *o, int64_t id,
                                         uint8_t want, uint8_t to,
                                         uint64_t gen, uint64_t seq)
{
	gt_gstate *gs = gt_order_find_g(o, id);

	if (!gt_order_g_next(gs, want, gen, seq))
		return NULL;
	gs->status = to;
	gs->seq.seq = seq;
	return gs;
}

/*
 * gt_order_advance for the events that make up most of any trace —
 * goroutines starting, stopping, blocking, being unblocked, created and
 * destroyed, entering and leaving syscalls, heap metrics — in the case
 * where every rule passes on the first try, on an M the engine knows
 * (m_hint, as gt_order_advance left it), with tracking off and nothing
 * queued (idle: the caller knows both, else they are checked here).
 * Returns 1 having done
 * exactly what gt_order_advance would (the event accepted in place), or
 * -1 having changed nothing: anything else, refusals and errors included,
 * is gt_order_advance's to decide. Inline, so that the read loop's common
 * case pays for neither a call nor the general rules' setup.
 */
static GT_ALWAYS_INLINE int gt_order_advance_common(gt_order *o, gt_event *ev,
                                                    const gt_generation *g,
                                                    int64_t m, uint32_t m_hint,
                                                    int idle)
{
	gt_mstate *ms;
	gt_gstate *gs;
	int64_t p, cur_g;

	if (!idle && (o->track || o->qlen != 0))
		return -1;
	if (m_hint >= o->nms)
		return -1;
	ms = &o->ms[m_hint];
	if (ms->id != m)
		return -1;
	p = ms->p;
	cur_g = ms->g;
	switch (ev->type) {
	case GOTRACE_WIRE_GO_START:
		if (p == GT_NO_ID || cur_g != GT_NO_ID)
			return -1;
		gs = gt_order_g_step(o, (int64_t)ev->args[0],
		                     GOTRACE_GO_RUNNABLE, GOTRACE_GO_RUNNING,
		                     g->gen, ev->args[1]);
		if (gs == NULL)
			return -1;
		ms->g = gs->id;
		ms->g_slot = gs->slot;
		ev->gslot = gs->slot;
		break;
	case GOTRACE_WIRE_GO_UNBLOCK:
		gs = gt_order_g_step(o, (int64_t)ev->args[0],
		                     GOTRACE_GO_WAITING, GOTRACE_GO_RUNNABLE,
		                     g->gen, ev->args[1]);
		if (gs == NULL)
			return -1;
		ev->gslot = gs->slot;
		break;
	case GOTRACE_WIRE_GO_BLOCK:
	case GOTRACE_WIRE_GO_STOP:
	case GOTRACE_WIRE_GO_DESTROY:
		if (p == GT_NO_ID || cur_g == GT_NO_ID)
			return -1;
		gs = gt_order_find_g_hinted(o, cur_g, ms->g_slot);
		if (gs == NULL || gs->status != GOTRACE_GO_RUNNING)
			return -1;
		ev->gslot = gs->slot;
		if (ev->type == GOTRACE_WIRE_GO_DESTROY)
			gt_order_remove_g(o, gs);
		else
			gs->status = ev->type == GOTRACE_WIRE_GO_BLOCK
			             ? GOTRACE_GO_WAITING : GOTRACE_GO_RUNNABLE;
		ms->g = GT_NO_ID;
		break;
	case GOTRACE_WIRE_GO_CREATE:
	case GOTRACE_WIRE_GO_CREATE_BLOCKED: {
		gt_seq first;

		if (p == GT_NO_ID)
			return -1;
		if (cur_g != GT_NO_ID) {
			gs = gt_order_find_g_hinted(o, cur_g, ms->g_slot);
			if (gs != NULL && gs->status != GOTRACE_GO_RUNNING)
				return -1;
		}
		/* A speculative engine may not know whether it exists. */
		if (o->spec != NULL)
			return -1;
		first.gen = g->gen;
		first.seq = 0;
		gs = gt_order_create_g(o, (int64_t)ev->args[0],
		                       ev->type == GOTRACE_WIRE_GO_CREATE
		                       ? GOTRACE_GO_RUNNABLE
		                       : GOTRACE_GO_WAITING, first);
		if (gs == NULL)
			return -1;
		ev->gslot = gs->slot;
		break;
	}
	case GOTRACE_WIRE_GO_SYSCALL_BEGIN:
	case GOTRACE_WIRE_GO_SYSCALL_END: {
		int begin = ev->type == GOTRACE_WIRE_GO_SYSCALL_BEGIN;
		gt_seq pseq = {g->gen, ev->args[0]};
		gt_pstate *ps;

		if (p == GT_NO_ID || cur_g == GT_NO_ID)
			return -1;
		gs = gt_order_find_g_hinted(o, cur_g, ms->g_slot);
		ps = gt_order_find_p(o, p);
		if (gs == NULL || ps == NULL)
			return -1;
		/* Entering: the goroutine runs and the event's P sequence
		 * number follows the P's. Leaving: both are in the syscall. */
		if (begin ? gs->status != GOTRACE_GO_RUNNING ||
		            !gt_seq_succeeds(pseq, ps->seq)
		          : gs->status != GOTRACE_GO_SYSCALL ||
		            ps->status != GT_WIRE_PROC_SYSCALL)
			return -1;
		gs->status = begin ? GOTRACE_GO_SYSCALL : GOTRACE_GO_RUNNING;
		ps->status = begin ? GT_WIRE_PROC_SYSCALL
		                   : GT_WIRE_PROC_RUNNING;
		if (begin)
			ps->seq = pseq;
		ev->gslot = gs->slot;
		break;
	}
	case GOTRACE_WIRE_HEAP_ALLOC:
	case GOTRACE_WIRE_HEAP_GOAL:
		if (p == GT_NO_ID)
			return -1;
		break;
	default:
		return -1;
	}
	/* The event's context is the M's before it. */
	ev->m = m;
	ev->p = p;
	ev->g = cur_g;
	ev->gen = g;
	o->in_place = 1;
	return 1;
}

/*
 * Turns dependency tracking on or off. While on, each gt_order_advance
 * records what its verdict depends on. After a refusal, o->waits lists
 * conditions such that, until one of them holds, trying the same event
 * again gives the same refusal (the verdict is a pure function of the
 * state of the resources involved). After an acceptance, o->changed lists
 * every resource whose state the advance changed, with its new state, or
 * o->touched_all is set if there were too many to list.
 */
void gt_order_track(gt_order *o, int on);

/* Pops the next queued event, or returns NULL if the queue is empty. The
 * event stays valid (and may be modified) until the next advance. */
static inline gt_event *gt_order_pop(gt_order *o)
{
	gt_event *ev;

	if (o->qlen == 0)
		return NULL;
	ev = &o->queue[o->qhead];
	o->qhead = (o->qhead + 1) & (o->qcap - 1);
	o->qlen--;
	return ev;
}

/* Looks up an interned string (task and region names). */
const gt_interned *gt_order_string(const gt_order *o, uint32_t id);

/* Interns s; returns its ID, or UINT32_MAX if memory ran out. */
uint32_t gt_order_intern(gt_order *o, const uint8_t *s, size_t len);

/* ---- for speculate.c: building the true engine's state ------------------ */

/* The M with ID id, or NULL. */
static inline gt_mstate *gt_order_find_m(const gt_order *o, int64_t id)
{
	uint32_t i;

	return gt_idmap_get(&o->m_index, (uint64_t)id, &i) ? &o->ms[i] : NULL;
}

/* Adds P id (after every other), M id (holding nothing), a task; changes
 * the P an M holds (as the rules do: the last to take a P heads its list
 * of holders); removes task id if active. NULL or -1 if memory ran out. */
gt_pstate *gt_order_add_p(gt_order *o, int64_t id, uint8_t status, gt_seq seq);
gt_mstate *gt_order_add_m(gt_order *o, int64_t id);
int gt_order_set_m_proc(gt_order *o, gt_mstate *ms, int64_t p);
int gt_order_put_task(gt_order *o, uint64_t id, uint64_t parent,
                      uint32_t name);
void gt_order_drop_task(gt_order *o, uint64_t id);

/* A ProcStatus's old state (gotrace_proc_state) after the first
 * generation, for a P that existed or not. */
uint8_t gt_order_proc_old_state(uint64_t status, int existed);

/* Whether the GC event type (GCActive, GCBegin, GCEnd) with cycle seq
 * follows o's GC state (the rules accept it rather than wait or fail). */
int gt_order_gc_accepts(const gt_order *o, uint8_t type, uint64_t seq);

/* Appends a dump of the engine's state, in the format of Go's parser's
 * "failed to advance" errors, to buf (of size cap, holding len bytes).
 * Returns the new length. */
size_t gt_order_dump(const gt_order *o, char *buf, size_t len, size_t cap);

#endif
