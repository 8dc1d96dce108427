/*
 * The scheduler state machine as delivered to the caller: goroutines, Ps
 * and Ms, moved by each StateTransition event. See state.h, which holds
 * the per-event goroutine path inline; here are its rarer steps, the Ps'
 * transitions and the queries.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "state/state.h"
#include "gotrace/wire.h"

void gt_state_init(gt_state *st)
{
	memset(st, 0, sizeof *st);
	memset(st->m_cache, 0xff, sizeof st->m_cache);
	gt_gidmap_init(&st->g_index);
	gt_idmap_init(&st->p_index);
	gt_idmap_init(&st->m_index);
}

void gt_state_free(gt_state *st)
{
	free(st->gs);
	free(st->glive);
	free(st->ghint);
	free(st->ps);
	free(st->ms);
	gt_gidmap_free(&st->g_index);
	gt_idmap_free(&st->p_index);
	gt_idmap_free(&st->m_index);
	memset(st, 0, sizeof *st);
}

const gotrace_goroutine_info *gt_state_query_g(const gt_state *st, int64_t id)
{
	uint32_t i;

	if (st->eng != NULL) {
		size_t k;

		/* With nothing queued, the engine has accepted just what was
		 * delivered, and its index is ours. Events it inferred and
		 * queued (a GoSwitchDestroy's GoDestroy, a GoDestroySyscall
		 * behind its ProcSteal) may still owe us the end of a
		 * goroutine it has removed: look through the list then. */
		if (st->eng->qlen == 0) {
			if (!gt_gidmap_get(&st->eng->g_index, (uint64_t)id, &i) ||
			    i >= st->nslots || st->gs[i].pos >= st->ngs ||
			    st->gs[i].info.id != id)
				return NULL;
			return &st->gs[i].info;
		}
		for (k = 0; k < st->ngs; k++)
			if (st->gs[st->glive[k]].info.id == id)
				return &st->gs[st->glive[k]].info;
		return NULL;
	}
	return gt_gidmap_get(&st->g_index, (uint64_t)id, &i) ? &st->gs[i].info
	                                                    : NULL;
}

void gt_state_slot(gt_state *st, const gt_order *o)
{
	if (st->ngs == 0 && st->nslots == 0)
		st->eng = o;
}

int gt_state_unslot(gt_state *st)
{
	size_t k;

	if (st->eng == NULL)
		return 0;
	for (k = 0; k < st->ngs; k++) {
		uint32_t s = st->glive[k];

		if (gt_gidmap_put(&st->g_index, (uint64_t)st->gs[s].info.id,
		                  s) != 0) {
			gt_gidmap_free(&st->g_index);
			gt_gidmap_init(&st->g_index);
			return -1;
		}
	}
	st->eng = NULL;
	return 0;
}

gt_state_g *gt_state_add_g_at(gt_state *st, int64_t id, uint32_t s)
{
	if (s >= st->nslots) {
		size_t n = (size_t)s + 1, k;

		if (s >= UINT32_MAX - 1 ||
		    gt_grow((void **)&st->gs, &st->gs_cap, n, sizeof *st->gs) != 0 ||
		    gt_grow((void **)&st->glive, &st->glive_cap, n,
		            sizeof *st->glive) != 0)
			return NULL;
		/* The new slots join the free ones, at the list's end. */
		for (k = st->nslots; k < n; k++) {
			st->glive[k] = (uint32_t)k;
			st->gs[k].pos = (uint32_t)k;
		}
		st->nslots = n;
	}
	return gt_state_take_slot(st, s, id);
}

/* Slotted: where goroutine id (which the table does not hold) is to be
 * added, or GT_NO_SLOT if the engine gives no free slot of ours. */
static uint32_t slot_for_new(gt_state *st, int64_t id, uint32_t hint)
{
	uint32_t s = gt_state_eng_slot(st, id, hint);

	if (s != GT_NO_SLOT && s < st->nslots && st->gs[s].pos < st->ngs)
		return GT_NO_SLOT;
	return s;
}

/* remember_hint past the array's end. */
static GT_COLD void remember_hint_grow(gt_state *st, uint32_t hint,
                                       uint32_t s)
{
	size_t cap = st->nghint;

	if (hint == GT_NO_SLOT || hint >= 2 * st->nslots + 1024)
		return;
	if (hint >= cap) {
		if (gt_grow((void **)&st->ghint, &cap, (size_t)hint + 1,
		            sizeof *st->ghint) != 0)
			return;
		memset(st->ghint + st->nghint, 0xff,
		       (cap - st->nghint) * sizeof *st->ghint);
		st->nghint = cap;
	}
	st->ghint[hint] = s;
}

/* Remembers that the engine's slot hint holds the goroutine in slot s. A
 * hint not remembered is only a later miss: so are those far beyond the
 * goroutines this table has held (the engine's slots track the same
 * goroutines, so its slot numbers stay near ours), which bounds the
 * array by the table, whatever hints arrive. */
static inline void remember_hint(gt_state *st, uint32_t hint, uint32_t s)
{
	if (hint < st->nghint)
		st->ghint[hint] = s;
	else
		remember_hint_grow(st, hint, s);
}

gt_state_g *gt_state_find_g_slow(gt_state *st, int64_t id, uint32_t hint)
{
	uint32_t i;

	if (!gt_gidmap_get(&st->g_index, (uint64_t)id, &i))
		return NULL;
	remember_hint(st, hint, i);
	return &st->gs[i];
}

gotrace_proc_info *gt_state_query_p(const gt_state *st, int64_t id)
{
	uint32_t i;

	return gt_idmap_get(&st->p_index, (uint64_t)id, &i) ? &st->ps[i] : NULL;
}

gotrace_thread_info *gt_state_query_m(const gt_state *st, int64_t id)
{
	uint32_t i;

	return gt_idmap_get(&st->m_index, (uint64_t)id, &i) ? &st->ms[i] : NULL;
}

gotrace_thread_info *gt_state_lookup_m_slow(gt_state *st, int64_t id)
{
	gotrace_thread_info *m = gt_state_query_m(st, id);

	if (m != NULL)
		*gt_state_m_cached(st, id) = (uint32_t)(m - st->ms);
	return m;
}

static inline gt_state_g *add_g(gt_state *st, int64_t id, uint32_t hint)
{
	gt_state_g *g;
	uint32_t s;

	if (st->ngs == st->nslots) {
		/* No free slot: a new one, listed first among the free. */
		if (st->nslots >= UINT32_MAX - 1 ||
		    gt_grow((void **)&st->gs, &st->gs_cap, st->nslots + 1,
		            sizeof *st->gs) != 0 ||
		    gt_grow((void **)&st->glive, &st->glive_cap, st->nslots + 1,
		            sizeof *st->glive) != 0)
			return NULL;
		s = (uint32_t)st->nslots++;
		st->glive[s] = s;
		st->gs[s].pos = s;
	}
	s = st->glive[st->ngs];
	if (gt_gidmap_put(&st->g_index, (uint64_t)id, s) != 0)
		return NULL;
	g = gt_state_take_slot(st, s, id);
	remember_hint(st, hint, s);
	return g;
}

gt_state_g *gt_state_add_g(gt_state *st, int64_t id, uint32_t hint)
{
	if (st->eng != NULL) {
		uint32_t s = slot_for_new(st, id, hint);

		if (s != GT_NO_SLOT)
			return gt_state_add_g_at(st, id, s);
		/* The engine does not pair it with a free slot: from here on
		 * the table keeps its own index. */
		if (gt_state_unslot(st) != 0)
			return NULL;
	}
	return add_g(st, id, hint);
}

gt_state_g *gt_state_find_or_add_g(gt_state *st, int64_t id, uint32_t hint,
                                   int *added)
{
	uint32_t i;

	if (st->eng != NULL) {
		gt_state_g *g = gt_state_find_g(st, id, hint);

		*added = g == NULL;
		return g != NULL ? g : gt_state_add_g(st, id, hint);
	}
	if (gt_gidmap_get(&st->g_index, (uint64_t)id, &i)) {
		*added = 0;
		remember_hint(st, hint, i);
		return &st->gs[i];
	}
	*added = 1;
	return add_g(st, id, hint);
}

static gotrace_proc_info *add_p(gt_state *st, int64_t id)
{
	gotrace_proc_info *p;

	if (gt_grow((void **)&st->ps, &st->ps_cap, st->nps + 1, sizeof *st->ps) != 0 ||
	    gt_idmap_put(&st->p_index, (uint64_t)id, (uint32_t)st->nps) != 0)
		return NULL;
	p = &st->ps[st->nps++];
	p->id = id;
	p->state = GOTRACE_PROC_UNDETERMINED;
	p->thread = -1;
	p->since = 0;
	return p;
}

gotrace_thread_info *gt_state_add_m(gt_state *st, int64_t id)
{
	gotrace_thread_info *m;

	if (gt_grow((void **)&st->ms, &st->ms_cap, st->nms + 1, sizeof *st->ms) != 0 ||
	    gt_idmap_put(&st->m_index, (uint64_t)id, (uint32_t)st->nms) != 0)
		return NULL;
	m = &st->ms[st->nms++];
	m->id = id;
	m->proc = m->goroutine = -1;
	m->since = 0;
	return m;
}

int gt_state_nomem(struct gotrace_error *err)
{
	gt_error_set(err, GOTRACE_ERR_NOMEM, 0, "state machine", "out of memory");
	return GOTRACE_ERR_NOMEM;
}

int gt_state_bad_start(gt_state *st, struct gotrace_error *err, int proc,
                       int64_t id, int from, int to, int is)
{
	const char *(*name)(int) = proc ? gotrace_proc_state_string
	                                : gotrace_goroutine_state_string;

	if (st->lenient) {
		st->violations++;
		return GOTRACE_OK;
	}
	gt_error_set(err, GOTRACE_ERR_INVALID, 0, "state machine",
	             "%s %" PRId64 ": transition %s->%s, but it is %s",
	             proc ? "proc" : "goroutine", id, name(from), name(to),
	             is < 0 ? "unknown" : name(is));
	return GOTRACE_ERR_INVALID;
}

int gt_state_apply_p(gt_state *st, const gotrace_event *ev,
                     struct gotrace_error *err)
{
	int64_t id = ev->u.transition.id;
	int from = ev->u.transition.old_state, to = ev->u.transition.new_state;
	gotrace_proc_info *p = gt_state_query_p(st, id);
	gotrace_thread_info *m;
	int is = p ? (int)p->state : -1;

	if (!gt_state_start_ok(from, is)) {
		int rc = gt_state_bad_start(st, err, 1, id, from, to, is);

		if (rc != GOTRACE_OK)
			return rc;
	}
	if (p == NULL && (p = add_p(st, id)) == NULL)
		return gt_state_nomem(err);
	st->transitions[1][from][to]++;
	/* Whoever held the P loses it unless it stays with the same M. */
	if (p->thread >= 0 && (to != GOTRACE_PROC_RUNNING || p->thread != ev->thread)) {
		m = gt_state_lookup_m(st, p->thread);
		if (m != NULL && m->proc == id) {
			m->proc = -1;
			m->since = ev->time;
		}
		p->thread = -1;
	}
	if (to == GOTRACE_PROC_RUNNING && ev->thread >= 0) {
		m = gt_state_get_m(st, ev->thread);
		if (m == NULL)
			return gt_state_nomem(err);
		m->proc = id;
		m->since = ev->time;
		p->thread = ev->thread;
	}
	if ((int)p->state != to || from == GOTRACE_PROC_UNDETERMINED ||
	    from == GOTRACE_PROC_NOT_EXIST)
		p->since = ev->time;
	p->state = (gotrace_proc_state)to;
	return GOTRACE_OK;
}
