/*
 * Perfetto's protobuf trace for a timeline (timeline.h is the contract;
 * proto/perfetto_trace.proto the subset of Perfetto's schema we write).
 *
 * The file is a perfetto.protos.Trace written a packet at a time: each
 * record goes out as one TracePacket, a length-delimited field 1 of Trace,
 * so the file is valid after every packet and never held whole. All
 * packets are on one sequence; the first one clears its incremental state
 * and the others need it (they refer to interned data).
 *
 * Tracks. Each pid is a root track named as the view names the process,
 * each (pid, tid) a child track named as the view names it (by its tid if
 * it does not); a lane above 0 is a child of its track named by its
 * number ("lane 1"). Each series of a counter is a counter track under
 * its pid's root, named "COUNTER SERIES". Sort indices become sibling
 * ranks under parents that order their children explicitly. These are
 * plain named tracks, not Perfetto's process and thread tracks: the trace
 * processor keys those by pid and tid across the whole trace, and ours are
 * not the system's (pid 0 and 1, P numbers), so a wall-clock timeline
 * opened beside a system trace would be merged into its processes and
 * threads (pid 1 is init). Sibling merging is off, since two tracks of a
 * view may share a name.
 *
 * Slices are a SLICE_BEGIN and a SLICE_END on their lane's track. The core
 * passes a lane's slices in start order, nested, when the outermost one
 * ends; the format keeps the ends of the slices begun on each lane and
 * writes those that are over before the next begin there (at equal times,
 * in file order: the trace processor breaks ties by position), and the
 * rest at the finish. So what is held is one chain of nested slices per
 * lane. The trace processor sorts packets by time, so a track's packets
 * need not be in time order with another track's. A slice that would
 * break its lane's order or nesting (which the core's lanes rule out
 * within one group of slices, but not between groups) goes to the first
 * lane of its track where it fits, or a new one: the trace processor
 * would otherwise end the wrong slice.
 *
 * Interning. Event names, categories, argument names, function names,
 * file names, frames and callstacks are each sent once in the InternedData
 * of the first packet using them and then referred to by iid. A callstack's
 * iid is the core's stack id. The tables grow with distinct strings and
 * stacks; past PF_INTERN_BUDGET bytes they are all dropped and the state
 * of the sequence cleared, so memory stays bounded even when every event
 * has a name of its own (user log messages).
 *
 * Flows. A flow's source is the event its start is bound to (flow_ids on
 * the slice's begin or the instant); its end is the bound slice's begin.
 * The trace processor links them in time order, and drops a terminating id
 * it has not seen start: so the end carries the id in terminating_flow_ids
 * only when the source was already written, else in flow_ids (which link
 * in either order, by the slices' times). An end or start the core could
 * not bind becomes an instant named as the flow, written when the flow is
 * passed on. A flow the view drops after its source went out stays an id
 * on that one event, which the trace processor leaves without an arrow.
 *
 * Strings. Fields Perfetto's schema types `string` (names, string
 * arguments) must be UTF-8: a byte that starts no well-formed sequence is
 * written as U+FFFD, as the JSON timeline writes it. Function and file
 * names go as they are (they are `bytes` there).
 *
 * Clocks. By default times are ns since the first event, on the default
 * clock (BOOTTIME). With the wall clock they are Unix ns: the sequence's
 * defaults say REALTIME, and a ClockSnapshot makes REALTIME the trace's
 * primary clock. The snapshot holds REALTIME only: equating it with
 * BOOTTIME would be false, and would misplace the timeline when it is
 * opened with a system trace whose own snapshots relate the two.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfetto_trace.pb-c.h"
#include "table.h"
#include "text.h"
#include "timeline.h"

/* Bytes of interning tables after which they are dropped (see above). A
 * test build may lower it to exercise the reset. */
#ifndef PF_INTERN_BUDGET
#define PF_INTERN_BUDGET (32u << 20)
#endif
/* Bytes of packets gathered before a write to the sink. */
#define PF_FLUSH_AT (256u << 10)
/* Any nonzero id: we write a single sequence. */
#define PF_SEQUENCE_ID 1u
/* Table bytes counted per interned entry besides its string (offsets,
 * lengths, hash slots). */
#define PF_ENTRY_COST 48u

typedef Perfetto__Protos__Trace pb_trace;
typedef Perfetto__Protos__TracePacket pb_packet;
typedef Perfetto__Protos__TracePacketDefaults pb_defaults;
typedef Perfetto__Protos__ClockSnapshot pb_snapshot;
typedef Perfetto__Protos__ClockSnapshot__Clock pb_clock;
typedef Perfetto__Protos__TrackDescriptor pb_track;
typedef Perfetto__Protos__CounterDescriptor pb_counter;
typedef Perfetto__Protos__TrackEvent pb_event;
typedef Perfetto__Protos__DebugAnnotation pb_annotation;
typedef Perfetto__Protos__InternedData pb_interned;
typedef Perfetto__Protos__EventName pb_event_name;
typedef Perfetto__Protos__EventCategory pb_category;
typedef Perfetto__Protos__DebugAnnotationName pb_annotation_name;
typedef Perfetto__Protos__InternedString pb_string;
typedef Perfetto__Protos__Frame pb_frame;
typedef Perfetto__Protos__Callstack pb_callstack;

enum {
	SEQ_CLEARED =
	    PERFETTO__PROTOS__TRACE_PACKET__SEQUENCE_FLAGS__SEQ_INCREMENTAL_STATE_CLEARED,
	SEQ_NEEDS =
	    PERFETTO__PROTOS__TRACE_PACKET__SEQUENCE_FLAGS__SEQ_NEEDS_INCREMENTAL_STATE
};

/* A slice begun on a lane whose end is not written yet. */
typedef struct open_end {
	int64_t end;
	tl_stack_id end_stack;
} open_end;

/*
 * A lane's slices begun and not ended yet, outermost first: the first in
 * the lane itself, deeper ones on the heap. A view with one track per
 * goroutine has hundreds of thousands of tracks, each with a slice
 * pending, and rarely anything nested.
 */
typedef struct lane {
	uint64_t uuid;             /* lane 0: the track's own */
	int64_t last_start;        /* of the last slice begun here, or
	                            * INT64_MIN */
	uint32_t nopen, capdeeper;
	open_end first;            /* open slice 0 */
	open_end *deeper;          /* open slices 1.. */
} lane;

typedef struct ptrack {
	lane lane0;                /* lane0.uuid is the track's; 0 until it
	                            * is described */
	uint64_t parent;           /* its pid's root track */
	lane *more;                /* lanes 1.. */
	uint32_t nmore, capmore;
} ptrack;

/* A counter track: one series of a counter of a pid. */
typedef struct pcounter {
	uint64_t pid;
	const char *name, *key;    /* as first reported: static strings */
	uint64_t uuid;
	int64_t last;              /* the value last written */
	int written;               /* a value was written */
} pcounter;

typedef struct proot {         /* a pid's track */
	uint64_t uuid;
	uint32_t ncounters;        /* counter tracks under it, for their ranks */
} proot;

/* The sequence's interning tables; an iid is a table id + 1. */
typedef struct tables {
	gt_strtab names, cats, arg_names, funcs, files;
	gt_map frames;             /* (func iid << 32 | file iid, line) -> iid */
	uint32_t nframes;
	unsigned char *stack_sent; /* per core stack id: its callstack is sent */
	size_t nstack_sent, capstack_sent;
	size_t bytes;              /* roughly what the tables above hold */
} tables;

/* The InternedData entries of the packet being built: entries first, the
 * pointer arrays protobuf-c wants filled in when the packet is packed
 * (the entry arrays may move while they grow). */
typedef struct fresh {
	pb_event_name names[1];
	pb_category cats[1];
	pb_annotation_name arg_names[TL_MAX_ARGS];
	size_t nnames, ncats, narg_names;
	pb_string *funcs, *files;
	size_t nfuncs, capfuncs, nfiles, capfiles;
	pb_frame *frames;
	size_t nframes, capframes;
	pb_callstack callstack;
	int has_callstack;
	uint64_t *frame_ids;
	size_t capframe_ids;
	/* Pointer arrays, grown to the largest packet seen. */
	void **ptrs;
	size_t capptrs;
} fresh;

/* Scratch slots for strings made UTF-8, one per string of a packet. */
enum {
	TEXT_NAME,
	TEXT_CATEGORY,
	TEXT_TRACK,
	TEXT_ARG_NAME,
	TEXT_VALUE = TEXT_ARG_NAME + TL_MAX_ARGS,
	TEXT_SLOTS = TEXT_VALUE + TL_MAX_ARGS
};

typedef struct textbuf {
	char *data;
	size_t cap;
} textbuf;

typedef struct pf {
	int wall;
	int clear_pending;         /* the next packet clears the sequence's state */
	int snapshot_sent;
	uint64_t next_uuid;

	ptrack *tracks;            /* by core track index */
	size_t ntracks, captracks;
	proot *roots;
	size_t nroots, caproots;
	gt_map root_index;         /* (pid, 0) -> roots index */
	gt_strtab counter_keys;    /* "NAME KEY" of each counter track */
	gt_map counter_index;      /* (root index, key id) -> counters index */
	gt_map counter_cache;      /* (name, key) addresses -> counters index */
	pcounter *counters;
	size_t ncounters, capcounters;

	gt_map flow_sources;       /* (flow id, 0): its source is written */

	tables t;
	fresh f;

	/* The event of the packet being built. */
	pb_annotation annotations[TL_MAX_ARGS];
	pb_annotation *annotation_ptrs[TL_MAX_ARGS];
	uint64_t category_iid;
	uint64_t *flow_ids, *end_ids;
	size_t capflow_ids, capend_ids;

	char *text;                /* scratch for names we compose */
	size_t captext;
	textbuf utf8[TEXT_SLOTS];

	unsigned char *out;        /* packets not yet written to the sink */
	size_t nout, capout;
} pf;

/* gt_grow for arrays counted in uint32_t, which keep the per-track
 * records small. */
static int gt_grow_u32(void **arr, uint32_t *cap, size_t need, size_t elem)
{
	size_t c = *cap;

	if (need > UINT32_MAX || gt_grow(arr, &c, need, elem) != 0)
		return -1;
	*cap = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
	return 0;
}

/* ---- output ---------------------------------------------------------- */

static int flush(pf *p, tl_core *c)
{
	int rc;

	if (p->nout == 0)
		return GOTRACE_OK;
	rc = gotrace_sink_write(tl_sink(c), p->out, p->nout);
	p->nout = 0;
	return rc;
}

/* The pointer array for a repeated field of the packet being built. */
static void **ptrs_for(pf *p, size_t at, void *entries, size_t n,
                       size_t elem)
{
	void **v = p->f.ptrs + at;
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = (unsigned char *)entries + i * elem;
	return v;
}

/*
 * Sends a packet: puts it on the sequence with its flags and the interned
 * data gathered for it, packs it as one element of Trace, and writes the
 * gathered packets once there are enough.
 */
static int put(pf *p, tl_core *c, pb_packet *pkt)
{
	pb_trace trace = PERFETTO__PROTOS__TRACE__INIT;
	pb_interned data = PERFETTO__PROTOS__INTERNED_DATA__INIT;
	pb_defaults defaults = PERFETTO__PROTOS__TRACE_PACKET_DEFAULTS__INIT;
	fresh *f = &p->f;
	size_t n, at = 0, want;
	pb_packet *one[1];

	want = f->nnames + f->ncats + f->narg_names + f->nfuncs + f->nfiles +
	       f->nframes + 1;
	if (gt_grow((void **)&f->ptrs, &f->capptrs, want, sizeof *f->ptrs) != 0)
		return GOTRACE_ERR_NOMEM;
	if (want > 1) {
		data.n_event_names = f->nnames;
		data.event_names = (pb_event_name **)ptrs_for(
		    p, at, f->names, f->nnames, sizeof *f->names);
		at += f->nnames;
		data.n_event_categories = f->ncats;
		data.event_categories = (pb_category **)ptrs_for(
		    p, at, f->cats, f->ncats, sizeof *f->cats);
		at += f->ncats;
		data.n_debug_annotation_names = f->narg_names;
		data.debug_annotation_names = (pb_annotation_name **)ptrs_for(
		    p, at, f->arg_names, f->narg_names, sizeof *f->arg_names);
		at += f->narg_names;
		data.n_function_names = f->nfuncs;
		data.function_names = (pb_string **)ptrs_for(
		    p, at, f->funcs, f->nfuncs, sizeof *f->funcs);
		at += f->nfuncs;
		data.n_source_paths = f->nfiles;
		data.source_paths = (pb_string **)ptrs_for(
		    p, at, f->files, f->nfiles, sizeof *f->files);
		at += f->nfiles;
		data.n_frames = f->nframes;
		data.frames = (pb_frame **)ptrs_for(p, at, f->frames, f->nframes,
		                                    sizeof *f->frames);
		at += f->nframes;
	}
	if (f->has_callstack) {
		f->ptrs[at] = &f->callstack;
		data.n_callstacks = 1;
		data.callstacks = (pb_callstack **)(f->ptrs + at);
	}
	if (want > 1 || f->has_callstack)
		pkt->interned_data = &data;
	pkt->has_trusted_packet_sequence_id = 1;
	pkt->trusted_packet_sequence_id = PF_SEQUENCE_ID;
	pkt->has_sequence_flags = 1;
	pkt->sequence_flags = SEQ_NEEDS;
	if (p->clear_pending) {
		/* Defaults are state of the sequence: they go again with each
		 * clearing, in the packet that clears (the trace processor reads
		 * them before its timestamp). */
		pkt->sequence_flags |= SEQ_CLEARED;
		if (p->wall) {
			defaults.has_timestamp_clock_id = 1;
			defaults.timestamp_clock_id =
			    PERFETTO__PROTOS__BUILTIN_CLOCK__BUILTIN_CLOCK_REALTIME;
			pkt->trace_packet_defaults = &defaults;
		}
		p->clear_pending = 0;
	}
	one[0] = pkt;
	trace.n_packet = 1;
	trace.packet = one;
	n = perfetto__protos__trace__get_packed_size(&trace);
	if (gt_grow((void **)&p->out, &p->capout, p->nout + n, 1) != 0)
		return GOTRACE_ERR_NOMEM;
	p->nout += perfetto__protos__trace__pack(&trace, p->out + p->nout);
	f->nnames = f->ncats = f->narg_names = 0;
	f->nfuncs = f->nfiles = f->nframes = 0;
	f->has_callstack = 0;
	return p->nout >= PF_FLUSH_AT ? flush(p, c) : GOTRACE_OK;
}

/* ---- interning ------------------------------------------------------- */

static void tables_free(tables *t)
{
	gt_strtab_free(&t->names);
	gt_strtab_free(&t->cats);
	gt_strtab_free(&t->arg_names);
	gt_strtab_free(&t->funcs);
	gt_strtab_free(&t->files);
	gt_map_free(&t->frames);
	free(t->stack_sent);
	memset(t, 0, sizeof *t);
}

/* Before a packet: past the budget, forget every table and have the
 * packet clear the sequence's state. Never while a packet is built, since
 * its entries are numbered in the tables. */
static void maybe_reset(pf *p)
{
	if (p->t.bytes <= PF_INTERN_BUDGET)
		return;
	tables_free(&p->t);
	p->clear_pending = 1;
}

static gotrace_string str_of(const char *s)
{
	gotrace_string r;

	r.data = s != NULL ? s : "";
	r.len = s != NULL ? strlen(s) : 0;
	return r;
}

/* The iid of s in tab; *is_new when it was not there. */
static int intern(pf *p, gt_strtab *tab, gotrace_string s, uint64_t *iid,
                  int *is_new)
{
	uint32_t before = tab->count, id;

	if (gt_strtab_intern(tab, s.data != NULL ? s.data : "", s.len, &id) != 0)
		return GOTRACE_ERR_NOMEM;
	*is_new = tab->count != before;
	if (*is_new)
		p->t.bytes += s.len + PF_ENTRY_COST;
	*iid = (uint64_t)id + 1;
	return GOTRACE_OK;
}

static ProtobufCBinaryData bytes_of(gotrace_string s)
{
	ProtobufCBinaryData b;

	b.len = s.len;
	b.data = (uint8_t *)(uintptr_t)s.data;
	return b;
}

/*
 * A string for a field Perfetto's schema types `string`, which must be
 * UTF-8 (the trace processor, protoc and other readers complain
 * otherwise): s itself, or its copy in a scratch slot with each byte that
 * starts no well-formed sequence replaced by U+FFFD, as the JSON timeline
 * writes it. The copy lives until the slot is used again.
 */
static int as_utf8(pf *p, int slot, gotrace_string s, ProtobufCBinaryData *out)
{
	const unsigned char *u = (const unsigned char *)s.data;
	textbuf *b = &p->utf8[slot];
	size_t i = 0, k, n = 0;

	while (i < s.len && (k = gt_utf8_len(u + i, s.len - i)) != 0)
		i += k;
	if (i == s.len) {
		*out = bytes_of(s);
		return GOTRACE_OK;
	}
	if (s.len > SIZE_MAX / 3 ||
	    gt_grow((void **)&b->data, &b->cap, s.len * 3, 1) != 0)
		return GOTRACE_ERR_NOMEM;
	memcpy(b->data, s.data, i);
	n = i;
	while (i < s.len) {
		if ((k = gt_utf8_len(u + i, s.len - i)) != 0) {
			memcpy(b->data + n, u + i, k);
			n += k;
			i += k;
		} else {
			memcpy(b->data + n, "\xef\xbf\xbd", 3);
			n += 3;
			i++;
		}
	}
	out->data = (uint8_t *)b->data;
	out->len = n;
	return GOTRACE_OK;
}

static int intern_name(pf *p, gotrace_string s, uint64_t *iid)
{
	pb_event_name init = PERFETTO__PROTOS__EVENT_NAME__INIT, *e;
	int is_new, rc;

	if ((rc = intern(p, &p->t.names, s, iid, &is_new)) != GOTRACE_OK ||
	    !is_new)
		return rc;
	e = &p->f.names[p->f.nnames++];
	*e = init;
	e->has_iid = e->has_name = 1;
	e->iid = *iid;
	return as_utf8(p, TEXT_NAME, s, &e->name);
}

static int intern_category(pf *p, const char *cat, uint64_t *iid)
{
	pb_category init = PERFETTO__PROTOS__EVENT_CATEGORY__INIT, *e;
	gotrace_string s = str_of(cat);
	int is_new, rc;

	if ((rc = intern(p, &p->t.cats, s, iid, &is_new)) != GOTRACE_OK ||
	    !is_new)
		return rc;
	e = &p->f.cats[p->f.ncats++];
	*e = init;
	e->has_iid = e->has_name = 1;
	e->iid = *iid;
	return as_utf8(p, TEXT_CATEGORY, s, &e->name);
}

static int intern_arg_name(pf *p, const char *key, uint64_t *iid)
{
	pb_annotation_name init = PERFETTO__PROTOS__DEBUG_ANNOTATION_NAME__INIT;
	pb_annotation_name *e;
	gotrace_string s = str_of(key);
	int is_new, rc;

	if ((rc = intern(p, &p->t.arg_names, s, iid, &is_new)) != GOTRACE_OK ||
	    !is_new)
		return rc;
	e = &p->f.arg_names[p->f.narg_names];
	*e = init;
	e->has_iid = e->has_name = 1;
	e->iid = *iid;
	return as_utf8(p, TEXT_ARG_NAME + (int)p->f.narg_names++, s, &e->name);
}

/* A function or file name, in function_names or source_paths. */
static int intern_path(pf *p, gt_strtab *tab, pb_string **list, size_t *n,
                       size_t *cap, gotrace_string s, uint64_t *iid)
{
	pb_string init = PERFETTO__PROTOS__INTERNED_STRING__INIT, *e;
	int is_new, rc;

	if ((rc = intern(p, tab, s, iid, &is_new)) != GOTRACE_OK || !is_new)
		return rc;
	if (gt_grow((void **)list, cap, *n + 1, sizeof **list) != 0)
		return GOTRACE_ERR_NOMEM;
	e = &(*list)[(*n)++];
	*e = init;
	e->has_iid = e->has_str = 1;
	e->iid = *iid;
	e->str = bytes_of(s);
	return GOTRACE_OK;
}

static int intern_frame(pf *p, const gotrace_frame *fr, uint64_t *iid)
{
	pb_frame init = PERFETTO__PROTOS__FRAME__INIT, *e;
	fresh *f = &p->f;
	uint64_t func, file;
	uint32_t id;
	int rc;

	if ((rc = intern_path(p, &p->t.funcs, &f->funcs, &f->nfuncs,
	                      &f->capfuncs, fr->func, &func)) != GOTRACE_OK ||
	    (rc = intern_path(p, &p->t.files, &f->files, &f->nfiles,
	                      &f->capfiles, fr->file, &file)) != GOTRACE_OK)
		return rc;
	if (gt_map_get(&p->t.frames, (int64_t)(func << 32 | file),
	               (int64_t)fr->line, &id)) {
		*iid = id;
		return GOTRACE_OK;
	}
	id = ++p->t.nframes;
	if (gt_map_put(&p->t.frames, (int64_t)(func << 32 | file),
	               (int64_t)fr->line, id) != 0 ||
	    gt_grow((void **)&f->frames, &f->capframes, f->nframes + 1,
	            sizeof *f->frames) != 0)
		return GOTRACE_ERR_NOMEM;
	p->t.bytes += PF_ENTRY_COST;
	e = &f->frames[f->nframes++];
	*e = init;
	e->has_iid = e->has_function_name_id = e->has_source_path_iid = 1;
	e->iid = id;
	e->function_name_id = func;
	e->source_path_iid = file;
	e->has_line_number = 1;
	e->line_number = fr->line > UINT32_MAX ? UINT32_MAX : (uint32_t)fr->line;
	*iid = id;
	return GOTRACE_OK;
}

/* The callstack iid of a core stack (0 for none), sending its frames the
 * first time. */
static int intern_stack(pf *p, tl_core *c, tl_stack_id stack, uint64_t *iid)
{
	pb_callstack init = PERFETTO__PROTOS__CALLSTACK__INIT;
	tables *t = &p->t;
	fresh *f = &p->f;
	size_t depth, i, old;
	int rc;

	*iid = 0;
	if (stack == 0 || (depth = tl_stack_depth(c, stack)) == 0)
		return GOTRACE_OK;
	if (stack < t->nstack_sent && t->stack_sent[stack]) {
		*iid = stack;
		return GOTRACE_OK;
	}
	if (stack >= t->nstack_sent) {
		old = t->nstack_sent;
		if (gt_grow((void **)&t->stack_sent, &t->capstack_sent,
		            (size_t)stack + 1, 1) != 0)
			return GOTRACE_ERR_NOMEM;
		memset(t->stack_sent + old, 0, (size_t)stack + 1 - old);
		t->nstack_sent = (size_t)stack + 1;
	}
	if (gt_grow((void **)&f->frame_ids, &f->capframe_ids, depth,
	            sizeof *f->frame_ids) != 0)
		return GOTRACE_ERR_NOMEM;
	/* The core gives the innermost frame first, a Callstack wants the
	 * outermost. */
	for (i = 0; i < depth; i++) {
		gotrace_frame fr;

		tl_stack_frame(c, stack, depth - 1 - i, &fr);
		if ((rc = intern_frame(p, &fr, &f->frame_ids[i])) != GOTRACE_OK)
			return rc;
	}
	f->callstack = init;
	f->callstack.has_iid = 1;
	f->callstack.iid = stack;
	f->callstack.n_frame_ids = depth;
	f->callstack.frame_ids = f->frame_ids;
	f->has_callstack = 1;
	t->stack_sent[stack] = 1;
	t->bytes += PF_ENTRY_COST + depth * sizeof(uint64_t);
	*iid = stack;
	return GOTRACE_OK;
}

/* ---- tracks ---------------------------------------------------------- */

static int32_t rank_of(int64_t sort)
{
	if (sort > INT32_MAX)
		return INT32_MAX;
	if (sort < INT32_MIN)
		return INT32_MIN;
	return (int32_t)sort;
}

/* Writes a track descriptor. Every track orders its children (lanes,
 * tracks of a pid, counters) by rank and is never merged with a sibling. */
static int describe(pf *p, tl_core *c, uint64_t uuid, uint64_t parent,
                    gotrace_string name, int64_t rank, pb_counter *counter)
{
	pb_packet pkt = PERFETTO__PROTOS__TRACE_PACKET__INIT;
	pb_track d = PERFETTO__PROTOS__TRACK_DESCRIPTOR__INIT;

	d.has_uuid = 1;
	d.uuid = uuid;
	if (parent != 0) {
		d.has_parent_uuid = 1;
		d.parent_uuid = parent;
	}
	if (name.len > 0) {
		int rc = as_utf8(p, TEXT_TRACK, name, &d.name);

		if (rc != GOTRACE_OK)
			return rc;
		d.has_name = 1;
	}
	d.counter = counter;
	if (counter == NULL) {
		d.has_child_ordering = 1;
		d.child_ordering =
		    PERFETTO__PROTOS__TRACK_DESCRIPTOR__CHILD_TRACKS_ORDERING__EXPLICIT;
	}
	d.has_sibling_order_rank = 1;
	d.sibling_order_rank = rank_of(rank);
	d.has_sibling_merge_behavior = 1;
	d.sibling_merge_behavior =
	    PERFETTO__PROTOS__TRACK_DESCRIPTOR__SIBLING_MERGE_BEHAVIOR__SIBLING_MERGE_BEHAVIOR_NONE;
	pkt.track_descriptor = &d;
	maybe_reset(p);
	return put(p, c, &pkt);
}

/* The root track of a pid, described without a name until the view names
 * the process. */
static int root_of(pf *p, tl_core *c, uint64_t pid, uint32_t *index)
{
	gotrace_string none = { NULL, 0 };
	uint32_t i;

	if (gt_map_get(&p->root_index, (int64_t)pid, 0, &i)) {
		*index = i;
		return GOTRACE_OK;
	}
	if (p->nroots >= UINT32_MAX ||
	    gt_grow((void **)&p->roots, &p->caproots, p->nroots + 1,
	            sizeof *p->roots) != 0 ||
	    gt_map_put(&p->root_index, (int64_t)pid, 0, (uint32_t)p->nroots) != 0)
		return GOTRACE_ERR_NOMEM;
	i = (uint32_t)p->nroots++;
	p->roots[i].uuid = p->next_uuid++;
	p->roots[i].ncounters = 0;
	*index = i;
	return describe(p, c, p->roots[i].uuid, 0, none, 0, NULL);
}

static int pf_process(void *fmt, tl_core *c, uint64_t pid, const char *name,
                      int64_t sort)
{
	pf *p = fmt;
	uint32_t i;
	int rc;

	if ((rc = root_of(p, c, pid, &i)) != GOTRACE_OK)
		return rc;
	return describe(p, c, p->roots[i].uuid, 0, str_of(name), sort, NULL);
}

static int pf_thread(void *fmt, tl_core *c, tl_track_ref ref,
                     gotrace_string name, int64_t sort)
{
	pf *p = fmt;
	ptrack *t;
	size_t old;
	uint32_t root;
	int rc, n;

	if (ref.index >= p->ntracks) {
		old = p->ntracks;
		if (gt_grow((void **)&p->tracks, &p->captracks,
		            (size_t)ref.index + 1, sizeof *p->tracks) != 0)
			return GOTRACE_ERR_NOMEM;
		memset(p->tracks + old, 0,
		       ((size_t)ref.index + 1 - old) * sizeof *p->tracks);
		p->ntracks = (size_t)ref.index + 1;
	}
	t = &p->tracks[ref.index];
	if (t->lane0.uuid == 0) {
		if ((rc = root_of(p, c, ref.track.pid, &root)) != GOTRACE_OK)
			return rc;
		t->lane0.uuid = p->next_uuid++;
		t->lane0.last_start = INT64_MIN;
		t->parent = p->roots[root].uuid;
	}
	/* An unnamed track is shown by its tid, as trace viewers show an
	 * unnamed Chrome thread. */
	if (name.len == 0) {
		n = snprintf(p->text, p->captext, "%" PRIu64, ref.track.tid);
		name.data = p->text;
		name.len = n > 0 ? (size_t)n : 0;
	}
	return describe(p, c, t->lane0.uuid, t->parent, name, sort, NULL);
}

static ptrack *track_at(pf *p, tl_track_ref ref)
{
	/* The core describes every track before passing anything on it. */
	if (ref.index >= p->ntracks || p->tracks[ref.index].lane0.uuid == 0)
		return NULL;
	return &p->tracks[ref.index];
}

static size_t lane_count(const ptrack *t)
{
	return (size_t)t->nmore + 1;
}

static lane *lane_of(ptrack *t, size_t l)
{
	return l == 0 ? &t->lane0 : &t->more[l - 1];
}

/* Lane l of a track, described when new. A lane above 0 is a child track
 * of its track, named by its number (its parent shows the track's name). */
static int lane_at(pf *p, tl_core *c, ptrack *t, size_t l, lane **out)
{
	char name[32];
	int rc, n;

	while (lane_count(t) <= l) {
		lane *ln;

		if (t->nmore >= UINT32_MAX - 1 ||
		    gt_grow_u32((void **)&t->more, &t->capmore, t->nmore + 1,
		                sizeof *t->more) != 0)
			return GOTRACE_ERR_NOMEM;
		ln = &t->more[t->nmore++];
		memset(ln, 0, sizeof *ln);
		ln->uuid = p->next_uuid++;
		ln->last_start = INT64_MIN;
		n = snprintf(name, sizeof name, "lane %" PRIu32, t->nmore);
		if ((rc = describe(p, c, ln->uuid, t->lane0.uuid,
		                   (gotrace_string){ name, n > 0 ? (size_t)n : 0 },
		                   (int64_t)t->nmore, NULL)) != GOTRACE_OK)
			return rc;
	}
	*out = lane_of(t, l);
	return GOTRACE_OK;
}

static open_end *open_at(lane *ln, size_t i)
{
	return i == 0 ? &ln->first : &ln->deeper[i - 1];
}

/* ---- events ---------------------------------------------------------- */

static uint64_t ts_of(int64_t t)
{
	/* Output times are since the first event, or Unix time: never
	 * negative. */
	return t < 0 ? 0 : (uint64_t)t;
}

/* Before a timestamped packet, in wall-clock mode: the snapshot that makes
 * REALTIME the trace's clock (see the top of the file). */
static int maybe_snapshot(pf *p, tl_core *c, int64_t time)
{
	pb_packet pkt = PERFETTO__PROTOS__TRACE_PACKET__INIT;
	pb_snapshot snap = PERFETTO__PROTOS__CLOCK_SNAPSHOT__INIT;
	pb_clock clock = PERFETTO__PROTOS__CLOCK_SNAPSHOT__CLOCK__INIT;
	pb_clock *clocks[1] = { &clock };

	if (!p->wall || p->snapshot_sent)
		return GOTRACE_OK;
	p->snapshot_sent = 1;
	clock.has_clock_id = clock.has_timestamp = 1;
	clock.clock_id = PERFETTO__PROTOS__BUILTIN_CLOCK__BUILTIN_CLOCK_REALTIME;
	clock.timestamp = ts_of(time);
	snap.n_clocks = 1;
	snap.clocks = clocks;
	snap.has_primary_trace_clock = 1;
	snap.primary_trace_clock =
	    PERFETTO__PROTOS__BUILTIN_CLOCK__BUILTIN_CLOCK_REALTIME;
	pkt.clock_snapshot = &snap;
	return put(p, c, &pkt);
}

/* Starts an event packet at time on a track. */
static int start_event(pf *p, tl_core *c, pb_packet *pkt, pb_event *ev,
                       int64_t time, uint64_t uuid, int type)
{
	pb_packet pinit = PERFETTO__PROTOS__TRACE_PACKET__INIT;
	pb_event einit = PERFETTO__PROTOS__TRACK_EVENT__INIT;
	int rc;

	if ((rc = maybe_snapshot(p, c, time)) != GOTRACE_OK)
		return rc;
	maybe_reset(p);
	*pkt = pinit;
	*ev = einit;
	pkt->has_timestamp = 1;
	pkt->timestamp = ts_of(time);
	pkt->track_event = ev;
	ev->has_type = 1;
	ev->type = (Perfetto__Protos__TrackEvent__Type)type;
	ev->has_track_uuid = 1;
	ev->track_uuid = uuid;
	return GOTRACE_OK;
}

/* Name, category, stack and arguments of a slice's begin or an instant. */
static int describe_event(pf *p, tl_core *c, pb_event *ev,
                          gotrace_string name, const char *cat,
                          tl_stack_id stack, const tl_arg *args, size_t nargs)
{
	size_t a;
	int rc;

	if ((rc = intern_name(p, name, &ev->name_iid)) != GOTRACE_OK)
		return rc;
	ev->has_name_iid = 1;
	if (cat != NULL && cat[0] != '\0') {
		if ((rc = intern_category(p, cat, &p->category_iid)) != GOTRACE_OK)
			return rc;
		ev->n_category_iids = 1;
		ev->category_iids = &p->category_iid;
	}
	if ((rc = intern_stack(p, c, stack, &ev->callstack_iid)) != GOTRACE_OK)
		return rc;
	ev->has_callstack_iid = ev->callstack_iid != 0;
	if (nargs > TL_MAX_ARGS)
		nargs = TL_MAX_ARGS;
	for (a = 0; a < nargs; a++) {
		pb_annotation init = PERFETTO__PROTOS__DEBUG_ANNOTATION__INIT;
		pb_annotation *d = &p->annotations[a];

		*d = init;
		if ((rc = intern_arg_name(p, args[a].key, &d->name_iid)) !=
		    GOTRACE_OK)
			return rc;
		d->has_name_iid = 1;
		switch (args[a].type) {
		case TL_ARG_STR:
			d->has_string_value = 1;
			if ((rc = as_utf8(p, TEXT_VALUE + (int)a, args[a].s,
			                  &d->string_value)) != GOTRACE_OK)
				return rc;
			break;
		case TL_ARG_INT:
			d->has_int_value = 1;
			d->int_value = args[a].i;
			break;
		default:
			d->has_uint_value = 1;
			d->uint_value = args[a].u;
			break;
		}
		p->annotation_ptrs[a] = d;
	}
	ev->n_debug_annotations = nargs;
	ev->debug_annotations = nargs > 0 ? p->annotation_ptrs : NULL;
	return GOTRACE_OK;
}

static int write_end(pf *p, tl_core *c, uint64_t uuid, const open_end *e)
{
	pb_packet pkt;
	pb_event ev;
	int rc;

	if ((rc = start_event(p, c, &pkt, &ev, e->end, uuid,
	                      PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_END)) !=
	    GOTRACE_OK)
		return rc;
	if ((rc = intern_stack(p, c, e->end_stack, &ev.callstack_iid)) !=
	    GOTRACE_OK)
		return rc;
	ev.has_callstack_iid = ev.callstack_iid != 0;
	return put(p, c, &pkt);
}

/* Whether s can begin on the lane: no earlier than the lane's last begin,
 * and inside the innermost slice still open there at its start. */
static int fits(lane *ln, const tl_out_slice *s)
{
	size_t d = ln->nopen;

	if (s->start < ln->last_start)
		return 0;
	while (d > 0 && open_at(ln, d - 1)->end <= s->start)
		d--;
	return d == 0 || open_at(ln, d - 1)->end >= s->end;
}

/* The lane a slice goes to: the core's, unless it does not fit there. */
static int lane_for(pf *p, tl_core *c, ptrack *t, const tl_out_slice *s,
                    lane **out)
{
	size_t l;
	int rc;

	if ((rc = lane_at(p, c, t, s->lane, out)) != GOTRACE_OK ||
	    fits(*out, s))
		return rc;
	for (l = 0; l < lane_count(t); l++)
		if (fits(lane_of(t, l), s)) {
			*out = lane_of(t, l);
			return GOTRACE_OK;
		}
	return lane_at(p, c, t, lane_count(t), out);
}

/* Writes the ends of the lane's slices that are over at time t. */
static int close_until(pf *p, tl_core *c, lane *ln, int64_t t)
{
	int rc;

	while (ln->nopen > 0 && open_at(ln, ln->nopen - 1)->end <= t) {
		ln->nopen--;
		if ((rc = write_end(p, c, ln->uuid, open_at(ln, ln->nopen))) !=
		    GOTRACE_OK)
			return rc;
	}
	return GOTRACE_OK;
}

static int note_source(pf *p, uint64_t id)
{
	return gt_map_put(&p->flow_sources, (int64_t)id, 0, 1) == 0
	               ? GOTRACE_OK
	               : GOTRACE_ERR_NOMEM;
}

/* The flows of an event: those starting at it, and those ending at it
 * (terminating only when their source is already written). */
static int set_flows(pf *p, pb_event *ev, const uint64_t *out, size_t nout,
                     const uint64_t *in, size_t nin)
{
	size_t i;
	uint32_t seen;
	int rc;

	if (gt_grow((void **)&p->flow_ids, &p->capflow_ids, nout + nin + 1,
	            sizeof *p->flow_ids) != 0 ||
	    gt_grow((void **)&p->end_ids, &p->capend_ids, nin + 1,
	            sizeof *p->end_ids) != 0)
		return GOTRACE_ERR_NOMEM;
	for (i = 0; i < nout; i++) {
		p->flow_ids[ev->n_flow_ids++] = out[i];
		if ((rc = note_source(p, out[i])) != GOTRACE_OK)
			return rc;
	}
	for (i = 0; i < nin; i++) {
		if (gt_map_get(&p->flow_sources, (int64_t)in[i], 0, &seen))
			p->end_ids[ev->n_terminating_flow_ids++] = in[i];
		else
			p->flow_ids[ev->n_flow_ids++] = in[i];
	}
	ev->flow_ids = ev->n_flow_ids > 0 ? p->flow_ids : NULL;
	ev->terminating_flow_ids =
	    ev->n_terminating_flow_ids > 0 ? p->end_ids : NULL;
	return GOTRACE_OK;
}

static int pf_slice(void *fmt, tl_core *c, const tl_out_slice *slice)
{
	pf *p = fmt;
	ptrack *t = track_at(p, slice->track);
	tl_out_slice clamped = *slice, *s = &clamped;
	pb_packet pkt;
	pb_event ev;
	lane *ln;
	int rc;

	if (t == NULL)
		return GOTRACE_ERR_ARG;
	/* On the wall clock, a slice across two generations whose snapshots
	 * disagree can end before it starts; an END before its BEGIN would
	 * close another slice. */
	if (s->end < s->start)
		s->end = s->start;
	if ((rc = lane_for(p, c, t, s, &ln)) != GOTRACE_OK ||
	    (rc = close_until(p, c, ln, s->start)) != GOTRACE_OK)
		return rc;
	ln->last_start = s->start;
	if (ln->nopen > 0 &&
	    (ln->nopen >= UINT32_MAX ||
	     gt_grow_u32((void **)&ln->deeper, &ln->capdeeper, ln->nopen,
	                 sizeof *ln->deeper) != 0))
		return GOTRACE_ERR_NOMEM;
	open_at(ln, ln->nopen)->end = s->end;
	open_at(ln, ln->nopen)->end_stack = s->end_stack;
	ln->nopen++;
	if ((rc = start_event(p, c, &pkt, &ev, s->start, ln->uuid,
	                      PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_BEGIN)) !=
	        GOTRACE_OK ||
	    (rc = describe_event(p, c, &ev, s->name, s->cat, s->stack, s->args,
	                         s->nargs)) != GOTRACE_OK ||
	    (rc = set_flows(p, &ev, s->flow_out, s->nflow_out, s->flow_in,
	                    s->nflow_in)) != GOTRACE_OK)
		return rc;
	return put(p, c, &pkt);
}

/* An instant on a track (lane 0), starting or ending a flow if given. */
static int write_instant(pf *p, tl_core *c, const ptrack *t, int64_t time,
                         gotrace_string name, const char *cat,
                         tl_stack_id stack, const tl_arg *args, size_t nargs,
                         uint64_t flow_out, uint64_t flow_end)
{
	pb_packet pkt;
	pb_event ev;
	int rc;

	if ((rc = start_event(p, c, &pkt, &ev, time, t->lane0.uuid,
	                      PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_INSTANT)) !=
	        GOTRACE_OK ||
	    (rc = describe_event(p, c, &ev, name, cat, stack, args, nargs)) !=
	        GOTRACE_OK ||
	    (rc = set_flows(p, &ev, &flow_out, flow_out != 0,
	                    &flow_end, flow_end != 0)) != GOTRACE_OK)
		return rc;
	return put(p, c, &pkt);
}

static int pf_instant(void *fmt, tl_core *c, const tl_out_instant *i)
{
	pf *p = fmt;
	const ptrack *t = track_at(p, i->track);

	if (t == NULL)
		return GOTRACE_ERR_ARG;
	return write_instant(p, c, t, i->time, i->name, i->cat, i->stack,
	                     i->args, i->nargs, i->flow_out, 0);
}

/* The counter track of one series of a counter under its pid's root,
 * named as the trace processor names a Chrome JSON counter's series
 * ("NAME KEY"); the series of one counter share their y axis. Counters
 * come often (a view reports each change), so their static name and key
 * strings are looked up by address before by content. */
static int counter_track(pf *p, tl_core *c, uint64_t pid, const char *name,
                         const char *key, pcounter **out)
{
	pb_counter counter = PERFETTO__PROTOS__COUNTER_DESCRIPTOR__INIT;
	gotrace_string text;
	int64_t a = (int64_t)(uintptr_t)name, b = (int64_t)(uintptr_t)key;
	size_t nlen, klen;
	uint32_t root, key_id, before, i;
	pcounter *k;
	int rc;

	if (gt_map_get(&p->counter_cache, a, b, &i) &&
	    p->counters[i].pid == pid && p->counters[i].name == name &&
	    p->counters[i].key == key) {
		*out = &p->counters[i];
		return GOTRACE_OK;
	}
	if ((rc = root_of(p, c, pid, &root)) != GOTRACE_OK)
		return rc;
	nlen = strlen(name);
	klen = strlen(key);
	if (gt_grow((void **)&p->text, &p->captext, nlen + klen + 2, 1) != 0)
		return GOTRACE_ERR_NOMEM;
	memcpy(p->text, name, nlen);
	p->text[nlen] = ' ';
	memcpy(p->text + nlen + 1, key, klen);
	text.data = p->text;
	text.len = nlen + 1 + klen;
	before = p->counter_keys.count;
	if (gt_strtab_intern(&p->counter_keys, text.data, text.len, &key_id) != 0)
		return GOTRACE_ERR_NOMEM;
	if (p->counter_keys.count == before &&
	    gt_map_get(&p->counter_index, root, key_id, &i)) {
		*out = &p->counters[i];
		return gt_map_put(&p->counter_cache, a, b, i) == 0
		               ? GOTRACE_OK
		               : GOTRACE_ERR_NOMEM;
	}
	if (p->ncounters >= UINT32_MAX ||
	    gt_grow((void **)&p->counters, &p->capcounters, p->ncounters + 1,
	            sizeof *p->counters) != 0 ||
	    gt_map_put(&p->counter_index, root, key_id,
	               (uint32_t)p->ncounters) != 0 ||
	    gt_map_put(&p->counter_cache, a, b, (uint32_t)p->ncounters) != 0)
		return GOTRACE_ERR_NOMEM;
	k = &p->counters[p->ncounters++];
	memset(k, 0, sizeof *k);
	k->pid = pid;
	k->name = name;
	k->key = key;
	k->uuid = p->next_uuid++;
	*out = k;
	counter.y_axis_share_key = (char *)(uintptr_t)name;
	return describe(p, c, k->uuid, p->roots[root].uuid, text,
	                p->roots[root].ncounters++, &counter);
}

/*
 * A sample is a value per series; a counter track keeps its value until
 * the next event on it, so only the series that changed are written (a
 * Chrome counter event repeats them all).
 */
static int pf_counter(void *fmt, tl_core *c, const tl_out_counter *k)
{
	pf *p = fmt;
	pb_packet pkt;
	pb_event ev;
	pcounter *track;
	size_t j;
	int rc;

	for (j = 0; j < k->n && j < TL_MAX_ARGS; j++) {
		if ((rc = counter_track(p, c, k->track.track.pid, k->name,
		                        k->keys[j], &track)) != GOTRACE_OK)
			return rc;
		if (track->written && track->last == k->values[j])
			continue;
		track->written = 1;
		track->last = k->values[j];
		if ((rc = start_event(p, c, &pkt, &ev, k->time, track->uuid,
		                      PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_COUNTER)) !=
		        GOTRACE_OK)
			return rc;
		/* An unsigned count above INT64_MAX (cmd/trace's wrapped
		 * counts) only fits a double. */
		if (k->is_unsigned && k->values[j] < 0) {
			ev.has_double_counter_value = 1;
			ev.double_counter_value = (double)(uint64_t)k->values[j];
		} else {
			ev.has_counter_value = 1;
			ev.counter_value = k->values[j];
		}
		if ((rc = put(p, c, &pkt)) != GOTRACE_OK)
			return rc;
	}
	return GOTRACE_OK;
}

static int pf_flow(void *fmt, tl_core *c, const tl_out_flow *f)
{
	pf *p = fmt;
	const ptrack *from = track_at(p, f->from), *to = track_at(p, f->to);
	int rc;

	if (from == NULL || to == NULL)
		return GOTRACE_ERR_ARG;
	/* The source before the end: the end may then terminate the flow. */
	if (!f->bound_from &&
	    (rc = write_instant(p, c, from, f->from_time, f->name, f->cat,
	                        f->stack, NULL, 0, f->id, 0)) != GOTRACE_OK)
		return rc;
	if (!f->bound_to &&
	    (rc = write_instant(p, c, to, f->to_time, f->name, f->cat, 0, NULL,
	                        0, 0, f->id)) != GOTRACE_OK)
		return rc;
	/* Both ends are written: nothing will ask about it again. */
	gt_map_del(&p->flow_sources, (int64_t)f->id, 0);
	return GOTRACE_OK;
}

/* ---- the format ------------------------------------------------------ */

static int pf_begin(void *fmt, tl_core *c, int wall)
{
	pb_packet pkt = PERFETTO__PROTOS__TRACE_PACKET__INIT;
	pf *p = fmt;

	p->wall = wall;
	/* The first packet clears the sequence's state (and sets its
	 * defaults), as a reader requires before anything needing it. */
	p->clear_pending = 1;
	return put(p, c, &pkt);
}

static int pf_finish(void *fmt, tl_core *c)
{
	pf *p = fmt;
	size_t i, l;
	int rc;

	for (i = 0; i < p->ntracks; i++) {
		ptrack *t = &p->tracks[i];

		for (l = 0; l < lane_count(t); l++)
			if ((rc = close_until(p, c, lane_of(t, l), INT64_MAX)) !=
			    GOTRACE_OK)
				return rc;
	}
	return flush(p, c);
}

static void pf_free(void *fmt)
{
	pf *p = fmt;
	size_t i, l;

	if (p == NULL)
		return;
	for (i = 0; i < p->ntracks; i++) {
		ptrack *t = &p->tracks[i];

		for (l = 0; l < lane_count(t); l++)
			free(lane_of(t, l)->deeper);
		free(t->more);
	}
	free(p->tracks);
	free(p->roots);
	gt_map_free(&p->root_index);
	gt_strtab_free(&p->counter_keys);
	gt_map_free(&p->counter_index);
	gt_map_free(&p->counter_cache);
	free(p->counters);
	gt_map_free(&p->flow_sources);
	tables_free(&p->t);
	free(p->f.funcs);
	free(p->f.files);
	free(p->f.frames);
	free(p->f.frame_ids);
	free(p->f.ptrs);
	free(p->flow_ids);
	free(p->end_ids);
	free(p->text);
	for (i = 0; i < TEXT_SLOTS; i++)
		free(p->utf8[i].data);
	free(p->out);
	free(p);
}

static const tl_format_ops perfetto_ops = {
	pf_begin, pf_process, pf_thread, pf_slice, pf_instant, pf_counter,
	pf_flow, pf_finish, pf_free,
};

int tl_format_perfetto_new(void **fmt, const tl_format_ops **ops)
{
	pf *p = calloc(1, sizeof *p);

	*fmt = NULL;
	if (p == NULL)
		return GOTRACE_ERR_NOMEM;
	/* Room for a tid in decimal (an unnamed track's name). */
	if (gt_grow((void **)&p->text, &p->captext, 32, 1) != 0) {
		free(p);
		return GOTRACE_ERR_NOMEM;
	}
	p->next_uuid = 1;
	*fmt = p;
	*ops = &perfetto_ops;
	return GOTRACE_OK;
}
