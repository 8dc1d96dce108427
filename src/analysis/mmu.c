/*
 * Minimum mutator utilization, matching Go 1.27's internal/trace
 * (MutatorUtilizationV2, NewMMUCurve, MMUCurve.MMU and .MUD) to the bit.
 *
 * The series is built while events are fed. The queries then run Go's own
 * search, not an exact one of ours: Go refines fixed bands of each series
 * in the order of a lower bound, and a band can start past the last
 * window (its windows then reach beyond the end of the series, where the
 * utilization counts as 0), so Go's MMU is sometimes lower than the true
 * minimum over the trace's windows. Reproducing that needs Go's bands,
 * its heap order, its integration and its steps, in the same
 * floating-point operations; everything below that shapes a number is
 * chosen for that reason.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <gotrace/analysis.h>

#include "table.h"

typedef struct util_point {
	int64_t time;
	double util;
} util_point;

typedef struct band {
	double min_util;
	double cum_util;   /* integral of the series up to the band's start */
	size_t pos;        /* the integrator's position at that start */
} band;

typedef struct series {
	util_point *pts;
	size_t n, cap;
	/* Built by finish. */
	double *sums;      /* sums[j]: integral of the series up to pts[j] */
	band *bands;
	size_t nbands;     /* bands used for windows, plus one past them */
	int64_t band_dur;
} series;

typedef struct proc_gc {
	int gc;            /* > 0: GC work is keeping this P from the mutator */
	int dirty;         /* PER_PROC: its series may not end at its value */
	size_t series;
} proc_gc;

typedef struct procs_change {
	int64_t time;
	uint64_t n;
} procs_change;

struct gotrace_mmu {
	unsigned flags;
	int finished;
	int failed;

	series *ser;
	size_t nser, ser_cap;

	proc_gc *ps;
	size_t nps, ps_cap;
	size_t busy;       /* Ps with gc > 0 */
	/* PER_PROC: the Ps to bring up to date at the next event, so that an
	 * event costs what changed rather than GOMAXPROCS. */
	size_t *dirty;
	size_t ndirty, dirty_cap;

	/* GOMAXPROCS over time, for the correction of ranges already active
	 * at the start; only needed until the second generation. */
	procs_change *procs;
	size_t nprocs, procs_cap;

	int stw;
	uint64_t nsync;
	int seen_event;
	int64_t last_time;

	gt_map in_assist;  /* goroutines inside a mark assist */
	gt_map bg_mark;    /* goroutines labelled as background mark workers */
	gt_map executing;  /* goroutines running or in a syscall */

	size_t npoints;
};

#define ALL_FLAGS (GOTRACE_UTIL_STW | GOTRACE_UTIL_BACKGROUND | \
                   GOTRACE_UTIL_ASSIST | GOTRACE_UTIL_SWEEP | \
                   GOTRACE_UTIL_PER_PROC)

/* Go's bandsPerSeries. */
#define MAX_BANDS 1000

/*
 * Times come from the trace and can be anything in a damaged one; Go's
 * int64 arithmetic on them wraps, and so does this (where C's would be
 * undefined).
 */
static int64_t wadd(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static int64_t wsub(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

static int64_t wmul(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a * (uint64_t)b);
}

static int has_prefix(gotrace_string s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s.len >= n && memcmp(s.data, prefix, n) == 0;
}

static int str_eq(gotrace_string s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && memcmp(s.data, lit, n) == 0;
}

static int contains(gotrace_string s, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= s.len; i++)
		if (memcmp(s.data + i, needle, n) == 0)
			return 1;
	return 0;
}

/* Go counts only pauses whose name mentions GC, whatever UtilSTW says. */
static int is_gc_stw(gotrace_string name)
{
	return has_prefix(name, "stop-the-world") && contains(name, "GC");
}

static int is_assist(gotrace_string name)
{
	return str_eq(name, "GC mark assist");
}

static int is_sweep(gotrace_string name)
{
	return str_eq(name, "GC incremental sweep");
}

static int is_executing(int state)
{
	return state == GOTRACE_GO_RUNNING || state == GOTRACE_GO_SYSCALL;
}

/*
 * Appends a point unless the utilization is unchanged; a second point at
 * the same time keeps the lower value. Go's series have exactly these
 * points, and the search depends on them (bands split by count).
 */
static int add_util(gotrace_mmu *m, series *s, int64_t time, double util)
{
	if (s->n > 0) {
		util_point *last = &s->pts[s->n - 1];

		if (util == last->util)
			return 0;
		if (time == last->time) {
			if (util < last->util)
				last->util = util;
			return 0;
		}
	}
	if (gt_grow((void **)&s->pts, &s->cap, s->n + 1, sizeof *s->pts) != 0)
		return -1;
	s->pts[s->n].time = time;
	s->pts[s->n].util = util;
	s->n++;
	m->npoints++;
	return 0;
}

static int new_series(gotrace_mmu *m, int64_t time, size_t *index)
{
	series *s;

	if (gt_grow((void **)&m->ser, &m->ser_cap, m->nser + 1, sizeof *m->ser) != 0)
		return -1;
	s = &m->ser[m->nser];
	memset(s, 0, sizeof *s);
	if (gt_grow((void **)&s->pts, &s->cap, 1, sizeof *s->pts) != 0)
		return -1;
	m->nser++;
	s->pts[0].time = time;
	s->pts[0].util = 1.0;
	s->n = 1;
	m->npoints++;
	*index = m->nser - 1;
	return 0;
}

int gotrace_mmu_new(gotrace_mmu **out, unsigned flags)
{
	gotrace_mmu *m;

	if (out == NULL)
		return GOTRACE_ERR_ARG;
	*out = NULL;
	if ((flags & ~(unsigned)ALL_FLAGS) != 0)
		return GOTRACE_ERR_ARG;
	m = calloc(1, sizeof *m);
	if (m == NULL)
		return GOTRACE_ERR_NOMEM;
	m->flags = flags;
	*out = m;
	return GOTRACE_OK;
}

static int mark_dirty(gotrace_mmu *m, size_t p)
{
	if (!(m->flags & GOTRACE_UTIL_PER_PROC) || m->ps[p].dirty)
		return 0;
	if (gt_grow((void **)&m->dirty, &m->dirty_cap, m->ndirty + 1,
	         sizeof *m->dirty) != 0)
		return -1;
	m->ps[p].dirty = 1;
	m->dirty[m->ndirty++] = p;
	return 0;
}

static int mark_all_dirty(gotrace_mmu *m)
{
	size_t i;

	for (i = 0; i < m->nps; i++)
		if (mark_dirty(m, i) != 0)
			return -1;
	return 0;
}

/* GOMAXPROCS is capped here: beyond it, a damaged trace could make the
 * analysis allocate without bound (Go would try to). */
#define MAX_PROCS ((uint64_t)1 << 20)

static int set_gomaxprocs(gotrace_mmu *m, int64_t time, uint64_t value)
{
	int per_proc = (m->flags & GOTRACE_UTIL_PER_PROC) != 0;
	size_t n, i, kept;

	if (m->nsync <= 1 &&
	    (m->nprocs == 0 || m->procs[m->nprocs - 1].n != value)) {
		if (gt_grow((void **)&m->procs, &m->procs_cap, m->nprocs + 1,
		         sizeof *m->procs) != 0)
			return -1;
		m->procs[m->nprocs].time = time;
		m->procs[m->nprocs].n = value;
		m->nprocs++;
	}
	n = (size_t)(value > MAX_PROCS ? MAX_PROCS : value);
	if (m->nps > n) {
		for (i = n; i < m->nps; i++) {
			if (m->ps[i].gc > 0)
				m->busy--;
			if (per_proc &&
			    add_util(m, &m->ser[m->ps[i].series], time, 0) != 0)
				return -1;
		}
		m->nps = n;
		for (i = kept = 0; i < m->ndirty; i++)
			if (m->dirty[i] < n)
				m->dirty[kept++] = m->dirty[i];
		m->ndirty = kept;
	}
	if (gt_grow((void **)&m->ps, &m->ps_cap, n, sizeof *m->ps) != 0)
		return -1;
	while (m->nps < n) {
		size_t idx = 0;

		/* Without PER_PROC every P shares the one series. */
		if (per_proc || m->nser == 0)
			if (new_series(m, time, &idx) != 0)
				return -1;
		m->ps[m->nps].gc = 0;
		m->ps[m->nps].dirty = 0;
		m->ps[m->nps].series = idx;
		m->nps++;
		if (mark_dirty(m, m->nps - 1) != 0)
			return -1;
	}
	return 0;
}

static int set_stw(gotrace_mmu *m, int delta)
{
	int was = m->stw > 0;

	m->stw += delta;
	return was != (m->stw > 0) ? mark_all_dirty(m) : 0;
}

/*
 * Go indexes its P table with the event's P without a check, and panics
 * on an event without a P (or with one past GOMAXPROCS). Such an event
 * changes nothing here.
 */
static int proc_gc_add(gotrace_mmu *m, const gotrace_event *ev, int delta)
{
	proc_gc *p;
	int was;

	if (ev->proc < 0 || (uint64_t)ev->proc >= (uint64_t)m->nps)
		return 0;
	p = &m->ps[ev->proc];
	was = p->gc > 0;
	p->gc += delta;
	if (was == (p->gc > 0))
		return 0;
	if (was)
		m->busy--;
	else
		m->busy++;
	return mark_dirty(m, (size_t)ev->proc);
}

/*
 * A sweep or a running assist found already active when tracing began
 * has held one P since the start, which the single series has so far
 * counted as mutator time: take 1/GOMAXPROCS off every point so far, with
 * the GOMAXPROCS in force at that point.
 */
static void backdate_one_proc(gotrace_mmu *m)
{
	series *s;
	size_t mi = 0, pi = 0;

	if (m->nser == 0 || m->nprocs == 0)
		return;
	s = &m->ser[0];
	while (mi < s->n) {
		if (pi + 1 < m->nprocs && m->procs[pi + 1].time < s->pts[mi].time) {
			pi++;
			continue;
		}
		if (m->procs[pi].n == 0) {
			/* Go subtracts 1/0 = +Inf, and clamps. */
			s->pts[mi].util = 0;
		} else {
			s->pts[mi].util -= 1.0 / (double)m->procs[pi].n;
			if (s->pts[mi].util < 0)
				s->pts[mi].util = 0;
		}
		mi++;
	}
}

static int map_has(const gt_map *map, int64_t g)
{
	uint32_t v;

	return gt_map_get(map, g, 0, &v);
}

static int range_begin(gotrace_mmu *m, const gotrace_event *ev)
{
	gotrace_string name = ev->u.range.name;

	if ((m->flags & GOTRACE_UTIL_STW) && is_gc_stw(name))
		return set_stw(m, 1);
	if ((m->flags & GOTRACE_UTIL_SWEEP) && is_sweep(name))
		return proc_gc_add(m, ev, 1);
	if ((m->flags & GOTRACE_UTIL_ASSIST) && is_assist(name)) {
		if (proc_gc_add(m, ev, 1) != 0)
			return -1;
		/* Go asks the scope for its goroutine, and panics if it has
		 * none; such a range marks no goroutine here. */
		if (ev->u.range.scope == GOTRACE_RESOURCE_GOROUTINE &&
		    ev->u.range.scope_id != GOTRACE_NO_GOROUTINE)
			return gt_map_put(&m->in_assist, ev->u.range.scope_id, 0, 1);
	}
	return 0;
}

static int range_end(gotrace_mmu *m, const gotrace_event *ev)
{
	gotrace_string name = ev->u.range.name;

	if ((m->flags & GOTRACE_UTIL_STW) && is_gc_stw(name))
		return set_stw(m, -1);
	if ((m->flags & GOTRACE_UTIL_SWEEP) && is_sweep(name))
		return proc_gc_add(m, ev, -1);
	if ((m->flags & GOTRACE_UTIL_ASSIST) && is_assist(name)) {
		if (ev->u.range.scope == GOTRACE_RESOURCE_GOROUTINE &&
		    ev->u.range.scope_id != GOTRACE_NO_GOROUTINE)
			gt_map_del(&m->in_assist, ev->u.range.scope_id, 0);
		return proc_gc_add(m, ev, -1);
	}
	return 0;
}

static int range_active(gotrace_mmu *m, const gotrace_event *ev)
{
	gotrace_string name = ev->u.range.name;
	int backdate = 0;

	/* After a whole generation, Active only repeats what is known. */
	if (m->nsync > 1)
		return 0;
	if ((m->flags & GOTRACE_UTIL_ASSIST) && is_assist(name))
		/* An assist of a goroutine that is not running holds no P. */
		backdate = map_has(&m->executing, ev->goroutine);
	else if ((m->flags & GOTRACE_UTIL_SWEEP) && is_sweep(name))
		backdate = 1;
	/* Per P, the P's series has no points before this yet. */
	if (backdate && !(m->flags & GOTRACE_UTIL_PER_PROC))
		backdate_one_proc(m);
	return range_begin(m, ev);
}

static int transition(gotrace_mmu *m, const gotrace_event *ev)
{
	int64_t g = ev->u.transition.id;
	int was = is_executing(ev->u.transition.old_state);
	int is = is_executing(ev->u.transition.new_state);

	if (ev->u.transition.resource != GOTRACE_RESOURCE_GOROUTINE)
		return 0;
	if (was != is && (map_has(&m->in_assist, g) || map_has(&m->bg_mark, g)) &&
	    proc_gc_add(m, ev, is ? 1 : -1) != 0)
		return -1;
	/* Go keeps every goroutine's state; only "executing" is ever asked. */
	if (is)
		return gt_map_put(&m->executing, g, 0, 1);
	gt_map_del(&m->executing, g, 0);
	return 0;
}

static int label(gotrace_mmu *m, const gotrace_event *ev)
{
	gotrace_string l = ev->u.label.label;

	if (!(m->flags & GOTRACE_UTIL_BACKGROUND) || !has_prefix(l, "GC ") ||
	    str_eq(l, "GC (idle)"))
		return 0;
	/* A dedicated worker has its P to itself: no goroutine waits on it. */
	if ((m->flags & GOTRACE_UTIL_PER_PROC) && str_eq(l, "GC (dedicated)"))
		return 0;
	if (gt_map_put(&m->bg_mark, ev->goroutine, 0, 1) != 0)
		return -1;
	return proc_gc_add(m, ev, 1);
}

static int record(gotrace_mmu *m, int64_t time)
{
	size_t i, kept = 0;

	if (!(m->flags & GOTRACE_UTIL_PER_PROC)) {
		size_t busy = m->stw > 0 ? m->nps : m->busy;

		return add_util(m, &m->ser[0], time,
		                1 - (double)busy / (double)m->nps);
	}
	/*
	 * Go offers every P's value to its series at every event. A P whose
	 * series already ends at its value would change nothing; one whose
	 * lower value at the same time kept this one out stays dirty.
	 */
	for (i = 0; i < m->ndirty; i++) {
		size_t p = m->dirty[i];
		double util;
		series *s;

		util = m->stw > 0 || m->ps[p].gc > 0 ? 0.0 : 1.0;
		s = &m->ser[m->ps[p].series];
		if (add_util(m, s, time, util) != 0)
			return -1;
		if (s->pts[s->n - 1].util != util)
			m->dirty[kept++] = p;
		else
			m->ps[p].dirty = 0;
	}
	m->ndirty = kept;
	return 0;
}

static int feed(gotrace_mmu *m, const gotrace_event *ev)
{
	m->seen_event = 1;
	m->last_time = ev->time;

	if (ev->kind == GOTRACE_EVENT_SYNC) {
		m->nsync = ev->u.sync.n;
		if (m->nsync > 1) {
			free(m->procs);
			m->procs = NULL;
			m->nprocs = m->procs_cap = 0;
		}
	} else if (ev->kind == GOTRACE_EVENT_METRIC && ev->u.metric.name != NULL &&
	           strcmp(ev->u.metric.name, "/sched/gomaxprocs:threads") == 0) {
		if (set_gomaxprocs(m, ev->time, ev->u.metric.value) != 0)
			return -1;
	}
	/* Nothing counts before the first GOMAXPROCS. */
	if (m->nps == 0)
		return 0;

	switch (ev->kind) {
	case GOTRACE_EVENT_RANGE_ACTIVE:
		if (range_active(m, ev) != 0)
			return -1;
		break;
	case GOTRACE_EVENT_RANGE_BEGIN:
		if (range_begin(m, ev) != 0)
			return -1;
		break;
	case GOTRACE_EVENT_RANGE_END:
		if (range_end(m, ev) != 0)
			return -1;
		break;
	case GOTRACE_EVENT_STATE_TRANSITION:
		if (transition(m, ev) != 0)
			return -1;
		break;
	case GOTRACE_EVENT_LABEL:
		if (label(m, ev) != 0)
			return -1;
		break;
	default:
		break;
	}
	return record(m, ev->time);
}

int gotrace_mmu_feed(gotrace_mmu *m, const gotrace_event *ev)
{
	if (m == NULL || ev == NULL || m->finished)
		return GOTRACE_ERR_ARG;
	if (m->failed)
		return GOTRACE_ERR_NOMEM;
	if (feed(m, ev) != 0) {
		m->failed = 1;
		return GOTRACE_ERR_NOMEM;
	}
	return GOTRACE_OK;
}

/* ------------------------------------------------------------------------
 * Queries.
 */

/*
 * Integrates a series from its start: the running position is the last
 * point at or before the time asked. Go steps forward a few points or
 * bisects from the current position; which one it picks matters when a
 * band's window is pulled back before its start (see band_mmu), so the
 * same rule is kept.
 */
static double integrate(const series *s, size_t *posp, int64_t time)
{
	size_t pos = *posp;
	double partial = 0;

	if (pos + 8 < s->n && s->pts[pos + 8].time > time) {
		while (pos + 1 < s->n && s->pts[pos + 1].time <= time)
			pos++;
	} else {
		size_t lo = pos, hi = s->n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (s->pts[mid].time <= time)
				lo = mid + 1;
			else
				hi = mid;
		}
		/* Go would index -1 here; times never go before the start. */
		pos = lo > 0 ? lo - 1 : 0;
	}
	*posp = pos;
	if (time != s->pts[pos].time)
		partial = s->pts[pos].util * (double)wsub(time, s->pts[pos].time);
	return s->sums[pos] + partial;
}

static int64_t next_change(const series *s, size_t pos, int64_t time)
{
	for (; pos < s->n; pos++)
		if (s->pts[pos].time > time)
			return s->pts[pos].time;
	return INT64_MAX;
}

static double min2(double a, double b)
{
	return a < b ? a : b;
}

static int build_series(series *s)
{
	double sum = 0, prev_util = 0;
	int64_t prev_time = 0, dur, t0 = s->pts[0].time;
	size_t j, nb, pos = 0;

	s->sums = malloc(s->n * sizeof *s->sums);
	if (s->sums == NULL)
		return -1;
	for (j = 0; j < s->n; j++) {
		sum += prev_util * (double)wsub(s->pts[j].time, prev_time);
		s->sums[j] = sum;
		prev_time = s->pts[j].time;
		prev_util = s->pts[j].util;
	}

	nb = s->n < MAX_BANDS ? s->n : MAX_BANDS;
	dur = wsub(s->pts[s->n - 1].time, t0);
	s->band_dur = wadd(dur, (int64_t)nb - 1) / (int64_t)nb;
	if (s->band_dur < 1)
		s->band_dur = 1;
	s->nbands = nb + 1;
	s->bands = malloc(s->nbands * sizeof *s->bands);
	if (s->bands == NULL)
		return -1;
	for (j = 0; j < s->nbands; j++) {
		int64_t start = wadd(wmul((int64_t)j, s->band_dur), t0);
		int64_t end = wadd(start, s->band_dur);
		double mn = 1.0;
		size_t k;

		s->bands[j].cum_util = integrate(s, &pos, start);
		s->bands[j].pos = pos;
		for (k = pos; k < s->n && s->pts[k].time < end; k++)
			mn = min2(mn, s->pts[k].util);
		s->bands[j].min_util = mn;
	}
	return 0;
}

int gotrace_mmu_finish(gotrace_mmu *m)
{
	size_t i;

	if (m == NULL)
		return GOTRACE_ERR_ARG;
	if (m->failed)
		return GOTRACE_ERR_NOMEM;
	if (m->finished)
		return GOTRACE_OK;
	if (m->seen_event) {
		/* The end of the trace closes every series at 0. */
		for (i = 0; i < m->nps; i++)
			if (add_util(m, &m->ser[m->ps[i].series], m->last_time, 0) != 0)
				goto nomem;
	}
	for (i = 0; i < m->nser; i++)
		if (build_series(&m->ser[i]) != 0)
			goto nomem;
	free(m->ps);
	m->ps = NULL;
	m->nps = m->ps_cap = 0;
	free(m->dirty);
	m->dirty = NULL;
	m->ndirty = m->dirty_cap = 0;
	free(m->procs);
	m->procs = NULL;
	m->nprocs = m->procs_cap = 0;
	gt_map_free(&m->in_assist);
	gt_map_free(&m->bg_mark);
	gt_map_free(&m->executing);
	m->finished = 1;
	return GOTRACE_OK;
nomem:
	m->failed = 1;
	return GOTRACE_ERR_NOMEM;
}

typedef struct band_bound {
	size_t series;
	size_t band;
	double bound;  /* no window starting in the band does worse */
} band_bound;

typedef struct search {
	double mmu;
	double bound;  /* bands bounded at or above this cannot lower mmu */
} search;

/*
 * A lower bound on the utilization of the windows that start in each band
 * of s, Go's estimate: the worst band minimum over the partly covered
 * bands, the second worst over the tail, the exact integral over the bands
 * every such window covers.
 */
static size_t band_bounds(const series *s, size_t si, int64_t window,
                          band_bound *out)
{
	int64_t bd = s->band_dur;
	int64_t lo = wadd(window, bd - 1) / bd;
	int64_t hi = wadd(window, wmul(2, bd - 1)) / bd;
	int64_t tail = window % bd;
	size_t min_bands, max_bands, n, i;

	/* Only with wrapped times (Go would index out of range). */
	if (lo < 1 || hi < lo || (uint64_t)hi > (uint64_t)s->nbands + 1)
		return 0;
	min_bands = (size_t)lo;
	max_bands = (size_t)hi;
	n = s->nbands + 1 - max_bands;
	for (i = 0; i < n; i++) {
		double l = s->bands[i].min_util;
		double r1 = s->bands[i + min_bands - 1].min_util;
		double r2 = s->bands[i + max_bands - 1].min_util;
		double lowest = min2(l, min2(r1, r2));
		double total;

		if (min_bands == 1) {
			total = lowest * (double)window;
		} else {
			double second = 0;

			if (lowest == l)
				second = min2(r1, r2);
			else if (lowest == r1)
				second = min2(l, r2);
			else if (lowest == r2)
				second = min2(l, r1);
			total = lowest * (double)bd;
			total += second * (double)tail;
		}
		if (min_bands > 2)
			total += s->bands[i + min_bands - 1].cum_util -
			         s->bands[i + 1].cum_util;
		out[i].series = si;
		out[i].band = i;
		out[i].bound = total / (double)window;
	}
	return n;
}

/* Go's container/heap, whose order among equal bounds decides which band
 * is refined first, and so which steps are taken. */
static void heap_down(band_bound *h, size_t i, size_t n)
{
	for (;;) {
		size_t j = 2 * i + 1;
		band_bound t;

		if (j >= n)
			break;
		if (j + 1 < n && h[j + 1].bound < h[j].bound)
			j++;
		if (!(h[j].bound < h[i].bound))
			break;
		t = h[i];
		h[i] = h[j];
		h[j] = t;
		i = j;
	}
}

/* Go's int64(x) for the step bound; out of range it gives INT64_MIN on
 * amd64, where C would be undefined. */
static int64_t to_int64(double x)
{
	if (!(x > -9223372036854775808.0 && x < 9223372036854775808.0))
		return INT64_MIN;
	return (int64_t)x;
}

/* The exact minimum over the windows of s that start in band b, walking
 * from change to change of either window edge. */
static void band_mmu(const series *s, size_t b, int64_t window, search *acc)
{
	size_t left = s->bands[b].pos, right = left;
	int64_t time = wadd(wmul((int64_t)b, s->band_dur), s->pts[0].time);
	int64_t end = wadd(time, s->band_dur);
	int64_t last_start = wsub(s->pts[s->n - 1].time, window);

	/* Past the last window, the window is pulled back to it. */
	if (last_start < end)
		end = last_start;
	for (;;) {
		double hi = integrate(s, &right, wadd(time, window));
		double lo = integrate(s, &left, time);
		double mu = (hi - lo) / (double)window;
		int64_t min_time, t1, t2, prev = time;

		if (mu < acc->mmu)
			acc->mmu = mu;
		acc->bound = acc->mmu;
		if (mu == 0 || time == end)
			break;
		/* The windowed utilization changes by at most 1/window per ns. */
		min_time = wadd(time, to_int64((mu - acc->bound) * (double)window));
		t1 = next_change(s, left, time);
		t2 = wsub(next_change(s, right, wadd(time, window)), window);
		time = t1 < t2 ? t1 : t2;
		if (time < min_time)
			time = min_time;
		if (time >= end)
			time = end;
		/*
		 * Each step moves to a later change of the series (or the
		 * band's end) unless the times wrapped around, in a damaged
		 * trace, where Go could loop for ever: stop at the end then.
		 */
		if (time <= prev)
			time = end;
	}
}

static double mmu_at(const gotrace_mmu *m, int64_t window, int *nomem)
{
	band_bound *h;
	size_t total = 0, n = 0, i;
	int64_t *windows;
	search acc = { 1.0, 1.0 };

	*nomem = 0;
	if (window <= 0)
		return 0;
	if (m->nser == 0)
		return 1.0;
	windows = malloc(m->nser * sizeof *windows);
	if (windows == NULL) {
		*nomem = 1;
		return 0;
	}
	for (i = 0; i < m->nser; i++)
		total += m->ser[i].nbands + 1;
	h = malloc(total * sizeof *h);
	if (h == NULL) {
		free(windows);
		*nomem = 1;
		return 0;
	}
	for (i = 0; i < m->nser; i++) {
		const series *s = &m->ser[i];
		int64_t dur = wsub(s->pts[s->n - 1].time, s->pts[0].time);

		windows[i] = window > dur ? dur : window;
		/*
		 * A series of a single instant (a P added and removed at one
		 * time) has no window; Go indexes before its first band and
		 * panics. It is left out.
		 */
		if (windows[i] <= 0)
			continue;
		n += band_bounds(s, i, windows[i], h + n);
	}
	for (i = n / 2; i-- > 0;)
		heap_down(h, i, n);
	while (n > 0 && h[0].bound < acc.bound) {
		band_mmu(&m->ser[h[0].series], h[0].band, windows[h[0].series],
		         &acc);
		n--;
		h[0] = h[n];
		heap_down(h, 0, n);
	}
	free(h);
	free(windows);
	return acc.mmu;
}

double gotrace_mmu_at(const gotrace_mmu *m, int64_t window_ns)
{
	int nomem;
	double v;

	if (m == NULL || !m->finished)
		return 0;
	v = mmu_at(m, window_ns, &nomem);
	return nomem ? 0 : v;
}

/*
 * Go 1.27's MUD never records its distribution: its accumulator, made
 * without a count of worst windows, returns from every step before the
 * distribution is updated, so every quantile comes out as the MMU.
 */
int gotrace_mmu_mud(const gotrace_mmu *m, int64_t window_ns, const double *q,
                    size_t n, double *out)
{
	size_t i;
	double v;
	int nomem;

	if (m == NULL || !m->finished || (n > 0 && (q == NULL || out == NULL)))
		return GOTRACE_ERR_ARG;
	for (i = 0; i < n; i++)
		if (!(q[i] >= 0 && q[i] <= 1))
			return GOTRACE_ERR_ARG;
	if (n == 0)
		return GOTRACE_OK;
	v = mmu_at(m, window_ns, &nomem);
	if (nomem)
		return GOTRACE_ERR_NOMEM;
	for (i = 0; i < n; i++)
		out[i] = v;
	return GOTRACE_OK;
}

size_t gotrace_mmu_series_count(const gotrace_mmu *m)
{
	return m != NULL && m->finished ? m->nser : 0;
}

size_t gotrace_mmu_point_count(const gotrace_mmu *m)
{
	return m != NULL && m->finished ? m->npoints : 0;
}

void gotrace_mmu_free(gotrace_mmu *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nser; i++) {
		free(m->ser[i].pts);
		free(m->ser[i].sums);
		free(m->ser[i].bands);
	}
	free(m->ser);
	free(m->ps);
	free(m->dirty);
	free(m->procs);
	gt_map_free(&m->in_assist);
	gt_map_free(&m->bg_mark);
	gt_map_free(&m->executing);
	free(m);
}
