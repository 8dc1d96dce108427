/*
 * Goroutine, task and region summaries (gotrace_summary): the figures of
 * Go 1.27's internal/trace Summarizer, computed one event at a time.
 *
 * The accounting rules are Go's, including the ones that look accidental,
 * because `go tool trace` shows these numbers and users compare: a
 * goroutine first seen mid-trace is charged its current state back to the
 * generation's start; time in a syscall after the P was taken counts as
 * scheduler wait until the syscall ends; blocking "forever" ends a
 * goroutine; a goroutine created inside a region inherits an unnamed
 * region of the creator's task; an ID seen being created again starts a
 * new record. Where Go's code would dereference a goroutine it never saw
 * (it panics), the event is ignored here.
 */
#include <stdlib.h>
#include <string.h>

#include "durations.h"
#include "table.h"

#define NO_TIME INT64_MIN
#define NO_FRAME UINT32_MAX
#define NO_INDEX UINT32_MAX

typedef struct named_ns {
	uint32_t name;
	int64_t ns;
} named_ns;

typedef struct named_list {
	named_ns *v;
	uint32_t n, cap;
} named_list;

/* A user region of a goroutine, as far as the outputs need it. */
typedef struct region_rec {
	uint64_t task;
	uint32_t type;   /* string id */
	uint32_t frame;  /* frame id, NO_FRAME when it has no begin stack */
	int64_t start;   /* NO_TIME when its begin is not in the trace */
} region_rec;

typedef struct region_list {
	region_rec *v;
	uint32_t n, cap;
} region_list;

/* What a goroutine's accounting needs while it lives: allocated when it
 * appears, freed when it ends, so that ended goroutines cost only their
 * record. All zero means "nothing pending", as Go's zeroed state. */
typedef struct grun {
	int64_t last_start, last_runnable, last_block, last_syscall,
	        last_syscall_block;
	uint32_t last_block_reason;
	named_list last_range;  /* range name -> begin time */
	region_list active;     /* stack of open regions */
	struct grun *next_free;
} grun;

typedef struct region_sample {
	uint32_t type;          /* index in region_types */
	size_t pos;             /* index in its durations */
} region_sample;

/* A duration taken back (its goroutine's ID was created again). */
#define TAKEN_BACK INT64_MIN

typedef struct gsum {
	int64_t id;
	uint64_t pc;
	int64_t creation, start, end;
	int64_t exec, sched_wait, syscall, syscall_block, total;
	named_list block;
	named_list ranges;
	grun *run;              /* NULL once ended (or before any need) */
	/* Where its regions' durations went, so that they can be taken
	 * back if the ID is created again: Go's summary then replaces the
	 * record, and cmd/trace's region page no longer sees them. The
	 * runtime does this for the goroutine of a cgo callback's M. */
	struct region_sample *samples;
	uint32_t nsamples, samples_cap;
	uint32_t name;          /* string id; 0 is "" */
	uint32_t regions;       /* regions ended (or closed at the end) */
	/* Go keys its syscall bookkeeping by goroutine ID, so it outlives a
	 * record replaced under the same ID. */
	int64_t syscall_proc;
	int in_syscall_map;
} gsum;

typedef struct task_rec {
	uint64_t id;
	uint32_t name;
	int has_parent;
	uint64_t parent;
	int64_t start, end;
	int64_t *goroutines;    /* a set: deduplicated when it fills */
	size_t ngoroutines, cap;
	size_t logs, regions;
} task_rec;

typedef struct frame_rec {
	uint64_t pc;
	uint32_t func, file;
	uint64_t line;
} frame_rec;

/* Results built at finish, and the live accessors' scratch space. */
typedef struct views {
	uint32_t *by_id;        /* goroutine indexes in ID order */
	size_t nby_id;
	int by_id_dirty;
	gotrace_named_duration *block, *ranges;
	size_t block_cap, ranges_cap;
	gotrace_goroutine_group *groups;
	size_t ngroups;
} views;

typedef struct region_type_rec {
	uint32_t type, frame;
	gt_durations d;
	gotrace_duration_stats stats;
} region_type_rec;

static const grun no_run;

typedef struct task_type_rec {
	uint32_t type;
	uint64_t count;
	gt_durations d;
	gotrace_duration_stats stats;
} task_type_rec;

#define REASON_CACHE 61

typedef struct reason_slot {
	const char *data;
	size_t len;
	uint32_t id;
} reason_slot;

struct gotrace_summary {
	gt_strtab strings;
	reason_slot reason_cache[REASON_CACHE];
	gt_strtab frame_keys;   /* binary frame keys -> frame ids */
	frame_rec *frames;
	size_t nframes, frames_cap;

	gsum *gs;
	size_t ngs, gs_cap;
	gt_map g_index;         /* goroutine ID -> index in gs */

	task_rec *tasks;
	size_t ntasks, tasks_cap;
	gt_map t_index;         /* task ID -> index in tasks */
	uint32_t *tasks_by_id;

	gt_map syscalling_p;    /* P -> goroutine index */
	gt_map ranges_p;        /* (P, range name) -> goroutine index */

	int64_t first_ts, last_ts, sync_ts;
	int seen_event;
	int finished;
	int failed;

	/* Regions are added to their type's durations as they end. */
	region_type_rec *region_types;
	size_t nregion_types, region_types_cap;
	gt_map rt_index;        /* (type, frame) -> index in region_types */
	task_type_rec *task_types;
	size_t ntask_types;

	/* Sums of the goroutines forgotten by gotrace_summary_forget_ended,
	 * by name, so that groups stay whole. */
	gotrace_goroutine_group *retired;
	uint32_t *retired_names;
	size_t nretired, retired_cap, retired_names_cap;
	gt_map retired_index;   /* name -> index in retired */

	grun *free_runs;        /* recycled running states */

	views *view;            /* mutable from const accessors */
};

/* --- small helpers ----------------------------------------------------- */

static int named_add(named_list *l, uint32_t name, int64_t ns)
{
	uint32_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].name == name) {
			l->v[i].ns += ns;
			return 0;
		}
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 4;
		named_ns *v = realloc(l->v, cap * sizeof *v);

		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].name = name;
	l->v[l->n].ns = ns;
	l->n++;
	return 0;
}

/* last_range is a map name -> begin time: the same list type, ns = time. */
static named_ns *named_find(named_list *l, uint32_t name)
{
	uint32_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].name == name)
			return &l->v[i];
	return NULL;
}

static void named_del(named_list *l, uint32_t name)
{
	named_ns *e = named_find(l, name);

	if (e != NULL)
		*e = l->v[--l->n];
}

static int region_push(region_list *l, region_rec r)
{
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 4;
		region_rec *v = realloc(l->v, cap * sizeof *v);

		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = r;
	return 0;
}

static int intern(gotrace_summary *s, gotrace_string str, uint32_t *id)
{
	return gt_strtab_intern(&s->strings, str.data, str.len, id);
}

/*
 * Block reasons come with nearly every transition into Waiting, from a few
 * strings of the reader's tables: remember where the last ones lived, and
 * confirm by content (a table may be reused for other strings in a later
 * generation).
 */
static int intern_cached(gotrace_summary *s, gotrace_string str, uint32_t *id)
{
	reason_slot *slot = &s->reason_cache[((uintptr_t)str.data >> 3) %
	                                     REASON_CACHE];

	if (slot->data == str.data && slot->len == str.len) {
		gotrace_string known = gt_strtab_get(&s->strings, slot->id);

		if (str.len == 0 || memcmp(known.data, str.data, str.len) == 0) {
			*id = slot->id;
			return 0;
		}
	}
	if (intern(s, str, id) != 0)
		return -1;
	slot->data = str.data;
	slot->len = str.len;
	slot->id = *id;
	return 0;
}

/* The frame id of the outermost frame of stk (the one Go's loops over
 * Frames() end on), or NO_FRAME for an absent or empty stack. */
static int outermost_frame(gotrace_summary *s, gotrace_stack stk,
                           uint32_t *out)
{
	gotrace_frame f;
	size_t depth = gotrace_stack_depth(stk);
	unsigned char key[24];
	uint32_t func, file, id;

	*out = NO_FRAME;
	if (depth == 0 || gotrace_stack_frame(stk, depth - 1, &f) != 0)
		return 0;
	if (intern(s, f.func, &func) != 0 || intern(s, f.file, &file) != 0)
		return -1;
	memcpy(key, &f.pc, 8);
	memcpy(key + 8, &f.line, 8);
	memcpy(key + 16, &func, 4);
	memcpy(key + 20, &file, 4);
	if (gt_strtab_intern(&s->frame_keys, (const char *)key, sizeof key, &id) != 0)
		return -1;
	if (id == s->nframes) {
		if (gt_grow((void **)&s->frames, &s->frames_cap, s->nframes + 1,
		               sizeof *s->frames) != 0)
			return -1;
		s->frames[id] = (frame_rec){ f.pc, func, file, f.line };
		s->nframes++;
	}
	*out = id;
	return 0;
}

static int is_system_goroutine(const gotrace_summary *s, uint32_t name)
{
	static const char prefix[] = "runtime.";
	gotrace_string n = gt_strtab_get(&s->strings, name);

	if (n.len == 0)
		return 1;
	if (n.len == 12 && memcmp(n.data, "runtime.main", 12) == 0)
		return 0;
	return n.len >= sizeof prefix - 1 &&
	       memcmp(n.data, prefix, sizeof prefix - 1) == 0;
}

/* --- goroutines -------------------------------------------------------- */

static gsum *find_g(gotrace_summary *s, int64_t id)
{
	uint32_t i;

	return gt_map_get(&s->g_index, id, 0, &i) ? &s->gs[i] : NULL;
}

/* Running states are recycled (with their lists' storage): goroutines
 * come and go by the million in a busy trace. */
static void clear_running(gotrace_summary *s, gsum *g)
{
	grun *run = g->run;

	if (run == NULL)
		return;
	run->last_range.n = 0;
	run->active.n = 0;
	run->next_free = s->free_runs;
	s->free_runs = run;
	g->run = NULL;
}

/* The running state, allocated on first need (also after the goroutine
 * ended, if events keep coming for it, as Go's code allows). */
static grun *run_of(gotrace_summary *s, gsum *g)
{
	grun *run;

	if (g->run != NULL)
		return g->run;
	if ((run = s->free_runs) != NULL) {
		named_list last_range = run->last_range;
		region_list active = run->active;

		s->free_runs = run->next_free;
		memset(run, 0, sizeof *run);
		run->last_range = last_range;
		run->active = active;
	} else if ((run = calloc(1, sizeof *run)) == NULL)
		return NULL;
	g->run = run;
	return run;
}

static const grun *peek_run(const gsum *g)
{
	return g->run != NULL ? g->run : &no_run;
}

static void free_g(gotrace_summary *s, gsum *g)
{
	clear_running(s, g);
	free(g->samples);
	free(g->block.v);
	free(g->ranges.v);
}

/* A region is over (end may be the trace's last event): add its duration
 * to its type's. */
static int region_done(gotrace_summary *s, gsum *g, const region_rec *r,
                       int64_t end)
{
	int64_t start = r->start == NO_TIME ? s->first_ts : r->start;
	uint32_t ti;

	if (!gt_map_get(&s->rt_index, r->type, r->frame, &ti)) {
		if (s->nregion_types >= NO_INDEX ||
		    gt_grow((void **)&s->region_types, &s->region_types_cap,
		               s->nregion_types + 1, sizeof *s->region_types) != 0)
			return -1;
		ti = (uint32_t)s->nregion_types;
		memset(&s->region_types[ti], 0, sizeof s->region_types[ti]);
		s->region_types[ti].type = r->type;
		s->region_types[ti].frame = r->frame;
		if (gt_map_put(&s->rt_index, r->type, r->frame, ti) != 0)
			return -1;
		s->nregion_types++;
	}
	if (g->nsamples == g->samples_cap) {
		size_t cap = g->samples_cap;

		if (gt_grow((void **)&g->samples, &cap, (size_t)g->nsamples + 1,
		               sizeof *g->samples) != 0 || cap > UINT32_MAX)
			return -1;
		g->samples_cap = (uint32_t)cap;
	}
	g->samples[g->nsamples].type = ti;
	g->samples[g->nsamples].pos = s->region_types[ti].d.n;
	g->nsamples++;
	g->regions++;
	return gt_durations_add(&s->region_types[ti].d, end - start);
}

/* Takes a replaced record's region durations back out of their types. */
static void take_back_regions(gotrace_summary *s, const gsum *g)
{
	uint32_t k;

	for (k = 0; k < g->nsamples; k++)
		s->region_types[g->samples[k].type].d.v[g->samples[k].pos] =
			TAKEN_BACK;
}

/* A fresh record for id (replacing any earlier one with that ID). */
static gsum *new_g(gotrace_summary *s, int64_t id)
{
	uint32_t i;
	gsum *g;
	int in_map = 0;
	int64_t proc = 0;

	if (gt_map_get(&s->g_index, id, 0, &i)) {
		g = &s->gs[i];
		in_map = g->in_syscall_map;
		proc = g->syscall_proc;
		take_back_regions(s, g);
		free_g(s, g);
	} else {
		if (s->ngs >= NO_INDEX ||
		    gt_grow((void **)&s->gs, &s->gs_cap, s->ngs + 1,
		               sizeof *s->gs) != 0)
			return NULL;
		i = (uint32_t)s->ngs;
		if (gt_map_put(&s->g_index, id, 0, i) != 0)
			return NULL;
		s->ngs++;
		s->view->by_id_dirty = 1;
		g = &s->gs[i];
	}
	memset(g, 0, sizeof *g);
	g->id = id;
	g->in_syscall_map = in_map;
	g->syscall_proc = proc;
	return g;
}

static uint32_t g_index(const gotrace_summary *s, const gsum *g)
{
	return (uint32_t)(g - s->gs);
}

/*
 * The goroutine's figures as of time `at`: the accumulated ones plus the
 * time in its current state (Go's snapshotStat). Scalars go to *out; the
 * pending block and range time is added into the caller's lists.
 */
typedef struct gstats {
	int64_t exec, sched_wait, syscall, syscall_block, total;
} gstats;

enum { GO_RULE = 0, MONOTONE = 1 };

/*
 * rule GO_RULE counts an open syscall's time without a P as scheduler wait,
 * as Go's snapshot does (and so Go's final figures, for a syscall still
 * open at the end); MONOTONE counts it as syscall-block time, where Go puts
 * it once the syscall ends, so that running figures only grow.
 */
static int snapshot(const gsum *g, int64_t at, int finalized, int rule,
                    gstats *out, named_list *block, named_list *ranges)
{
	const grun *run = peek_run(g);
	uint32_t i;

	out->exec = g->exec;
	out->sched_wait = g->sched_wait;
	out->syscall = g->syscall;
	out->syscall_block = g->syscall_block;
	out->total = g->total;
	if (finalized)
		return 0;
	if (g->total == 0)
		out->total = at - g->creation;
	if (run->last_start != 0)
		out->exec += at - run->last_start;
	if (run->last_runnable != 0)
		out->sched_wait += at - run->last_runnable;
	if (run->last_block != 0 &&
	    named_add(block, run->last_block_reason, at - run->last_block) != 0)
		return -1;
	if (run->last_syscall != 0)
		out->syscall += at - run->last_syscall;
	if (run->last_syscall_block != 0) {
		if (rule == MONOTONE)
			out->syscall_block += at - run->last_syscall_block;
		else
			out->sched_wait += at - run->last_syscall_block;
	}
	for (i = 0; i < run->last_range.n; i++)
		if (named_add(ranges, run->last_range.v[i].name,
		              at - run->last_range.v[i].ns) != 0)
			return -1;
	return 0;
}

/* Ends the goroutine's accounting at `at` (Go's finalize). trigger_time is
 * the time of the event that ended it, or NO_TIME at the end of the trace. */
static int finalize_g(gotrace_summary *s, gsum *g, int64_t at,
                      int64_t trigger_time)
{
	gstats st;
	uint32_t i;

	if (trigger_time != NO_TIME)
		g->end = trigger_time;
	if (snapshot(g, at, 0, GO_RULE, &st, &g->block, &g->ranges) != 0)
		return -1;
	g->exec = st.exec;
	g->sched_wait = st.sched_wait;
	g->syscall = st.syscall;
	g->syscall_block = st.syscall_block;
	g->total = st.total;
	if (g->run != NULL && !is_system_goroutine(s, g->name))
		for (i = 0; i < g->run->active.n; i++)
			if (region_done(s, g, &g->run->active.v[i],
			                trigger_time == NO_TIME ? s->last_ts
			                                        : trigger_time) != 0)
				return -1;
	clear_running(s, g);
	return 0;
}

/* --- tasks ------------------------------------------------------------- */

static task_rec *get_task(gotrace_summary *s, uint64_t id)
{
	uint32_t i;
	task_rec *t;

	if (gt_map_get(&s->t_index, (int64_t)id, 0, &i))
		return &s->tasks[i];
	if (s->ntasks >= NO_INDEX ||
	    gt_grow((void **)&s->tasks, &s->tasks_cap, s->ntasks + 1,
	               sizeof *s->tasks) != 0)
		return NULL;
	if (gt_map_put(&s->t_index, (int64_t)id, 0, (uint32_t)s->ntasks) != 0)
		return NULL;
	t = &s->tasks[s->ntasks++];
	memset(t, 0, sizeof *t);
	t->id = id;
	t->start = t->end = NO_TIME;
	return t;
}

static int compare_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static size_t sort_unique(int64_t *v, size_t n)
{
	size_t i, k = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, compare_i64);
	for (i = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

/* Adds a goroutine ID to a task's set. The set is kept as a list that is
 * deduplicated whenever it fills, so it grows with distinct goroutines,
 * not with events. */
static int task_add_goroutine(task_rec *t, int64_t id)
{
	if (t->ngoroutines > 0 && t->goroutines[t->ngoroutines - 1] == id)
		return 0;
	if (t->ngoroutines == t->cap) {
		t->ngoroutines = sort_unique(t->goroutines, t->ngoroutines);
		if ((t->ngoroutines == t->cap || t->ngoroutines * 2 > t->cap) &&
		    gt_grow((void **)&t->goroutines, &t->cap, t->cap + 1,
		               sizeof *t->goroutines) != 0)
			return -1;
	}
	t->goroutines[t->ngoroutines++] = id;
	return 0;
}

/* --- feeding events ---------------------------------------------------- */

static int goroutine_transition(gotrace_summary *s, const gotrace_event *ev)
{
	int64_t id = ev->u.transition.id, t = ev->time;
	int from = ev->u.transition.old_state, to = ev->u.transition.new_state;
	gotrace_string reason = ev->u.transition.reason;
	gsum *g = find_g(s, id);
	grun *run = NULL;
	uint32_t reason_id;

	if (from == to)
		return 0;
	if (from != GOTRACE_GO_UNDETERMINED && from != GOTRACE_GO_NOT_EXIST) {
		/* Go's code would dereference a goroutine it never saw. */
		if (g == NULL)
			return 0;
		if ((run = run_of(s, g)) == NULL)
			return -1;
	}
	switch (from) {
	case GOTRACE_GO_UNDETERMINED: {
		/* Already there when the generation began: charge its state
		 * back to the generation's start. */
		int64_t dt = t - s->sync_ts;

		if ((g = new_g(s, id)) == NULL || (run = run_of(s, g)) == NULL)
			return -1;
		g->creation = s->sync_ts;
		switch (to) {
		case GOTRACE_GO_RUNNING:
			g->exec += dt;
			break;
		case GOTRACE_GO_WAITING:
			if (intern_cached(s, reason, &reason_id) != 0 ||
			    named_add(&g->block, reason_id, dt) != 0)
				return -1;
			break;
		case GOTRACE_GO_RUNNABLE:
			g->sched_wait += dt;
			break;
		case GOTRACE_GO_SYSCALL:
			if (ev->proc == GOTRACE_NO_PROC)
				g->syscall_block += dt;
			else
				g->syscall += dt;
			break;
		default:
			break;
		}
		break;
	}
	case GOTRACE_GO_NOT_EXIST: {
		gsum *creator;
		int64_t creator_id = ev->goroutine;

		if ((g = new_g(s, id)) == NULL || (run = run_of(s, g)) == NULL)
			return -1;
		g->creation = t;
		creator = find_g(s, creator_id);
		if (creator != NULL && creator != g && creator->run != NULL &&
		    creator->run->active.n > 0) {
			region_rec r;

			r.type = 0;
			r.task = 0;
			r.start = t;
			if (outermost_frame(s, ev->stack, &r.frame) != 0)
				return -1;
			r.task = creator->run->active.v[creator->run->active.n - 1].task;
			if (region_push(&run->active, r) != 0)
				return -1;
		}
		break;
	}
	case GOTRACE_GO_RUNNING:
		g->exec += t - run->last_start;
		run->last_start = 0;
		break;
	case GOTRACE_GO_WAITING:
		if (run->last_block != 0) {
			if (named_add(&g->block, run->last_block_reason,
			              t - run->last_block) != 0)
				return -1;
			run->last_block = 0;
		}
		break;
	case GOTRACE_GO_RUNNABLE:
		if (run->last_runnable != 0) {
			g->sched_wait += t - run->last_runnable;
			run->last_runnable = 0;
		}
		break;
	case GOTRACE_GO_SYSCALL:
		if (run->last_syscall != 0) {
			if (run->last_syscall_block != 0) {
				g->syscall_block += t - run->last_syscall_block;
				g->syscall += run->last_syscall_block - run->last_syscall;
			} else
				g->syscall += t - run->last_syscall;
			run->last_syscall = 0;
			run->last_syscall_block = 0;
			/* Go deletes syscallingP[syscallingG[id]], which reads
			 * P 0 when the goroutine is not in the map. */
			gt_map_del(&s->syscalling_p,
			           g->in_syscall_map ? g->syscall_proc : 0, 0);
			g->in_syscall_map = 0;
		}
		break;
	default:
		return 0;
	}

	if (g->name == 0) {
		/* Named after the outermost frame of the transition's stack:
		 * the goroutine's start function, the same on every stack. */
		gotrace_stack stk = ev->u.transition.stack;
		size_t depth = gotrace_stack_depth(stk);
		gotrace_frame f;

		if (depth > 0 && gotrace_stack_frame(stk, depth - 1, &f) == 0) {
			g->pc = f.pc;
			if (intern_cached(s, f.func, &g->name) != 0)
				return -1;
		}
	}

	switch (to) {
	case GOTRACE_GO_RUNNING:
		run->last_start = t;
		if (g->start == 0)
			g->start = t;
		break;
	case GOTRACE_GO_RUNNABLE:
		run->last_runnable = t;
		break;
	case GOTRACE_GO_WAITING:
		if (!(reason.len == 7 && memcmp(reason.data, "forever", 7) == 0)) {
			if (intern_cached(s, reason, &reason_id) != 0)
				return -1;
			run->last_block = t;
			run->last_block_reason = reason_id;
			break;
		}
		/* Blocked forever: as good as gone. */
		return finalize_g(s, g, t, t);
	case GOTRACE_GO_NOT_EXIST:
		return finalize_g(s, g, t, t);
	case GOTRACE_GO_SYSCALL:
		if (gt_map_put(&s->syscalling_p, ev->proc, 0, g_index(s, g)) != 0)
			return -1;
		g->in_syscall_map = 1;
		g->syscall_proc = ev->proc;
		run->last_syscall = t;
		break;
	default:
		break;
	}
	return 0;
}

static int proc_transition(gotrace_summary *s, const gotrace_event *ev)
{
	uint32_t gi;

	/* A P going idle under a goroutine in a syscall: the syscall now
	 * blocks without a P. */
	if (ev->u.transition.old_state == ev->u.transition.new_state ||
	    ev->u.transition.new_state != GOTRACE_PROC_IDLE)
		return 0;
	if (gt_map_get(&s->syscalling_p, ev->u.transition.id, 0, &gi)) {
		grun *run = run_of(s, &s->gs[gi]);

		if (run == NULL)
			return -1;
		run->last_syscall_block = ev->time;
		gt_map_del(&s->syscalling_p, ev->u.transition.id, 0);
	}
	return 0;
}

static int range_begin(gotrace_summary *s, const gotrace_event *ev)
{
	gsum *g = NULL;
	grun *run;
	uint32_t name;
	named_ns *last;

	if (intern_cached(s, ev->u.range.name, &name) != 0)
		return -1;
	switch (ev->u.range.scope) {
	case GOTRACE_RESOURCE_GOROUTINE:
		g = find_g(s, ev->u.range.scope_id);
		break;
	case GOTRACE_RESOURCE_PROC:
		/* A P's range (a sweep) is credited to the goroutine that
		 * began it, if the same one ends it. */
		g = find_g(s, ev->goroutine);
		if (g != NULL &&
		    gt_map_put(&s->ranges_p, ev->u.range.scope_id, name,
		               g_index(s, g)) != 0)
			return -1;
		break;
	default:
		break;
	}
	if (g == NULL)
		return 0;
	if ((run = run_of(s, g)) == NULL)
		return -1;
	last = named_find(&run->last_range, name);
	if (ev->kind == GOTRACE_EVENT_RANGE_ACTIVE) {
		/* Known to be running since the generation began. */
		if (last != NULL && last->ns != 0 &&
		    named_add(&g->ranges, name, s->sync_ts - last->ns) != 0)
			return -1;
		if (last != NULL)
			last->ns = s->sync_ts;
		else if (named_add(&run->last_range, name, s->sync_ts) != 0)
			return -1;
	} else if (last != NULL)
		last->ns = ev->time;
	else if (named_add(&run->last_range, name, ev->time) != 0)
		return -1;
	return 0;
}

static int range_end(gotrace_summary *s, const gotrace_event *ev)
{
	gsum *g = NULL;
	uint32_t name, gi;
	named_ns *last;

	if (intern_cached(s, ev->u.range.name, &name) != 0)
		return -1;
	switch (ev->u.range.scope) {
	case GOTRACE_RESOURCE_GOROUTINE:
		g = find_g(s, ev->u.range.scope_id);
		break;
	case GOTRACE_RESOURCE_PROC:
		if (gt_map_get(&s->ranges_p, ev->u.range.scope_id, name, &gi)) {
			if (s->gs[gi].id == ev->goroutine)
				g = &s->gs[gi];
			gt_map_del(&s->ranges_p, ev->u.range.scope_id, name);
		}
		break;
	default:
		break;
	}
	if (g == NULL || g->run == NULL)
		return 0;
	last = named_find(&g->run->last_range, name);
	if (last == NULL || last->ns == 0)
		return 0;
	if (named_add(&g->ranges, name, ev->time - last->ns) != 0)
		return -1;
	named_del(&g->run->last_range, name);
	return 0;
}

static int region_begin(gotrace_summary *s, const gotrace_event *ev)
{
	gsum *g = find_g(s, ev->goroutine);
	task_rec *t;
	region_rec r;

	if (g == NULL)
		return 0;
	if (intern(s, ev->u.region.type, &r.type) != 0 ||
	    outermost_frame(s, ev->stack, &r.frame) != 0)
		return -1;
	r.task = ev->u.region.task;
	r.start = ev->time;
	if (run_of(s, g) == NULL || region_push(&g->run->active, r) != 0)
		return -1;
	if ((t = get_task(s, r.task)) == NULL)
		return -1;
	t->regions++;
	return task_add_goroutine(t, g->id);
}

static int region_end(gotrace_summary *s, const gotrace_event *ev)
{
	gsum *g = find_g(s, ev->goroutine);
	region_rec r;

	if (g == NULL)
		return 0;
	if (g->run != NULL && g->run->active.n > 0)
		r = g->run->active.v[--g->run->active.n];
	else {
		/* Its begin is not in the trace. */
		task_rec *t;

		if (intern(s, ev->u.region.type, &r.type) != 0)
			return -1;
		r.task = ev->u.region.task;
		r.frame = NO_FRAME;
		r.start = NO_TIME;
		if ((t = get_task(s, r.task)) == NULL)
			return -1;
		t->regions++;
		if (task_add_goroutine(t, g->id) != 0)
			return -1;
	}
	return region_done(s, g, &r, ev->time);
}

static int task_event(gotrace_summary *s, const gotrace_event *ev)
{
	task_rec *t = get_task(s, ev->u.task.id);
	uint64_t parent = ev->u.task.parent;

	if (t == NULL || intern(s, ev->u.task.type, &t->name) != 0 ||
	    task_add_goroutine(t, ev->goroutine) != 0)
		return -1;
	if (ev->kind == GOTRACE_EVENT_TASK_BEGIN)
		t->start = ev->time;
	else
		t->end = ev->time;
	if (parent != GOTRACE_NO_TASK && !t->has_parent) {
		t->has_parent = 1;
		t->parent = parent;
		if (get_task(s, parent) == NULL)
			return -1;
	}
	return 0;
}

static int log_event(gotrace_summary *s, const gotrace_event *ev)
{
	task_rec *t = get_task(s, ev->u.log.task);

	if (t == NULL || task_add_goroutine(t, ev->goroutine) != 0)
		return -1;
	t->logs++;
	return 0;
}

int gotrace_summary_new(gotrace_summary **out)
{
	gotrace_summary *s;
	uint32_t empty;

	*out = NULL;
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return GOTRACE_ERR_NOMEM;
	s->view = calloc(1, sizeof *s->view);
	/* String id 0 is "", so a zeroed record has an empty name. */
	if (s->view == NULL || gt_strtab_intern(&s->strings, "", 0, &empty) != 0) {
		gotrace_summary_free(s);
		return GOTRACE_ERR_NOMEM;
	}
	*out = s;
	return GOTRACE_OK;
}

int gotrace_summary_feed(gotrace_summary *s, const gotrace_event *ev)
{
	int rc = 0;

	if (s == NULL || ev == NULL || s->finished)
		return GOTRACE_ERR_ARG;
	if (s->failed)
		return GOTRACE_ERR_NOMEM;
	if (!s->seen_event) {
		s->seen_event = 1;
		s->first_ts = ev->time;
	}
	if (s->sync_ts == 0)
		s->sync_ts = ev->time;
	s->last_ts = ev->time;

	switch (ev->kind) {
	case GOTRACE_EVENT_SYNC:
		s->sync_ts = ev->time;
		break;
	case GOTRACE_EVENT_STATE_TRANSITION:
		if (ev->u.transition.resource == GOTRACE_RESOURCE_GOROUTINE)
			rc = goroutine_transition(s, ev);
		else if (ev->u.transition.resource == GOTRACE_RESOURCE_PROC)
			rc = proc_transition(s, ev);
		break;
	case GOTRACE_EVENT_RANGE_BEGIN:
	case GOTRACE_EVENT_RANGE_ACTIVE:
		rc = range_begin(s, ev);
		break;
	case GOTRACE_EVENT_RANGE_END:
		rc = range_end(s, ev);
		break;
	case GOTRACE_EVENT_REGION_BEGIN:
		rc = region_begin(s, ev);
		break;
	case GOTRACE_EVENT_REGION_END:
		rc = region_end(s, ev);
		break;
	case GOTRACE_EVENT_TASK_BEGIN:
	case GOTRACE_EVENT_TASK_END:
		rc = task_event(s, ev);
		break;
	case GOTRACE_EVENT_LOG:
		rc = log_event(s, ev);
		break;
	default:
		break;
	}
	if (rc != 0) {
		s->failed = 1;
		return GOTRACE_ERR_NOMEM;
	}
	return GOTRACE_OK;
}

/* --- finishing --------------------------------------------------------- */

static int compare_strings(gotrace_string a, gotrace_string b)
{
	size_t n = a.len < b.len ? a.len : b.len;
	int c = n ? memcmp(a.data, b.data, n) : 0;

	if (c != 0)
		return c;
	return (a.len > b.len) - (a.len < b.len);
}

/* qsort has no context argument: sort records that carry what they
 * compare on. */
typedef struct sort_item {
	gotrace_string key;
	uint64_t pc;
	gotrace_string key2, key3;
	int64_t num;
	uint32_t index;
} sort_item;

static int compare_items(const void *a, const void *b)
{
	const sort_item *x = a, *y = b;
	int c = compare_strings(x->key, y->key);

	if (c != 0)
		return c;
	if (x->pc != y->pc)
		return x->pc < y->pc ? -1 : 1;
	if ((c = compare_strings(x->key2, y->key2)) != 0 ||
	    (c = compare_strings(x->key3, y->key3)) != 0)
		return c;
	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

static int build_region_types(gotrace_summary *s)
{
	size_t i, k = 0;
	sort_item *items;
	region_type_rec *sorted;

	/* Drop the durations taken back, and the types left with none. */
	for (i = 0; i < s->nregion_types; i++) {
		region_type_rec *rt = &s->region_types[i];
		size_t j, m = 0;

		for (j = 0; j < rt->d.n; j++)
			if (rt->d.v[j] != TAKEN_BACK)
				rt->d.v[m++] = rt->d.v[j];
		rt->d.n = m;
		if (m == 0)
			gt_durations_free(&rt->d);
		else
			s->region_types[k++] = *rt;
	}
	s->nregion_types = k;
	if (s->nregion_types == 0)
		return 0;
	items = calloc(s->nregion_types, sizeof *items);
	sorted = calloc(s->nregion_types, sizeof *sorted);
	if (items == NULL || sorted == NULL) {
		free(items);
		free(sorted);
		return -1;
	}
	for (i = 0; i < s->nregion_types; i++) {
		region_type_rec *rt = &s->region_types[i];

		gt_durations_stats(&rt->d, &rt->stats);
		gt_durations_free(&rt->d);
		/* cmd/trace orders by type and PC; frames that differ beyond
		 * that (only in damaged traces) go by function, file, line. */
		items[i].key = gt_strtab_get(&s->strings, rt->type);
		if (rt->frame != NO_FRAME) {
			const frame_rec *f = &s->frames[rt->frame];

			items[i].pc = f->pc;
			items[i].key2 = gt_strtab_get(&s->strings, f->func);
			items[i].key3 = gt_strtab_get(&s->strings, f->file);
			items[i].num = (int64_t)f->line;
		} else
			items[i].num = -1;
		items[i].index = (uint32_t)i;
	}
	qsort(items, s->nregion_types, sizeof *items, compare_items);
	for (i = 0; i < s->nregion_types; i++)
		sorted[i] = s->region_types[items[i].index];
	free(items);
	free(s->region_types);
	s->region_types = sorted;
	return 0;
}

static int build_task_types(gotrace_summary *s)
{
	gt_map index = {0};
	size_t i, cap = 0;
	sort_item *items;
	task_type_rec *sorted;

	for (i = 0; i < s->ntasks; i++) {
		const task_rec *t = &s->tasks[i];
		uint32_t ti;

		if (!gt_map_get(&index, t->name, 0, &ti)) {
			if (gt_grow((void **)&s->task_types, &cap, s->ntask_types + 1,
			               sizeof *s->task_types) != 0)
				goto fail;
			ti = (uint32_t)s->ntask_types++;
			memset(&s->task_types[ti], 0, sizeof s->task_types[ti]);
			s->task_types[ti].type = t->name;
			if (gt_map_put(&index, t->name, 0, ti) != 0)
				goto fail;
		}
		s->task_types[ti].count++;
		if (t->start != NO_TIME && t->end != NO_TIME &&
		    gt_durations_add(&s->task_types[ti].d, t->end - t->start) != 0)
			goto fail;
	}
	gt_map_free(&index);
	if (s->ntask_types == 0)
		return 0;
	items = calloc(s->ntask_types, sizeof *items);
	sorted = calloc(s->ntask_types, sizeof *sorted);
	if (items == NULL || sorted == NULL) {
		free(items);
		free(sorted);
		return -1;
	}
	for (i = 0; i < s->ntask_types; i++) {
		task_type_rec *tt = &s->task_types[i];

		gt_durations_stats(&tt->d, &tt->stats);
		gt_durations_free(&tt->d);
		items[i].key = gt_strtab_get(&s->strings, tt->type);
		items[i].index = (uint32_t)i;
	}
	qsort(items, s->ntask_types, sizeof *items, compare_items);
	for (i = 0; i < s->ntask_types; i++)
		sorted[i] = s->task_types[items[i].index];
	free(items);
	free(s->task_types);
	s->task_types = sorted;
	return 0;
fail:
	gt_map_free(&index);
	return -1;
}

static int build_tasks_by_id(gotrace_summary *s)
{
	sort_item *items;
	size_t i;

	if (s->ntasks == 0)
		return 0;
	items = calloc(s->ntasks, sizeof *items);
	s->tasks_by_id = calloc(s->ntasks, sizeof *s->tasks_by_id);
	if (items == NULL || s->tasks_by_id == NULL) {
		free(items);
		return -1;
	}
	for (i = 0; i < s->ntasks; i++) {
		task_rec *t = &s->tasks[i];

		t->ngoroutines = sort_unique(t->goroutines, t->ngoroutines);
		/* Task IDs are unsigned: order them as such. */
		items[i].pc = t->id;
		items[i].index = (uint32_t)i;
	}
	qsort(items, s->ntasks, sizeof *items, compare_items);
	for (i = 0; i < s->ntasks; i++)
		s->tasks_by_id[i] = items[i].index;
	free(items);
	return 0;
}

int gotrace_summary_finish(gotrace_summary *s)
{
	size_t i;

	if (s == NULL)
		return GOTRACE_ERR_ARG;
	if (s->failed)
		return GOTRACE_ERR_NOMEM;
	if (s->finished)
		return GOTRACE_OK;
	for (i = 0; i < s->ngs; i++)
		if (finalize_g(s, &s->gs[i], s->last_ts, NO_TIME) != 0)
			goto fail;
	if (build_region_types(s) != 0 || build_task_types(s) != 0 ||
	    build_tasks_by_id(s) != 0)
		goto fail;
	s->finished = 1;
	return GOTRACE_OK;
fail:
	s->failed = 1;
	return GOTRACE_ERR_NOMEM;
}

/* --- accessors --------------------------------------------------------- */

static int compare_goroutine_ids(const void *a, const void *b)
{
	const sort_item *x = a, *y = b;

	return (x->num > y->num) - (x->num < y->num);
}

static int ensure_by_id(const gotrace_summary *s)
{
	views *v = s->view;
	sort_item *items;
	uint32_t *by_id;
	size_t i;

	if (!v->by_id_dirty && v->nby_id == s->ngs)
		return 0;
	items = calloc(s->ngs ? s->ngs : 1, sizeof *items);
	by_id = calloc(s->ngs ? s->ngs : 1, sizeof *by_id);
	if (items == NULL || by_id == NULL) {
		free(items);
		free(by_id);
		return -1;
	}
	for (i = 0; i < s->ngs; i++) {
		items[i].num = s->gs[i].id;
		items[i].index = (uint32_t)i;
	}
	qsort(items, s->ngs, sizeof *items, compare_goroutine_ids);
	for (i = 0; i < s->ngs; i++)
		by_id[i] = items[i].index;
	free(items);
	free(v->by_id);
	v->by_id = by_id;
	v->nby_id = s->ngs;
	v->by_id_dirty = 0;
	return 0;
}

size_t gotrace_summary_goroutine_count(const gotrace_summary *s)
{
	return s == NULL ? 0 : s->ngs;
}

static int compare_named(const void *a, const void *b)
{
	const gotrace_named_duration *x = a, *y = b;

	return compare_strings(x->name, y->name);
}

/* Copies a list into the view's array, leaving out zero entries, sorted
 * by name. */
static int export_named(const gotrace_summary *s, const named_list *l,
                        gotrace_named_duration **arr, size_t *cap, size_t *n)
{
	uint32_t i;

	if (gt_grow((void **)arr, cap, l->n ? l->n : 1, sizeof **arr) != 0)
		return -1;
	*n = 0;
	for (i = 0; i < l->n; i++)
		if (l->v[i].ns != 0) {
			(*arr)[*n].name = gt_strtab_get(&s->strings, l->v[i].name);
			(*arr)[*n].ns = l->v[i].ns;
			(*n)++;
		}
	qsort(*arr, *n, sizeof **arr, compare_named);
	return 0;
}

static int copy_named(named_list *dst, const named_list *src)
{
	uint32_t i;

	dst->n = 0;
	for (i = 0; i < src->n; i++)
		if (named_add(dst, src->v[i].name, src->v[i].ns) != 0)
			return -1;
	return 0;
}

static int describe(const gotrace_summary *s, const gsum *g,
                    gotrace_goroutine_summary *out)
{
	views *v = s->view;
	named_list block = {0}, ranges = {0};
	gstats st;
	int rc = -1;

	if (copy_named(&block, &g->block) != 0 ||
	    copy_named(&ranges, &g->ranges) != 0 ||
	    snapshot(g, s->last_ts, s->finished, GO_RULE, &st, &block,
	             &ranges) != 0 ||
	    export_named(s, &block, &v->block, &v->block_cap, &out->nblock) != 0 ||
	    export_named(s, &ranges, &v->ranges, &v->ranges_cap, &out->nranges) != 0)
		goto done;
	out->id = g->id;
	out->name = gt_strtab_get(&s->strings, g->name);
	out->pc = g->pc;
	out->creation_time = g->creation;
	out->start_time = g->start;
	out->end_time = g->end;
	out->exec_ns = st.exec;
	out->sched_wait_ns = st.sched_wait;
	out->syscall_ns = st.syscall;
	out->syscall_block_ns = st.syscall_block;
	out->total_ns = st.total;
	out->block = v->block;
	out->ranges = v->ranges;
	out->regions = g->regions;
	rc = 0;
done:
	free(block.v);
	free(ranges.v);
	return rc;
}

int gotrace_summary_goroutine_at(const gotrace_summary *s, size_t i,
                                 gotrace_goroutine_summary *out)
{
	if (s == NULL || out == NULL || i >= s->ngs || s->failed ||
	    ensure_by_id(s) != 0)
		return -1;
	return describe(s, &s->gs[s->view->by_id[i]], out);
}

int gotrace_summary_goroutine(const gotrace_summary *s, int64_t id,
                              gotrace_goroutine_summary *out)
{
	uint32_t i;

	if (s == NULL || out == NULL || s->failed ||
	    !gt_map_get(&s->g_index, id, 0, &i))
		return 0;
	return describe(s, &s->gs[i], out) == 0;
}

static int compare_groups(const void *a, const void *b)
{
	const gotrace_goroutine_group *x = a, *y = b;

	if (x->exec_ns != y->exec_ns)
		return x->exec_ns > y->exec_ns ? -1 : 1;
	return compare_strings(x->name, y->name);
}

/* Groups are rebuilt by each gotrace_summary_group_count() call. */
static int build_groups(const gotrace_summary *s)
{
	views *v = s->view;
	gt_map index = {0};
	size_t i, cap = 0;
	gotrace_goroutine_group *groups = NULL;
	size_t n = 0;
	named_list block = {0}, ranges = {0};

	for (i = 0; i < s->nretired; i++) {
		if (gt_grow((void **)&groups, &cap, n + 1, sizeof *groups) != 0 ||
		    gt_map_put(&index, s->retired_names[i], 0, (uint32_t)n) != 0)
			goto fail;
		groups[n] = s->retired[i];
		groups[n].name = gt_strtab_get(&s->strings, s->retired_names[i]);
		n++;
	}
	for (i = 0; i < s->ngs; i++) {
		const gsum *g = &s->gs[i];
		gotrace_goroutine_group *gr;
		gstats st;
		uint32_t k, gi;

		block.n = ranges.n = 0;
		if (copy_named(&block, &g->block) != 0 ||
		    snapshot(g, s->last_ts, s->finished, MONOTONE, &st, &block,
		             &ranges) != 0)
			goto fail;
		if (!gt_map_get(&index, g->name, 0, &gi)) {
			if (gt_grow((void **)&groups, &cap, n + 1, sizeof *groups) != 0)
				goto fail;
			gi = (uint32_t)n++;
			memset(&groups[gi], 0, sizeof groups[gi]);
			groups[gi].name = gt_strtab_get(&s->strings, g->name);
			if (gt_map_put(&index, g->name, 0, gi) != 0)
				goto fail;
		}
		gr = &groups[gi];
		gr->count++;
		gr->exec_ns += st.exec;
		gr->sched_wait_ns += st.sched_wait;
		gr->syscall_ns += st.syscall;
		gr->syscall_block_ns += st.syscall_block;
		gr->total_ns += st.total;
		for (k = 0; k < block.n; k++)
			gr->block_ns += block.v[k].ns;
	}
	if (n > 0)
		qsort(groups, n, sizeof *groups, compare_groups);
	free(v->groups);
	v->groups = groups;
	v->ngroups = n;
	gt_map_free(&index);
	free(block.v);
	free(ranges.v);
	return 0;
fail:
	free(groups);
	gt_map_free(&index);
	free(block.v);
	free(ranges.v);
	return -1;
}

/* Adds an ended goroutine's figures to its name's retired sums. */
static int retire(gotrace_summary *s, const gsum *g)
{
	gotrace_goroutine_group *gr;
	uint32_t ri, k;

	if (!gt_map_get(&s->retired_index, g->name, 0, &ri)) {
		if (gt_grow((void **)&s->retired, &s->retired_cap, s->nretired + 1,
		               sizeof *s->retired) != 0 ||
		    gt_grow((void **)&s->retired_names, &s->retired_names_cap,
		               s->nretired + 1, sizeof *s->retired_names) != 0)
			return -1;
		ri = (uint32_t)s->nretired;
		if (gt_map_put(&s->retired_index, g->name, 0, ri) != 0)
			return -1;
		memset(&s->retired[ri], 0, sizeof s->retired[ri]);
		s->retired_names[ri] = g->name;
		s->nretired++;
	}
	gr = &s->retired[ri];
	gr->count++;
	gr->exec_ns += g->exec;
	gr->sched_wait_ns += g->sched_wait;
	gr->syscall_ns += g->syscall;
	gr->syscall_block_ns += g->syscall_block;
	gr->total_ns += g->total;
	for (k = 0; k < g->block.n; k++)
		gr->block_ns += g->block.v[k].ns;
	return 0;
}

/* Rewrites a map's goroutine indexes after compaction. */
static void remap_indexes(gt_map *m, const uint32_t *new_index)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		if (m->slots[i].used)
			m->slots[i].value = new_index[m->slots[i].value];
}

int gotrace_summary_forget_ended(gotrace_summary *s)
{
	uint32_t *new_index;
	size_t i, k = 0;

	if (s == NULL || s->finished)
		return GOTRACE_ERR_ARG;
	if (s->failed)
		return GOTRACE_ERR_NOMEM;
	new_index = malloc((s->ngs ? s->ngs : 1) * sizeof *new_index);
	if (new_index == NULL)
		return GOTRACE_ERR_NOMEM;
	for (i = 0; i < s->ngs; i++) {
		gsum *g = &s->gs[i];
		/* Keep what Go's bookkeeping still points at: a goroutine a
		 * P's syscall is attributed to, or one with running state. */
		int referenced = g->in_syscall_map || g->run != NULL;

		if (g->end != 0 && !referenced) {
			if (retire(s, g) != 0) {
				free(new_index);
				s->failed = 1;
				return GOTRACE_ERR_NOMEM;
			}
			gt_map_del(&s->g_index, g->id, 0);
			free_g(s, g);
			new_index[i] = NO_INDEX;
			continue;
		}
		new_index[i] = (uint32_t)k;
		if (k != i)
			s->gs[k] = *g;
		k++;
	}
	/* A P's range can name a goroutine that ended since: drop those
	 * links first (the goroutine is gone, so nothing would be credited
	 * to it that the retired sums do not already hold). */
	for (i = 0; i < s->ranges_p.cap; i++)
		if (s->ranges_p.slots[i].used &&
		    new_index[s->ranges_p.slots[i].value] == NO_INDEX) {
			gt_map_del(&s->ranges_p, s->ranges_p.slots[i].a,
			           s->ranges_p.slots[i].b);
			i = (size_t)-1; /* deletion moves entries: rescan */
		}
	s->ngs = k;
	remap_indexes(&s->g_index, new_index);
	remap_indexes(&s->syscalling_p, new_index);
	remap_indexes(&s->ranges_p, new_index);
	s->view->by_id_dirty = 1;
	free(new_index);
	return GOTRACE_OK;
}

size_t gotrace_summary_group_count(const gotrace_summary *s)
{
	if (s == NULL || s->failed || build_groups(s) != 0)
		return 0;
	return s->view->ngroups;
}

int gotrace_summary_group_at(const gotrace_summary *s, size_t i,
                             gotrace_goroutine_group *out)
{
	if (s == NULL || out == NULL || i >= s->view->ngroups)
		return -1;
	*out = s->view->groups[i];
	return 0;
}

size_t gotrace_summary_task_count(const gotrace_summary *s)
{
	return s == NULL || !s->finished ? 0 : s->ntasks;
}

int gotrace_summary_task_at(const gotrace_summary *s, size_t i,
                            gotrace_task_summary *out)
{
	const task_rec *t;

	if (s == NULL || out == NULL || !s->finished || i >= s->ntasks)
		return -1;
	t = &s->tasks[s->tasks_by_id[i]];
	out->id = t->id;
	out->name = gt_strtab_get(&s->strings, t->name);
	out->parent = t->has_parent ? t->parent : 0;
	out->start_time = t->start == NO_TIME ? -1 : t->start;
	out->end_time = t->end == NO_TIME ? -1 : t->end;
	out->goroutines = t->goroutines;
	out->ngoroutines = t->ngoroutines;
	out->logs = t->logs;
	out->regions = t->regions;
	return 0;
}

size_t gotrace_summary_task_type_count(const gotrace_summary *s)
{
	return s == NULL || !s->finished ? 0 : s->ntask_types;
}

int gotrace_summary_task_type_at(const gotrace_summary *s, size_t i,
                                 gotrace_task_type *out)
{
	const task_type_rec *tt;

	if (s == NULL || out == NULL || !s->finished || i >= s->ntask_types)
		return -1;
	tt = &s->task_types[i];
	out->type = gt_strtab_get(&s->strings, tt->type);
	out->count = tt->count;
	out->durations = tt->stats;
	return 0;
}

size_t gotrace_summary_region_type_count(const gotrace_summary *s)
{
	return s == NULL || !s->finished ? 0 : s->nregion_types;
}

int gotrace_summary_region_type_at(const gotrace_summary *s, size_t i,
                                   gotrace_region_type *out)
{
	const region_type_rec *rt;

	if (s == NULL || out == NULL || !s->finished || i >= s->nregion_types)
		return -1;
	rt = &s->region_types[i];
	out->type = gt_strtab_get(&s->strings, rt->type);
	memset(&out->frame, 0, sizeof out->frame);
	out->frame.func.data = out->frame.file.data = "";
	if (rt->frame != NO_FRAME) {
		const frame_rec *f = &s->frames[rt->frame];

		out->frame.pc = f->pc;
		out->frame.func = gt_strtab_get(&s->strings, f->func);
		out->frame.file = gt_strtab_get(&s->strings, f->file);
		out->frame.line = f->line;
	}
	out->durations = rt->stats;
	return 0;
}

void gotrace_summary_free(gotrace_summary *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ngs; i++)
		free_g(s, &s->gs[i]);
	free(s->gs);
	while (s->free_runs != NULL) {
		grun *next = s->free_runs->next_free;

		free(s->free_runs->last_range.v);
		free(s->free_runs->active.v);
		free(s->free_runs);
		s->free_runs = next;
	}
	for (i = 0; i < s->ntasks; i++)
		free(s->tasks[i].goroutines);
	free(s->tasks);
	free(s->tasks_by_id);
	for (i = 0; i < s->nregion_types; i++)
		gt_durations_free(&s->region_types[i].d);
	free(s->region_types);
	for (i = 0; i < s->ntask_types; i++)
		gt_durations_free(&s->task_types[i].d);
	free(s->task_types);
	free(s->frames);
	gt_map_free(&s->g_index);
	gt_map_free(&s->t_index);
	gt_map_free(&s->syscalling_p);
	gt_map_free(&s->ranges_p);
	gt_map_free(&s->rt_index);
	gt_map_free(&s->retired_index);
	free(s->retired);
	free(s->retired_names);
	gt_strtab_free(&s->strings);
	gt_strtab_free(&s->frame_keys);
	if (s->view != NULL) {
		free(s->view->by_id);
		free(s->view->block);
		free(s->view->ranges);
		free(s->view->groups);
		free(s->view);
	}
	free(s);
}
