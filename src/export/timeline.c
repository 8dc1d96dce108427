/*
 * The timeline core (see timeline.h): the public gotrace_timeline object
 * between a view and a format.
 *
 * Views report a slice when it ends, as cmd/trace does (a goroutine's
 * slice is only named once a stack shows its function), but Perfetto
 * needs a track's slices as begins and ends in time order, nested. So the
 * core keeps, per track, the slices reported while any slice is still open
 * there (a "group"); when the last open one ends, the group is sorted by
 * start (outer first), each slice is given the first lane where it nests,
 * flow points recorded meanwhile are bound to slices, and everything goes
 * to the format. A group is bounded by what happens on one track inside
 * its outermost slice, not by the trace.
 *
 * Flows are written once both ends are known and bound, since binding the
 * start waits for its group.
 */
#include <stdlib.h>
#include <string.h>

#include <gotrace/clock.h>

#include "table.h"
#include "timeline.h"

/* A slice held in a group; its strings live in the group's byte buffer,
 * so offsets stand in for pointers until the group is written. */
typedef struct held_slice {
	int64_t start, end;
	uint32_t order;            /* report order within the group */
	uint32_t lane;
	size_t name_off, name_len;
	const char *cat;
	tl_stack_id stack, end_stack;
	tl_arg args[TL_MAX_ARGS];
	size_t arg_off[TL_MAX_ARGS];
	size_t nargs;
} held_slice;

/* A flow end recorded in a group, bound when the group is written. */
typedef struct held_point {
	uint64_t flow;
	int64_t time;
	int is_end;
} held_point;

/* A flow binding made while writing a group: slice index and flow id. */
typedef struct binding {
	size_t slice;
	uint64_t flow;
	int is_end;
} binding;

typedef struct track_rec {
	tl_track track;
	int described;             /* the view named it */
	int announced;             /* the format has heard of it */
	uint32_t name_id;          /* in core->names, when described */
	int64_t sort;
	uint32_t open;             /* slices opened, not yet reported */
	held_slice *slices;
	size_t nslices, capslices;
	char *bytes;
	size_t nbytes, capbytes;
	held_point *points;
	size_t npoints, cappoints;
} track_rec;

typedef struct stack_rec {
	uint32_t first;            /* index of its innermost frame in frames */
	uint32_t depth;
	uint64_t hash;
	uint32_t next;             /* older stack with the same (hash, depth) */
} stack_rec;

typedef struct frame_rec {
	uint64_t pc;
	uint64_t line;
	uint32_t func, file;       /* in core->names */
} frame_rec;

enum { FLOW_FREE, FLOW_BEGUN, FLOW_ENDED };

typedef struct flow_rec {
	uint64_t id;
	int state;
	uint32_t name;             /* in core->names */
	const char *cat;
	tl_stack_id stack;
	uint32_t from, to;         /* track indexes */
	int64_t from_time, to_time;
	int from_decided, to_decided;
	int bound_from, bound_to;
	uint32_t next_free;
} flow_rec;

struct gotrace_timeline {
	gotrace_sink *sink;
	int err;
	int wall;
	int started;               /* the first event was fed */
	int begun;                 /* format->begin was called */
	int finished;
	int64_t t0, last;          /* the first and last event's times */
	gotrace_clock *clock;

	void *view;
	const tl_view_ops *vops;
	void *fmt;
	const tl_format_ops *fops;

	track_rec *tracks;
	size_t ntracks, captracks;
	gt_map track_index;        /* (pid, tid) -> index */

	gt_strtab names;           /* track names, frame strings, flow names */

	stack_rec *stacks;         /* [0] unused: id 0 is no stack */
	size_t nstacks, capstacks;
	frame_rec *frames;
	size_t nframes, capframes;
	gt_map stack_index;        /* (hash, depth) -> newest id */
	gt_map stack_cache;        /* (reader table, reader id) -> id */

	flow_rec *flows;
	size_t nflows, capflows;
	uint32_t free_flow;        /* 1 + index of a free record, or 0 */
	gt_map flow_index;         /* (id, 0) -> index */
	uint64_t next_flow;

	/* Scratch for writing a group. */
	binding *bindings;
	size_t nbindings, capbindings;
	uint64_t *flow_ids;
	size_t cap_flow_ids;
	size_t *lane_stack;        /* per lane, a stack of slices, flattened */
	size_t cap_lane_stack;
};

static int fail(tl_core *c, int rc)
{
	if (c->err == GOTRACE_OK)
		c->err = rc;
	return c->err;
}

int tl_failed(const tl_core *c)
{
	return c->err != GOTRACE_OK;
}

gotrace_sink *tl_sink(tl_core *c)
{
	return c->sink;
}

/* ---- time ------------------------------------------------------------ */

/* Output time of a trace time: since the first event, or Unix time. */
static int64_t out_time(tl_core *c, int64_t t)
{
	int64_t w;
	int rc;

	if (!c->wall)
		return t - c->t0;
	rc = gotrace_clock_to_wall(c->clock, t, &w);
	if (rc != GOTRACE_OK) {
		fail(c, rc);
		return 0;
	}
	return w;
}

/* ---- strings --------------------------------------------------------- */

static uint32_t intern(tl_core *c, const char *data, size_t len)
{
	uint32_t id = 0;

	if (gt_strtab_intern(&c->names, data != NULL ? data : "", len, &id) != 0)
		fail(c, GOTRACE_ERR_NOMEM);
	return id;
}

/* ---- tracks ---------------------------------------------------------- */

static track_rec *track_of(tl_core *c, tl_track trk, uint32_t *index)
{
	uint32_t i;
	track_rec *t;

	if (gt_map_get(&c->track_index, (int64_t)trk.pid, (int64_t)trk.tid, &i)) {
		*index = i;
		return &c->tracks[i];
	}
	if (c->ntracks >= UINT32_MAX ||
	    gt_grow((void **)&c->tracks, &c->captracks, c->ntracks + 1,
	            sizeof *c->tracks) != 0 ||
	    gt_map_put(&c->track_index, (int64_t)trk.pid, (int64_t)trk.tid,
	               (uint32_t)c->ntracks) != 0) {
		fail(c, GOTRACE_ERR_NOMEM);
		return NULL;
	}
	i = (uint32_t)c->ntracks++;
	t = &c->tracks[i];
	memset(t, 0, sizeof *t);
	t->track = trk;
	*index = i;
	return t;
}

static tl_track_ref ref_of(const tl_core *c, uint32_t index)
{
	tl_track_ref r;

	r.track = c->tracks[index].track;
	r.index = index;
	return r;
}

/* Makes sure the format knows the track before anything is written on it:
 * an unnamed track is announced with no name. */
static int announce(tl_core *c, uint32_t index)
{
	track_rec *t = &c->tracks[index];
	gotrace_string none = { NULL, 0 };
	int rc;

	if (t->announced)
		return c->err;
	t->announced = 1;
	rc = c->fops->thread(c->fmt, c, ref_of(c, index), none, 0);
	return rc != GOTRACE_OK ? fail(c, rc) : c->err;
}

int tl_process(tl_core *c, uint64_t pid, const char *name, int64_t sort)
{
	int rc;

	if (c->err != GOTRACE_OK)
		return c->err;
	rc = c->fops->process(c->fmt, c, pid, name, sort);
	return rc != GOTRACE_OK ? fail(c, rc) : GOTRACE_OK;
}

int tl_thread(tl_core *c, tl_track trk, gotrace_string name, int64_t sort)
{
	uint32_t index, id;
	track_rec *t;
	int rc;

	if (c->err != GOTRACE_OK)
		return c->err;
	if ((t = track_of(c, trk, &index)) == NULL)
		return c->err;
	id = intern(c, name.data, name.len);
	if (c->err != GOTRACE_OK)
		return c->err;
	t = &c->tracks[index];
	if (t->described && t->name_id == id && t->sort == sort)
		return GOTRACE_OK;
	t->described = 1;
	t->announced = 1;
	t->name_id = id;
	t->sort = sort;
	if (name.data == NULL)
		name.data = "";
	rc = c->fops->thread(c->fmt, c, ref_of(c, index), name, sort);
	return rc != GOTRACE_OK ? fail(c, rc) : GOTRACE_OK;
}

/* ---- stacks ---------------------------------------------------------- */

static uint64_t hash_step(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15u + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdu;
}

static int same_stack(const tl_core *c, const stack_rec *s,
                      const frame_rec *f, uint32_t depth)
{
	return s->depth == depth &&
	       memcmp(&c->frames[s->first], f, depth * sizeof *f) == 0;
}

tl_stack_id tl_stack(tl_core *c, gotrace_stack stk)
{
	size_t depth, i, first;
	uint32_t id, head;
	uint64_t h = 0;
	stack_rec *s;

	if (c->err != GOTRACE_OK || !gotrace_stack_present(stk))
		return 0;
	if (gt_map_get(&c->stack_cache, (int64_t)(uintptr_t)stk.table,
	               (int64_t)stk.id, &id))
		return id;
	depth = gotrace_stack_depth(stk);
	if (depth == 0 || depth > UINT32_MAX)
		return 0;
	/* The frames go at the end of the array; they stay only if the stack
	 * is new. */
	first = c->nframes;
	if (first + depth > UINT32_MAX ||
	    gt_grow((void **)&c->frames, &c->capframes, first + depth,
	            sizeof *c->frames) != 0) {
		fail(c, GOTRACE_ERR_NOMEM);
		return 0;
	}
	for (i = 0; i < depth; i++) {
		gotrace_frame fr;
		frame_rec *f = &c->frames[first + i];

		memset(f, 0, sizeof *f);
		if (gotrace_stack_frame(stk, i, &fr) != 0)
			memset(&fr, 0, sizeof fr);
		f->pc = fr.pc;
		f->line = fr.line;
		f->func = intern(c, fr.func.data, fr.func.len);
		f->file = intern(c, fr.file.data, fr.file.len);
		h = hash_step(h, f->pc);
		h = hash_step(h, f->line);
		h = hash_step(h, ((uint64_t)f->func << 32) | f->file);
	}
	if (c->err != GOTRACE_OK)
		return 0;
	id = 0;
	if (gt_map_get(&c->stack_index, (int64_t)h, (int64_t)depth, &head)) {
		for (id = head; id != 0; id = c->stacks[id].next)
			if (c->stacks[id].hash == h &&
			    same_stack(c, &c->stacks[id], &c->frames[first],
			               (uint32_t)depth))
				break;
	} else {
		head = 0;
	}
	if (id == 0) {
		if (c->nstacks == 0)
			c->nstacks = 1;
		if (c->nstacks >= UINT32_MAX ||
		    gt_grow((void **)&c->stacks, &c->capstacks, c->nstacks + 1,
		            sizeof *c->stacks) != 0) {
			fail(c, GOTRACE_ERR_NOMEM);
			return 0;
		}
		id = (uint32_t)c->nstacks++;
		s = &c->stacks[id];
		s->first = (uint32_t)first;
		s->depth = (uint32_t)depth;
		s->hash = h;
		s->next = head;
		c->nframes = first + depth;
		if (gt_map_put(&c->stack_index, (int64_t)h, (int64_t)depth, id) != 0) {
			fail(c, GOTRACE_ERR_NOMEM);
			return 0;
		}
	}
	if (gt_map_put(&c->stack_cache, (int64_t)(uintptr_t)stk.table,
	               (int64_t)stk.id, id) != 0)
		fail(c, GOTRACE_ERR_NOMEM);
	return id;
}

size_t tl_stack_depth(const tl_core *c, tl_stack_id id)
{
	return id != 0 && id < c->nstacks ? c->stacks[id].depth : 0;
}

void tl_stack_frame(const tl_core *c, tl_stack_id id, size_t i,
                    gotrace_frame *out)
{
	const frame_rec *f;

	memset(out, 0, sizeof *out);
	if (id == 0 || id >= c->nstacks || i >= c->stacks[id].depth)
		return;
	f = &c->frames[c->stacks[id].first + i];
	out->pc = f->pc;
	out->line = f->line;
	out->func = gt_strtab_get(&c->names, f->func);
	out->file = gt_strtab_get(&c->names, f->file);
}

/* ---- flows ----------------------------------------------------------- */

static flow_rec *flow_find(tl_core *c, uint64_t id)
{
	uint32_t i;

	if (id == 0 || !gt_map_get(&c->flow_index, (int64_t)id, 0, &i))
		return NULL;
	return &c->flows[i];
}

static void flow_release(tl_core *c, flow_rec *f)
{
	uint32_t i = (uint32_t)(f - c->flows);

	gt_map_del(&c->flow_index, (int64_t)f->id, 0);
	f->state = FLOW_FREE;
	f->next_free = c->free_flow;
	c->free_flow = i + 1;
}

/* Writes a flow whose ends are both known and bound (or known unbound). */
static int flow_try_write(tl_core *c, flow_rec *f)
{
	tl_out_flow o;
	int rc;

	if (f->state != FLOW_ENDED || !f->from_decided || !f->to_decided ||
	    c->err != GOTRACE_OK)
		return c->err;
	if (announce(c, f->from) != GOTRACE_OK || announce(c, f->to) != GOTRACE_OK)
		return c->err;
	memset(&o, 0, sizeof o);
	o.id = f->id;
	o.name = gt_strtab_get(&c->names, f->name);
	o.cat = f->cat;
	o.stack = f->stack;
	o.from = ref_of(c, f->from);
	o.to = ref_of(c, f->to);
	o.from_time = out_time(c, f->from_time);
	o.to_time = out_time(c, f->to_time);
	o.bound_from = f->bound_from;
	o.bound_to = f->bound_to;
	if (c->err != GOTRACE_OK)
		return c->err;
	rc = c->fops->flow(c->fmt, c, &o);
	flow_release(c, f);
	return rc != GOTRACE_OK ? fail(c, rc) : GOTRACE_OK;
}

/* Records a flow point in the open group of its track, to be bound when
 * the group is written; a track with nothing open has no slice to bind
 * to, so the point is decided unbound at once. */
static int flow_point(tl_core *c, flow_rec *f, uint32_t index, int is_end)
{
	track_rec *t = &c->tracks[index];
	held_point *p;

	if (t->open == 0) {
		if (is_end)
			f->to_decided = 1;
		else
			f->from_decided = 1;
		return GOTRACE_OK;
	}
	if (gt_grow((void **)&t->points, &t->cappoints, t->npoints + 1,
	            sizeof *t->points) != 0)
		return fail(c, GOTRACE_ERR_NOMEM);
	p = &t->points[t->npoints++];
	p->flow = f->id;
	p->time = is_end ? f->to_time : f->from_time;
	p->is_end = is_end;
	return GOTRACE_OK;
}

uint64_t tl_flow_begin(tl_core *c, tl_track trk, int64_t time,
                       gotrace_string name, const char *cat,
                       tl_stack_id stack)
{
	uint32_t index, i;
	flow_rec *f;

	if (c->err != GOTRACE_OK || track_of(c, trk, &index) == NULL)
		return 0;
	if (c->free_flow != 0) {
		i = c->free_flow - 1;
		c->free_flow = c->flows[i].next_free;
	} else {
		if (c->nflows >= UINT32_MAX ||
		    gt_grow((void **)&c->flows, &c->capflows, c->nflows + 1,
		            sizeof *c->flows) != 0) {
			fail(c, GOTRACE_ERR_NOMEM);
			return 0;
		}
		i = (uint32_t)c->nflows++;
	}
	f = &c->flows[i];
	memset(f, 0, sizeof *f);
	f->id = ++c->next_flow;
	f->state = FLOW_BEGUN;
	f->name = intern(c, name.data, name.len);
	f->cat = cat;
	f->stack = stack;
	f->from = index;
	f->from_time = time;
	if (gt_map_put(&c->flow_index, (int64_t)f->id, 0, i) != 0) {
		fail(c, GOTRACE_ERR_NOMEM);
		return 0;
	}
	if (flow_point(c, f, index, 0) != GOTRACE_OK)
		return 0;
	return f->id;
}

int tl_flow_end(tl_core *c, uint64_t id, tl_track trk, int64_t time)
{
	uint32_t index;
	flow_rec *f;

	if (c->err != GOTRACE_OK)
		return c->err;
	if ((f = flow_find(c, id)) == NULL || f->state != FLOW_BEGUN)
		return GOTRACE_OK;
	if (track_of(c, trk, &index) == NULL)
		return c->err;
	f->state = FLOW_ENDED;
	f->to = index;
	f->to_time = time;
	if (flow_point(c, f, index, 1) != GOTRACE_OK)
		return c->err;
	return flow_try_write(c, f);
}

void tl_flow_drop(tl_core *c, uint64_t id)
{
	flow_rec *f = flow_find(c, id);

	/* A point of it may still sit in a group: binding finds no flow and
	 * skips it. */
	if (f != NULL && f->state == FLOW_BEGUN)
		flow_release(c, f);
}

/* ---- groups ---------------------------------------------------------- */

static int store_bytes(tl_core *c, track_rec *t, gotrace_string s,
                       size_t *off)
{
	*off = t->nbytes;
	if (s.len == 0)
		return GOTRACE_OK;
	if (gt_grow((void **)&t->bytes, &t->capbytes, t->nbytes + s.len, 1) != 0)
		return fail(c, GOTRACE_ERR_NOMEM);
	memcpy(t->bytes + t->nbytes, s.data, s.len);
	t->nbytes += s.len;
	return GOTRACE_OK;
}

/* Outer first: earlier start, then later end, then reported later. */
static int slice_order(const void *a, const void *b)
{
	const held_slice *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	if (x->order != y->order)
		return x->order > y->order ? -1 : 1;
	return 0;
}

static int binding_order(const void *a, const void *b)
{
	const binding *x = a, *y = b;

	if (x->slice != y->slice)
		return x->slice < y->slice ? -1 : 1;
	if (x->is_end != y->is_end)
		return x->is_end < y->is_end ? -1 : 1;
	return x->flow < y->flow ? -1 : x->flow > y->flow;
}

/* The first slice (in sorted order) starting at or after t. */
static size_t lower_bound(const held_slice *s, size_t n, int64_t t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s[mid].start < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Gives each sorted slice a lane where it nests: preferably the lane of
 * the innermost open slice holding it (so a goroutine's ranges stay with
 * it), else the first lane with nothing open, else a new lane. Each lane
 * is a stack of open slices (as indexes into the group); lane L's stack is
 * row L of lane_stack, rows as long as the group. Lanes beyond the first
 * only appear for slices that overlap without nesting. */
static int assign_lanes(tl_core *c, track_rec *t)
{
	size_t row = t->nslices, nlanes = 0, caplanes = 0, i, l;
	size_t *depth = NULL;
	size_t *st;

	for (i = 0; i < t->nslices; i++) {
		held_slice *s = &t->slices[i];
		size_t best = SIZE_MAX, empty = SIZE_MAX;

		for (l = 0; l < nlanes; l++) {
			size_t d = depth[l];
			st = c->lane_stack + l * row;
			while (d > 0 && t->slices[st[d - 1]].end <= s->start)
				d--;
			depth[l] = d;
			if (d == 0) {
				if (empty == SIZE_MAX)
					empty = l;
			} else if (t->slices[st[d - 1]].end >= s->end &&
			           (best == SIZE_MAX ||
			            t->slices[st[d - 1]].start >
			                    t->slices[c->lane_stack[best * row +
			                                            depth[best] - 1]].start)) {
				best = l;
			}
		}
		l = best != SIZE_MAX ? best : empty;
		if (l == SIZE_MAX) {
			if (gt_grow((void **)&depth, &caplanes, nlanes + 1,
			            sizeof *depth) != 0 ||
			    gt_grow((void **)&c->lane_stack, &c->cap_lane_stack,
			            (nlanes + 1) * row, sizeof *c->lane_stack) != 0) {
				free(depth);
				return fail(c, GOTRACE_ERR_NOMEM);
			}
			depth[nlanes] = 0;
			l = nlanes++;
		}
		c->lane_stack[l * row + depth[l]++] = i;
		s->lane = (uint32_t)l;
	}
	free(depth);
	return GOTRACE_OK;
}

/* Binds the group's flow points to its slices (see timeline.h). */
static int bind_points(tl_core *c, track_rec *t)
{
	size_t i;

	c->nbindings = 0;
	for (i = 0; i < t->npoints; i++) {
		held_point *p = &t->points[i];
		flow_rec *f = flow_find(c, p->flow);
		size_t k, found = SIZE_MAX;

		if (f == NULL)
			continue;
		if (p->is_end ? f->to_decided : f->from_decided)
			continue;
		if (p->is_end) {
			k = lower_bound(t->slices, t->nslices, p->time);
			if (k < t->nslices && t->slices[k].start == p->time)
				found = k;
			f->to_decided = 1;
			f->bound_to = found != SIZE_MAX;
		} else {
			/* The innermost slice holding the point: the last one, in
			 * sorted order, starting at or before it and ending at or
			 * after it. */
			k = lower_bound(t->slices, t->nslices, p->time + 1);
			while (k > 0) {
				k--;
				if (t->slices[k].end >= p->time) {
					found = k;
					break;
				}
			}
			f->from_decided = 1;
			f->bound_from = found != SIZE_MAX;
		}
		if (found == SIZE_MAX)
			continue;
		if (gt_grow((void **)&c->bindings, &c->capbindings,
		            c->nbindings + 1, sizeof *c->bindings) != 0)
			return fail(c, GOTRACE_ERR_NOMEM);
		c->bindings[c->nbindings].slice = found;
		c->bindings[c->nbindings].flow = f->id;
		c->bindings[c->nbindings].is_end = p->is_end;
		c->nbindings++;
	}
	if (c->nbindings > 1)
		qsort(c->bindings, c->nbindings, sizeof *c->bindings, binding_order);
	return c->err;
}

/* Writes a track's group: sorted, laned, flows bound; then the flows
 * whose ends are now both settled. */
static int write_group(tl_core *c, uint32_t index)
{
	track_rec *t = &c->tracks[index];
	size_t i, b = 0;
	int rc;

	if (t->nslices == 0 && t->npoints == 0)
		return c->err;
	if (announce(c, index) != GOTRACE_OK)
		return c->err;
	if (t->nslices > 1)
		qsort(t->slices, t->nslices, sizeof *t->slices, slice_order);
	if (assign_lanes(c, t) != GOTRACE_OK ||
	    bind_points(c, t) != GOTRACE_OK)
		return c->err;
	if (gt_grow((void **)&c->flow_ids, &c->cap_flow_ids,
	            c->nbindings + 1, sizeof *c->flow_ids) != 0)
		return fail(c, GOTRACE_ERR_NOMEM);
	for (i = 0; i < c->nbindings; i++)
		c->flow_ids[i] = c->bindings[i].flow;
	for (i = 0; i < t->nslices && c->err == GOTRACE_OK; i++) {
		held_slice *h = &t->slices[i];
		tl_arg args[TL_MAX_ARGS];
		tl_out_slice o;
		size_t a;

		memset(&o, 0, sizeof o);
		o.track = ref_of(c, index);
		o.lane = h->lane;
		o.start = out_time(c, h->start);
		o.end = out_time(c, h->end);
		/* On the wall clock the two ends of a slice spanning a
		 * generation boundary come from two snapshots, which may
		 * disagree by more than the slice lasted. */
		if (o.end < o.start)
			o.end = o.start;
		o.name.data = t->bytes + h->name_off;
		o.name.len = h->name_len;
		o.cat = h->cat;
		o.stack = h->stack;
		o.end_stack = h->end_stack;
		for (a = 0; a < h->nargs; a++) {
			args[a] = h->args[a];
			if (args[a].type == TL_ARG_STR)
				args[a].s.data = t->bytes + h->arg_off[a];
		}
		o.args = args;
		o.nargs = h->nargs;
		/* Bindings are sorted by slice, starts before ends. */
		o.flow_out = c->flow_ids + b;
		while (b < c->nbindings && c->bindings[b].slice == i &&
		       !c->bindings[b].is_end) {
			o.nflow_out++;
			b++;
		}
		o.flow_in = c->flow_ids + b;
		while (b < c->nbindings && c->bindings[b].slice == i) {
			o.nflow_in++;
			b++;
		}
		if (c->err != GOTRACE_OK)
			break;
		rc = c->fops->slice(c->fmt, c, &o);
		if (rc != GOTRACE_OK)
			fail(c, rc);
	}
	/* Flows touching this group may now be complete. */
	for (i = 0; i < t->npoints && c->err == GOTRACE_OK; i++) {
		flow_rec *f = flow_find(c, t->points[i].flow);
		if (f != NULL)
			flow_try_write(c, f);
	}
	/* Most tracks hold a group rarely and briefly (a goroutine track in
	 * the goroutine view holds at most one slice), and there can be a
	 * track per goroutine: give the memory back rather than keep a
	 * buffer on every track. */
	free(t->slices);
	free(t->bytes);
	free(t->points);
	t->slices = NULL;
	t->bytes = NULL;
	t->points = NULL;
	t->nslices = t->capslices = 0;
	t->nbytes = t->capbytes = 0;
	t->npoints = t->cappoints = 0;
	return c->err;
}

/* The common case: the only slice open on a track ends and nothing else is
 * held there, so it goes to the format as it is, without a copy. */
static int write_alone(tl_core *c, uint32_t index, const tl_slice *s)
{
	tl_out_slice o;
	int rc;

	if (announce(c, index) != GOTRACE_OK)
		return c->err;
	memset(&o, 0, sizeof o);
	o.track = ref_of(c, index);
	o.start = out_time(c, s->start);
	o.end = out_time(c, s->end < s->start ? s->start : s->end);
	if (o.end < o.start)            /* see write_group */
		o.end = o.start;
	o.name = s->name;
	o.cat = s->cat;
	o.stack = s->stack;
	o.end_stack = s->end_stack;
	o.args = s->args;
	o.nargs = s->nargs > TL_MAX_ARGS ? TL_MAX_ARGS : s->nargs;
	if (c->err != GOTRACE_OK)
		return c->err;
	rc = c->fops->slice(c->fmt, c, &o);
	return rc != GOTRACE_OK ? fail(c, rc) : GOTRACE_OK;
}

int tl_open(tl_core *c, tl_track trk)
{
	uint32_t index;
	track_rec *t;

	if (c->err != GOTRACE_OK)
		return c->err;
	if ((t = track_of(c, trk, &index)) == NULL)
		return c->err;
	t->open++;
	return GOTRACE_OK;
}

int tl_slice_done(tl_core *c, const tl_slice *s)
{
	uint32_t index;
	track_rec *t;
	held_slice *h;
	size_t a;

	if (c->err != GOTRACE_OK)
		return c->err;
	if ((t = track_of(c, s->track, &index)) == NULL)
		return c->err;
	if (t->open <= 1 && t->nslices == 0 && t->npoints == 0) {
		t->open = 0;
		return write_alone(c, index, s);
	}
	if (gt_grow((void **)&t->slices, &t->capslices, t->nslices + 1,
	            sizeof *t->slices) != 0)
		return fail(c, GOTRACE_ERR_NOMEM);
	h = &t->slices[t->nslices];
	memset(h, 0, sizeof *h);
	h->start = s->start;
	h->end = s->end < s->start ? s->start : s->end;
	h->order = (uint32_t)t->nslices;
	h->name_len = s->name.len;
	h->cat = s->cat;
	h->stack = s->stack;
	h->end_stack = s->end_stack;
	h->nargs = s->nargs > TL_MAX_ARGS ? TL_MAX_ARGS : s->nargs;
	if (store_bytes(c, t, s->name, &h->name_off) != GOTRACE_OK)
		return c->err;
	for (a = 0; a < h->nargs; a++) {
		h->args[a] = s->args[a];
		if (h->args[a].type == TL_ARG_STR) {
			if (store_bytes(c, t, s->args[a].s, &h->arg_off[a]) != GOTRACE_OK)
				return c->err;
			h->args[a].s.data = NULL;
		}
	}
	t->nslices++;
	/* A slice reported without tl_open is taken as opened just now. */
	if (t->open > 0)
		t->open--;
	if (t->open == 0)
		return write_group(c, index);
	return GOTRACE_OK;
}

int tl_instant_at(tl_core *c, const tl_instant *i)
{
	tl_out_instant o;
	uint32_t index;
	flow_rec *f;
	int rc;

	if (c->err != GOTRACE_OK)
		return c->err;
	if (track_of(c, i->track, &index) == NULL ||
	    announce(c, index) != GOTRACE_OK)
		return c->err;
	memset(&o, 0, sizeof o);
	o.track = ref_of(c, index);
	o.time = out_time(c, i->time);
	o.name = i->name;
	o.cat = i->cat;
	o.stack = i->stack;
	o.args = i->args;
	o.nargs = i->nargs > TL_MAX_ARGS ? TL_MAX_ARGS : i->nargs;
	if ((f = flow_find(c, i->flow_out)) != NULL && !f->bound_from) {
		/* The instant is the flow's start: any point of it left in a
		 * group is skipped there. */
		o.flow_out = f->id;
		f->from_decided = 1;
		f->bound_from = 1;
	}
	if (c->err != GOTRACE_OK)
		return c->err;
	rc = c->fops->instant(c->fmt, c, &o);
	if (rc != GOTRACE_OK)
		return fail(c, rc);
	return f != NULL ? flow_try_write(c, f) : GOTRACE_OK;
}

int tl_counter_at(tl_core *c, const tl_counter *k)
{
	tl_out_counter o;
	uint32_t index;
	int rc;

	if (c->err != GOTRACE_OK)
		return c->err;
	if (track_of(c, k->track, &index) == NULL ||
	    announce(c, index) != GOTRACE_OK)
		return c->err;
	memset(&o, 0, sizeof o);
	o.track = ref_of(c, index);
	o.time = out_time(c, k->time);
	o.name = k->name;
	o.keys = k->keys;
	o.values = k->values;
	o.is_unsigned = k->is_unsigned;
	o.n = k->n > TL_MAX_ARGS ? TL_MAX_ARGS : k->n;
	if (c->err != GOTRACE_OK)
		return c->err;
	rc = c->fops->counter(c->fmt, c, &o);
	return rc != GOTRACE_OK ? fail(c, rc) : GOTRACE_OK;
}

/* ---- the public object ----------------------------------------------- */

static const char *const format_names[] = { "json", "perfetto" };
static const char *const view_names[] = { "proc", "thread", "goroutine" };
static const char *const clock_names[] = { "trace", "wall" };

static const char *name_at(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? names[v] : NULL;
}

static int parse_name(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *gotrace_timeline_format_name(int format)
{
	return name_at(format_names, COUNT(format_names), format);
}

int gotrace_timeline_format_parse(const char *name)
{
	return parse_name(format_names, COUNT(format_names), name);
}

const char *gotrace_timeline_view_name(int view)
{
	return name_at(view_names, COUNT(view_names), view);
}

int gotrace_timeline_view_parse(const char *name)
{
	return parse_name(view_names, COUNT(view_names), name);
}

const char *gotrace_timeline_clock_name(int clock)
{
	return name_at(clock_names, COUNT(clock_names), clock);
}

int gotrace_timeline_clock_parse(const char *name)
{
	return parse_name(clock_names, COUNT(clock_names), name);
}

int tl_core_new(tl_core **out, gotrace_sink *sink, int wall,
                void *view, const tl_view_ops *vops,
                void *fmt, const tl_format_ops *fops)
{
	tl_core *c;
	int rc;

	*out = NULL;
	if ((c = calloc(1, sizeof *c)) == NULL) {
		vops->free(view);
		fops->free(fmt);
		return GOTRACE_ERR_NOMEM;
	}
	c->sink = sink;
	c->view = view;
	c->vops = vops;
	c->fmt = fmt;
	c->fops = fops;
	c->wall = wall;
	if (wall && (rc = gotrace_clock_new(&c->clock)) != GOTRACE_OK) {
		gotrace_timeline_free(c);
		return rc;
	}
	*out = c;
	return GOTRACE_OK;
}

/*
 * The end of the last field of the first gotrace_timeline_options: the
 * smallest struct a caller can have. Fields added later are read only
 * when the caller's struct_size covers them.
 */
#define TIMELINE_OPTIONS_MIN_SIZE                                            \
	(offsetof(gotrace_timeline_options, clock) + sizeof(int))

int gotrace_timeline_new(gotrace_timeline **out,
                         const gotrace_timeline_options *opts,
                         gotrace_sink *sink)
{
	const tl_view_ops *vops = NULL;
	const tl_format_ops *fops = NULL;
	void *view = NULL, *fmt = NULL;
	int rc;

	if (out == NULL)
		return GOTRACE_ERR_ARG;
	*out = NULL;
	if (opts == NULL || sink == NULL ||
	    opts->struct_size < TIMELINE_OPTIONS_MIN_SIZE ||
	    gotrace_timeline_format_name(opts->format) == NULL ||
	    gotrace_timeline_view_name(opts->view) == NULL ||
	    gotrace_timeline_clock_name(opts->clock) == NULL)
		return GOTRACE_ERR_ARG;
	if (opts->view == GOTRACE_TIMELINE_GOROUTINE)
		rc = tl_view_goroutine_new(&view, &vops);
	else
		rc = tl_view_cmdtrace_new(&view, &vops, opts->view);
	if (rc != GOTRACE_OK)
		return rc;
	if (opts->format == GOTRACE_TIMELINE_PERFETTO)
		rc = tl_format_perfetto_new(&fmt, &fops);
	else
		rc = tl_format_json_new(&fmt, &fops);
	if (rc != GOTRACE_OK) {
		vops->free(view);
		return rc;
	}
	return tl_core_new(out, sink, opts->clock == GOTRACE_TIMELINE_CLOCK_WALL,
	                   view, vops, fmt, fops);
}

static int begin(tl_core *c)
{
	int rc;

	if (c->begun)
		return c->err;
	c->begun = 1;
	rc = c->fops->begin(c->fmt, c, c->wall);
	return rc != GOTRACE_OK ? fail(c, rc) : c->err;
}

int gotrace_timeline_feed(gotrace_timeline *c, const gotrace_event *ev)
{
	int rc;

	if (c == NULL || ev == NULL)
		return GOTRACE_ERR_ARG;
	if (c->finished)
		return GOTRACE_ERR_ARG;
	if (c->err != GOTRACE_OK)
		return c->err;
	if (ev->kind == GOTRACE_EVENT_SYNC) {
		/* A new generation: the reader's stack tables are new too. */
		gt_map_free(&c->stack_cache);
		memset(&c->stack_cache, 0, sizeof c->stack_cache);
		if (c->wall && (rc = gotrace_clock_feed(c->clock, ev)) != GOTRACE_OK)
			return fail(c, rc);
	}
	if (!c->started) {
		c->started = 1;
		c->t0 = ev->time;
		if (c->wall && gotrace_clock_snapshot_count(c->clock) == 0)
			return fail(c, GOTRACE_ERR_UNSUPPORTED);
		if (begin(c) != GOTRACE_OK)
			return c->err;
	}
	c->last = ev->time;
	rc = c->vops->feed(c->view, c, ev);
	if (rc != GOTRACE_OK)
		fail(c, rc);
	return c->err;
}

int gotrace_timeline_finish(gotrace_timeline *c)
{
	size_t i;
	int rc;

	if (c == NULL)
		return GOTRACE_ERR_ARG;
	if (c->finished)
		return c->err;
	c->finished = 1;
	if (c->err != GOTRACE_OK)
		return c->err;
	if (!c->begun && begin(c) != GOTRACE_OK)
		return c->err;
	if (c->started) {
		rc = c->vops->finish(c->view, c, c->last);
		if (rc != GOTRACE_OK)
			return fail(c, rc);
	}
	/* A view that left slices open: write what its groups hold. */
	for (i = 0; i < c->ntracks && c->err == GOTRACE_OK; i++) {
		c->tracks[i].open = 0;
		write_group(c, (uint32_t)i);
	}
	/* Flows whose start never got settled (its group never closed). */
	for (i = 0; i < c->nflows && c->err == GOTRACE_OK; i++) {
		flow_rec *f = &c->flows[i];
		if (f->state == FLOW_ENDED) {
			f->from_decided = f->to_decided = 1;
			flow_try_write(c, f);
		}
	}
	if (c->err != GOTRACE_OK)
		return c->err;
	rc = c->fops->finish(c->fmt, c);
	if (rc != GOTRACE_OK)
		return fail(c, rc);
	return gotrace_sink_error(c->sink) != GOTRACE_OK
	               ? fail(c, gotrace_sink_error(c->sink))
	               : GOTRACE_OK;
}

void gotrace_timeline_free(gotrace_timeline *c)
{
	size_t i;

	if (c == NULL)
		return;
	if (c->vops != NULL && c->view != NULL)
		c->vops->free(c->view);
	if (c->fops != NULL && c->fmt != NULL)
		c->fops->free(c->fmt);
	for (i = 0; i < c->ntracks; i++) {
		free(c->tracks[i].slices);
		free(c->tracks[i].bytes);
		free(c->tracks[i].points);
	}
	free(c->tracks);
	gt_map_free(&c->track_index);
	gt_strtab_free(&c->names);
	free(c->stacks);
	free(c->frames);
	gt_map_free(&c->stack_index);
	gt_map_free(&c->stack_cache);
	free(c->flows);
	gt_map_free(&c->flow_index);
	free(c->bindings);
	free(c->flow_ids);
	free(c->lane_stack);
	gotrace_clock_free(c->clock);
	free(c);
}
