/*
 * GC cycles, stop-the-world pauses, mark assists and sweeps, from the
 * runtime's ranges (see "GC and stop-the-world" in gotrace/analysis.h).
 */
#include <stdlib.h>
#include <string.h>

#include <gotrace/analysis.h>

#include "durations.h"
#include "table.h"

typedef struct gc_rec {
	int64_t start;     /* -1: began before the trace (or unseen) */
	int64_t end;       /* -1: still open */
	int64_t goroutine; /* pauses */
	uint32_t reason;   /* pauses: id in the reasons table */
} gc_rec;

/*
 * Records in the order they began: those whose beginning was not seen
 * come first (in the order they appeared), then the others, appended as
 * they begin. Two append-only parts keep every record's index stable
 * while events are fed, so open ranges can point at theirs.
 */
typedef struct rec_list {
	gc_rec *unknown, *known;
	size_t nunknown, nknown, unknown_cap, known_cap;
} rec_list;

/* Open-range handles: the part in the top bit, the index below. */
#define UNKNOWN_PART 0x80000000u
#define MAX_INDEX 0x7fffffffu

/* Mark assists and sweeps are only summed: open ones keep a start time. */
enum { OPEN_ASSIST = 0, OPEN_SWEEP = 1 };

struct gotrace_gc {
	int finished;
	int failed;
	int seen_event;
	int64_t first_time, last_time;

	rec_list cycles, stws;
	int cycle_open;
	uint32_t open_cycle;
	gt_map open_stw;        /* (goroutine, reason) -> handle */
	gt_strtab reasons;
	/* The table's strings move as it grows; those handed out must not
	 * (they are valid until the analysis is freed), so each reason also
	 * has a copy of its own (a few dozen in a real trace, and never more
	 * than the pauses). */
	char **reason_text;
	size_t nreason_text, reason_text_cap;

	gt_map open_work;       /* (OPEN_*, scope id) -> slot in starts */
	int64_t *starts;
	size_t nstarts, starts_cap;
	uint32_t *free_slots;
	size_t nfree, free_cap;

	uint64_t assist_count, sweep_count;
	int64_t assist_ns, sweep_ns;   /* of the ended ones */
	uint64_t swept, reclaimed;

	gotrace_duration_stats stw_stats, cycle_stats;
};

/* Times from a damaged trace can be anything: durations and sums wrap as
 * Go's int64 arithmetic does, rather than overflow. */
static int64_t wadd(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static int64_t wsub(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

static size_t rec_count(const rec_list *l)
{
	return l->nunknown + l->nknown;
}

static gc_rec *rec_at(const rec_list *l, size_t i)
{
	return i < l->nunknown ? &l->unknown[i] : &l->known[i - l->nunknown];
}

static gc_rec *rec_of(const rec_list *l, uint32_t h)
{
	return h & UNKNOWN_PART ? &l->unknown[h & MAX_INDEX] : &l->known[h];
}

/* Adds a record beginning at start (-1: unknown); its handle in *h. */
static int rec_add(rec_list *l, int64_t start, uint32_t *h)
{
	gc_rec **v = start < 0 ? &l->unknown : &l->known;
	size_t *n = start < 0 ? &l->nunknown : &l->nknown;
	size_t *cap = start < 0 ? &l->unknown_cap : &l->known_cap;

	if (*n >= MAX_INDEX || gt_grow((void **)v, cap, *n + 1, sizeof **v) != 0)
		return -1;
	memset(&(*v)[*n], 0, sizeof **v);
	(*v)[*n].start = start;
	(*v)[*n].end = -1;
	*h = (uint32_t)*n | (start < 0 ? UNKNOWN_PART : 0);
	(*n)++;
	return 0;
}

static void rec_list_free(rec_list *l)
{
	free(l->unknown);
	free(l->known);
}

/* Events come in time order, but Go's reader does not promise it; a
 * stable merge sort puts the known starts in order whatever the input. */
static int sort_known(rec_list *l)
{
	gc_rec *tmp;
	size_t width, i;

	if (l->nknown < 2)
		return 0;
	for (i = 1; i < l->nknown; i++)
		if (l->known[i].start < l->known[i - 1].start)
			break;
	if (i == l->nknown)
		return 0;
	tmp = malloc(l->nknown * sizeof *tmp);
	if (tmp == NULL)
		return -1;
	for (width = 1; width < l->nknown; width *= 2) {
		for (i = 0; i < l->nknown; i += 2 * width) {
			size_t lo = i, mid = i + width, hi = i + 2 * width, a, b, k;

			if (mid > l->nknown)
				mid = l->nknown;
			if (hi > l->nknown)
				hi = l->nknown;
			for (a = lo, b = mid, k = lo; k < hi; k++) {
				if (a < mid && (b >= hi ||
				                l->known[a].start <= l->known[b].start))
					tmp[k] = l->known[a++];
				else
					tmp[k] = l->known[b++];
			}
		}
		memcpy(l->known, tmp, l->nknown * sizeof *tmp);
	}
	free(tmp);
	return 0;
}

int gotrace_gc_new(gotrace_gc **out)
{
	gotrace_gc *g;

	if (out == NULL)
		return GOTRACE_ERR_ARG;
	g = calloc(1, sizeof *g);
	*out = g;
	return g == NULL ? GOTRACE_ERR_NOMEM : GOTRACE_OK;
}

static int64_t duration(const gotrace_gc *g, const gc_rec *r)
{
	return wsub(r->end < 0 ? g->last_time : r->end,
	            r->start < 0 ? g->first_time : r->start);
}

static int str_is(gotrace_string s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && memcmp(s.data, lit, n) == 0;
}

static int cycle_event(gotrace_gc *g, const gotrace_event *ev)
{
	switch (ev->kind) {
	case GOTRACE_EVENT_RANGE_BEGIN:
		if (rec_add(&g->cycles, ev->time, &g->open_cycle) != 0)
			return -1;
		g->cycle_open = 1;
		break;
	case GOTRACE_EVENT_RANGE_ACTIVE:
		/* Repeated at every generation while the cycle runs. */
		if (!g->cycle_open) {
			if (rec_add(&g->cycles, -1, &g->open_cycle) != 0)
				return -1;
			g->cycle_open = 1;
		}
		break;
	default:
		if (!g->cycle_open && rec_add(&g->cycles, -1, &g->open_cycle) != 0)
			return -1;
		rec_of(&g->cycles, g->open_cycle)->end = ev->time;
		g->cycle_open = 0;
		break;
	}
	return 0;
}

#define STW_PREFIX "stop-the-world ("

static int stw_event(gotrace_gc *g, const gotrace_event *ev)
{
	gotrace_string name = ev->u.range.name;
	size_t plen = strlen(STW_PREFIX);
	int64_t gid = ev->u.range.scope == GOTRACE_RESOURCE_GOROUTINE ?
	              ev->u.range.scope_id : GOTRACE_NO_GOROUTINE;
	uint32_t reason, h;
	int open;

	if (gt_strtab_intern(&g->reasons, name.data + plen, name.len - plen - 1,
	                     &reason) != 0)
		return -1;
	if (reason == g->nreason_text) {
		char *copy;

		if (gt_grow((void **)&g->reason_text, &g->reason_text_cap,
		         g->nreason_text + 1, sizeof *g->reason_text) != 0)
			return -1;
		copy = malloc(name.len - plen);
		if (copy == NULL)
			return -1;
		memcpy(copy, name.data + plen, name.len - plen - 1);
		copy[name.len - plen - 1] = '\0';
		g->reason_text[g->nreason_text++] = copy;
	}
	open = gt_map_get(&g->open_stw, gid, reason, &h);
	if (ev->kind == GOTRACE_EVENT_RANGE_ACTIVE && open)
		return 0;
	if (ev->kind == GOTRACE_EVENT_RANGE_BEGIN || !open) {
		gc_rec *r;

		if (rec_add(&g->stws, ev->kind == GOTRACE_EVENT_RANGE_BEGIN ?
		            ev->time : -1, &h) != 0)
			return -1;
		r = rec_of(&g->stws, h);
		r->goroutine = gid;
		r->reason = reason;
	}
	if (ev->kind == GOTRACE_EVENT_RANGE_END) {
		rec_of(&g->stws, h)->end = ev->time;
		gt_map_del(&g->open_stw, gid, reason);
		return 0;
	}
	return gt_map_put(&g->open_stw, gid, reason, h);
}

/* Assists and sweeps: counted when first seen, timed when they end (from
 * the first event when their beginning was not seen). */
static int work_event(gotrace_gc *g, const gotrace_event *ev, int kind)
{
	int64_t id = ev->u.range.scope_id;
	uint32_t slot;
	int open = gt_map_get(&g->open_work, kind, id, &slot);
	int64_t start;
	size_t i;

	if (ev->kind == GOTRACE_EVENT_RANGE_END) {
		if (kind == OPEN_SWEEP)
			for (i = 0; i < ev->u.range.nattrs && i < 2; i++) {
				const char *a = ev->u.range.attr_names[i];

				if (a != NULL && strcmp(a, "bytes swept") == 0)
					g->swept += ev->u.range.attr_values[i];
				else if (a != NULL && strcmp(a, "bytes reclaimed") == 0)
					g->reclaimed += ev->u.range.attr_values[i];
			}
		if (open) {
			start = g->starts[slot];
			gt_map_del(&g->open_work, kind, id);
			/* The slot list was reserved when the slot was taken. */
			g->free_slots[g->nfree++] = slot;
		} else {
			start = g->first_time;
			if (kind == OPEN_ASSIST)
				g->assist_count++;
			else
				g->sweep_count++;
		}
		if (kind == OPEN_ASSIST)
			g->assist_ns = wadd(g->assist_ns, wsub(ev->time, start));
		else
			g->sweep_ns = wadd(g->sweep_ns, wsub(ev->time, start));
		return 0;
	}
	if (open) {
		if (ev->kind == GOTRACE_EVENT_RANGE_ACTIVE)
			return 0;
		/* A second begin without an end: the first is lost, as an
		 * unmatched range; time from the new one. */
		g->starts[slot] = ev->time;
	} else {
		if (g->nfree > 0) {
			slot = g->free_slots[--g->nfree];
		} else {
			if (g->nstarts >= MAX_INDEX ||
			    gt_grow((void **)&g->starts, &g->starts_cap, g->nstarts + 1,
			         sizeof *g->starts) != 0 ||
			    gt_grow((void **)&g->free_slots, &g->free_cap,
			         g->nstarts + 1, sizeof *g->free_slots) != 0)
				return -1;
			slot = (uint32_t)g->nstarts++;
		}
		if (gt_map_put(&g->open_work, kind, id, slot) != 0) {
			g->free_slots[g->nfree++] = slot;
			return -1;
		}
		g->starts[slot] = ev->kind == GOTRACE_EVENT_RANGE_BEGIN ?
		                  ev->time : g->first_time;
	}
	if (kind == OPEN_ASSIST)
		g->assist_count++;
	else
		g->sweep_count++;
	return 0;
}

static int feed(gotrace_gc *g, const gotrace_event *ev)
{
	gotrace_string name;

	if (!g->seen_event) {
		g->seen_event = 1;
		g->first_time = ev->time;
	}
	g->last_time = ev->time;
	if (ev->kind != GOTRACE_EVENT_RANGE_BEGIN &&
	    ev->kind != GOTRACE_EVENT_RANGE_ACTIVE &&
	    ev->kind != GOTRACE_EVENT_RANGE_END)
		return 0;
	name = ev->u.range.name;
	if (str_is(name, "GC concurrent mark phase"))
		return cycle_event(g, ev);
	if (name.len >= strlen(STW_PREFIX) + 1 &&
	    memcmp(name.data, STW_PREFIX, strlen(STW_PREFIX)) == 0 &&
	    name.data[name.len - 1] == ')')
		return stw_event(g, ev);
	if (str_is(name, "GC mark assist"))
		return work_event(g, ev, OPEN_ASSIST);
	if (str_is(name, "GC incremental sweep"))
		return work_event(g, ev, OPEN_SWEEP);
	return 0;
}

int gotrace_gc_feed(gotrace_gc *g, const gotrace_event *ev)
{
	if (g == NULL || ev == NULL || g->finished)
		return GOTRACE_ERR_ARG;
	if (g->failed)
		return GOTRACE_ERR_NOMEM;
	if (feed(g, ev) != 0) {
		g->failed = 1;
		return GOTRACE_ERR_NOMEM;
	}
	return GOTRACE_OK;
}

/* Durations of the records both begun and ended in the trace. */
static int complete_stats(const gotrace_gc *g, const rec_list *l,
                          gotrace_duration_stats *out)
{
	gt_durations d = { NULL, 0, 0 };
	size_t i;

	for (i = 0; i < l->nknown; i++)
		if (l->known[i].end >= 0 &&
		    gt_durations_add(&d, duration(g, &l->known[i])) != GOTRACE_OK) {
			gt_durations_free(&d);
			return -1;
		}
	gt_durations_stats(&d, out);
	gt_durations_free(&d);
	return 0;
}

int gotrace_gc_finish(gotrace_gc *g)
{
	if (g == NULL)
		return GOTRACE_ERR_ARG;
	if (g->failed)
		return GOTRACE_ERR_NOMEM;
	if (g->finished)
		return GOTRACE_OK;
	if (sort_known(&g->cycles) != 0 || sort_known(&g->stws) != 0 ||
	    complete_stats(g, &g->stws, &g->stw_stats) != 0 ||
	    complete_stats(g, &g->cycles, &g->cycle_stats) != 0) {
		g->failed = 1;
		return GOTRACE_ERR_NOMEM;
	}
	g->finished = 1;
	return GOTRACE_OK;
}

size_t gotrace_gc_cycle_count(const gotrace_gc *g)
{
	return g == NULL ? 0 : rec_count(&g->cycles);
}

int gotrace_gc_cycle_at(const gotrace_gc *g, size_t i, gotrace_gc_cycle *out)
{
	const gc_rec *r;

	if (g == NULL || out == NULL || i >= rec_count(&g->cycles))
		return -1;
	r = rec_at(&g->cycles, i);
	out->start_time = r->start;
	out->end_time = r->end;
	out->duration_ns = duration(g, r);
	return 0;
}

size_t gotrace_gc_stw_count(const gotrace_gc *g)
{
	return g == NULL ? 0 : rec_count(&g->stws);
}

int gotrace_gc_stw_at(const gotrace_gc *g, size_t i, gotrace_stw *out)
{
	const gc_rec *r;

	if (g == NULL || out == NULL || i >= rec_count(&g->stws))
		return -1;
	r = rec_at(&g->stws, i);
	out->reason.data = g->reason_text[r->reason];
	out->reason.len = gt_strtab_get(&g->reasons, r->reason).len;
	out->start_time = r->start;
	out->end_time = r->end;
	out->duration_ns = duration(g, r);
	out->goroutine = r->goroutine;
	return 0;
}

static int64_t sum_durations(const gotrace_gc *g, const rec_list *l)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < rec_count(l); i++)
		sum = wadd(sum, duration(g, rec_at(l, i)));
	return sum;
}

void gotrace_gc_totals_get(const gotrace_gc *g, gotrace_gc_totals *out)
{
	size_t i;

	if (out == NULL)
		return;
	memset(out, 0, sizeof *out);
	if (g == NULL)
		return;
	out->cycles = rec_count(&g->cycles);
	out->gc_ns = sum_durations(g, &g->cycles);
	out->stw_count = rec_count(&g->stws);
	out->stw_ns = sum_durations(g, &g->stws);
	out->mark_assist_count = g->assist_count;
	out->mark_assist_ns = g->assist_ns;
	out->sweep_count = g->sweep_count;
	out->sweep_ns = g->sweep_ns;
	/* Ranges still open run to the last event. */
	for (i = 0; i < g->open_work.cap; i++) {
		const gt_map_slot *s = &g->open_work.slots[i];
		int64_t d;

		if (!s->used)
			continue;
		d = wsub(g->last_time, g->starts[s->value]);
		if (s->a == OPEN_ASSIST)
			out->mark_assist_ns = wadd(out->mark_assist_ns, d);
		else
			out->sweep_ns = wadd(out->sweep_ns, d);
	}
	out->swept_bytes = g->swept;
	out->reclaimed_bytes = g->reclaimed;
	out->first_time = g->first_time;
	out->last_time = g->last_time;
}

void gotrace_gc_stw_stats(const gotrace_gc *g, gotrace_duration_stats *out)
{
	if (out == NULL)
		return;
	if (g == NULL || !g->finished)
		memset(out, 0, sizeof *out);
	else
		*out = g->stw_stats;
}

void gotrace_gc_cycle_stats(const gotrace_gc *g, gotrace_duration_stats *out)
{
	if (out == NULL)
		return;
	if (g == NULL || !g->finished)
		memset(out, 0, sizeof *out);
	else
		*out = g->cycle_stats;
}

void gotrace_gc_free(gotrace_gc *g)
{
	size_t i;

	if (g == NULL)
		return;
	rec_list_free(&g->cycles);
	rec_list_free(&g->stws);
	gt_map_free(&g->open_stw);
	gt_strtab_free(&g->reasons);
	for (i = 0; i < g->nreason_text; i++)
		free(g->reason_text[i]);
	free(g->reason_text);
	gt_map_free(&g->open_work);
	free(g->starts);
	free(g->free_slots);
	free(g);
}
