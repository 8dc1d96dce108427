/*
 * The proc and thread views of a timeline: what Go 1.27's `go tool trace`
 * draws at /jsontrace?view=proc and ?view=thread, event for event.
 *
 * One track per P (proc view) or OS thread (thread view) in pid 0 shows
 * the goroutines executing there, their syscalls and the goroutine-scoped
 * ranges (mark assists, stop-the-world) while they execute; the proc view
 * adds the P-scoped ranges (sweeps). Four fixed tracks hold the GC phases,
 * network unblocks, exits from blocked syscalls and (never, in v2 traces)
 * timers. pid 1 holds the counters: goroutines by state, running Ps, heap.
 * Instants mark P starts and stops, CPU samples and user logs; flows link
 * a goroutine's creation or unblocking to its next run.
 *
 * cmd/trace decides all this while it walks the events, and its choices
 * have corners (a syscall slice that surfaces at the goroutine's next
 * stop, an unblock on P 0 that draws no arrow, counts that wrap below
 * zero); docs/exports.md lists the rules. This file keeps the same state
 * cmd/trace keeps per goroutine, P and range, so that every corner comes
 * out the same, and reports slices to the core as cmd/trace emits them.
 *
 * Memory follows the goroutines, Ps, threads and active ranges, never the
 * events: a goroutine's finished ranges wait only until it stops running.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "timeline.h"

/* cmd/trace's "no resource": the value NoProc and NoThread also have, so
 * a goroutine started without a P counts as not executing, as there. */
#define NO_RESOURCE INT64_C(-1)

/* Chrome pids (cmd/trace's sections) and the fixed tracks of pid 0. */
enum { PID_TIMELINES = 0, PID_STATS = 1 };
#define TID_TIMERS UINT64_C(1000001)
#define TID_NETWORK UINT64_C(1000002)
#define TID_SYSCALLS UINT64_C(1000003)
#define TID_GC UINT64_C(1000004)

/* The goroutine states cmd/trace counts (its viewer's GState). */
enum { COUNT_DEAD, COUNT_RUNNABLE, COUNT_RUNNING, COUNT_WAITING,
       COUNT_WAITING_GC, COUNT_STATES };

/* A goroutine-scoped range that is active: time 0 until the goroutine
 * runs (cmd/trace's zero time, which it also uses for "unknown"). */
typedef struct active_range {
	uint32_t name;             /* in names */
	int64_t time;
	tl_stack_id stack;
} active_range;

/* A range (or syscall) that ended while its goroutine executed, waiting
 * for the goroutine to stop, when it is drawn on its track. */
typedef struct done_range {
	uint32_t name;
	int64_t start, end;
	tl_stack_id start_stack, end_stack;
	int blocked;               /* a syscall: 0 "no", 1 "yes"; else -1 */
} done_range;

typedef struct goroutine {
	int64_t id;
	int named;                 /* func holds its start function */
	uint32_t func;
	int has_label;
	uint32_t label;
	int64_t executing;         /* the P or thread, or NO_RESOURCE */
	int64_t opened_on;         /* where its slice is open in the core */
	int64_t running_since;     /* 0: not running (cmd/trace's zero) */
	tl_stack_id last_stop_stack;
	int in_syscall;
	int64_t syscall_time;
	tl_stack_id syscall_stack;
	int has_block_reason;
	uint32_t block_reason;
	uint64_t cause_flow;       /* the arrow to its next start, or 0 */
	active_range *ranges;
	size_t nranges, capranges;
	done_range *done;
	size_t ndone, capdone;
} goroutine;

/* A P-scoped or global range in progress. */
typedef struct open_range {
	uint32_t name;
	int64_t proc;              /* P-scoped: the P */
	int64_t time;
	tl_stack_id stack;
	int drawn;                 /* opened in the core (it will be drawn) */
	int used;
} open_range;

typedef struct range_set {
	open_range *r;
	size_t n, cap;
	gt_map index;              /* (name, proc) -> slot */
	uint32_t free_slot;        /* 1 + a free slot, or 0 */
} range_set;

typedef struct view {
	int thread_view;
	int started;
	int64_t start_time;        /* the first event's, cmd/trace's zero */
	uint64_t syncs;
	gt_strtab names;           /* functions, labels, reasons, ranges */
	uint32_t name_syscall, name_mark_assist;

	goroutine *gs;
	size_t ngs, capgs;
	gt_map gindex;             /* (goroutine, 0) -> index */

	gt_map in_syscall;         /* proc view: (P, 0) -> goroutine index */
	int64_t max_proc;          /* proc view: Ps named 0..max_proc */
	gt_map sparse_procs;       /* proc view: (P, 0) named past
	                              PROC_NAMES_DENSE */
	gt_map threads;            /* thread view: (thread, 0) seen */
	gt_map orphans;            /* (tid, 0) -> opens of dropped slices */

	range_set global, procs;

	int64_t gcount[COUNT_STATES], gcount_prev[COUNT_STATES];
	int64_t running_procs, running_procs_prev;
	uint64_t heap_alloc, heap_goal, heap_alloc_prev, heap_goal_prev;

	char *buf;                 /* scratch for names */
	size_t capbuf;
} view;

/* ---- small helpers ---------------------------------------------------- */

/* Names, labels and reasons outlive the event they came with: the view
 * keeps one copy of each distinct string. */
static int intern(view *v, gotrace_string s, uint32_t *id)
{
	return gt_strtab_intern(&v->names, s.data != NULL ? s.data : "", s.len,
	                        id) == 0
	               ? GOTRACE_OK
	               : GOTRACE_ERR_NOMEM;
}

/* The core takes names as byte strings; most of ours are literals. */
static gotrace_string str_of(const char *s)
{
	gotrace_string g;

	g.data = s;
	g.len = strlen(s);
	return g;
}

/* Everything but the counters lives in cmd/trace's section 0. */
static tl_track timeline_track(uint64_t tid)
{
	tl_track t;

	t.pid = PID_TIMELINES;
	t.tid = tid;
	return t;
}

/* The counters' one track: cmd/trace's STATS section. */
static tl_track stats_track(void)
{
	tl_track t;

	t.pid = PID_STATS;
	t.tid = 0;
	return t;
}

/* cmd/trace drops what would be drawn before its time zero: only the
 * ranges whose begin it never saw can start there. */
static int visible(const view *v, int64_t t)
{
	return t >= v->start_time;
}

/* Makes room for n bytes of scratch. */
static int scratch(view *v, size_t n)
{
	return gt_grow((void **)&v->buf, &v->capbuf, n, 1) == 0
	               ? GOTRACE_OK
	               : GOTRACE_ERR_NOMEM;
}

/* ---- counters ---------------------------------------------------------- */

/* The goroutine counts after a transition, written when they change (the
 * comparison is over every state, dead included, as cmd/trace's). */
static int goroutine_counts(view *v, tl_core *c, int64_t time, int from,
                            int to)
{
	tl_counter k;

	v->gcount[from]--;
	v->gcount[to]++;
	if (memcmp(v->gcount, v->gcount_prev, sizeof v->gcount) == 0)
		return GOTRACE_OK;
	memcpy(v->gcount_prev, v->gcount, sizeof v->gcount);
	if (!visible(v, time))
		return GOTRACE_OK;
	memset(&k, 0, sizeof k);
	k.track = stats_track();
	k.time = time;
	k.name = "Goroutines";
	k.keys[0] = "Running";
	k.keys[1] = "Runnable";
	k.keys[2] = "GCWaiting";
	k.values[0] = v->gcount[COUNT_RUNNING];
	k.values[1] = v->gcount[COUNT_RUNNABLE];
	k.values[2] = v->gcount[COUNT_WAITING_GC];
	k.n = 3;
	k.is_unsigned = 1;
	return tl_counter_at(c, &k);
}

/* Running Ps stand for running threads, as in cmd/trace; threads in
 * syscalls are not counted there and stay 0. */
static int thread_counts(view *v, tl_core *c, int64_t time, int64_t delta)
{
	tl_counter k;

	v->running_procs += delta;
	if (v->running_procs == v->running_procs_prev)
		return GOTRACE_OK;
	v->running_procs_prev = v->running_procs;
	if (!visible(v, time))
		return GOTRACE_OK;
	memset(&k, 0, sizeof k);
	k.track = stats_track();
	k.time = time;
	k.name = "Threads";
	k.keys[0] = "Running";
	k.keys[1] = "InSyscall";
	k.values[0] = v->running_procs;
	k.values[1] = 0;
	k.n = 2;
	return tl_counter_at(c, &k);
}

/* Heap in use and the room left to the goal (0 when past it). */
static int heap_counts(view *v, tl_core *c, int64_t time)
{
	tl_counter k;

	if (v->heap_alloc == v->heap_alloc_prev &&
	    v->heap_goal == v->heap_goal_prev)
		return GOTRACE_OK;
	v->heap_alloc_prev = v->heap_alloc;
	v->heap_goal_prev = v->heap_goal;
	if (!visible(v, time))
		return GOTRACE_OK;
	memset(&k, 0, sizeof k);
	k.track = stats_track();
	k.time = time;
	k.name = "Heap";
	k.keys[0] = "Allocated";
	k.keys[1] = "NextGC";
	k.values[0] = (int64_t)v->heap_alloc;
	k.values[1] = v->heap_goal > v->heap_alloc
	                      ? (int64_t)(v->heap_goal - v->heap_alloc)
	                      : 0;
	k.n = 2;
	k.is_unsigned = 1;
	return tl_counter_at(c, &k);
}

/* Of the metrics, cmd/trace draws only the heap's two (GOMAXPROCS is
 * read but not drawn). */
static int metric(view *v, tl_core *c, const gotrace_event *ev)
{
	const char *name = ev->u.metric.name;

	if (name == NULL)
		return GOTRACE_OK;
	if (strcmp(name, "/memory/classes/heap/objects:bytes") == 0) {
		v->heap_alloc = ev->u.metric.value;
		return heap_counts(v, c, ev->time);
	}
	if (strcmp(name, "/gc/heap/goal:bytes") == 0) {
		/* A goal above 1 PiB is a runtime bug cmd/trace hides. */
		v->heap_goal = ev->u.metric.value > (UINT64_C(1) << 50)
		                       ? 0
		                       : ev->u.metric.value;
		return heap_counts(v, c, ev->time);
	}
	return GOTRACE_OK;
}

/* The counter a goroutine state falls in: a syscall counts as running,
 * an unknown or absent goroutine as dead (not drawn). */
static int count_state(int state, int in_mark_assist)
{
	switch (state) {
	case GOTRACE_GO_RUNNABLE:
		return COUNT_RUNNABLE;
	case GOTRACE_GO_RUNNING:
	case GOTRACE_GO_SYSCALL:
		return COUNT_RUNNING;
	case GOTRACE_GO_WAITING:
		return in_mark_assist ? COUNT_WAITING_GC : COUNT_WAITING;
	default:
		return COUNT_DEAD;
	}
}

/* ---- tracks -------------------------------------------------------------- */

/* Names a P or thread track the way cmd/trace does when it finishes. */
static int name_resource(view *v, tl_core *c, int64_t id)
{
	char name[40];
	int n;

	n = snprintf(name, sizeof name, v->thread_view ? "Thread %" PRId64
	                                                : "Proc %" PRId64, id);
	if (n < 0)
		return GOTRACE_ERR_NOMEM;
	{
		gotrace_string s = { name, (size_t)n };
		return tl_thread(c, timeline_track((uint64_t)id), s, id);
	}
}

/* The processes and fixed tracks, described at the first event so that
 * formats which declare tracks up front have them before they are used. */
static int describe_fixed(view *v, tl_core *c)
{
	int rc = tl_process(c, PID_STATS, "STATS", 0);

	if (rc == GOTRACE_OK)
		rc = tl_process(c, PID_TIMELINES,
		                v->thread_view ? "OS THREADS" : "PROCS", 2);
	if (rc == GOTRACE_OK)
		rc = tl_thread(c, timeline_track(TID_GC), str_of("GC"), -6);
	if (rc == GOTRACE_OK)
		rc = tl_thread(c, timeline_track(TID_NETWORK), str_of("Network"),
		               -5);
	if (rc == GOTRACE_OK)
		rc = tl_thread(c, timeline_track(TID_TIMERS), str_of("Timers"), -4);
	if (rc == GOTRACE_OK)
		rc = tl_thread(c, timeline_track(TID_SYSCALLS), str_of("Syscalls"),
		               -3);
	/* cmd/trace names P 0 even in a trace without P events. */
	if (rc == GOTRACE_OK && !v->thread_view)
		rc = name_resource(v, c, 0);
	return rc;
}

/* Proc view: cmd/trace names every P up to the highest one seen in a P
 * transition; naming them as the highest grows gives the same set. Past
 * PROC_NAMES_DENSE (no Go runtime numbers its Ps that high; a damaged
 * trace may) only the Ps seen are named: cmd/trace would name hundreds of
 * millions of Ps that are not there, for one byte of the input. */
#define PROC_NAMES_DENSE 65536

static int see_proc(view *v, tl_core *c, int64_t proc)
{
	uint32_t dummy;
	int rc = GOTRACE_OK;

	if (proc < PROC_NAMES_DENSE) {
		while (v->max_proc < proc && rc == GOTRACE_OK)
			rc = name_resource(v, c, ++v->max_proc);
		return rc;
	}
	if (gt_map_get(&v->sparse_procs, proc, 0, &dummy))
		return GOTRACE_OK;
	if (gt_map_put(&v->sparse_procs, proc, 0, 1) != 0)
		return GOTRACE_ERR_NOMEM;
	return name_resource(v, c, proc);
}

/* Thread view: every thread of a goroutine or P transition is named. */
static int see_thread(view *v, tl_core *c, int64_t thread)
{
	uint32_t dummy;

	if (thread == NO_RESOURCE ||
	    gt_map_get(&v->threads, thread, 0, &dummy))
		return GOTRACE_OK;
	if (gt_map_put(&v->threads, thread, 0, 1) != 0)
		return GOTRACE_ERR_NOMEM;
	return name_resource(v, c, thread);
}

/* ---- instants ------------------------------------------------------------ */

/* An instant on a section-0 track, unless cmd/trace would drop it for
 * lying before its time zero. */
static int instant(view *v, tl_core *c, uint64_t tid, int64_t time,
                   gotrace_string name, const char *cat, tl_stack_id stack,
                   uint64_t flow_out)
{
	tl_instant in;

	if (!visible(v, time))
		return GOTRACE_OK;
	memset(&in, 0, sizeof in);
	in.track = timeline_track(tid);
	in.time = time;
	in.name = name;
	in.cat = cat;
	in.stack = stack;
	in.flow_out = flow_out;
	return tl_instant_at(c, &in);
}

/* ---- goroutines ------------------------------------------------------------ */

/* Ranges and labels refer to goroutines the transitions introduced. */
static goroutine *find_goroutine(view *v, int64_t id)
{
	uint32_t i;

	return gt_map_get(&v->gindex, id, 0, &i) ? &v->gs[i] : NULL;
}

/* A goroutine is known from its first transition on, and kept to the
 * end (cmd/trace never forgets one: its last stop stack and name stay). */
static int add_goroutine(view *v, int64_t id, goroutine **out)
{
	goroutine *g;

	if ((*out = find_goroutine(v, id)) != NULL)
		return GOTRACE_OK;
	if (v->ngs >= UINT32_MAX ||
	    gt_grow((void **)&v->gs, &v->capgs, v->ngs + 1, sizeof *v->gs) != 0 ||
	    gt_map_put(&v->gindex, id, 0, (uint32_t)v->ngs) != 0)
		return GOTRACE_ERR_NOMEM;
	g = &v->gs[v->ngs++];
	memset(g, 0, sizeof *g);
	g->id = id;
	g->executing = NO_RESOURCE;
	g->opened_on = NO_RESOURCE;
	*out = g;
	return GOTRACE_OK;
}

/* A goroutine is named after the outermost frame of the first stack seen
 * on any of its transitions. */
static int name_goroutine(view *v, goroutine *g, gotrace_stack stk)
{
	gotrace_frame f;
	size_t depth;

	if (g->named || !gotrace_stack_present(stk))
		return GOTRACE_OK;
	depth = gotrace_stack_depth(stk);
	memset(&f, 0, sizeof f);
	if (depth > 0 && gotrace_stack_frame(stk, depth - 1, &f) != 0)
		memset(&f, 0, sizeof f);
	g->named = 1;
	return intern(v, f.func, &g->func);
}

/* "G<id> <function> (<label>)" into the scratch buffer. */
static int goroutine_name(view *v, const goroutine *g, gotrace_string *out)
{
	char head[32];
	gotrace_string func = { NULL, 0 }, label = { NULL, 0 };
	size_t hl, len;
	char *p;
	int n;

	n = snprintf(head, sizeof head, "G%" PRId64, g->id);
	if (n < 0)
		return GOTRACE_ERR_NOMEM;
	hl = (size_t)n;
	if (g->named)
		func = gt_strtab_get(&v->names, g->func);
	if (g->has_label)
		label = gt_strtab_get(&v->names, g->label);
	len = hl + (g->named ? 1 + func.len : 0) +
	      (g->has_label ? 3 + label.len : 0);
	if (scratch(v, len + 1) != GOTRACE_OK)
		return GOTRACE_ERR_NOMEM;
	p = v->buf;
	memcpy(p, head, hl);
	p += hl;
	if (g->named) {
		*p++ = ' ';
		if (func.len > 0)
			memcpy(p, func.data, func.len);
		p += func.len;
	}
	if (g->has_label) {
		*p++ = ' ';
		*p++ = '(';
		if (label.len > 0)
			memcpy(p, label.data, label.len);
		p += label.len;
		*p++ = ')';
	}
	out->data = v->buf;
	out->len = len;
	return GOTRACE_OK;
}

/* Opens a slice on a track in the core, or takes over an open left
 * there by a slice cmd/trace dropped (see set_executing). */
static int open_on(view *v, tl_core *c, uint64_t tid)
{
	uint32_t n;

	if (v->orphans.len > 0 && gt_map_get(&v->orphans, (int64_t)tid, 0, &n)) {
		if (n > 1) {
			if (gt_map_put(&v->orphans, (int64_t)tid, 0, n - 1) != 0)
				return GOTRACE_ERR_NOMEM;
		} else {
			gt_map_del(&v->orphans, (int64_t)tid, 0);
		}
		return GOTRACE_OK;
	}
	return tl_open(c, timeline_track(tid));
}

/*
 * Where a goroutine executes now; its slice is opened in the core there.
 * cmd/trace drops a goroutine's slice when the goroutine starts again
 * before it stopped (a v1 syscall that blocked without its P stopping,
 * say): that open then stays with the old track, where the next slice
 * opened takes it over, so that the core does not hold the track's
 * slices longer than that.
 */
static int set_executing(view *v, tl_core *c, goroutine *g, int64_t res,
                         int64_t since)
{
	g->executing = res;
	g->running_since = since;
	if (g->opened_on == res)
		return GOTRACE_OK;
	if (g->opened_on != NO_RESOURCE) {
		uint32_t n = 0;

		gt_map_get(&v->orphans, g->opened_on, 0, &n);
		if (gt_map_put(&v->orphans, g->opened_on, 0, n + 1) != 0)
			return GOTRACE_ERR_NOMEM;
	}
	g->opened_on = res;
	if (res == NO_RESOURCE)
		return GOTRACE_OK;
	return open_on(v, c, (uint64_t)res);
}

/* Reports one slice on the goroutine's track, which its own slice holds
 * open until it is reported last. */
static int draw_on(view *v, tl_core *c, const goroutine *g, int64_t start,
                   int64_t end, gotrace_string name, tl_stack_id stack,
                   tl_stack_id end_stack, int blocked, int opened)
{
	tl_slice s;
	int rc;

	if (!visible(v, start) && !visible(v, end))
		return GOTRACE_OK;
	memset(&s, 0, sizeof s);
	s.track = timeline_track((uint64_t)g->executing);
	s.start = start;
	s.end = end;
	s.name = name;
	s.stack = stack;
	s.end_stack = end_stack;
	if (blocked >= 0) {
		s.args[0].key = "blocked";
		s.args[0].type = TL_ARG_STR;
		s.args[0].s = str_of(blocked ? "yes" : "no");
		s.nargs = 1;
	}
	if (!opened && (rc = open_on(v, c, s.track.tid)) != GOTRACE_OK)
		return rc;
	return tl_slice_done(c, &s);
}

/*
 * The goroutine stops executing: its ranges that ended meanwhile, the
 * ones still active (cut here, continued at its next start) and last its
 * own slice, the outermost. A goroutine that is not executing has nothing
 * to draw (cmd/trace would fail on it).
 */
static int stop(view *v, tl_core *c, goroutine *g, int64_t time,
                gotrace_stack stack)
{
	tl_stack_id end_stack = tl_stack(c, stack);
	size_t i;
	int rc = GOTRACE_OK;

	if (g->executing != NO_RESOURCE && g->running_since != 0) {
		for (i = 0; i < g->ndone && rc == GOTRACE_OK; i++) {
			done_range *d = &g->done[i];
			rc = draw_on(v, c, g, d->start, d->end,
			             gt_strtab_get(&v->names, d->name),
			             d->start_stack, d->end_stack, d->blocked, 0);
		}
		for (i = 0; i < g->nranges && rc == GOTRACE_OK; i++) {
			active_range *r = &g->ranges[i];
			if (r->time == 0)
				continue;
			rc = draw_on(v, c, g, r->time, time,
			             gt_strtab_get(&v->names, r->name), r->stack, 0,
			             -1, 0);
		}
		if (rc == GOTRACE_OK) {
			gotrace_string name;
			rc = goroutine_name(v, g, &name);
			if (rc == GOTRACE_OK)
				rc = draw_on(v, c, g, g->running_since, time, name,
				             g->last_stop_stack, end_stack, -1,
				             g->opened_on == g->executing);
			g->opened_on = NO_RESOURCE;
		}
	}
	g->ndone = 0;
	for (i = 0; i < g->nranges; i++) {
		g->ranges[i].time = 0;
		g->ranges[i].stack = 0;
	}
	g->running_since = 0;
	g->last_stop_stack = end_stack;
	g->executing = NO_RESOURCE;
	return rc;
}

/* Replaces the arrow that will point at the goroutine's next start. */
static int set_cause(tl_core *c, goroutine *g, int64_t time,
                     gotrace_string name, uint64_t from, tl_stack_id stack)
{
	if (g->cause_flow != 0)
		tl_flow_drop(c, g->cause_flow);
	g->cause_flow = tl_flow_begin(c, timeline_track(from), time, name, NULL,
	                              stack);
	return g->cause_flow != 0 ? GOTRACE_OK : GOTRACE_ERR_NOMEM;
}

/* The goroutine starts executing on res: its active ranges restart
 * here, and the arrow to it (if a cause is pending) ends here — after its
 * slice is opened, so that the core binds the arrow's end to that slice
 * (Perfetto draws arrows between slices). */
static int start(view *v, tl_core *c, goroutine *g, int64_t time,
                 int64_t res)
{
	size_t i;
	int rc;

	for (i = 0; i < g->nranges; i++) {
		g->ranges[i].time = time;
		g->ranges[i].stack = 0;
	}
	if ((rc = set_executing(v, c, g, res, time)) != GOTRACE_OK)
		return rc;
	if (g->cause_flow != 0) {
		uint64_t id = g->cause_flow;

		g->cause_flow = 0;
		/* cmd/trace draws an arrow only where both ends are visible;
		 * its start is an event's time, so that is the end's. */
		if (!visible(v, time)) {
			tl_flow_drop(c, id);
			return GOTRACE_OK;
		}
		return tl_flow_end(c, id, timeline_track((uint64_t)res), time);
	}
	return GOTRACE_OK;
}

/* Ranges and syscalls that ended are drawn at the goroutine's next stop
 * (with its track then), so they wait in the goroutine. */
static int add_done(goroutine *g, uint32_t name, int64_t start_time,
                    int64_t end, tl_stack_id start_stack,
                    tl_stack_id end_stack, int blocked)
{
	done_range *d;

	if (gt_grow((void **)&g->done, &g->capdone, g->ndone + 1,
	            sizeof *g->done) != 0)
		return GOTRACE_ERR_NOMEM;
	d = &g->done[g->ndone++];
	d->name = name;
	d->start = start_time;
	d->end = end;
	d->start_stack = start_stack;
	d->end_stack = end_stack;
	d->blocked = blocked;
	return GOTRACE_OK;
}

/* A goroutine entering a syscall without executing (first seen in one,
 * say) starts executing with it: its slice begins there. */
static int syscall_begin(view *v, tl_core *c, goroutine *g, int64_t time,
                         int64_t res, tl_stack_id stack)
{
	g->in_syscall = 1;
	g->syscall_time = time;
	g->syscall_stack = stack;
	if (g->executing == NO_RESOURCE)
		return set_executing(v, c, g, res, time);
	return GOTRACE_OK;
}

/* The syscall's slice waits, like a finished range, for the goroutine to
 * stop; where that is depends on the view (see the callers). */
static int syscall_end(view *v, goroutine *g, int64_t time, int blocked)
{
	int rc;

	if (!g->in_syscall)
		return GOTRACE_OK;
	rc = add_done(g, v->name_syscall, g->syscall_time, time,
	              g->syscall_stack, 0, blocked);
	g->in_syscall = 0;
	g->syscall_time = 0;
	g->syscall_stack = 0;
	return rc;
}

/* The goroutine left a syscall that had lost its P: an instant on the
 * Syscalls track, and the arrow to its next start comes from there. */
static int blocked_syscall_end(view *v, tl_core *c, goroutine *g,
                               int64_t time, tl_stack_id stack)
{
	gotrace_string name = str_of("exit blocked syscall");
	int rc = set_cause(c, g, time, name, TID_SYSCALLS, stack);

	if (rc != GOTRACE_OK)
		return rc;
	return instant(v, c, TID_SYSCALLS, time, name, NULL, stack,
	               g->cause_flow);
}

/* "unblock" or "unblock (REASON)"; network wakeups also get an instant
 * (on the Network track in the proc view, on the waker's thread in the
 * thread view). An unblock on resource 0 draws no arrow and keeps the
 * previous one, as cmd/trace's. */
static int unblock(view *v, tl_core *c, goroutine *g, int64_t time,
                   tl_stack_id stack, int64_t res)
{
	uint64_t from = (uint64_t)res;
	gotrace_string name = str_of("unblock");
	int network = 0, rc;

	if (g->has_block_reason) {
		gotrace_string reason = gt_strtab_get(&v->names, g->block_reason);
		size_t i;

		if (scratch(v, reason.len + 10) != GOTRACE_OK)
			return GOTRACE_ERR_NOMEM;
		memcpy(v->buf, "unblock (", 9);
		if (reason.len > 0)
			memcpy(v->buf + 9, reason.data, reason.len);
		v->buf[9 + reason.len] = ')';
		name.data = v->buf;
		name.len = reason.len + 10;
		for (i = 0; i + 7 <= reason.len && !network; i++)
			network = memcmp(reason.data + i, "network", 7) == 0;
	}
	if (network && !v->thread_view)
		from = TID_NETWORK;
	g->has_block_reason = 0;
	if (from == 0) {
		if (network)
			return instant(v, c, from, time, name, NULL, stack, 0);
		return GOTRACE_OK;
	}
	if ((rc = set_cause(c, g, time, name, from, stack)) != GOTRACE_OK)
		return rc;
	if (network)
		return instant(v, c, from, time, name, NULL, stack, g->cause_flow);
	return GOTRACE_OK;
}

/* A goroutine has a handful of active ranges at most: a list will do. */
static active_range *find_range(goroutine *g, uint32_t name)
{
	size_t i;

	for (i = 0; i < g->nranges; i++)
		if (g->ranges[i].name == name)
			return &g->ranges[i];
	return NULL;
}

/* Begins (or restates) a goroutine range; a name is active once. */
static int put_range(goroutine *g, uint32_t name, int64_t time,
                     tl_stack_id stack)
{
	active_range *r = find_range(g, name);

	if (r == NULL) {
		if (gt_grow((void **)&g->ranges, &g->capranges, g->nranges + 1,
		            sizeof *g->ranges) != 0)
			return GOTRACE_ERR_NOMEM;
		r = &g->ranges[g->nranges++];
		r->name = name;
	}
	r->time = time;
	r->stack = stack;
	return GOTRACE_OK;
}

/* A goroutine-scoped range: drawn only while the goroutine executes. */
static int goroutine_range(view *v, tl_core *c, const gotrace_event *ev)
{
	goroutine *g = find_goroutine(v, ev->u.range.scope_id);
	active_range *r;
	uint32_t name;
	int rc;

	/* cmd/trace knows goroutines from their transitions only. */
	if (g == NULL)
		return GOTRACE_OK;
	if ((rc = intern(v, ev->u.range.name, &name)) != GOTRACE_OK)
		return rc;
	switch (ev->kind) {
	case GOTRACE_EVENT_RANGE_BEGIN:
		if (g->executing != NO_RESOURCE)
			return put_range(g, name, ev->time, tl_stack(c, ev->stack));
		return put_range(g, name, 0, tl_stack(c, ev->stack));
	case GOTRACE_EVENT_RANGE_ACTIVE:
		return put_range(g, name,
		                 g->executing != NO_RESOURCE ? g->running_since : 0,
		                 0);
	default:
		r = find_range(g, name);
		if (g->executing != NO_RESOURCE) {
			rc = add_done(g, name, r != NULL ? r->time : 0, ev->time,
			              r != NULL ? r->stack : 0, tl_stack(c, ev->stack),
			              -1);
			if (rc != GOTRACE_OK)
				return rc;
		}
		if (r != NULL)
			*r = g->ranges[--g->nranges];
		return GOTRACE_OK;
	}
}

/* ---- P-scoped and global ranges ------------------------------------------ */

/* P-scoped ranges are keyed by name and P, global ones by name (P 0). */
static open_range *range_find(range_set *s, uint32_t name, int64_t proc)
{
	uint32_t i;

	return gt_map_get(&s->index, name, proc, &i) ? &s->r[i] : NULL;
}

/* An entry for (name, proc): the existing one when the range is begun
 * again, which replaces its start as in cmd/trace. Slots are reused so
 * that the set stays as large as the ranges active at once. */
static int range_add(range_set *s, uint32_t name, int64_t proc,
                     open_range **out)
{
	uint32_t i;

	if ((*out = range_find(s, name, proc)) != NULL)
		return GOTRACE_OK;
	if (s->free_slot != 0) {
		i = s->free_slot - 1;
		s->free_slot = (uint32_t)s->r[i].proc;
	} else {
		if (s->n >= UINT32_MAX ||
		    gt_grow((void **)&s->r, &s->cap, s->n + 1, sizeof *s->r) != 0)
			return GOTRACE_ERR_NOMEM;
		i = (uint32_t)s->n++;
	}
	if (gt_map_put(&s->index, name, proc, i) != 0) {
		s->r[i].used = 0;
		s->r[i].proc = s->free_slot;
		s->free_slot = i + 1;
		return GOTRACE_ERR_NOMEM;
	}
	memset(&s->r[i], 0, sizeof s->r[i]);
	s->r[i].name = name;
	s->r[i].proc = proc;
	s->r[i].used = 1;
	*out = &s->r[i];
	return GOTRACE_OK;
}

/* The range ended: its slot goes back to the free list. */
static void range_remove(range_set *s, open_range *r)
{
	uint32_t i = (uint32_t)(r - s->r);

	gt_map_del(&s->index, r->name, r->proc);
	r->used = 0;
	r->proc = s->free_slot;
	s->free_slot = i + 1;
}

/* Frees the set's storage (its ranges hold no allocations). */
static void range_set_free(range_set *s)
{
	free(s->r);
	gt_map_free(&s->index);
}

/* Only global ranges with "GC" in their name have a place to go. */
static int global_drawn(const view *v, uint32_t name)
{
	gotrace_string s = gt_strtab_get(&v->names, name);
	size_t i;

	for (i = 0; i + 2 <= s.len; i++)
		if (s.data[i] == 'G' && s.data[i + 1] == 'C')
			return 1;
	return 0;
}

/* Draws a P-scoped or global range from its start to end, on tid; one
 * never begun starts at cmd/trace's zero time (trace time 0). */
static int range_slice(view *v, tl_core *c, uint64_t tid, open_range *r,
                       int64_t end, tl_stack_id end_stack)
{
	tl_slice s;
	int rc;

	if (!visible(v, r->time) && !visible(v, end)) {
		/* Not drawn: an opened slice must still reach the core, which
		 * cannot happen for one begun at a visible time. */
		return GOTRACE_OK;
	}
	memset(&s, 0, sizeof s);
	s.track = timeline_track(tid);
	s.start = r->time;
	s.end = end;
	s.name = gt_strtab_get(&v->names, r->name);
	s.stack = r->stack;
	s.end_stack = end_stack;
	if (!r->drawn && (rc = open_on(v, c, tid)) != GOTRACE_OK)
		return rc;
	r->drawn = 0;
	return tl_slice_done(c, &s);
}

/* Global ranges on the GC track, P ranges on their P (proc view only).
 * Active ones count from time zero in the first generation only. */
static int scoped_range(view *v, tl_core *c, const gotrace_event *ev,
                        int global)
{
	range_set *set = global ? &v->global : &v->procs;
	int64_t proc = global ? 0 : ev->u.range.scope_id;
	uint64_t tid = global ? TID_GC : (uint64_t)proc;
	open_range *r;
	uint32_t name;
	int rc, drawn;

	if ((rc = intern(v, ev->u.range.name, &name)) != GOTRACE_OK)
		return rc;
	drawn = !global || global_drawn(v, name);
	if (ev->kind == GOTRACE_EVENT_RANGE_END) {
		open_range none;

		r = range_find(set, name, proc);
		if (r == NULL) {
			/* Never begun: cmd/trace draws it from its zero time. */
			memset(&none, 0, sizeof none);
			none.name = name;
			r = &none;
		}
		rc = drawn ? range_slice(v, c, tid, r, ev->time,
		                         tl_stack(c, ev->stack))
		           : GOTRACE_OK;
		if (r != &none)
			range_remove(set, r);
		return rc;
	}
	if (ev->kind == GOTRACE_EVENT_RANGE_ACTIVE && v->syncs >= 2)
		return GOTRACE_OK;
	if ((rc = range_add(set, name, proc, &r)) != GOTRACE_OK)
		return rc;
	r->time = ev->kind == GOTRACE_EVENT_RANGE_BEGIN ? ev->time
	                                                : v->start_time;
	r->stack = tl_stack(c, ev->stack);
	if (drawn && !r->drawn) {
		r->drawn = 1;
		return open_on(v, c, tid);
	}
	return GOTRACE_OK;
}

/* ---- transitions ------------------------------------------------------------ */

/*
 * A goroutine transition, in cmd/trace's order: the stop, the start, the
 * unblock, the creation, the syscall's end and begin, then the counts.
 * The order matters where one transition does several (a goroutine
 * leaving a syscall both stops and ends it).
 */
static int go_transition(view *v, tl_core *c, const gotrace_event *ev)
{
	int from = ev->u.transition.old_state, to = ev->u.transition.new_state;
	int from_exec = from == GOTRACE_GO_RUNNING || from == GOTRACE_GO_SYSCALL;
	int to_exec = to == GOTRACE_GO_RUNNING || to == GOTRACE_GO_SYSCALL;
	int64_t res = v->thread_view ? ev->thread : ev->proc;
	int64_t t = ev->time;
	goroutine *g;
	uint32_t dummy, gi;
	int rc;

	if (v->thread_view && (rc = see_thread(v, c, ev->thread)) != GOTRACE_OK)
		return rc;
	if ((rc = add_goroutine(v, ev->u.transition.id, &g)) != GOTRACE_OK)
		return rc;
	gi = (uint32_t)(g - v->gs);
	if ((rc = name_goroutine(v, g, ev->u.transition.stack)) != GOTRACE_OK)
		return rc;
	if (from == to)
		return GOTRACE_OK;

	/* Stops: the proc view draws only Running, the thread view syscalls
	 * too. */
	if (v->thread_view ? from_exec && !to_exec
	                   : from == GOTRACE_GO_RUNNING && !to_exec) {
		if (to == GOTRACE_GO_WAITING) {
			g->has_block_reason = ev->u.transition.reason.len > 0;
			if (g->has_block_reason &&
			    (rc = intern(v, ev->u.transition.reason,
			                 &g->block_reason)) != GOTRACE_OK)
				return rc;
		}
		if ((rc = stop(v, c, g, t, ev->stack)) != GOTRACE_OK)
			return rc;
	}
	if (v->thread_view ? !from_exec && to_exec
	                   : !from_exec && to == GOTRACE_GO_RUNNING) {
		int64_t since = from == GOTRACE_GO_UNDETERMINED ? v->start_time : t;
		if ((rc = start(v, c, g, since, res)) != GOTRACE_OK)
			return rc;
	}
	if (from == GOTRACE_GO_WAITING &&
	    (rc = unblock(v, c, g, t, tl_stack(c, ev->stack), res)) != GOTRACE_OK)
		return rc;
	if (from == GOTRACE_GO_NOT_EXIST && to == GOTRACE_GO_RUNNABLE &&
	    res != NO_RESOURCE &&
	    (rc = set_cause(c, g, t, str_of("go"), (uint64_t)res,
	                    tl_stack(c, ev->stack))) != GOTRACE_OK)
		return rc;

	if (v->thread_view) {
		if (from == GOTRACE_GO_SYSCALL &&
		    (rc = syscall_end(v, g, t, to != GOTRACE_GO_RUNNING)) != GOTRACE_OK)
			return rc;
		if (to == GOTRACE_GO_SYSCALL) {
			int64_t since = from == GOTRACE_GO_UNDETERMINED ? v->start_time
			                                                : t;
			rc = syscall_begin(v, c, g, since, res, tl_stack(c, ev->stack));
			if (rc != GOTRACE_OK)
				return rc;
		}
	} else {
		if (from == GOTRACE_GO_SYSCALL && to != GOTRACE_GO_RUNNING &&
		    (rc = blocked_syscall_end(v, c, g, t, tl_stack(c, ev->stack))) !=
		            GOTRACE_OK)
			return rc;
		if (to == GOTRACE_GO_SYSCALL && ev->proc != NO_RESOURCE) {
			int64_t since = from == GOTRACE_GO_UNDETERMINED ? v->start_time
			                                                : t;
			rc = syscall_begin(v, c, g, since, ev->proc, tl_stack(c, ev->stack));
			if (rc != GOTRACE_OK)
				return rc;
			if (gt_map_put(&v->in_syscall, ev->proc, 0, gi) != 0)
				return GOTRACE_ERR_NOMEM;
		}
		/* Any goroutine's syscall on this P ends the tracking, as in
		 * cmd/trace, whichever goroutine it was. */
		if (from == GOTRACE_GO_SYSCALL &&
		    gt_map_get(&v->in_syscall, ev->proc, 0, &dummy)) {
			if ((rc = syscall_end(v, g, t, 0)) != GOTRACE_OK)
				return rc;
			gt_map_del(&v->in_syscall, ev->proc, 0);
		}
	}
	{
		int assist = find_range(g, v->name_mark_assist) != NULL;
		return goroutine_counts(v, c, t, count_state(from, assist),
		                        count_state(to, assist));
	}
}

/* A P starting or stopping: an instant, the running-P count, and in the
 * proc view the end of a syscall that held the P (it blocked). */
static int proc_transition(view *v, tl_core *c, const gotrace_event *ev)
{
	int from = ev->u.transition.old_state, to = ev->u.transition.new_state;
	int64_t proc = ev->u.transition.id;
	uint64_t tid = v->thread_view ? (uint64_t)ev->thread : (uint64_t)proc;
	const char *name = NULL;
	int64_t t = ev->time;
	tl_stack_id stack;
	tl_instant in;
	int rc;

	if (v->thread_view) {
		if ((rc = see_thread(v, c, ev->thread)) != GOTRACE_OK)
			return rc;
	} else if ((rc = see_proc(v, c, proc)) != GOTRACE_OK) {
		return rc;
	}
	stack = tl_stack(c, ev->stack);
	if (from == to)
		return GOTRACE_OK;
	if (to == GOTRACE_PROC_RUNNING) {
		if (from == GOTRACE_PROC_UNDETERMINED)
			t = v->start_time;
		name = "proc start";
		if ((rc = thread_counts(v, c, t, 1)) != GOTRACE_OK)
			return rc;
	}
	if (from == GOTRACE_PROC_RUNNING) {
		uint32_t gi;

		name = "proc stop";
		if ((rc = thread_counts(v, c, t, -1)) != GOTRACE_OK)
			return rc;
		/* A P that stops under a goroutine in a syscall: the syscall
		 * blocked, and the proc view draws it only while it held the P. */
		if (!v->thread_view && gt_map_get(&v->in_syscall, proc, 0, &gi)) {
			goroutine *g = &v->gs[gi];
			gt_map_del(&v->in_syscall, proc, 0);
			if ((rc = syscall_end(v, g, t, 1)) != GOTRACE_OK ||
			    (rc = stop(v, c, g, t, ev->stack)) != GOTRACE_OK)
				return rc;
		}
	}
	if (name == NULL || !visible(v, t))
		return GOTRACE_OK;
	memset(&in, 0, sizeof in);
	in.track = timeline_track(tid);
	in.time = t;
	in.name = str_of(name);
	in.stack = stack;
	/* cmd/trace's arguments are omitempty: formats leave zeros out. */
	in.args[0].key = "thread";
	in.args[0].type = TL_ARG_UINT;
	in.args[0].u = (uint64_t)ev->thread;
	in.args[1].key = "proc";
	in.args[1].type = TL_ARG_UINT;
	in.args[1].u = (uint64_t)proc;
	in.nargs = 2;
	return tl_instant_at(c, &in);
}

/* ---- the view ---------------------------------------------------------------- */

/* Every event fed, dispatched as cmd/trace's generator dispatches it;
 * kinds it does not draw (tasks, regions, experimental) are skipped. */
static int feed(void *p, tl_core *c, const gotrace_event *ev)
{
	view *v = p;
	int64_t res = v->thread_view ? ev->thread : ev->proc;
	int rc;

	if (!v->started) {
		v->started = 1;
		v->start_time = ev->time;
		if ((rc = describe_fixed(v, c)) != GOTRACE_OK)
			return rc;
	}
	switch (ev->kind) {
	case GOTRACE_EVENT_SYNC:
		v->syncs++;
		return GOTRACE_OK;
	case GOTRACE_EVENT_STACK_SAMPLE:
		if (res == NO_RESOURCE)
			return GOTRACE_OK;
		return instant(v, c, (uint64_t)res, ev->time,
		               str_of("CPU profile sample"), NULL,
		               tl_stack(c, ev->stack), 0);
	case GOTRACE_EVENT_RANGE_BEGIN:
	case GOTRACE_EVENT_RANGE_ACTIVE:
	case GOTRACE_EVENT_RANGE_END:
		switch (ev->u.range.scope) {
		case GOTRACE_RESOURCE_GOROUTINE:
			return goroutine_range(v, c, ev);
		case GOTRACE_RESOURCE_PROC:
			return v->thread_view ? GOTRACE_OK : scoped_range(v, c, ev, 0);
		case GOTRACE_RESOURCE_NONE:
			return scoped_range(v, c, ev, 1);
		default:
			return GOTRACE_OK;
		}
	case GOTRACE_EVENT_METRIC:
		return metric(v, c, ev);
	case GOTRACE_EVENT_LABEL:
		if (ev->u.label.resource == GOTRACE_RESOURCE_GOROUTINE) {
			goroutine *g = find_goroutine(v, ev->u.label.id);
			if (g == NULL)
				return GOTRACE_OK;
			g->has_label = ev->u.label.label.len > 0;
			if (g->has_label)
				return intern(v, ev->u.label.label, &g->label);
		}
		return GOTRACE_OK;
	case GOTRACE_EVENT_STATE_TRANSITION:
		if (ev->u.transition.resource == GOTRACE_RESOURCE_PROC)
			return proc_transition(v, c, ev);
		if (ev->u.transition.resource == GOTRACE_RESOURCE_GOROUTINE)
			return go_transition(v, c, ev);
		return GOTRACE_OK;
	case GOTRACE_EVENT_LOG: {
		gotrace_string cat = ev->u.log.category, msg = ev->u.log.message;
		gotrace_string name = msg;

		if (res == NO_RESOURCE)
			return GOTRACE_OK;
		if (cat.len > 0) {
			if (scratch(v, cat.len + msg.len + 3) != GOTRACE_OK)
				return GOTRACE_ERR_NOMEM;
			v->buf[0] = '[';
			memcpy(v->buf + 1, cat.data, cat.len);
			v->buf[cat.len + 1] = ']';
			v->buf[cat.len + 2] = ' ';
			if (msg.len > 0)
				memcpy(v->buf + cat.len + 3, msg.data, msg.len);
			name.data = v->buf;
			name.len = cat.len + msg.len + 3;
		}
		return instant(v, c, (uint64_t)res, ev->time, name, "user event",
		               tl_stack(c, ev->stack), 0);
	}
	default:
		return GOTRACE_OK;
	}
}

/* What is still open at the end closes there: P ranges first (they sit
 * inside goroutine slices or beside them), then the GC phase, then the
 * goroutines, each with its syscall and ranges. */
static int finish(void *p, tl_core *c, int64_t end)
{
	view *v = p;
	size_t i;
	int rc = GOTRACE_OK;

	for (i = 0; i < v->procs.n && rc == GOTRACE_OK; i++)
		if (v->procs.r[i].used)
			rc = range_slice(v, c, (uint64_t)v->procs.r[i].proc,
			                 &v->procs.r[i], end, 0);
	for (i = 0; i < v->global.n && rc == GOTRACE_OK; i++)
		if (v->global.r[i].used && v->global.r[i].drawn)
			rc = range_slice(v, c, TID_GC, &v->global.r[i], end, 0);
	for (i = 0; i < v->ngs && rc == GOTRACE_OK; i++) {
		goroutine *g = &v->gs[i];
		gotrace_stack none = { NULL, 0 };

		if (g->executing == NO_RESOURCE)
			continue;
		rc = syscall_end(v, g, end, 0);
		if (rc == GOTRACE_OK)
			rc = stop(v, c, g, end, none);
	}
	return rc;
}

/* Frees the view and every goroutine's lists. */
static void view_free(void *p)
{
	view *v = p;
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->ngs; i++) {
		free(v->gs[i].ranges);
		free(v->gs[i].done);
	}
	free(v->gs);
	gt_map_free(&v->gindex);
	gt_map_free(&v->in_syscall);
	gt_map_free(&v->threads);
	gt_map_free(&v->sparse_procs);
	gt_map_free(&v->orphans);
	range_set_free(&v->global);
	range_set_free(&v->procs);
	gt_strtab_free(&v->names);
	free(v->buf);
	free(v);
}

static const tl_view_ops cmdtrace_ops = { feed, finish, view_free };

/* The proc or thread view (GOTRACE_TIMELINE_PROC / _THREAD); the two
 * differ only in what a resource is and in a few rules (see above). */
int tl_view_cmdtrace_new(void **out, const tl_view_ops **ops, int which)
{
	view *v;

	*out = NULL;
	if (which != GOTRACE_TIMELINE_PROC && which != GOTRACE_TIMELINE_THREAD)
		return GOTRACE_ERR_ARG;
	if ((v = calloc(1, sizeof *v)) == NULL)
		return GOTRACE_ERR_NOMEM;
	v->thread_view = which == GOTRACE_TIMELINE_THREAD;
	if (intern(v, str_of("syscall"), &v->name_syscall) != GOTRACE_OK ||
	    intern(v, str_of("GC mark assist"), &v->name_mark_assist) !=
	            GOTRACE_OK) {
		view_free(v);
		return GOTRACE_ERR_NOMEM;
	}
	*out = v;
	*ops = &cmdtrace_ops;
	return GOTRACE_OK;
}
