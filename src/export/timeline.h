/*
 * Timelines, inside (the public side is gotrace/export.h).
 *
 * Three layers, data flowing down:
 *
 *   view    what to draw: turns events into tracks, slices, instants,
 *           counters and flows. view_cmdtrace.c (the proc and thread views
 *           of cmd/trace), view_goroutine.c (one track per goroutine).
 *   core    timeline.c: the public object. Converts times (trace time to
 *           the output clock), interns stacks, and holds each track's
 *           slices until the outermost one ends, so that a format gets
 *           them in start order, properly nested (a slice that overlaps
 *           another without nesting is moved to another lane of its
 *           track). Binds flow ends to slices for formats that need it.
 *   format  how to write it: timeline_json.c, timeline_perfetto.c.
 *
 * Times given to the core are trace nanoseconds (gotrace_event.time);
 * formats get output nanoseconds (since the first event, or Unix time).
 */
#ifndef GT_EXPORT_TIMELINE_H
#define GT_EXPORT_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include <gotrace/export.h>

/* The core is the public timeline object. */
typedef struct gotrace_timeline tl_core;

/* A track: Chrome's (pid, tid) pair. The core numbers the tracks it has
 * seen from 0 (index), so formats can keep per-track arrays. */
typedef struct tl_track {
	uint64_t pid;
	uint64_t tid;
} tl_track;

/* A stack interned by the core: 0 is "no stack", others count from 1. */
typedef uint32_t tl_stack_id;

/* An argument of a slice or instant: a key and a string or number. */
enum { TL_ARG_STR, TL_ARG_INT, TL_ARG_UINT };
typedef struct tl_arg {
	const char *key;           /* NUL-terminated, a static string */
	int type;                  /* TL_ARG_* */
	gotrace_string s;
	int64_t i;
	uint64_t u;
} tl_arg;

enum { TL_MAX_ARGS = 4 };

/* ---- what a view reports to the core -------------------------------- */

/* Describes a process (pid) or a track: its name and sort index (lower
 * first). Reported before or after the track is used, at most once per
 * track per name (a repeated report with the same name is ignored; a new
 * name replaces the old one for formats that allow it). */
int tl_process(tl_core *c, uint64_t pid, const char *name, int64_t sort);
int tl_thread(tl_core *c, tl_track trk, gotrace_string name, int64_t sort);

/* Interns an event's stack (absent or empty: 0). On out of memory
 * returns 0 and the core records the error (tl_failed). */
tl_stack_id tl_stack(tl_core *c, gotrace_stack stk);

/*
 * Slices. A view opens a slice on a track when it begins (tl_open) and
 * reports it complete when it ends (tl_slice), every opened slice exactly
 * once (those still open at the end at finish, reported by the view).
 * The core holds a track's completed slices while any slice is open on
 * it, then passes them on sorted.
 *
 * When two slices on a track have the same start and end, the one
 * reported later is taken as the outer one (a view reports inner slices
 * first).
 */
typedef struct tl_slice {
	tl_track track;
	int64_t start, end;        /* trace ns, start <= end */
	gotrace_string name;
	const char *cat;           /* NULL: none */
	tl_stack_id stack;         /* Chrome's sf: 0 none */
	tl_stack_id end_stack;     /* Chrome's esf: 0 none */
	tl_arg args[TL_MAX_ARGS];
	size_t nargs;
} tl_slice;

int tl_open(tl_core *c, tl_track trk);
int tl_slice_done(tl_core *c, const tl_slice *s);

/* An instant (Chrome's ph "I", scope thread). flow_out: a flow id started
 * at this instant (0: none), as tl_flow_begin's. */
typedef struct tl_instant {
	tl_track track;
	int64_t time;              /* trace ns */
	gotrace_string name;
	const char *cat;
	tl_stack_id stack;
	tl_arg args[TL_MAX_ARGS];
	size_t nargs;
	uint64_t flow_out;
} tl_instant;

int tl_instant_at(tl_core *c, const tl_instant *i);

/* A counter sample (Chrome's ph "C"): up to four named series, written
 * whole (Chrome's args). The view reports only changes. */
typedef struct tl_counter {
	tl_track track;
	int64_t time;
	const char *name;          /* static */
	/* Static too: formats may tell series apart by the keys' and the
	 * name's addresses. */
	const char *keys[TL_MAX_ARGS];
	int64_t values[TL_MAX_ARGS];
	size_t n;
	int is_unsigned;           /* values are uint64 (as int64 bits): a
	                            * count cmd/trace keeps unsigned wraps
	                            * below 0, and formats print it so */
} tl_counter;

int tl_counter_at(tl_core *c, const tl_counter *k);

/*
 * Flows. tl_flow_begin opens a flow at a point (track, time) and returns
 * its id (from 1; 0 on error); tl_flow_end ends it at another point, and
 * only then is the flow written (cmd/trace draws an arrow once its target
 * starts). A begun flow that is never ended is dropped; tl_flow_drop says
 * so early (when the view replaces it) so the core frees it. The end
 * point is where a slice begins (the target goroutine's): formats that
 * bind flows to slices bind it to the outermost slice opened there, or
 * the start to the innermost slice open at the start point.
 */
uint64_t tl_flow_begin(tl_core *c, tl_track trk, int64_t time,
                       gotrace_string name, const char *cat,
                       tl_stack_id stack);
int tl_flow_end(tl_core *c, uint64_t id, tl_track trk, int64_t time);
void tl_flow_drop(tl_core *c, uint64_t id);

/* Nonzero once the core has failed (out of memory, the sink). */
int tl_failed(const tl_core *c);

/* ---- views ----------------------------------------------------------- */

typedef struct tl_view_ops {
	/* Every event fed, in order. */
	int (*feed)(void *view, tl_core *c, const gotrace_event *ev);
	/* The end: close what is open at time end (the last event's time). */
	int (*finish)(void *view, tl_core *c, int64_t end);
	void (*free)(void *view);
} tl_view_ops;

/* view_cmdtrace.c: GOTRACE_TIMELINE_PROC or _THREAD. */
int tl_view_cmdtrace_new(void **view, const tl_view_ops **ops, int which);
/* view_goroutine.c */
int tl_view_goroutine_new(void **view, const tl_view_ops **ops);

/* ---- what the core passes to a format -------------------------------- */

/* Stacks, for formats: depth and frames (innermost first) of an id. */
size_t tl_stack_depth(const tl_core *c, tl_stack_id id);
void tl_stack_frame(const tl_core *c, tl_stack_id id, size_t i,
                    gotrace_frame *out);

/* A track as formats see it: index numbers the tracks from 0. */
typedef struct tl_track_ref {
	tl_track track;
	uint32_t index;
} tl_track_ref;

/*
 * A slice as formats get it (end >= start, also on the wall clock). Per
 * track and lane, slices of one group come in start order and nest (a
 * later group may hold slices reported late that start earlier: a view
 * may draw a slice after its track went idle, as cmd/trace draws a
 * syscall at the goroutine's next stop; formats that need order keep
 * their own lanes): each is inside the last one not yet ended on its lane
 * (ends at or before that one's end) or starts at or after its end. Lane
 * 0 is the track itself; lanes above hold slices that would not nest
 * (formats without nesting rules, JSON, ignore lanes). flow_in / flow_out:
 * flows ending / starting at this slice (for Perfetto's flow_ids).
 * Times are output ns.
 */
typedef struct tl_out_slice {
	tl_track_ref track;
	uint32_t lane;
	int64_t start, end;
	gotrace_string name;
	const char *cat;
	tl_stack_id stack, end_stack;
	const tl_arg *args;
	size_t nargs;
	const uint64_t *flow_in, *flow_out;
	size_t nflow_in, nflow_out;
} tl_out_slice;

typedef struct tl_out_instant {
	tl_track_ref track;
	int64_t time;
	gotrace_string name;
	const char *cat;
	tl_stack_id stack;
	const tl_arg *args;
	size_t nargs;
	uint64_t flow_out;         /* 0: none */
} tl_out_instant;

typedef struct tl_out_counter {
	tl_track_ref track;
	int64_t time;
	const char *name;
	const char *const *keys;
	const int64_t *values;
	size_t n;
	int is_unsigned;           /* as tl_counter's */
} tl_out_counter;

/* A complete flow. bound_from / bound_to: nonzero when the start / end was
 * bound to a slice or instant passed to the format (its flow_out /
 * flow_in lists this id); formats that need an event at each end write
 * one themselves where it is 0. */
typedef struct tl_out_flow {
	uint64_t id;
	gotrace_string name;
	const char *cat;
	tl_stack_id stack;
	tl_track_ref from, to;
	int64_t from_time, to_time;
	int bound_from, bound_to;
} tl_out_flow;

typedef struct tl_format_ops {
	/* Before any other call: the header. wall: times are Unix ns. */
	int (*begin)(void *fmt, tl_core *c, int wall);
	/* A process, or a track's name and sort index. A track is described
	 * before the core passes anything on it; a later description of the
	 * same track (a rename) may follow. */
	int (*process)(void *fmt, tl_core *c, uint64_t pid, const char *name,
	               int64_t sort);
	int (*thread)(void *fmt, tl_core *c, tl_track_ref trk,
	              gotrace_string name, int64_t sort);
	int (*slice)(void *fmt, tl_core *c, const tl_out_slice *s);
	int (*instant)(void *fmt, tl_core *c, const tl_out_instant *i);
	int (*counter)(void *fmt, tl_core *c, const tl_out_counter *k);
	int (*flow)(void *fmt, tl_core *c, const tl_out_flow *f);
	/* The trailer (JSON's stackFrames). */
	int (*finish)(void *fmt, tl_core *c);
	void (*free)(void *fmt);
} tl_format_ops;

/*
 * Makes a core from a view and a format, which it then owns (and frees,
 * also when this fails). gotrace_timeline_new builds on it; the tests use
 * it to put a scripted view or a recording format in. The public
 * feed/finish/free functions work on the result.
 */
int tl_core_new(tl_core **out, gotrace_sink *sink, int wall,
                void *view, const tl_view_ops *vops,
                void *fmt, const tl_format_ops *fops);

/* The formats write to the core's sink. */
gotrace_sink *tl_sink(tl_core *c);

int tl_format_json_new(void **fmt, const tl_format_ops **ops);
int tl_format_perfetto_new(void **fmt, const tl_format_ops **ops);

#endif
