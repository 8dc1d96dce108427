/*
 * The goroutine view of a timeline: one track per goroutine, its states
 * over time as consecutive slices — "running", "runnable", "waiting" (or
 * "waiting (REASON)") and "syscall" — with arrows from the goroutine that
 * created or unblocked it. cmd/trace has no such view; it answers "what
 * was this goroutine doing, and who woke it" at a glance.
 *
 * Each slice carries the stack of the transition that began it (sf) and
 * of the one that ended it (esf), and the P and thread it began on. A
 * goroutine's track is named "G<id>", then its function, then its label
 * in parentheses. The function is the one Go's goroutine summary names
 * (and `gotrace goroutines`): the outermost frame of the first transition
 * stack whose outermost frame has a function. (cmd/trace's views take the
 * first transition stack whatever its frames hold, and so name a goroutine
 * "G3 " whose first such stack is one unnamed frame; this view has no
 * counterpart in cmd/trace to follow.)
 *
 * A goroutine's record is dropped when it ends, so memory follows the
 * goroutines alive, plus the core's one track per goroutine ever seen.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "timeline.h"

enum { VIEW_PID = 0 };

typedef struct gor {
	int64_t id;
	int state;                 /* gotrace_goroutine_state of the open slice */
	int open;                  /* a slice is open */
	int named;                 /* its function is in the name */
	int64_t start;
	tl_stack_id stack;
	uint32_t reason;           /* in names, for waiting */
	int64_t proc, thread;
	uint32_t func;             /* in names, when named */
	uint32_t label;            /* in names; 0: none (id of "") */
	uint32_t next_free;
} gor;

typedef struct view {
	gt_map index;              /* (goroutine, 0) -> record */
	gor *gs;
	size_t ngs, capgs;
	uint32_t free_g;           /* 1 + index of a free record, or 0 */
	gt_strtab names;
	uint32_t empty;            /* id of "" */
	int described;
	int64_t sync_time;         /* the current generation's Sync */
	int seen_sync;
} view;

static int intern(view *v, gotrace_string s, uint32_t *id)
{
	return gt_strtab_intern(&v->names, s.data != NULL ? s.data : "", s.len,
	                        id) == 0
	               ? GOTRACE_OK
	               : GOTRACE_ERR_NOMEM;
}

static tl_track track_of(int64_t id)
{
	tl_track t;

	t.pid = VIEW_PID;
	t.tid = (uint64_t)id;
	return t;
}

/* Tells the core the track's name, as it stands now. */
static int name_track(view *v, tl_core *c, const gor *g)
{
	char head[32];
	gotrace_string func = gt_strtab_get(&v->names, g->func);
	gotrace_string label = gt_strtab_get(&v->names, g->label);
	size_t len, hl;
	char *buf;
	int rc;

	hl = (size_t)snprintf(head, sizeof head, "G%" PRId64, g->id);
	len = hl + (g->named ? 1 + func.len : 0) +
	      (label.len > 0 ? 3 + label.len : 0);
	if ((buf = malloc(len + 1)) == NULL)
		return GOTRACE_ERR_NOMEM;
	memcpy(buf, head, hl);
	len = hl;
	if (g->named) {
		buf[len++] = ' ';
		memcpy(buf + len, func.data, func.len);
		len += func.len;
	}
	if (label.len > 0) {
		memcpy(buf + len, " (", 2);
		memcpy(buf + len + 2, label.data, label.len);
		len += 2 + label.len;
		buf[len++] = ')';
	}
	{
		gotrace_string name = { buf, len };
		rc = tl_thread(c, track_of(g->id), name, g->id);
	}
	free(buf);
	return rc;
}

static gor *find(view *v, int64_t id)
{
	uint32_t i;

	return gt_map_get(&v->index, id, 0, &i) ? &v->gs[i] : NULL;
}

static gor *find_or_add(view *v, tl_core *c, int64_t id, int *err)
{
	gor *g = find(v, id);
	uint32_t i;

	*err = GOTRACE_OK;
	if (g != NULL)
		return g;
	if (v->free_g != 0) {
		i = v->free_g - 1;
		v->free_g = v->gs[i].next_free;
	} else {
		if (v->ngs >= UINT32_MAX ||
		    gt_grow((void **)&v->gs, &v->capgs, v->ngs + 1, sizeof *v->gs) != 0) {
			*err = GOTRACE_ERR_NOMEM;
			return NULL;
		}
		i = (uint32_t)v->ngs++;
	}
	if (gt_map_put(&v->index, id, 0, i) != 0) {
		*err = GOTRACE_ERR_NOMEM;
		return NULL;
	}
	g = &v->gs[i];
	memset(g, 0, sizeof *g);
	g->id = id;
	g->func = v->empty;
	g->label = v->empty;
	if ((*err = name_track(v, c, g)) != GOTRACE_OK)
		return NULL;
	return g;
}

static void release(view *v, gor *g)
{
	uint32_t i = (uint32_t)(g - v->gs);

	gt_map_del(&v->index, g->id, 0);
	g->next_free = v->free_g;
	v->free_g = i + 1;
}

static const char *state_name(int state)
{
	switch (state) {
	case GOTRACE_GO_RUNNING: return "running";
	case GOTRACE_GO_RUNNABLE: return "runnable";
	case GOTRACE_GO_WAITING: return "waiting";
	case GOTRACE_GO_SYSCALL: return "syscall";
	default: return NULL;
	}
}

/* Ends g's open slice at time t. */
static int close_slice(view *v, tl_core *c, gor *g, int64_t t,
                       tl_stack_id end_stack)
{
	gotrace_string reason;
	const char *base;
	char *buf = NULL;
	tl_slice s;
	size_t n = 0;
	int rc;

	if (!g->open)
		return GOTRACE_OK;
	g->open = 0;
	base = state_name(g->state);
	memset(&s, 0, sizeof s);
	s.track = track_of(g->id);
	s.start = g->start;
	s.end = t;
	s.stack = g->stack;
	s.end_stack = end_stack;
	s.name.data = base;
	s.name.len = strlen(base);
	reason = gt_strtab_get(&v->names, g->reason);
	if (g->state == GOTRACE_GO_WAITING && reason.len > 0) {
		size_t bl = strlen(base);
		if ((buf = malloc(bl + reason.len + 3)) == NULL)
			return GOTRACE_ERR_NOMEM;
		memcpy(buf, base, bl);
		memcpy(buf + bl, " (", 2);
		memcpy(buf + bl + 2, reason.data, reason.len);
		buf[bl + 2 + reason.len] = ')';
		s.name.data = buf;
		s.name.len = bl + reason.len + 3;
		s.args[n].key = "reason";
		s.args[n].type = TL_ARG_STR;
		s.args[n].s = reason;
		n++;
	}
	if (g->proc != GOTRACE_NO_PROC) {
		s.args[n].key = "proc";
		s.args[n].type = TL_ARG_INT;
		s.args[n].i = g->proc;
		n++;
	}
	if (g->thread != GOTRACE_NO_THREAD) {
		s.args[n].key = "thread";
		s.args[n].type = TL_ARG_INT;
		s.args[n].i = g->thread;
		n++;
	}
	s.nargs = n;
	rc = tl_slice_done(c, &s);
	free(buf);
	return rc;
}

static int open_slice(view *v, tl_core *c, gor *g, const gotrace_event *ev,
                      int64_t start, int state, tl_stack_id stack)
{
	int rc;

	if (state_name(state) == NULL)
		return GOTRACE_OK;
	g->open = 1;
	g->state = state;
	g->start = start;
	g->stack = stack;
	g->proc = ev->proc;
	g->thread = ev->thread;
	g->reason = v->empty;
	if (state == GOTRACE_GO_WAITING &&
	    (rc = intern(v, ev->u.transition.reason, &g->reason)) != GOTRACE_OK)
		return rc;
	return tl_open(c, track_of(g->id));
}

/* Whether a status restates g's open waiting slice's reason (other states
 * have none). */
static int same_reason(view *v, const gor *g, const gotrace_event *ev)
{
	gotrace_string r = gt_strtab_get(&v->names, g->reason);
	gotrace_string n = ev->u.transition.reason;

	if (g->state != GOTRACE_GO_WAITING)
		return 1;
	return r.len == n.len && (n.len == 0 || memcmp(r.data, n.data, n.len) == 0);
}

static int on_transition(view *v, tl_core *c, const gotrace_event *ev)
{
	int64_t id = ev->u.transition.id;
	int from = ev->u.transition.old_state, to = ev->u.transition.new_state;
	int64_t start = ev->time;
	tl_stack_id stack;
	uint64_t flow = 0;
	int rc;
	gor *g;

	if ((g = find_or_add(v, c, id, &rc)) == NULL)
		return rc;
	if (!g->named && gotrace_stack_depth(ev->u.transition.stack) > 0) {
		gotrace_frame f;
		/* As Go's summary: the outermost frame of the first stack
		 * whose outermost frame is named. */
		if (gotrace_stack_frame(ev->u.transition.stack,
		                        gotrace_stack_depth(ev->u.transition.stack) - 1,
		                        &f) == 0 && f.func.len > 0) {
			if ((rc = intern(v, f.func, &g->func)) != GOTRACE_OK)
				return rc;
			g->named = 1;
			if ((rc = name_track(v, c, g)) != GOTRACE_OK)
				return rc;
		}
	}
	if (from == GOTRACE_GO_UNDETERMINED) {
		/* A generation's status: a goroutine already drawn in that state
		 * goes on; one seen for the first time has been in it since the
		 * generation began, as Go's summary counts it. */
		if (g->open && to == g->state && same_reason(v, g, ev))
			return GOTRACE_OK;
		start = v->sync_time;
	} else if (from == to && g->open) {
		return GOTRACE_OK;
	}
	stack = tl_stack(c, ev->stack);
	if (tl_failed(c))
		return GOTRACE_ERR_NOMEM;
	if ((rc = close_slice(v, c, g, start, stack)) != GOTRACE_OK)
		return rc;
	/* Who made it runnable: its creator, or the goroutine unblocking it. */
	if (to == GOTRACE_GO_RUNNABLE && ev->goroutine != GOTRACE_NO_GOROUTINE &&
	    ev->goroutine != id &&
	    (from == GOTRACE_GO_NOT_EXIST || from == GOTRACE_GO_WAITING)) {
		gotrace_string name;
		name.data = from == GOTRACE_GO_NOT_EXIST ? "go" : "unblock";
		name.len = strlen(name.data);
		flow = tl_flow_begin(c, track_of(ev->goroutine), ev->time, name,
		                     NULL, stack);
		if (flow == 0 && tl_failed(c))
			return GOTRACE_ERR_NOMEM;
	}
	if ((rc = open_slice(v, c, g, ev, start, to, stack)) != GOTRACE_OK)
		return rc;
	if (flow != 0 && g->open &&
	    (rc = tl_flow_end(c, flow, track_of(id), ev->time)) != GOTRACE_OK)
		return rc;
	if (flow != 0 && !g->open)
		tl_flow_drop(c, flow);
	if (to == GOTRACE_GO_NOT_EXIST)
		release(v, g);
	return GOTRACE_OK;
}

static int on_label(view *v, tl_core *c, const gotrace_event *ev)
{
	int rc;
	gor *g;

	if (ev->u.label.resource != GOTRACE_RESOURCE_GOROUTINE)
		return GOTRACE_OK;
	if ((g = find_or_add(v, c, ev->u.label.id, &rc)) == NULL)
		return rc;
	if ((rc = intern(v, ev->u.label.label, &g->label)) != GOTRACE_OK)
		return rc;
	return name_track(v, c, g);
}

static int feed(void *p, tl_core *c, const gotrace_event *ev)
{
	view *v = p;
	int rc;

	if (!v->described) {
		v->described = 1;
		if ((rc = tl_process(c, VIEW_PID, "GOROUTINES", 0)) != GOTRACE_OK)
			return rc;
	}
	if (ev->kind == GOTRACE_EVENT_SYNC || !v->seen_sync) {
		v->seen_sync = 1;
		v->sync_time = ev->time;
	}
	if (ev->kind == GOTRACE_EVENT_STATE_TRANSITION &&
	    ev->u.transition.resource == GOTRACE_RESOURCE_GOROUTINE)
		return on_transition(v, c, ev);
	if (ev->kind == GOTRACE_EVENT_LABEL)
		return on_label(v, c, ev);
	return GOTRACE_OK;
}

static int finish(void *p, tl_core *c, int64_t end)
{
	view *v = p;
	size_t i;
	int rc;

	for (i = 0; i < v->ngs; i++) {
		gor *g = &v->gs[i];
		uint32_t k;
		/* Free records are not in the index (or belong to another). */
		if (!gt_map_get(&v->index, g->id, 0, &k) || k != i)
			continue;
		if ((rc = close_slice(v, c, g, end, 0)) != GOTRACE_OK)
			return rc;
	}
	return GOTRACE_OK;
}

static void view_free(void *p)
{
	view *v = p;

	if (v == NULL)
		return;
	gt_map_free(&v->index);
	free(v->gs);
	gt_strtab_free(&v->names);
	free(v);
}

static const tl_view_ops goroutine_ops = { feed, finish, view_free };

int tl_view_goroutine_new(void **out, const tl_view_ops **ops)
{
	view *v;

	*out = NULL;
	if ((v = calloc(1, sizeof *v)) == NULL)
		return GOTRACE_ERR_NOMEM;
	if (gt_strtab_intern(&v->names, "", 0, &v->empty) != 0) {
		view_free(v);
		return GOTRACE_ERR_NOMEM;
	}
	*out = v;
	*ops = &goroutine_ops;
	return GOTRACE_OK;
}
