/*
 * The ordering engine: scheduler bookkeeping that decides, event by event,
 * whether a per-M event may happen next. See order.h.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "order/order.h"
#include "order/speculate.h"
#include "wire/spec.h"
#include "gotrace/wire.h"

enum { GC_UNDETERMINED, GC_NOT_RUNNING, GC_RUNNING };

/* Presence requirements on the scheduling context. */
enum { MUST_NOT, MAY, MUST };

#define NONE ((uint32_t)UINT32_MAX)
#define NO_TASK UINT64_MAX

/* Go's names of goroutine statuses, for messages: a goroutine's state
 * here is the public one, and "undetermined" is the wire's "bad". */
static const char *go_status_name(unsigned s)
{
	switch (s) {
	case GOTRACE_GO_RUNNABLE: return "Runnable";
	case GOTRACE_GO_RUNNING: return "Running";
	case GOTRACE_GO_SYSCALL: return "Syscall";
	case GOTRACE_GO_WAITING: return "Waiting";
	default: return "Bad";
	}
}

static const char *proc_status_name(unsigned s)
{
	switch (s) {
	case GT_WIRE_PROC_RUNNING: return "Running";
	case GT_WIRE_PROC_IDLE: return "Idle";
	case GT_WIRE_PROC_SYSCALL: return "Syscall";
	case GT_WIRE_PROC_ABANDONED: return "SyscallAbandoned";
	default: return "Bad";
	}
}

/* The name Go's parser gives an event type in messages. */
static const char *event_type_name(gotrace_version v, uint8_t type, char *buf,
                                   size_t len)
{
	if (type < gt_spec_count(v) && gt_specs[type].name[0] != '\0')
		return gt_specs[type].name;
	snprintf(buf, len, "Invalid(%u)", type);
	return buf;
}

/* ---- storage ------------------------------------------------------------ */


void gt_order_init(gt_order *o, gotrace_version version)
{
	memset(o, 0, sizeof *o);
	o->version = version;
	o->gs_free = NONE;
	gt_gidmap_init(&o->g_index);
	gt_idmap_init(&o->p_index);
	gt_idmap_init(&o->m_index);
	gt_idmap_init(&o->p_holders);
	gt_idmap_init(&o->task_index);
	gt_idmap_init(&o->str_index);
}

void gt_order_free(gt_order *o)
{
	size_t i;

	for (i = 0; i < o->ngs; i++) {
		free(o->gs[i].regions);
		free(o->gs[i].ranges.items);
	}
	for (i = 0; i < o->nps; i++)
		free(o->ps[i].ranges.items);
	for (i = 0; i < o->nstrs; i++)
		free(o->strs[i]);
	free(o->gs);
	free(o->ps);
	free(o->ms);
	free(o->tasks);
	free(o->strs);
	free(o->queue);
	gt_gidmap_free(&o->g_index);
	gt_idmap_free(&o->p_index);
	gt_idmap_free(&o->m_index);
	gt_idmap_free(&o->p_holders);
	gt_idmap_free(&o->task_index);
	gt_idmap_free(&o->str_index);
	memset(o, 0, sizeof *o);
}

uint32_t gt_order_intern(gt_order *o, const uint8_t *s, size_t len)
{
	uint64_t h = gt_hash_bytes(s, len);
	uint32_t id;

	/* Probe successive hash keys until the string or a gap is found. */
	for (;; h++) {
		const gt_interned *e;

		if (!gt_idmap_get(&o->str_index, h, &id))
			break;
		e = o->strs[id];
		if (e->len == len && memcmp(e->data, s, len) == 0)
			return id;
	}
	if (GT_GROW(o->strs, o->strs_cap, o->nstrs + 1) != 0)
		return NONE;
	id = (uint32_t)o->nstrs;
	o->strs[id] = malloc(sizeof(gt_interned) + len + 1);
	if (o->strs[id] == NULL)
		return NONE;
	if (len > 0)
		memcpy(o->strs[id]->data, s, len);
	o->strs[id]->data[len] = '\0';
	o->strs[id]->len = len;
	if (gt_idmap_put(&o->str_index, h, id) != 0) {
		free(o->strs[id]);
		return NONE;
	}
	o->nstrs++;
	return id;
}

const gt_interned *gt_order_string(const gt_order *o, uint32_t id)
{
	return id < o->nstrs ? o->strs[id] : NULL;
}

/* ---- dependency tracking ------------------------------------------------ */

void gt_order_track(gt_order *o, int on)
{
	o->track = on;
	o->ntouched = 0;
	o->nchanged = 0;
	o->touched_all = 0;
	o->nwaits = 0;
	o->waits_unknown = 0;
}

/* The state of a resource now. */
static void snapshot(const gt_order *o, uint8_t kind, int64_t id,
                     gt_touch *t)
{
	uint32_t i;

	memset(t, 0, sizeof *t);
	t->kind = kind;
	t->id = id;
	switch (kind) {
	case GT_RES_G:
		if (gt_gidmap_get(&o->g_index, (uint64_t)id, &i)) {
			t->exists = 1;
			t->status = o->gs[i].status;
			t->seq = o->gs[i].seq.seq;
		}
		break;
	case GT_RES_P:
		if (gt_idmap_get(&o->p_index, (uint64_t)id, &i)) {
			t->exists = 1;
			t->status = o->ps[i].status;
			t->seq = o->ps[i].seq.seq;
		}
		break;
	case GT_RES_M:
		if (gt_idmap_get(&o->m_index, (uint64_t)id, &i)) {
			t->exists = 1;
			t->g = o->ms[i].g;
			t->p = o->ms[i].p;
		}
		break;
	default:
		t->exists = 1;
		t->status = o->gc_state;
		t->seq = o->gc_seq;
		break;
	}
}

static int same_state(const gt_touch *a, const gt_touch *b)
{
	return a->exists == b->exists && a->status == b->status &&
	       a->seq == b->seq && a->g == b->g && a->p == b->p;
}

/* Notes a resource about to be looked up (and maybe changed): its state
 * the first time this advance sees it. */
static void touch_tracked(gt_order *o, uint8_t kind, int64_t id)
{
	size_t i;

	for (i = 0; i < o->ntouched; i++)
		if (o->touched[i].kind == kind && o->touched[i].id == id)
			return;
	if (o->ntouched == GT_MAX_TOUCHES) {
		o->touched_all = 1;
		return;
	}
	snapshot(o, kind, id, &o->touched[o->ntouched++]);
}

/* Inline, since every lookup calls it and tracking is mostly off. */
static inline void touch(gt_order *o, uint8_t kind, int64_t id)
{
	if (o->track)
		touch_tracked(o, kind, id);
}

/* After an acceptance: which of the touched resources changed. */
static void collect_changes(gt_order *o)
{
	size_t i;

	o->nchanged = 0;
	for (i = 0; i < o->ntouched; i++) {
		gt_touch now;

		snapshot(o, o->touched[i].kind, o->touched[i].id, &now);
		if (!same_state(&o->touched[i], &now))
			o->changed[o->nchanged++] = now;
	}
}

static void add_wait(gt_order *o, uint8_t kind, int by_state, int64_t id,
                     uint64_t seq, uint8_t status)
{
	gt_wait *w;

	if (!o->track)
		return;
	if (o->nwaits == GT_MAX_WAITS) {
		/* No rule adds this many; if one did, wait for any change. */
		o->waits_unknown = 1;
		return;
	}
	w = &o->waits[o->nwaits++];
	w->kind = kind;
	w->by_state = (uint8_t)by_state;
	w->id = id;
	w->seq = seq;
	w->status = status;
}

/* The refused event needs resource id in status with sequence number
 * next - 1 (unsigned arithmetic, as in gt_seq_succeeds()). */
static void wait_state(gt_order *o, uint8_t kind, int64_t id, uint64_t next,
                       uint8_t status)
{
	add_wait(o, kind, 1, id, next - 1, status);
}

static void wait_any(gt_order *o, uint8_t kind, int64_t id)
{
	add_wait(o, kind, 0, id, 0, 0);
}

/* ---- storage lookups (each one a possible change, when tracking) -------- */

static inline gt_gstate *get_g(gt_order *o, int64_t id)
{
	touch(o, GT_RES_G, id);
	return gt_order_find_g(o, id);
}

/* Adds goroutine id without a speculative engine's notes (add_g). */
static gt_gstate *new_g(gt_order *o, int64_t id, uint8_t status, gt_seq seq)
{
	uint32_t i;

	touch(o, GT_RES_G, id);
	if (o->gs_free != NONE) {
		i = o->gs_free;
		o->gs_free = o->gs[i].next_free;
	} else {
		if (GT_GROW(o->gs, o->gs_cap, o->ngs + 1) != 0)
			return NULL;
		i = (uint32_t)o->ngs++;
		memset(&o->gs[i], 0, sizeof o->gs[i]);
	}
	if (gt_gidmap_put(&o->g_index, (uint64_t)id, i) != 0) {
		o->gs[i].next_free = o->gs_free;
		o->gs_free = i;
		return NULL;
	}
	return gt_order_init_g(o, i, id, status, seq);
}

/* A speculative engine notes the goroutines from before the generation
 * that end in it: it knows they no longer exist, and gt_spec_merge
 * removes them. (One born in the generation that ends is as unknown to
 * the true state as one never seen: nothing to note.) */
void gt_order_note_death(gt_order *o, int64_t id)
{
	gt_speculation *sp = o->spec;

	if (GT_GROW(sp->dead, sp->dead_cap, sp->ndead + 1) != 0 ||
	    gt_idmap_put(&sp->g_absent, (uint64_t)id, 0) != 0) {
		sp->nomem = 1;
		return;
	}
	sp->dead[sp->ndead++] = id;
}

gt_gstate *gt_order_add_g(gt_order *o, int64_t id, uint8_t status, gt_seq seq)
{
	gt_gstate *gs = new_g(o, id, status, seq);

	if (gs != NULL && o->spec != NULL && o->spec->g_absent.len > 0)
		gt_idmap_del(&o->spec->g_absent, (uint64_t)id);
	return gs;
}


static void delete_g(gt_order *o, int64_t id)
{
	gt_gstate *gs = get_g(o, id);

	if (gs != NULL)
		gt_order_remove_g(o, gs);
}

static gt_pstate *get_p(gt_order *o, int64_t id)
{
	uint32_t i;

	touch(o, GT_RES_P, id);
	return gt_idmap_get(&o->p_index, (uint64_t)id, &i) ? &o->ps[i] : NULL;
}

static gt_pstate *new_p(gt_order *o, int64_t id, uint8_t status, gt_seq seq)
{
	gt_pstate *s;

	touch(o, GT_RES_P, id);
	if (GT_GROW(o->ps, o->ps_cap, o->nps + 1) != 0 ||
	    gt_idmap_put(&o->p_index, (uint64_t)id, (uint32_t)o->nps) != 0)
		return NULL;
	s = &o->ps[o->nps++];
	memset(s, 0, sizeof *s);
	s->id = id;
	s->status = status;
	s->seq = seq;
	return s;
}

static gt_mstate *get_m(gt_order *o, int64_t id)
{
	uint32_t i;

	touch(o, GT_RES_M, id);
	return gt_idmap_get(&o->m_index, (uint64_t)id, &i) ? &o->ms[i] : NULL;
}

/*
 * Changes the P an M holds, keeping each P's list of holders (a crafted
 * trace can make several Ms claim one P). Returns 0 or -1 if memory ran
 * out.
 */
static int set_m_proc(gt_order *o, gt_mstate *ms, int64_t p)
{
	uint32_t slot = (uint32_t)(ms - o->ms), head;

	if (ms->p == p)
		return 0;
	if (o->spec != NULL) {
		ms->pseq = ++o->spec->pseq;
		if (ms->unk & GT_MU_P)
			ms->unk |= GT_MU_P_WAS_UNK;
		else
			ms->unk &= (uint8_t)~GT_MU_P_WAS_UNK;
	}
	if (ms->p != GT_NO_ID) {
		if (ms->hprev != NONE)
			o->ms[ms->hprev].hnext = ms->hnext;
		else if (ms->hnext != NONE)
			gt_idmap_put(&o->p_holders, (uint64_t)ms->p, ms->hnext);
		else
			gt_idmap_del(&o->p_holders, (uint64_t)ms->p);
		if (ms->hnext != NONE)
			o->ms[ms->hnext].hprev = ms->hprev;
		ms->hprev = ms->hnext = NONE;
	}
	ms->p = p;
	if (p == GT_NO_ID)
		return 0;
	ms->hnext = gt_idmap_get(&o->p_holders, (uint64_t)p, &head) ? head : NONE;
	if (gt_idmap_put(&o->p_holders, (uint64_t)p, slot) != 0) {
		ms->p = GT_NO_ID;
		ms->hnext = NONE;
		return -1;
	}
	if (ms->hnext != NONE)
		o->ms[ms->hnext].hprev = slot;
	return 0;
}

static gt_mstate *new_m(gt_order *o, int64_t id, int64_t g, int64_t p)
{
	gt_mstate *s;

	touch(o, GT_RES_M, id);
	if (GT_GROW(o->ms, o->ms_cap, o->nms + 1) != 0 ||
	    gt_idmap_put(&o->m_index, (uint64_t)id, (uint32_t)o->nms) != 0)
		return NULL;
	s = &o->ms[o->nms++];
	s->id = id;
	s->g = g;
	s->p = GT_NO_ID;
	s->hprev = s->hnext = NONE;
	s->g_slot = NONE;
	s->pseq = 0;
	/* A speculative engine's new M may have had a context before. */
	s->unk = o->spec != NULL ? GT_MU_P | GT_MU_G : 0;
	if (p != GT_NO_ID && set_m_proc(o, s, p) != 0)
		return NULL;
	return s;
}

/* A new slot at the queue's tail, or NULL if memory ran out. */
static gt_event *push_slot(gt_order *o)
{
	if (o->qlen == o->qcap) {
		size_t ncap = o->qcap ? o->qcap * 2 : 16, i;
		gt_event *nq = malloc(ncap * sizeof *nq);

		if (nq == NULL)
			return NULL;
		for (i = 0; i < o->qlen; i++)
			nq[i] = o->queue[(o->qhead + i) & (o->qcap - 1)];
		free(o->queue);
		o->queue = nq;
		o->qcap = ncap;
		o->qhead = 0;
	}
	/* qcap is a power of two: the ring index is a mask, not a division. */
	return &o->queue[(o->qhead + o->qlen++) & (o->qcap - 1)];
}

/* ---- helpers for the rules ---------------------------------------------- */

/* A scheduling context. unk (GT_MU_P, GT_MU_G; speculative engines
 * only): p or g is what M m held when the generation began, which the
 * engine does not know (the field holds GT_NO_ID). */
typedef struct ctx {
	int64_t m, p, g;
	uint8_t unk;
} ctx;

/* Sets a context's P or G, which is then known. */
#define SET_P(c, v) ((c)->p = (v), (c)->unk &= (uint8_t)~GT_MU_P)
#define SET_G(c, v) ((c)->g = (v), (c)->unk &= (uint8_t)~GT_MU_G)

typedef struct step {
	gt_order *o;
	gt_event *ev;
	const gt_generation *g;
	uint64_t gen;
	struct gotrace_error *err;
	uint32_t mslot;          /* the advancing M's slot in o->ms */
	char name_buf[32];
} step;

static GT_COLD GT_PRINTF(2, 3) int fail(step *s, const char *fmt, ...)
{
	char msg[GT_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	gt_error_set(s->err, GOTRACE_ERR_INVALID, 0, NULL, "%s", msg);
	return GOTRACE_ERR_INVALID;
}

static GT_COLD int nomem(step *s)
{
	gt_error_set(s->err, GOTRACE_ERR_NOMEM, 0, "ordering", "out of memory");
	return GOTRACE_ERR_NOMEM;
}

static const char *ev_name(step *s)
{
	return event_type_name(s->o->version, s->ev->type, s->name_buf,
	                          sizeof s->name_buf);
}

/* ---- speculation (speculate.h): assumptions and giving up -------------------- */

/* The speculative engine cannot decide without the state it lacks. */
static GT_COLD int give_up_at(step *s, int reason, int line)
{
	if (s->o->spec->reason == GT_GIVEUP_NONE) {
		s->o->spec->reason = reason;
		s->o->spec->line = line;
		s->o->spec->type = s->ev->type;
	}
	return GT_ORDER_GIVE_UP;
}

#define give_up(s, reason) give_up_at((s), (reason), __LINE__)

/* Notes that the state before the generation must be as kind, id and val
 * say (speculate.h) for what the engine does next to be right. */
static GT_COLD int assume_extra(step *s, uint8_t kind, int64_t id,
                                 uint64_t val, int64_t extra)
{
	gt_speculation *sp = s->o->spec;

	if (GT_GROW(sp->pending, sp->pending_cap, sp->npending + 1) != 0)
		return nomem(s);
	sp->pending[sp->npending].kind = kind;
	sp->pending[sp->npending].id = id;
	sp->pending[sp->npending].extra = extra;
	sp->pending[sp->npending++].val = val;
	return 0;
}

static GT_COLD int assume(step *s, uint8_t kind, int64_t id, uint64_t val)
{
	return assume_extra(s, kind, id, val, 0);
}

/* Goroutine id in a speculative engine: its state if the engine has it;
 * else NULL, with *unknown set unless the engine knows there is none. */
static gt_gstate *spec_g(gt_order *o, int64_t id, int *unknown)
{
	gt_gstate *gs = gt_order_find_g(o, id);
	uint32_t v;

	*unknown = gs == NULL && o->spec != NULL &&
	           !gt_idmap_get(&o->spec->g_absent, (uint64_t)id, &v);
	return gs;
}

/* Takes in goroutine id, which existed before the generation in status
 * (0 with GT_SF_STATUS_UNK: unknown), its sequence number one of an
 * earlier generation. */
static gt_gstate *inherit_g(step *s, int64_t id, uint8_t status,
                            uint8_t sflags)
{
	gt_seq old = {0, 0};
	gt_gstate *gs = new_g(s->o, id, status, old);

	if (gs != NULL)
		gs->sflags = (uint8_t)(GT_SF_INHERITED | GT_SF_SEQ_UNK | sflags);
	return gs;
}

/* Goroutine id, which must exist (in status want, unless want is 0) or
 * the event is an error: what a rule that requires it sees. *out is NULL
 * if it does not exist; the rule then fails as it would have. */
static int need_g(step *s, int64_t id, uint8_t want, gt_gstate **out)
{
	int unknown;
	gt_gstate *gs = spec_g(s->o, id, &unknown);
	int rc;

	*out = gs;
	if (unknown) {
		rc = assume(s, want ? GT_A_G_STATUS : GT_A_G_EXISTS, id, want);
		if (rc != 0)
			return rc;
		gs = inherit_g(s, id, want, want ? 0 : GT_SF_STATUS_UNK);
		if (gs == NULL)
			return nomem(s);
	} else if (gs != NULL && want != 0 &&
	           (gs->sflags & GT_SF_STATUS_UNK)) {
		/* Still in the status it had before: that must be want. */
		rc = assume(s, GT_A_G_STATUS, id, want);
		if (rc != 0)
			return rc;
		gs->status = want;
		gs->sflags &= (uint8_t)~GT_SF_STATUS_UNK;
	}
	*out = gs;
	return 0;
}

/* P id, in a speculative engine that does not have it: only its
 * sequence number says whether a rule may proceed, and one of an earlier
 * generation never follows. Rules needing more give up. */
static GT_COLD int unknown_p(step *s)
{
	return give_up(s, GT_GIVEUP_PROC);
}

/* What a context's unknown parts leave to the reader (speculate.h). */
static inline uint8_t ctx_marks(ctx c)
{
	return (uint8_t)((c.unk & GT_MU_P ? GT_SPEC_CTX_P : 0) |
	                 (c.unk & GT_MU_G ? GT_SPEC_CTX_G : 0));
}

/* check_ctx's part for a context with unknown parts: what the rule
 * requires of them is assumed (and, for none, known from then on). */
static GT_COLD int check_unknown_ctx(step *s, ctx *c, int p, int g)
{
	gt_mstate *ms = &s->o->ms[s->mslot];
	int rc;

	if (c->unk & GT_MU_P) {
		if (p == MUST && !(ms->unk & GT_MU_P_SOME)) {
			rc = assume(s, GT_A_M_P_SOME, c->m, 0);
			if (rc != 0)
				return rc;
			ms->unk |= GT_MU_P_SOME;
		} else if (p == MUST_NOT) {
			if (ms->unk & GT_MU_P_SOME)
				return give_up(s, GT_GIVEUP_ERROR);
			rc = assume(s, GT_A_M_P, c->m, (uint64_t)GT_NO_ID);
			if (rc != 0)
				return rc;
			SET_P(c, GT_NO_ID);
			ms->unk &= (uint8_t)~GT_MU_P;
		}
	}
	if (c->unk & GT_MU_G) {
		if (g == MUST && !(ms->unk & GT_MU_G_SOME)) {
			rc = assume(s, GT_A_M_G_SOME, c->m, 0);
			if (rc != 0)
				return rc;
			ms->unk |= GT_MU_G_SOME;
		} else if (g == MUST_NOT) {
			if (ms->unk & GT_MU_G_SOME)
				return give_up(s, GT_GIVEUP_ERROR);
			rc = assume(s, GT_A_M_G, c->m, (uint64_t)GT_NO_ID);
			if (rc != 0)
				return rc;
			SET_G(c, GT_NO_ID);
			ms->unk &= (uint8_t)~GT_MU_G;
		}
	}
	return 0;
}

/* The rules' checks of the context (Go's schedCtx requirements). */
static GT_ALWAYS_INLINE int check_ctx(step *s, ctx *c, int m, int p, int g)
{
	if (c->unk != 0) {
		int rc = check_unknown_ctx(s, c, p, g);

		if (rc != 0)
			return rc;
	}
	if (m == MUST && c->m == GT_NO_ID)
		return fail(s, "expected a thread but didn't have one");
	if (m == MUST_NOT && c->m != GT_NO_ID)
		return fail(s, "expected no thread but had one");
	if (p == MUST && c->p == GT_NO_ID && !(c->unk & GT_MU_P))
		return fail(s, "expected a proc but didn't have one");
	if (p == MUST_NOT && c->p != GT_NO_ID)
		return fail(s, "expected no proc but had one");
	if (g == MUST && c->g == GT_NO_ID && !(c->unk & GT_MU_G))
		return fail(s, "expected a goroutine but didn't have one");
	if (g == MUST_NOT && c->g != GT_NO_ID)
		return fail(s, "expected no goroutine but had one");
	return 0;
}

#define CHECK_CTX(s, c, m, p, g)                                   \
	do {                                                       \
		int rc_ = check_ctx((s), &(c), (m), (p), (g));     \
		if (rc_ != 0)                                      \
			return rc_;                                \
	} while (0)

/* A rule about to use the identity of the context's G or P, which a
 * speculative engine may not know: it gives up then. */
#define NEED_CTX(s, c, bit)                                        \
	do {                                                       \
		if ((c).unk & (bit))                               \
			return give_up((s), GT_GIVEUP_CONTEXT);    \
	} while (0)

/* Queues the event being advanced, with context c; in place if it is
 * the first in line, which saves a copy for most events. */
static GT_ALWAYS_INLINE int queue_ev(step *s, ctx c)
{
	gt_event *e = s->ev;

	if (s->o->qlen == 0) {
		s->o->in_place = 1;
	} else {
		if ((e = push_slot(s->o)) == NULL)
			return nomem(s);
		e->time = s->ev->time;
		memcpy(e->args, s->ev->args, sizeof e->args);
		e->type = s->ev->type;
		e->spec = s->ev->spec;
		e->gslot = s->ev->gslot;
	}
	if (c.unk != 0)
		e->spec |= ctx_marks(c);
	e->m = c.m;
	e->p = c.p;
	e->g = c.g;
	e->gen = s->g;
	return 0;
}

/* Queues an event the engine infers from another; gslot: the slot of the
 * goroutine it moves, or GT_NO_SLOT. */
static int queue_extra(step *s, ctx c, uint8_t type, uint64_t a0, uint64_t a1,
                       uint64_t a3, uint32_t gslot)
{
	gt_event *e = push_slot(s->o);

	if (e == NULL)
		return nomem(s);
	memset(e, 0, sizeof *e);
	e->gslot = gslot;
	e->type = type;
	e->spec = ctx_marks(c);
	e->time = s->ev->time;
	e->m = c.m;
	e->p = c.p;
	e->g = c.g;
	e->args[0] = a0;
	e->args[1] = a1;
	e->args[3] = a3;
	e->gen = s->g;
	return 0;
}

static uint8_t range_start_type(uint8_t type)
{
	switch (type) {
	case GOTRACE_WIRE_STW_END: return GOTRACE_WIRE_STW_BEGIN;
	case GOTRACE_WIRE_GC_ACTIVE:
	case GOTRACE_WIRE_GC_END: return GOTRACE_WIRE_GC_BEGIN;
	case GOTRACE_WIRE_GC_SWEEP_ACTIVE:
	case GOTRACE_WIRE_GC_SWEEP_END: return GOTRACE_WIRE_GC_SWEEP_BEGIN;
	case GOTRACE_WIRE_GC_MARK_ASSIST_ACTIVE:
	case GOTRACE_WIRE_GC_MARK_ASSIST_END: return GOTRACE_WIRE_GC_MARK_ASSIST_BEGIN;
	case GOTRACE_WIRE_USER_REGION_END: return GOTRACE_WIRE_USER_REGION_BEGIN;
	case GOTRACE_WIRE_GO_SYSCALL_END:
	case GOTRACE_WIRE_GO_SYSCALL_END_BLOCKED: return GOTRACE_WIRE_GO_SYSCALL_BEGIN;
	default: return type;
	}
}

static int has_range(const gt_ranges *r, gt_range t)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->items[i].type == t.type && r->items[i].desc == t.desc)
			return 1;
	return 0;
}

static int add_range(step *s, gt_ranges *r, gt_range t)
{
	if (GT_GROW(r->items, r->cap, r->n + 1) != 0)
		return nomem(s);
	r->items[r->n++] = t;
	return 0;
}

/*
 * The range operations. inherited: the resource is a speculative engine's
 * from before the generation (GT_SF_INHERITED), whose ranges r holds only
 * those begun in the generation; what depends on the others is left to
 * the reader, which keeps the true ones (GT_SPEC_RANGE).
 */
static int begin_range(step *s, gt_ranges *r, gt_range t, int inherited)
{
	if (has_range(r, t))
		return fail(s, "discovered event already in-flight for when "
		               "starting event %s", gt_specs[t.type].name);
	if (inherited)
		s->ev->spec |= GT_SPEC_RANGE;
	return add_range(s, r, t);
}

static int active_range(step *s, gt_ranges *r, gt_range t, int initial,
                        int inherited)
{
	if (inherited) {
		s->ev->spec |= GT_SPEC_RANGE;
		return 0;
	}
	if (initial) {
		if (has_range(r, t))
			return fail(s, "found named active range already in first "
			               "gen: {%u %" PRIu64 "}", t.type, t.desc);
		return add_range(s, r, t);
	}
	if (!has_range(r, t)) {
		char list[1024];
		size_t len = 0, i;

		len += (size_t)snprintf(list, sizeof list, "[");
		for (i = 0; i < r->n && len < sizeof list; i++)
			len += (size_t)snprintf(list + len, sizeof list - len,
			                        "%s{%u %" PRIu64 "}", i ? " " : "",
			                        r->items[i].type, r->items[i].desc);
		if (len < sizeof list)
			snprintf(list + len, sizeof list - len, "]");
		return fail(s, "resource is missing active range: %s %s",
		            gt_specs[t.type].name, list);
	}
	return 0;
}

/* Ends the range started by the end event type; stores its desc (0 if
 * the reader is to find it: inherited, and none begun in the generation). */
static int end_range(step *s, gt_ranges *r, uint8_t end_type, uint64_t *desc,
                     int inherited)
{
	uint8_t st = range_start_type(end_type);
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (r->items[i].type == st) {
			*desc = r->items[i].desc;
			r->items[i] = r->items[r->n - 1];
			r->n--;
			if (inherited)
				s->ev->spec |= GT_SPEC_RANGE | GT_SPEC_RANGE_LOCAL;
			return 0;
		}
	}
	if (inherited) {
		*desc = 0;
		s->ev->spec |= GT_SPEC_RANGE;
		return 0;
	}
	return fail(s, "tried to end event %s, but not in-flight",
	            gt_specs[st].name);
}

/* ---- the rules, one per kind of event ----------------------------------- */

/*
 * In a speculative engine (o->spec != NULL, speculate.h) every rule below meets
 * state it may not have: a goroutine, P, task or M context from before the
 * generation, the GC cycle. The rule then decides what it would decide
 * whatever that state was, or assumes (assume()) what lets the event be
 * valid, or marks what of the event the reader must fill in, or gives up
 * (give_up()). An engine without spec never meets unknown state: every
 * branch on it is dead there, and its decisions are those of Go's parser.
 */

/*
 * ProcStatus(SyscallAbandoned) of a P a speculative engine does not have.
 * It is assumed in a syscall and held by an M — the usual case: that M is
 * blocked in the syscall, and the thread starting the generation reports
 * its P — and the event's context is that M's, which the reader fills in
 * (GT_SPEC_HOLDER) from the true state and what the engine knows of each
 * M by now (GT_A_M_KNOWN).
 */
static int abandoned_p(step *s, ctx *cur, ctx *next, int64_t pid)
{
	gt_order *o = s->o;
	gt_seq z = {s->gen, 0};
	gt_pstate *ps;
	size_t i;
	int rc;

	rc = assume(s, GT_A_P_SYSCALL, pid, 0);
	for (i = 0; rc == 0 && i < o->nms; i++) {
		const gt_mstate *ms = &o->ms[i];
		uint8_t known = (uint8_t)((ms->unk & GT_MU_P ? 0 : 1) |
		                          (ms->unk & GT_MU_G ? 0 : 2));

		if (known != 0)
			rc = assume_extra(s, GT_A_M_KNOWN, ms->id, known, ms->g);
	}
	if (rc != 0)
		return rc;
	if ((ps = new_p(o, pid, GT_WIRE_PROC_SYSCALL, z)) == NULL)
		return nomem(s);
	ps->sflags = GT_SF_INHERITED;
	s->ev->args[1] = GT_WIRE_PROC_SYSCALL;
	s->ev->args[2] = GOTRACE_PROC_RUNNING;
	s->ev->spec |= GT_SPEC_HOLDER;
	*next = *cur;
	cur->p = pid;
	cur->unk = 0;
	return queue_ev(s, *cur);
}

static int proc_status(step *s, ctx *cur, ctx *next)
{
	gt_order *o = s->o;
	int64_t pid = (int64_t)s->ev->args[0];
	/* Go reads the status as a uint8: higher bits are dropped. */
	uint64_t status = (uint8_t)s->ev->args[1];
	uint8_t old;
	gt_pstate *ps;

	if (status >= GT_WIRE_PROC_STATUSES)
		return fail(s, "invalid status for proc %" PRId64 ": %" PRIu64,
		            pid, status);
	old = gt_wire_proc_state(status);
	ps = get_p(o, pid);
	if (ps != NULL) {
		if (status == GT_WIRE_PROC_ABANDONED &&
		    ps->status == GT_WIRE_PROC_SYSCALL) {
			/* Its holder's context, below, may be one the
			 * speculative engine does not know. */
			if (o->spec != NULL)
				return give_up(s, GT_GIVEUP_ABANDONED);
			old = GOTRACE_PROC_RUNNING;
			s->ev->args[1] = GT_WIRE_PROC_SYSCALL;
		} else if (status == GT_WIRE_PROC_ABANDONED &&
		           ps->status == GT_WIRE_PROC_ABANDONED) {
			old = GOTRACE_PROC_IDLE;
			s->ev->args[1] = GT_WIRE_PROC_ABANDONED;
		} else if (ps->status != status) {
			return fail(s, "inconsistent status for proc %" PRId64
			               ": old %s vs. new %s", pid,
			            proc_status_name(ps->status),
			            proc_status_name((unsigned)status));
		}
		ps->seq.gen = s->gen;
		ps->seq.seq = 0;
		ps->sflags &= (uint8_t)~GT_SF_SEQ_UNK;
	} else if (o->spec != NULL) {
		gt_seq z = {s->gen, 0};
		int rc;

		/* Unknown P: it did not exist (old state NotExist) or was in
		 * this status (old state the status's); the reader tells
		 * which. An abandoned one depends on more. */
		if (status == GT_WIRE_PROC_ABANDONED)
			return abandoned_p(s, cur, next, pid);
		rc = assume(s, GT_A_P_ABSENT_OR, pid, status);
		if (rc != 0)
			return rc;
		if ((ps = new_p(o, pid, (uint8_t)status, z)) == NULL)
			return nomem(s);
		ps->sflags = GT_SF_INHERITED;
		s->ev->spec |= GT_SPEC_PROC_OLD;
	} else {
		gt_seq z = {s->gen, 0};

		if (new_p(o, pid, (uint8_t)status, z) == NULL)
			return nomem(s);
		old = s->gen == o->initial_gen ? GOTRACE_PROC_UNDETERMINED
		                               : GOTRACE_PROC_NOT_EXIST;
	}
	s->ev->args[2] = old;
	*next = *cur;
	if (status == GT_WIRE_PROC_RUNNING || status == GT_WIRE_PROC_SYSCALL)
		SET_P(next, pid);
	if (status == GT_WIRE_PROC_ABANDONED && old == GOTRACE_PROC_RUNNING) {
		/* The P is about to be stolen; its status belongs to the M that
		 * holds it, not necessarily the one that wrote it. (If several
		 * claim it, Go picks one at random; this is the last to.) */
		uint32_t slot;

		if (!gt_idmap_get(&o->p_holders, (uint64_t)pid, &slot))
			return fail(s, "failed to find sched context for proc %" PRId64
			               " that's about to be stolen", pid);
		cur->m = o->ms[slot].id;
		cur->p = pid;
		cur->g = o->ms[slot].g;
	}
	return queue_ev(s, *cur);
}

static int proc_start(step *s, ctx cur, ctx *next, int *ok)
{
	int64_t pid = (int64_t)s->ev->args[0];
	gt_seq seq = {s->gen, s->ev->args[1]};
	gt_pstate *ps = get_p(s->o, pid);

	/* A P the speculative engine does not have cannot follow. */
	if (ps == NULL || ps->status != GT_WIRE_PROC_IDLE ||
	    !gt_seq_succeeds(seq, ps->seq) || cur.p != GT_NO_ID) {
		wait_state(s->o, GT_RES_P, pid, seq.seq, GT_WIRE_PROC_IDLE);
		*ok = 0;
		return 0;
	}
	/* An M whose P is unknown: assumed to have none (check_ctx). */
	CHECK_CTX(s, cur, MUST, MUST_NOT, MAY);
	ps->status = GT_WIRE_PROC_RUNNING;
	ps->seq = seq;
	*next = cur;
	SET_P(next, pid);
	return queue_ev(s, cur);
}

static int proc_stop(step *s, ctx cur, ctx *next)
{
	gt_pstate *ps;

	NEED_CTX(s, cur, GT_MU_P);
	ps = get_p(s->o, cur.p);
	if (ps == NULL && s->o->spec != NULL)
		return unknown_p(s);
	if (ps == NULL)
		return fail(s, "event %s for proc (%" PRId64 ") that doesn't exist",
		            ev_name(s), cur.p);
	if (ps->status != GT_WIRE_PROC_RUNNING &&
	    ps->status != GT_WIRE_PROC_SYSCALL)
		return fail(s, "%s event for proc that's not Running or Syscall",
		            ev_name(s));
	CHECK_CTX(s, cur, MUST, MUST, MAY);
	ps->status = GT_WIRE_PROC_IDLE;
	*next = cur;
	SET_P(next, GT_NO_ID);
	return queue_ev(s, cur);
}

/* M mid, the victim of a steal of P pid, in a speculative engine: it must
 * hold pid (or the event is an error). NULL if it does not exist. */
static int steal_victim(step *s, int64_t mid, int64_t pid, gt_mstate **out)
{
	gt_order *o = s->o;
	gt_mstate *victim = get_m(o, mid);
	int rc;

	*out = victim;
	if (victim == NULL && o->spec != NULL) {
		rc = assume(s, GT_A_M_STEAL, mid, (uint64_t)pid);
		if (rc != 0)
			return rc;
		if ((victim = new_m(o, mid, GT_NO_ID, GT_NO_ID)) == NULL)
			return nomem(s);
		victim->unk = GT_MU_G;
		if (set_m_proc(o, victim, pid) != 0)
			return nomem(s);
		/* Not a change of P: it held pid before the generation. */
		victim->pseq = 0;
		victim->unk = GT_MU_G;
	} else if (victim != NULL && (victim->unk & GT_MU_P)) {
		rc = assume(s, GT_A_M_P, mid, (uint64_t)pid);
		if (rc != 0)
			return rc;
		victim->unk &= (uint8_t)~(GT_MU_P | GT_MU_P_SOME);
		victim->p = GT_NO_ID;
		if (set_m_proc(o, victim, pid) != 0)
			return nomem(s);
		victim->pseq = 0;
		victim->unk &= (uint8_t)~GT_MU_P_WAS_UNK;
	}
	*out = victim;
	return 0;
}

static int proc_steal(step *s, ctx cur, ctx *next, int *ok)
{
	int64_t pid = (int64_t)s->ev->args[0];
	gt_seq seq = {s->gen, s->ev->args[1]};
	gt_pstate *ps = get_p(s->o, pid);
	int64_t mid;
	uint8_t old;
	gt_mstate *victim;
	int rc;

	if (ps == NULL || (ps->status != GT_WIRE_PROC_SYSCALL &&
	                   ps->status != GT_WIRE_PROC_ABANDONED) ||
	    !gt_seq_succeeds(seq, ps->seq)) {
		wait_state(s->o, GT_RES_P, pid, seq.seq,
		           GT_WIRE_PROC_SYSCALL);
		wait_state(s->o, GT_RES_P, pid, seq.seq,
		           GT_WIRE_PROC_ABANDONED);
		*ok = 0;
		return 0;
	}
	CHECK_CTX(s, cur, MUST, MAY, MAY);
	old = ps->status;
	s->ev->args[3] = old;
	ps->status = GT_WIRE_PROC_IDLE;
	ps->seq = seq;
	*next = cur;
	if (old == GT_WIRE_PROC_ABANDONED)
		return queue_ev(s, cur);
	mid = (int64_t)s->ev->args[2];
	if (mid == cur.m) {
		if (cur.unk & GT_MU_P) {
			/* It must have held pid all along. */
			gt_mstate *ms = &s->o->ms[s->mslot];

			rc = assume(s, GT_A_M_P, cur.m, (uint64_t)pid);
			if (rc != 0)
				return rc;
			ms->unk &= (uint8_t)~(GT_MU_P | GT_MU_P_SOME);
			if (set_m_proc(s->o, ms, pid) != 0)
				return nomem(s);
			ms->pseq = 0;
			ms->unk &= (uint8_t)~GT_MU_P_WAS_UNK;
			SET_P(&cur, pid);
		}
		if (cur.p != pid)
			return fail(s, "tried to self-steal proc %" PRId64 " (thread %"
			               PRId64 "), but got proc %" PRId64 " instead",
			            pid, mid, cur.p);
		*next = cur;
		SET_P(next, GT_NO_ID);
		return queue_ev(s, cur);
	}
	rc = steal_victim(s, mid, pid, &victim);
	if (rc != 0)
		return rc;
	if (victim == NULL)
		return fail(s, "stole proc from non-existent thread %" PRId64, mid);
	if (victim->p != pid)
		return fail(s, "tried to steal proc %" PRId64 " from thread %" PRId64
		               ", but got proc %" PRId64 " instead",
		            pid, mid, victim->p);
	set_m_proc(s->o, victim, GT_NO_ID);
	return queue_ev(s, cur);
}

/* GoStatus(Syscall) for M mid, not the writer, in a speculative engine
 * that does not have mid: it did not exist (the event's context keeps
 * the writer's G) or it held the goroutine (the reader fills that in). */
static int syscall_other_m(step *s, ctx *cur, int64_t gid, int64_t mid)
{
	gt_mstate *ms;
	int rc;

	if (cur->unk != 0)
		return give_up(s, GT_GIVEUP_CONTEXT);
	rc = assume(s, GT_A_M_SYSCALL, mid, (uint64_t)gid);
	if (rc != 0)
		return rc;
	if ((ms = new_m(s->o, mid, gid, GT_NO_ID)) == NULL)
		return nomem(s);
	ms->unk = GT_MU_P;
	s->ev->spec |= GT_SPEC_SYSM;
	cur->m = mid;
	return queue_ev(s, *cur);
}

static int go_status(step *s, ctx *cur, ctx *next)
{
	gt_order *o = s->o;
	int64_t gid = (int64_t)s->ev->args[0];
	int64_t mid = (int64_t)s->ev->args[1];
	uint64_t status = (uint8_t)s->ev->args[2]; /* a uint8 in Go */
	uint8_t state, old;
	gt_gstate *gs;
	int unknown, rc;

	if (status >= GT_WIRE_GO_STATUSES)
		return fail(s, "invalid status for goroutine %" PRId64 ": %" PRIu64,
		            gid, status);
	state = gt_wire_go_state(status);
	old = state;
	touch(o, GT_RES_G, gid);
	gs = spec_g(o, gid, &unknown);
	/* (The assumptions here, that the goroutine existed in this
	 * status, are carried by the event: GT_SPEC_GSTATUS.) */
	if (gs != NULL && (gs->sflags & GT_SF_STATUS_UNK)) {
		/* Still in the status it had before the generation. */
		s->ev->spec |= GT_SPEC_GSTATUS;
		gs->status = state;
		gs->sflags &= (uint8_t)~GT_SF_STATUS_UNK;
	} else if (unknown) {
		s->ev->spec |= GT_SPEC_GSTATUS;
		if ((gs = inherit_g(s, gid, state, 0)) == NULL)
			return nomem(s);
	}
	if (gs != NULL) {
		if (gs->status != state)
			return fail(s, "inconsistent status for goroutine %" PRId64
			               ": old %s vs. new %s", gid,
			            go_status_name(gs->status),
			            go_status_name(state));
		gs->seq.gen = s->gen;
		gs->seq.seq = 0;
		gs->sflags &= (uint8_t)~GT_SF_SEQ_UNK;
	} else if (s->gen == o->initial_gen) {
		gt_seq z = {s->gen, 0};

		if (gt_order_add_g(o, gid, state, z) == NULL)
			return nomem(s);
		old = GOTRACE_GO_UNDETERMINED;
	} else {
		return fail(s, "found goroutine status for new goroutine after the "
		               "first generation: id=%" PRId64 " status=%s",
		            gid, go_status_name(state));
	}
	s->ev->args[2] = (uint64_t)old << 32 | state;
	*next = *cur;
	if (state == GOTRACE_GO_RUNNING) {
		SET_G(next, gid);
	} else if (state == GOTRACE_GO_SYSCALL) {
		gt_mstate *ms;

		if (mid == GT_NO_ID)
			return fail(s, "found goroutine %" PRId64
			               " in syscall without a thread", gid);
		if (mid == cur->m) {
			if (s->gen != o->initial_gen && (cur->unk & GT_MU_G)) {
				/* The thread must have had it all along. */
				ms = &o->ms[s->mslot];
				rc = assume(s, GT_A_M_G, cur->m, (uint64_t)gid);
				if (rc != 0)
					return rc;
				ms->g = gid;
				ms->unk &= (uint8_t)~(GT_MU_G | GT_MU_G_SOME);
				SET_G(cur, gid);
			}
			if (s->gen != o->initial_gen && cur->g != gid)
				return fail(s, "inconsistent thread for syscalling "
				               "goroutine %" PRId64 ": thread has "
				               "goroutine %" PRId64, gid, cur->g);
			*next = *cur;
			SET_G(next, gid);
			return queue_ev(s, *cur);
		}
		ms = get_m(o, mid);
		if (ms == NULL && o->spec != NULL)
			return syscall_other_m(s, cur, gid, mid);
		if (ms != NULL) {
			/* The context printed is the writer's but for these. */
			if (cur->unk & GT_MU_P)
				return give_up(s, GT_GIVEUP_CONTEXT);
			if (ms->unk & GT_MU_G) {
				rc = assume(s, GT_A_M_G, mid, (uint64_t)gid);
				if (rc != 0)
					return rc;
				ms->g = gid;
				ms->unk &= (uint8_t)~(GT_MU_G | GT_MU_G_SOME);
			}
			if (ms->g != gid)
				return fail(s, "inconsistent thread for syscalling "
				               "goroutine %" PRId64 ": thread has "
				               "goroutine %" PRId64, gid, ms->g);
			SET_G(cur, ms->g);
		} else if (new_m(o, mid, gid, GT_NO_ID) == NULL) {
			return nomem(s);
		}
		cur->m = mid;
	}
	return queue_ev(s, *cur);
}

/* A goroutine about to be created, which must not exist. */
static int new_goroutine(step *s, int64_t newg, int in_syscall)
{
	int unknown, rc;
	gt_gstate *gs;

	touch(s->o, GT_RES_G, newg);
	gs = spec_g(s->o, newg, &unknown);
	(void)rc;
	if (gs != NULL)
		return fail(s, "tried to create goroutine (%" PRId64 ")%s that "
		               "already exists", newg,
		            in_syscall ? " in syscall" : "");
	/* The commonest assumption, carried by the event itself. */
	if (unknown)
		s->ev->spec |= GT_SPEC_NEWG;
	return 0;
}

static int go_create(step *s, ctx cur)
{
	int64_t newg = (int64_t)s->ev->args[0];
	gt_gstate *gs;
	gt_seq z = {s->gen, 0};
	int unknown, rc;

	CHECK_CTX(s, cur, MUST, MUST, MAY);
	NEED_CTX(s, cur, GT_MU_G);
	touch(s->o, GT_RES_G, cur.g);
	gs = spec_g(s->o, cur.g, &unknown);
	if (unknown) {
		/* A goroutine still running, or none: only "none" (no G in
		 * the context) comes up, and is assumed once. */
		if (cur.g != GT_NO_ID)
			return give_up(s, GT_GIVEUP_OTHER);
		if (!s->o->spec->none_g_checked) {
			rc = assume(s, GT_A_G_ABSENT_OR_RUNNING, cur.g, 0);
			if (rc != 0)
				return rc;
			s->o->spec->none_g_checked = 1;
		}
	} else if (gs != NULL && (gs->sflags & GT_SF_STATUS_UNK)) {
		if ((rc = need_g(s, cur.g, GOTRACE_GO_RUNNING, &gs)) != 0)
			return rc;
	}
	if (gs != NULL && gs->status != GOTRACE_GO_RUNNING)
		return fail(s, "%s event for goroutine that's not Running",
		            ev_name(s));
	rc = new_goroutine(s, newg, 0);
	if (rc != 0)
		return rc;
	if (gt_order_add_g(s->o, newg,
	                   s->ev->type == GOTRACE_WIRE_GO_CREATE_BLOCKED
	                   ? GOTRACE_GO_WAITING : GOTRACE_GO_RUNNABLE,
	                   z) == NULL)
		return nomem(s);
	return queue_ev(s, cur);
}

/* The current goroutine must exist and be running (or in a syscall). */
static GT_ALWAYS_INLINE int current_g(step *s, ctx cur, uint8_t want,
                                      const char *want_name, gt_gstate **out)
{
	gt_gstate *gs = get_g(s->o, cur.g);

	*out = gs;
	if (s->o->spec != NULL) {
		int rc;

		NEED_CTX(s, cur, GT_MU_G);
		if ((rc = need_g(s, cur.g, want, &gs)) != 0)
			return rc;
	}
	*out = gs;
	if (gs == NULL)
		return fail(s, "event %s for goroutine (%" PRId64
		               ") that doesn't exist", ev_name(s), cur.g);
	if (gs->status != want)
		return fail(s, "%s event for goroutine that's not %s", ev_name(s),
		            want_name);
	return 0;
}

static int go_stop_exec(step *s, ctx cur, ctx *next)
{
	gt_gstate *gs;
	int rc;

	CHECK_CTX(s, cur, MUST, MUST, MUST);
	rc = current_g(s, cur, GOTRACE_GO_RUNNING, "Running", &gs);
	if (rc != 0)
		return rc;
	*next = cur;
	SET_G(next, GT_NO_ID);
	switch (s->ev->type) {
	case GOTRACE_WIRE_GO_DESTROY:
		/* Delivered after its index entry is gone: the state machine
		 * finds its record by the slot. */
		s->ev->gslot = gs->slot;
		delete_g(s->o, cur.g);
		break;
	case GOTRACE_WIRE_GO_STOP:
		gs->status = GOTRACE_GO_RUNNABLE;
		break;
	default:
		gs->status = GOTRACE_GO_WAITING;
		break;
	}
	return queue_ev(s, cur);
}

static int go_start(step *s, ctx cur, ctx *next, int *ok)
{
	int64_t gid = (int64_t)s->ev->args[0];
	gt_seq seq = {s->gen, s->ev->args[1]};
	gt_gstate *gs = get_g(s->o, gid);

	/* One the speculative engine does not have cannot follow. */
	if (!gt_order_g_next(gs, GOTRACE_GO_RUNNABLE, seq.gen, seq.seq)) {
		wait_state(s->o, GT_RES_G, gid, seq.seq, GOTRACE_GO_RUNNABLE);
		*ok = 0;
		return 0;
	}
	CHECK_CTX(s, cur, MUST, MUST, MUST_NOT);
	gs->status = GOTRACE_GO_RUNNING;
	gs->seq = seq;
	*next = cur;
	SET_G(next, gid);
	return queue_ev(s, cur);
}

static int go_unblock(step *s, ctx cur, int *ok)
{
	int64_t gid = (int64_t)s->ev->args[0];
	gt_seq seq = {s->gen, s->ev->args[1]};
	gt_gstate *gs = get_g(s->o, gid);

	if (!gt_order_g_next(gs, GOTRACE_GO_WAITING, seq.gen, seq.seq)) {
		wait_state(s->o, GT_RES_G, gid, seq.seq, GOTRACE_GO_WAITING);
		*ok = 0;
		return 0;
	}
	gs->status = GOTRACE_GO_RUNNABLE;
	gs->seq = seq;
	return queue_ev(s, cur);
}

static int go_switch(step *s, ctx cur, ctx *next, int *ok)
{
	int64_t nextg = (int64_t)s->ev->args[0];
	gt_seq seq = {s->gen, s->ev->args[1]};
	gt_gstate *curgs, *nextgs;
	ctx start;
	int rc;

	CHECK_CTX(s, cur, MUST, MUST, MUST);
	rc = current_g(s, cur, GOTRACE_GO_RUNNING, "Running", &curgs);
	if (rc != 0)
		return rc;
	nextgs = get_g(s->o, nextg);
	if (!gt_order_g_next(nextgs, GOTRACE_GO_WAITING, seq.gen, seq.seq)) {
		/* The checks above passed on the current G's state. */
		wait_state(s->o, GT_RES_G, nextg, seq.seq, GOTRACE_GO_WAITING);
		wait_any(s->o, GT_RES_G, cur.g);
		*ok = 0;
		return 0;
	}
	rc = queue_ev(s, cur);
	if (rc != 0)
		return rc;
	if (s->ev->type == GOTRACE_WIRE_GO_SWITCH) {
		curgs->status = GOTRACE_GO_WAITING;
		rc = queue_extra(s, cur, GOTRACE_WIRE_GO_BLOCK, 0, 0, 0,
		                 curgs->slot);
	} else {
		/* As in go_stop_exec: the slot is how the ended goroutine is
		 * found once its index entry is gone. */
		uint32_t slot = curgs->slot;

		delete_g(s->o, cur.g);
		rc = queue_extra(s, cur, GOTRACE_WIRE_GO_DESTROY, 0, 0, 0, slot);
	}
	if (rc != 0)
		return rc;
	/* delete_g may have recycled curgs; look nextg up again. */
	nextgs = get_g(s->o, nextg);
	nextgs->status = GOTRACE_GO_RUNNING;
	nextgs->seq = seq;
	*next = cur;
	SET_G(next, nextg);
	start = cur;
	SET_G(&start, GT_NO_ID);
	return queue_extra(s, start, GOTRACE_WIRE_GO_START, (uint64_t)nextg,
	                   s->ev->args[1], 0, nextgs->slot);
}

/* The P in the context, which a rule looks up: a speculative engine must
 * know which it is and have it. */
static int ctx_p(step *s, ctx cur, gt_pstate **out)
{
	NEED_CTX(s, cur, GT_MU_P);
	*out = get_p(s->o, cur.p);
	if (*out == NULL && s->o->spec != NULL)
		return unknown_p(s);
	return 0;
}

static int syscall_begin(step *s, ctx cur)
{
	gt_gstate *gs;
	gt_pstate *ps;
	gt_seq pseq = {s->gen, s->ev->args[0]};
	int rc;

	CHECK_CTX(s, cur, MUST, MUST, MUST);
	rc = current_g(s, cur, GOTRACE_GO_RUNNING, "Running", &gs);
	if (rc != 0)
		return rc;
	if ((rc = ctx_p(s, cur, &ps)) != 0)
		return rc;
	gs->status = GOTRACE_GO_SYSCALL;
	if (ps == NULL)
		return fail(s, "uninitialized proc %" PRId64 " found during %s",
		            cur.p, ev_name(s));
	ps->status = GT_WIRE_PROC_SYSCALL;
	if (!gt_seq_succeeds(pseq, ps->seq))
		return fail(s, "failed to advance %s: can't make sequence: %" PRIu64
		               " (gen=%" PRIu64 ") -> %" PRIu64 " (gen=%" PRIu64 ")",
		            ev_name(s), ps->seq.seq, ps->seq.gen, pseq.seq, pseq.gen);
	ps->seq = pseq;
	return queue_ev(s, cur);
}

static int syscall_end(step *s, ctx cur)
{
	gt_gstate *gs;
	gt_pstate *ps;
	int rc;

	CHECK_CTX(s, cur, MUST, MUST, MUST);
	rc = current_g(s, cur, GOTRACE_GO_SYSCALL, "Running", &gs);
	if (rc != 0)
		return rc;
	if ((rc = ctx_p(s, cur, &ps)) != 0)
		return rc;
	gs->status = GOTRACE_GO_RUNNING;
	if (ps == NULL)
		return fail(s, "uninitialized proc %" PRId64 " found during %s",
		            cur.p, ev_name(s));
	if (ps->status != GT_WIRE_PROC_SYSCALL)
		return fail(s, "expected proc %" PRId64 " in state Syscall, but got "
		               "%s instead", cur.p, proc_status_name(ps->status));
	ps->status = GT_WIRE_PROC_RUNNING;
	return queue_ev(s, cur);
}

static int syscall_end_blocked(step *s, ctx cur, ctx *next, int *ok)
{
	gt_gstate *gs;
	int rc;

	/* An M whose P is unknown is assumed to have lost it, as one does
	 * whose P was stolen during the syscall (else it would wait here
	 * for the steal). */
	if ((cur.unk & GT_MU_P) &&
	    (rc = check_unknown_ctx(s, &cur, MUST_NOT, MAY)) != 0)
		return rc;
	if (cur.p != GT_NO_ID) {
		gt_pstate *ps;

		if ((rc = ctx_p(s, cur, &ps)) != 0)
			return rc;
		if (ps == NULL)
			return fail(s, "uninitialized proc %" PRId64 " found during %s",
			            cur.p, ev_name(s));
		if (ps->status == GT_WIRE_PROC_SYSCALL) {
			wait_any(s->o, GT_RES_P, cur.p);
			*ok = 0;
			return 0;
		}
	}
	CHECK_CTX(s, cur, MUST, MAY, MUST);
	rc = current_g(s, cur, GOTRACE_GO_SYSCALL, "Running", &gs);
	if (rc != 0)
		return rc;
	*next = cur;
	SET_G(next, GT_NO_ID);
	gs->status = GOTRACE_GO_RUNNABLE;
	return queue_ev(s, cur);
}

static int create_syscall(step *s, ctx cur, ctx *next)
{
	int64_t newg = (int64_t)s->ev->args[0];
	gt_seq z = {s->gen, 0};
	int rc;

	CHECK_CTX(s, cur, MUST, MAY, MUST_NOT);
	rc = new_goroutine(s, newg, 1);
	if (rc != 0)
		return rc;
	if (gt_order_add_g(s->o, newg, GOTRACE_GO_SYSCALL, z) == NULL)
		return nomem(s);
	*next = cur;
	SET_G(next, newg);
	return queue_ev(s, cur);
}

static int destroy_syscall(step *s, ctx cur, ctx *next)
{
	gt_gstate *gs;
	int rc;

	CHECK_CTX(s, cur, MUST, MAY, MUST);
	rc = current_g(s, cur, GOTRACE_GO_SYSCALL, "Syscall", &gs);
	if (rc != 0)
		return rc;
	/* An M whose P is unknown is assumed to hold none, as a thread
	 * leaving a cgo callback usually does. */
	if ((cur.unk & GT_MU_P) &&
	    (rc = check_unknown_ctx(s, &cur, MUST_NOT, MAY)) != 0)
		return rc;
	s->ev->gslot = gs->slot;     /* as in go_stop_exec */
	delete_g(s->o, cur.g);
	*next = cur;
	SET_G(next, GT_NO_ID);
	if (cur.p != GT_NO_ID) {
		gt_pstate *ps;

		if ((rc = ctx_p(s, cur, &ps)) != 0)
			return rc;
		if (ps == NULL)
			return fail(s, "found invalid proc %" PRId64 " during %s",
			            cur.p, ev_name(s));
		if (ps->status != GT_WIRE_PROC_SYSCALL)
			return fail(s, "proc %" PRId64 " in unexpected state %s during %s",
			            cur.p, proc_status_name(ps->status), ev_name(s));
		ps->status = GT_WIRE_PROC_ABANDONED;
		SET_P(next, GT_NO_ID);
		rc = queue_extra(s, cur, GOTRACE_WIRE_PROC_STEAL, (uint64_t)cur.p, 0,
		                 GT_WIRE_PROC_SYSCALL, GT_NO_SLOT);
		if (rc != 0)
			return rc;
	}
	return queue_ev(s, cur);
}

static int lookup_string(step *s, uint64_t id, gt_string *out)
{
	if (!gt_generation_string(s->g, id, out))
		return fail(s, "invalid string ID %" PRIu64 " for %u event", id,
		            s->ev->type);
	return 0;
}

/* Whether task id is active: 1 with *idx, 0, or -1 if a speculative
 * engine does not know (it began before the generation, or never). */
static int find_task(gt_order *o, uint64_t id, uint32_t *idx)
{
	uint32_t v;

	if (gt_idmap_get(&o->task_index, id, idx))
		return 1;
	if (o->spec == NULL || gt_idmap_get(&o->spec->task_absent, id, &v))
		return 0;
	return -1;
}

static int task_begin(step *s, ctx cur)
{
	gt_order *o = s->o;
	uint64_t id = s->ev->args[0];
	uint64_t parent = s->ev->args[1];
	gt_string name = {NULL, 0, 0}; /* set by lookup_string */
	uint32_t idx, nid;
	int rc, found = find_task(o, id, &idx);

	if (found > 0)
		return fail(s, "task ID conflict: %" PRIu64, id);
	if (found < 0)
		s->ev->spec |= GT_SPEC_NEWTASK; /* an assumption, in the event */
	if (parent == 0) {
		parent = NO_TASK;
		s->ev->args[1] = NO_TASK;
	}
	rc = lookup_string(s, s->ev->args[2], &name);
	if (rc != 0)
		return rc;
	nid = gt_order_intern(o, name.data, name.len);
	if (nid == NONE || GT_GROW(o->tasks, o->tasks_cap, o->ntasks + 1) != 0 ||
	    gt_idmap_put(&o->task_index, id, (uint32_t)o->ntasks) != 0)
		return nomem(s);
	o->tasks[o->ntasks].id = id;
	o->tasks[o->ntasks].parent = parent;
	o->tasks[o->ntasks].name = nid;
	o->ntasks++;
	CHECK_CTX(s, cur, MUST, MUST, MUST);
	return queue_ev(s, cur);
}

static void remove_task(gt_order *o, uint64_t id, uint32_t idx)
{
	uint32_t last = (uint32_t)o->ntasks - 1;

	gt_idmap_del(&o->task_index, id);
	if (idx != last) {
		o->tasks[idx] = o->tasks[last];
		gt_idmap_put(&o->task_index, o->tasks[idx].id, idx);
	}
	o->ntasks--;
}

static int task_end(step *s, ctx cur)
{
	gt_order *o = s->o;
	uint64_t id = s->ev->args[0];
	uint32_t idx;
	int found = find_task(o, id, &idx);

	/* args[2] = parent, args[3] = the interned name itself (it may come
	 * from an earlier generation's string table; see gt_event). */
	if (found > 0) {
		s->ev->args[2] = o->tasks[idx].parent;
		s->ev->args[3] = (uint64_t)(uintptr_t)gt_order_string(
			o, o->tasks[idx].name);
		remove_task(o, id, idx);
		if (o->spec != NULL && GT_GROW(o->spec->ended, o->spec->ended_cap,
		                               o->spec->nended + 1) != 0)
			return nomem(s);
		if (o->spec != NULL)
			o->spec->ended[o->spec->nended++] = id;
	} else {
		uint32_t empty = gt_order_intern(o, (const uint8_t *)"", 0);

		if (empty == NONE)
			return nomem(s);
		s->ev->args[2] = NO_TASK;
		s->ev->args[3] = (uint64_t)(uintptr_t)gt_order_string(o, empty);
		/* Unknown: the reader fills in what the task had, if any. */
		if (found < 0) {
			s->ev->spec |= GT_SPEC_TASK;
			if (GT_GROW(o->spec->ended, o->spec->ended_cap,
			            o->spec->nended + 1) != 0)
				return nomem(s);
			o->spec->ended[o->spec->nended++] = id;
		}
	}
	if (o->spec != NULL &&
	    gt_idmap_put(&o->spec->task_absent, id, 0) != 0)
		return nomem(s);
	CHECK_CTX(s, cur, MUST, MUST, MUST);
	return queue_ev(s, cur);
}

static int region(step *s, ctx cur, int begin)
{
	gt_order *o = s->o;
	gt_string name = {NULL, 0, 0}; /* set by lookup_string */
	gt_gstate *gs;
	gt_region r;
	int rc;

	CHECK_CTX(s, cur, MUST, MUST, MUST);
	rc = lookup_string(s, s->ev->args[1], &name);
	if (rc != 0)
		return rc;
	gs = get_g(o, cur.g);
	if (o->spec != NULL) {
		NEED_CTX(s, cur, GT_MU_G);
		if ((rc = need_g(s, cur.g, 0, &gs)) != 0)
			return rc;
	}
	if (gs == NULL)
		return fail(s, "encountered %s without known state for current "
		               "goroutine %" PRId64,
		            begin ? "EvUserRegionBegin" : "EvUserRegionEnd", cur.g);
	r.task = s->ev->args[0];
	r.name = gt_order_intern(o, name.data, name.len);
	if (r.name == NONE)
		return nomem(s);
	if (begin) {
		if (GT_GROW(gs->regions, gs->regions_cap, gs->nregions + 1) != 0)
			return nomem(s);
		gs->regions[gs->nregions++] = r;
	} else if (gs->nregions > 0) {
		gt_region top = gs->regions[gs->nregions - 1];

		if (top.task != r.task || top.name != r.name) {
			const gt_interned *tn = gt_order_string(o, top.name);

			/* Region names are trace strings, NULs and all. */
			fail(s, "misuse of region in goroutine %" PRId64
			        ": region end {%" PRIu64 " ", gs->id, r.task);
			gt_error_append(s->err, name.data, name.len);
			gt_error_appendf(s->err, "} when the inner-most active "
			                 "region start event is {%" PRIu64 " ",
			                 top.task);
			gt_error_append(s->err, tn->data, tn->len);
			gt_error_appendf(s->err, "}");
			return GOTRACE_ERR_INVALID;
		}
		gs->nregions--;
	} else if (gs->sflags & GT_SF_INHERITED) {
		/* The regions it had before the generation are the
		 * reader's. */
		s->ev->spec |= GT_SPEC_REGION;
	}
	return queue_ev(s, cur);
}

/* A GC event meeting a speculative engine's unknown cycle: assumed to
 * follow (the reader checks it against the true cycle), which sets the
 * cycle. Returns 1 having done so, 0 if the cycle is known, or an error. */
static int gc_unknown(step *s, uint8_t state)
{
	gt_order *o = s->o;
	int rc;

	if (o->spec == NULL || o->spec->gc_known)
		return 0;
	rc = assume(s, GT_A_GC, (int64_t)s->ev->args[0], s->ev->type);
	if (rc != 0)
		return rc;
	o->spec->gc_known = 1;
	o->gc_seq = s->ev->args[0];
	o->gc_state = state;
	return 1;
}

static int gc_active(step *s, ctx cur, int *ok)
{
	gt_order *o = s->o;
	uint64_t seq = s->ev->args[0];
	int rc;

	if (s->gen == o->initial_gen) {
		if (o->gc_state != GC_UNDETERMINED)
			return fail(s, "GCActive in the first generation isn't first "
			               "GC event");
		o->gc_seq = seq;
		o->gc_state = GC_RUNNING;
		return queue_ev(s, cur);
	}
	if ((rc = gc_unknown(s, GC_RUNNING)) < 0)
		return rc;
	if (rc == 0) {
		if (seq != o->gc_seq + 1) {
			wait_state(o, GT_RES_GC, 0, seq, 0);
			*ok = 0;
			return 0;
		}
		if (o->gc_state != GC_RUNNING)
			return fail(s, "encountered GCActive while GC was not in "
			               "progress");
	}
	o->gc_seq = seq;
	CHECK_CTX(s, cur, MUST, MUST, MUST);
	return queue_ev(s, cur);
}

static int gc_begin(step *s, ctx cur, int *ok)
{
	gt_order *o = s->o;
	uint64_t seq = s->ev->args[0];
	int rc;

	/* (Unknown: whether the context is checked depends on the true
	 * cycle; it is, which may only cost a needless fallback.) */
	if ((rc = gc_unknown(s, GC_RUNNING)) < 0)
		return rc;
	if (rc == 0) {
		if (o->gc_state == GC_UNDETERMINED) {
			o->gc_seq = seq;
			o->gc_state = GC_RUNNING;
			return queue_ev(s, cur);
		}
		if (seq != o->gc_seq + 1) {
			wait_state(o, GT_RES_GC, 0, seq, 0);
			*ok = 0;
			return 0;
		}
		if (o->gc_state == GC_RUNNING)
			return fail(s, "encountered GCBegin while GC was already in "
			               "progress");
	}
	o->gc_seq = seq;
	o->gc_state = GC_RUNNING;
	CHECK_CTX(s, cur, MUST, MUST, MUST);
	return queue_ev(s, cur);
}

static int gc_end(step *s, ctx cur, int *ok)
{
	gt_order *o = s->o;
	uint64_t seq = s->ev->args[0];
	int rc;

	if ((rc = gc_unknown(s, GC_NOT_RUNNING)) < 0)
		return rc;
	if (rc == 0) {
		if (seq != o->gc_seq + 1) {
			wait_state(o, GT_RES_GC, 0, seq, 0);
			*ok = 0;
			return 0;
		}
		if (o->gc_state == GC_NOT_RUNNING)
			return fail(s, "encountered GCEnd when GC was not in "
			               "progress");
		if (o->gc_state == GC_UNDETERMINED)
			return fail(s, "encountered GCEnd when GC was in an "
			               "undetermined state");
	}
	o->gc_seq = seq;
	o->gc_state = GC_NOT_RUNNING;
	CHECK_CTX(s, cur, MUST, MUST, MUST);
	return queue_ev(s, cur);
}

static int sweep(step *s, ctx cur)
{
	gt_order *o = s->o;
	uint8_t type = s->ev->type;
	gt_range r = {GOTRACE_WIRE_GC_SWEEP_BEGIN, 0};
	gt_pstate *ps;
	int rc, inherited;

	if (type == GOTRACE_WIRE_GC_SWEEP_ACTIVE) {
		int64_t pid = (int64_t)s->ev->args[0];

		ps = get_p(o, pid);
		if (ps == NULL && o->spec != NULL)
			return unknown_p(s);
		if (ps == NULL)
			return fail(s, "encountered GCSweepActive for unknown proc %"
			               PRId64, pid);
		rc = active_range(s, &ps->ranges, r, s->gen == o->initial_gen,
		                  ps->sflags & GT_SF_INHERITED);
		return rc != 0 ? rc : queue_ev(s, cur);
	}
	CHECK_CTX(s, cur, MUST, MUST, MAY);
	if ((rc = ctx_p(s, cur, &ps)) != 0)
		return rc;
	if (ps == NULL)
		return fail(s, "uninitialized proc %" PRId64 " found during %s",
		            cur.p, ev_name(s));
	inherited = ps->sflags & GT_SF_INHERITED;
	if (type == GOTRACE_WIRE_GC_SWEEP_BEGIN) {
		rc = begin_range(s, &ps->ranges, r, inherited);
	} else {
		uint64_t desc;

		rc = end_range(s, &ps->ranges, type, &desc, inherited);
	}
	return rc != 0 ? rc : queue_ev(s, cur);
}

static int go_range(step *s, ctx cur)
{
	gt_order *o = s->o;
	uint8_t type = s->ev->type;
	gt_gstate *gs;
	int rc;

	if (type == GOTRACE_WIRE_GC_MARK_ASSIST_ACTIVE) {
		int64_t gid = (int64_t)s->ev->args[0];
		gt_range r = {GOTRACE_WIRE_GC_MARK_ASSIST_BEGIN, 0};

		gs = get_g(o, gid);
		if (o->spec != NULL && (rc = need_g(s, gid, 0, &gs)) != 0)
			return rc;
		if (gs == NULL)
			return fail(s, "uninitialized goroutine %" PRId64
			               " found during %s", gid, ev_name(s));
		rc = active_range(s, &gs->ranges, r, s->gen == o->initial_gen,
		                  gs->sflags & GT_SF_INHERITED);
		return rc != 0 ? rc : queue_ev(s, cur);
	}
	CHECK_CTX(s, cur, MUST, MUST, MUST);
	gs = get_g(o, cur.g);
	if (o->spec != NULL) {
		NEED_CTX(s, cur, GT_MU_G);
		if ((rc = need_g(s, cur.g, 0, &gs)) != 0)
			return rc;
	}
	if (gs == NULL)
		return fail(s, "encountered event of type %u without known state "
		               "for current goroutine %" PRId64, type, cur.g);
	if (type == GOTRACE_WIRE_STW_BEGIN ||
	    type == GOTRACE_WIRE_GC_MARK_ASSIST_BEGIN) {
		gt_range r = {type, type == GOTRACE_WIRE_STW_BEGIN ? s->ev->args[0]
		                                                  : 0};

		rc = begin_range(s, &gs->ranges, r, gs->sflags & GT_SF_INHERITED);
	} else {
		uint64_t desc = 0;

		rc = end_range(s, &gs->ranges, type, &desc,
		               gs->sflags & GT_SF_INHERITED);
		if (rc == 0 && type == GOTRACE_WIRE_STW_END)
			s->ev->args[0] = desc;
	}
	return rc != 0 ? rc : queue_ev(s, cur);
}

int gt_order_advance(gt_order *o, gt_event *ev, const gt_generation *g,
                     int64_t m, uint32_t *m_hint, struct gotrace_error *err)
{
	uint64_t gen = g->gen;
	step s;
	ctx cur, next;
	gt_mstate *ms = NULL;
	uint32_t mslot = 0;
	int ok = 1, rc;

	if (o->initial_gen == 0)
		o->initial_gen = gen;
	o->in_place = 0;
	if (o->track) {
		o->ntouched = 0;
		o->nchanged = 0;
		o->touched_all = 0;
		o->nwaits = 0;
		o->waits_unknown = 0;
		/* GC rules read the cycle directly. */
		touch(o, GT_RES_GC, 0);
	}
	s.o = o;
	s.ev = ev;
	s.g = g;
	s.gen = gen;
	s.err = err;
	s.mslot = 0;
	if (o->spec != NULL)
		ev->spec = 0;
	cur.m = m;
	cur.p = GT_NO_ID;
	cur.g = GT_NO_ID;
	cur.unk = 0;
	if (m != GT_NO_ID) {
		/* Ms are never removed, so the caller can keep its M's slot. */
		if (m_hint != NULL && *m_hint < o->nms && o->ms[*m_hint].id == m) {
			touch(o, GT_RES_M, m);
			ms = &o->ms[*m_hint];
		} else {
			ms = get_m(o, m);
		}
		if (ms == NULL) {
			ms = new_m(o, m, GT_NO_ID, GT_NO_ID);
			if (ms == NULL)
				return nomem(&s);
		}
		mslot = (uint32_t)(ms - o->ms);
		s.mslot = mslot;
		if (m_hint != NULL)
			*m_hint = mslot;
		cur.p = ms->p;
		cur.g = ms->g;
		cur.unk = ms->unk & (GT_MU_P | GT_MU_G);
	}
	next = cur;
	switch (ev->type) {
	case GOTRACE_WIRE_PROCS_CHANGE:
	case GOTRACE_WIRE_GO_LABEL:
	case GOTRACE_WIRE_USER_LOG:
		rc = check_ctx(&s, &cur, MUST, MUST, MUST);
		if (rc == 0)
			rc = queue_ev(&s, cur);
		break;
	case GOTRACE_WIRE_PROC_START: rc = proc_start(&s, cur, &next, &ok); break;
	case GOTRACE_WIRE_PROC_STOP: rc = proc_stop(&s, cur, &next); break;
	case GOTRACE_WIRE_PROC_STEAL: rc = proc_steal(&s, cur, &next, &ok); break;
	case GOTRACE_WIRE_PROC_STATUS: rc = proc_status(&s, &cur, &next); break;
	case GOTRACE_WIRE_GO_CREATE:
	case GOTRACE_WIRE_GO_CREATE_BLOCKED: rc = go_create(&s, cur); break;
	case GOTRACE_WIRE_GO_CREATE_SYSCALL: rc = create_syscall(&s, cur, &next); break;
	case GOTRACE_WIRE_GO_START: rc = go_start(&s, cur, &next, &ok); break;
	case GOTRACE_WIRE_GO_DESTROY:
	case GOTRACE_WIRE_GO_STOP:
	case GOTRACE_WIRE_GO_BLOCK: rc = go_stop_exec(&s, cur, &next); break;
	case GOTRACE_WIRE_GO_DESTROY_SYSCALL: rc = destroy_syscall(&s, cur, &next); break;
	case GOTRACE_WIRE_GO_UNBLOCK: rc = go_unblock(&s, cur, &ok); break;
	case GOTRACE_WIRE_GO_SYSCALL_BEGIN: rc = syscall_begin(&s, cur); break;
	case GOTRACE_WIRE_GO_SYSCALL_END: rc = syscall_end(&s, cur); break;
	case GOTRACE_WIRE_GO_SYSCALL_END_BLOCKED:
		rc = syscall_end_blocked(&s, cur, &next, &ok);
		break;
	case GOTRACE_WIRE_GO_STATUS:
	case GOTRACE_WIRE_GO_STATUS_STACK: rc = go_status(&s, &cur, &next); break;
	case GOTRACE_WIRE_STW_BEGIN:
	case GOTRACE_WIRE_STW_END:
	case GOTRACE_WIRE_GC_MARK_ASSIST_ACTIVE:
	case GOTRACE_WIRE_GC_MARK_ASSIST_BEGIN:
	case GOTRACE_WIRE_GC_MARK_ASSIST_END: rc = go_range(&s, cur); break;
	case GOTRACE_WIRE_GC_ACTIVE: rc = gc_active(&s, cur, &ok); break;
	case GOTRACE_WIRE_GC_BEGIN: rc = gc_begin(&s, cur, &ok); break;
	case GOTRACE_WIRE_GC_END: rc = gc_end(&s, cur, &ok); break;
	case GOTRACE_WIRE_GC_SWEEP_ACTIVE:
	case GOTRACE_WIRE_GC_SWEEP_BEGIN:
	case GOTRACE_WIRE_GC_SWEEP_END: rc = sweep(&s, cur); break;
	case GOTRACE_WIRE_HEAP_ALLOC:
	case GOTRACE_WIRE_HEAP_GOAL:
		rc = check_ctx(&s, &cur, MUST, MUST, MAY);
		if (rc == 0)
			rc = queue_ev(&s, cur);
		break;
	case GOTRACE_WIRE_USER_TASK_BEGIN: rc = task_begin(&s, cur); break;
	case GOTRACE_WIRE_USER_TASK_END: rc = task_end(&s, cur); break;
	case GOTRACE_WIRE_USER_REGION_BEGIN: rc = region(&s, cur, 1); break;
	case GOTRACE_WIRE_USER_REGION_END: rc = region(&s, cur, 0); break;
	case GOTRACE_WIRE_GO_SWITCH:
	case GOTRACE_WIRE_GO_SWITCH_DESTROY: rc = go_switch(&s, cur, &next, &ok); break;
	default:
		if (ev->type >= GOTRACE_WIRE_SPAN &&
		    ev->type <= GOTRACE_WIRE_GOROUTINE_STACK_FREE) {
			rc = check_ctx(&s, &cur, MUST, MAY, MAY);
			if (rc == 0)
				rc = queue_ev(&s, cur);
			break;
		}
		rc = fail(&s, "bad event type found while ordering: %u", ev->type);
		break;
	}
	if (rc != 0)
		return rc;
	if (!ok && m != GT_NO_ID) {
		/* Every refusal also read the M's own context. */
		wait_any(o, GT_RES_M, m);
	}
	if (!ok && o->spec != NULL)
		ev->spec = 0;            /* what a refused attempt marked */
	if (ok && ms != NULL) {
		/* ms may have moved if new Ms were added. */
		ms = &o->ms[mslot];
		if (next.unk != 0 || ms->unk != 0) {
			/* A speculative engine's M: what stays unknown stays
			 * as it is (maybe assumed meanwhile). */
			if (!(next.unk & GT_MU_G)) {
				ms->g = next.g;
				ms->unk &= (uint8_t)~(GT_MU_G | GT_MU_G_SOME);
			}
			if (!(next.unk & GT_MU_P)) {
				if (ms->p != next.p && set_m_proc(o, ms, next.p) != 0)
					return nomem(&s);
				ms->unk &= (uint8_t)~(GT_MU_P | GT_MU_P_SOME);
			}
		} else {
			ms->g = next.g;
			if (ms->p != next.p && set_m_proc(o, ms, next.p) != 0)
				return nomem(&s);
		}
	}
	/* The common path (gt_order_advance_common) takes an M by its
	 * hint: not one whose context is partly unknown. */
	if (ms != NULL && m_hint != NULL &&
	    (o->ms[mslot].unk & (GT_MU_P | GT_MU_G)))
		*m_hint = UINT32_MAX;
	if (ok && o->track)
		collect_changes(o);
	return ok;
}

/* ---- for speculation (speculate.c): the true engine's side ------------- */

void gt_order_speculate(gt_order *o, gt_speculation *sp, uint64_t initial_gen)
{
	gt_idmap_clear(&sp->g_absent);
	gt_idmap_clear(&sp->task_absent);
	sp->nended = 0;
	sp->gc_known = 0;
	sp->none_g_checked = 0;
	sp->npending = 0;
	sp->ndead = 0;
	sp->pseq = 0;
	sp->reason = GT_GIVEUP_NONE;
	sp->nomem = 0;
	sp->initial_gen = initial_gen;
	o->spec = sp;
	o->initial_gen = initial_gen;
}

gt_pstate *gt_order_add_p(gt_order *o, int64_t id, uint8_t status, gt_seq seq)
{
	return new_p(o, id, status, seq);
}

gt_mstate *gt_order_add_m(gt_order *o, int64_t id)
{
	return new_m(o, id, GT_NO_ID, GT_NO_ID);
}

int gt_order_set_m_proc(gt_order *o, gt_mstate *ms, int64_t p)
{
	return set_m_proc(o, ms, p);
}

int gt_order_put_task(gt_order *o, uint64_t id, uint64_t parent,
                      uint32_t name)
{
	if (GT_GROW(o->tasks, o->tasks_cap, o->ntasks + 1) != 0 ||
	    gt_idmap_put(&o->task_index, id, (uint32_t)o->ntasks) != 0)
		return -1;
	o->tasks[o->ntasks].id = id;
	o->tasks[o->ntasks].parent = parent;
	o->tasks[o->ntasks].name = name;
	o->ntasks++;
	return 0;
}

void gt_order_drop_task(gt_order *o, uint64_t id)
{
	uint32_t idx;

	if (gt_idmap_get(&o->task_index, id, &idx))
		remove_task(o, id, idx);
}

uint8_t gt_order_proc_old_state(uint64_t status, int existed)
{
	return existed ? gt_wire_proc_state(status) : GOTRACE_PROC_NOT_EXIST;
}

int gt_order_gc_accepts(const gt_order *o, uint8_t type, uint64_t seq)
{
	switch (type) {
	case GOTRACE_WIRE_GC_ACTIVE:
		return seq == o->gc_seq + 1 && o->gc_state == GC_RUNNING;
	case GOTRACE_WIRE_GC_BEGIN:
		return o->gc_state == GC_UNDETERMINED ||
		       (seq == o->gc_seq + 1 && o->gc_state == GC_NOT_RUNNING);
	default:
		return seq == o->gc_seq + 1 && o->gc_state == GC_RUNNING;
	}
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static size_t appendf(char *buf, size_t len, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (len >= cap)
		return len;
	va_start(ap, fmt);
	n = vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return len;
	return len + (size_t)n >= cap ? cap - 1 : len + (size_t)n;
}

static int by_id(const void *a, const void *b)
{
	int64_t x = (*(const gt_gstate *const *)a)->id;
	int64_t y = (*(const gt_gstate *const *)b)->id;

	return x < y ? -1 : x > y;
}

size_t gt_order_dump(const gt_order *o, char *buf, size_t len, size_t cap)
{
	static const char *const gc_names[] = {"Undetermined", "NotRunning",
	                                       "Running"};
	const gt_gstate **live = malloc((o->ngs > 0 ? o->ngs : 1) * sizeof *live);
	size_t i, n = 0;

	for (i = 0; i < o->ngs; i++) {
		const gt_gstate *g = &o->gs[i];

		/* Only live goroutines (freed slots are not in the index). */
		if (!g->live)
			continue;
		if (live != NULL)
			live[n++] = g;
		else
			len = appendf(buf, len, cap, "G %" PRId64 " [status=%s seq=%"
			              PRIu64 " (gen=%" PRIu64 ")]\n", g->id,
			              go_status_name(g->status), g->seq.seq,
			              g->seq.gen);
	}
	/* By ID: which slot a goroutine has depends on the engine's
	 * history, which two engines that reached the same state need not
	 * share (a merged speculative one, speculate.h). (Out of memory:
	 * by slot, above.) */
	if (live != NULL) {
		qsort(live, n, sizeof *live, by_id);
		for (i = 0; i < n; i++)
			len = appendf(buf, len, cap, "G %" PRId64 " [status=%s seq=%"
			              PRIu64 " (gen=%" PRIu64 ")]\n", live[i]->id,
			              go_status_name(live[i]->status),
			              live[i]->seq.seq, live[i]->seq.gen);
		free(live);
	}
	len = appendf(buf, len, cap, "\n");
	for (i = 0; i < o->nps; i++)
		len = appendf(buf, len, cap, "P %" PRId64 " [status=%s seq=%" PRIu64
		              " (gen=%" PRIu64 ")]\n", o->ps[i].id,
		              proc_status_name(o->ps[i].status), o->ps[i].seq.seq,
		              o->ps[i].seq.gen);
	len = appendf(buf, len, cap, "\n");
	for (i = 0; i < o->nms; i++)
		len = appendf(buf, len, cap, "M %" PRId64 " [g=%" PRId64 " p=%" PRId64
		              "]\n", o->ms[i].id, o->ms[i].g, o->ms[i].p);
	len = appendf(buf, len, cap, "\n");
	len = appendf(buf, len, cap, "GC %" PRIu64 " %s\n", o->gc_seq,
	              gc_names[o->gc_state < 3 ? o->gc_state : 0]);
	return len;
}
