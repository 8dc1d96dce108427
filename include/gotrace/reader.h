/*
 * libgotrace — the ordered, validated event stream.
 *
 * A gotrace_reader turns a trace into one totally ordered stream of typed
 * events: the same events, in the same order, with the same timestamps, as
 * Go's own parser (internal/trace, golang.org/x/exp/trace) produces. Each
 * generation's per-M batches are merged by timestamp, sequence numbers and
 * the scheduler's state; the stream is validated against that state as it
 * goes (see gotrace/state.h for querying it).
 *
 * Usage:
 *
 *     gotrace_input *in;
 *     gotrace_reader *r;
 *     gotrace_event ev;
 *     int rc;
 *
 *     gotrace_input_open_path(&in, "trace.out");
 *     rc = gotrace_reader_new(&r, in);          // owns in from now on
 *     while (rc == GOTRACE_OK && (rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK) {
 *         if (ev.kind == GOTRACE_EVENT_STATE_TRANSITION &&
 *             ev.u.transition.resource == GOTRACE_RESOURCE_GOROUTINE)
 *             ... ev.u.transition.id, .old_state, .new_state, .reason ...
 *     }
 *     if (rc != GOTRACE_EOF)
 *         fprintf(stderr, "%s\n", gotrace_error_message(gotrace_reader_error(r)));
 *     gotrace_reader_free(r);
 *
 * Streaming contract: the reader holds one generation at a time (plus the
 * scheduler state, which is proportional to the live goroutines, Ps and
 * Ms), so memory is bounded by the largest generation, not by the trace.
 *
 * Lifetimes: an event and everything it points to — strings, stacks,
 * frames — belong to the reader and stay valid until the next call to
 * gotrace_reader_next() or gotrace_reader_free(). Copy what you keep.
 *
 * Errors: when the trace is invalid the reader first delivers every event
 * Go's parser delivers before the problem, then fails; the error names the
 * byte offset (of the generation being read) and the problem, and
 * gotrace_error_go_message() gives the text Go prints.
 *
 * Copyright (c) 2026 The libgotrace Authors. BSD-3-Clause.
 */
#ifndef GOTRACE_READER_H
#define GOTRACE_READER_H

#include <stdio.h>

#include "common.h"
#include "input.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gotrace_reader gotrace_reader;

/* Event kinds (the numbering is that of Go's trace.EventKind). */
typedef enum gotrace_event_kind {
	GOTRACE_EVENT_BAD = 0,
	GOTRACE_EVENT_SYNC,            /* start of a generation / end of trace */
	GOTRACE_EVENT_METRIC,          /* GOMAXPROCS, heap alloc, heap goal */
	GOTRACE_EVENT_LABEL,           /* a goroutine label */
	GOTRACE_EVENT_STACK_SAMPLE,    /* a CPU profile sample */
	GOTRACE_EVENT_RANGE_BEGIN,     /* GC, STW, sweep, mark assist begins */
	GOTRACE_EVENT_RANGE_ACTIVE,    /* ... was already running */
	GOTRACE_EVENT_RANGE_END,       /* ... ends */
	GOTRACE_EVENT_TASK_BEGIN,      /* runtime/trace.NewTask */
	GOTRACE_EVENT_TASK_END,
	GOTRACE_EVENT_REGION_BEGIN,    /* runtime/trace.StartRegion */
	GOTRACE_EVENT_REGION_END,
	GOTRACE_EVENT_LOG,             /* runtime/trace.Log */
	GOTRACE_EVENT_STATE_TRANSITION,/* a goroutine or P changed state */
	GOTRACE_EVENT_EXPERIMENTAL     /* an event of an experiment */
} gotrace_event_kind;

/* Returns Go's name for a kind ("StateTransition", ...). Never NULL. */
GOTRACE_API const char *gotrace_event_kind_string(gotrace_event_kind kind);

/* "None" IDs, as Go's NoGoroutine, NoProc, NoThread. */
#define GOTRACE_NO_GOROUTINE (-1)
#define GOTRACE_NO_PROC (-1)
#define GOTRACE_NO_THREAD (-1)
/* Go's NoTask: a task ID meaning "no task". */
#define GOTRACE_NO_TASK UINT64_MAX

typedef enum gotrace_resource_kind {
	GOTRACE_RESOURCE_NONE = 0,
	GOTRACE_RESOURCE_GOROUTINE,
	GOTRACE_RESOURCE_PROC,
	GOTRACE_RESOURCE_THREAD
} gotrace_resource_kind;

/* Goroutine states (Go's trace.GoState). */
typedef enum gotrace_goroutine_state {
	GOTRACE_GO_UNDETERMINED = 0, /* not known: before its first event */
	GOTRACE_GO_NOT_EXIST,
	GOTRACE_GO_RUNNABLE,
	GOTRACE_GO_RUNNING,
	GOTRACE_GO_WAITING,
	GOTRACE_GO_SYSCALL
} gotrace_goroutine_state;

/* P states (Go's trace.ProcState). */
typedef enum gotrace_proc_state {
	GOTRACE_PROC_UNDETERMINED = 0,
	GOTRACE_PROC_NOT_EXIST,
	GOTRACE_PROC_RUNNING,
	GOTRACE_PROC_IDLE
} gotrace_proc_state;

/* Names as Go prints them ("Running", "NotExist", ...). Never NULL. */
GOTRACE_API const char *gotrace_goroutine_state_string(int state);
GOTRACE_API const char *gotrace_proc_state_string(int state);
GOTRACE_API const char *gotrace_resource_kind_string(int kind);

/* A byte string from the trace; not NUL-terminated. */
typedef struct gotrace_string {
	const char *data;
	size_t len;
} gotrace_string;

/*
 * A stack: a handle into the reader's tables. An empty stack has no
 * frames. Valid as long as the event it came from.
 */
typedef struct gotrace_stack {
	const void *table;
	uint64_t id;
} gotrace_stack;

typedef struct gotrace_frame {
	uint64_t pc;
	gotrace_string func;
	gotrace_string file;
	uint64_t line;
} gotrace_frame;

/* Number of frames in stk (0 for an empty stack). */
GOTRACE_API size_t gotrace_stack_depth(gotrace_stack stk);

/* Frame i of stk, innermost first. Returns 0, or -1 if out of range. */
GOTRACE_API int gotrace_stack_frame(gotrace_stack stk, size_t i,
                                    gotrace_frame *out);

/* Nonzero if the stack is present (Go's "stk != NoStack"). */
static inline int gotrace_stack_present(gotrace_stack stk)
{
	return stk.table != NULL;
}

typedef struct gotrace_event {
	gotrace_event_kind kind;
	int64_t time;          /* nanoseconds on the trace clock */
	int64_t thread;        /* M, or GOTRACE_NO_THREAD */
	int64_t proc;          /* P, or GOTRACE_NO_PROC */
	int64_t goroutine;     /* G, or GOTRACE_NO_GOROUTINE */
	gotrace_stack stack;   /* the event's stack; may be absent */
	uint8_t wire_type;     /* the wire event behind it; 0 for Sync */
	/*
	 * The generation the event belongs to: its number on the wire (as
	 * gotrace_generation_info.number; a generation's Sync carries it
	 * too, and the final Sync the last one's). Always what
	 * gotrace_reader_generation() returns right after this event.
	 * v1 traces have no generations: 0.
	 */
	uint64_t generation;
	union {
		struct {
			uint64_t n;            /* this is the n-th Sync */
			int has_clock;         /* Go 1.25+: clock snapshot below */
			int64_t clock_trace;   /* trace time of the snapshot, ns */
			uint64_t clock_mono;   /* monotonic clock, ns */
			int64_t wall_sec;      /* wall clock, Unix seconds */
			int64_t wall_nsec;     /* and nanoseconds, [0, 1e9) */
			/* This generation's experimental batches (Go's
			 * Sync.ExperimentalBatches, all experiments together,
			 * unnamed ones included). */
			size_t experimental_batches;
			/*
			 * An experiment ID Go has no name for (2-255: past
			 * None and AllocFree) carried by one of those batches,
			 * the first in the file; 0 if Go names them all, as on
			 * every trace the runtime writes. Go's reader reads such
			 * a generation like any other, and so does this one; only
			 * Go's Event.Sync(), which files the batches under their
			 * experiments' names, panics on this Sync (index out of
			 * range), and with it whatever calls it: `go tool trace
			 * -d=parsed`, where gotrace_event_write fails in the same
			 * place (gotrace_event_go_panic), and Go's MMU analysis.
			 * cmd/trace's viewer never calls it and shows the whole
			 * trace.
			 */
			uint64_t unnamed_experiment;
			/* Byte offset of that batch's header (0 if none). */
			uint64_t unnamed_experiment_offset;
		} sync;
		struct {
			const char *name;      /* e.g. "/sched/gomaxprocs:threads" */
			uint64_t value;
		} metric;
		struct {
			gotrace_string label;
			gotrace_resource_kind resource;
			int64_t id;
		} label;
		struct {
			gotrace_string name;   /* "GC concurrent mark phase", ... */
			gotrace_resource_kind scope;
			int64_t scope_id;
			size_t nattrs;         /* RangeEnd of a sweep: 2 */
			const char *attr_names[2];
			uint64_t attr_values[2];
		} range;
		struct {
			uint64_t id;
			uint64_t parent;       /* GOTRACE_NO_TASK if none */
			gotrace_string type;
		} task;
		struct {
			uint64_t task;
			gotrace_string type;
		} region;
		struct {
			uint64_t task;
			gotrace_string category;
			gotrace_string message;
		} log;
		struct {
			gotrace_resource_kind resource; /* goroutine or proc */
			int64_t id;
			int old_state;  /* gotrace_goroutine_state or _proc_state */
			int new_state;
			gotrace_string reason;
			gotrace_stack stack; /* the stack of the transition */
		} transition;
		struct {
			const char *name;
			const char *experiment;
			size_t nargs;
			const char *const *arg_names;
			uint64_t args[4];
		} experimental;
	} u;
} gotrace_event;

/*
 * Reader options. Start from GOTRACE_READER_OPTIONS_INIT, which sets
 * struct_size and the defaults, then set what you need:
 *
 *     gotrace_reader_options ro = GOTRACE_READER_OPTIONS_INIT;
 *     ro.threads = 2;
 *     gotrace_reader_new_opts(&r, in, &ro);
 *
 * struct_size is what keeps the layout open: a later version of the
 * library may add fields at the end, and reads a field only when the
 * caller's struct_size covers it (the others keep their defaults), so a
 * program built against this header keeps working with it. A struct_size
 * of 0 (a struct zeroed with memset or {0}) or too small to hold the
 * fields below (those of the struct's first version) is GOTRACE_ERR_ARG.
 */
typedef struct gotrace_reader_options {
	size_t struct_size;        /* sizeof(gotrace_reader_options) */
	/*
	 * Keep the state machine (gotrace/state.h). On by default; turning it
	 * off saves a little work per event for callers that never query it.
	 */
	int no_state_tracking;
	/*
	 * Memory limit in bytes, 0 for none. The reader fails with
	 * GOTRACE_ERR_LIMIT instead of holding more than this much trace data
	 * at once: the batches of one v2 generation, or a whole v1 trace (plus
	 * its 48-byte event records). Its other memory (tables, scheduler
	 * state) is proportional to that, so a limit of L keeps the reader's
	 * footprint within a small multiple of L.
	 */
	uint64_t max_memory;
	/*
	 * How the next event is chosen when the earliest one cannot happen
	 * yet (one of gotrace_ordering). The default follows Go's parser but
	 * bounds its worst case; the others are for callers (and tests) that
	 * need one behaviour throughout.
	 */
	int ordering;
	/*
	 * Threads the reader may use. 0 or 1: everything happens on the
	 * caller's thread, inside gotrace_reader_next(). 2 or more: a worker
	 * thread, started by the first gotrace_reader_next() and joined by
	 * gotrace_reader_free(), reads the input and orders events ahead of
	 * the caller (up to 32768 events and one generation), while the
	 * caller's thread resolves them and runs the state machine. The
	 * events, errors and all getters are exactly the same either way;
	 * what changes for the caller:
	 *   - the input's read callback (gotrace_input_open_callback) and
	 *     the reads of files and descriptors run on the worker thread;
	 *   - up to two generations are held at once, plus a 2.6 MB queue of
	 *     ordered events, so memory can double (max_memory still bounds
	 *     each generation);
	 *   - gotrace_reader_free() waits for a worker blocked in a read;
	 *   - the worker spins briefly, yields, then sleeps, when it is
	 *     ahead by the whole queue; so does the caller's thread when it
	 *     has caught up.
	 * It pays on a machine with a core to spare: the ordering is about
	 * two thirds of the work, so the read takes about that share of the
	 * time (docs/performance.md). gotrace and the Python package use
	 * gotrace_default_threads() unless told otherwise.
	 * 3 or more: threads - 1 worker threads each read and order whole
	 * generations, several at once, while the caller's thread joins
	 * them in order, resolves events and runs the state machine (a
	 * generation is ordered speculatively, checked against the one
	 * before when joined, and ordered again on the caller's thread
	 * where the check fails: docs/parallel.md). Again the events,
	 * errors and getters are exactly those of one thread; up to
	 * threads generations are held at once, each with up to 21 MB of
	 * ordered events; the input is read (and its read callback
	 * called) by the workers, one at a time, in turn. With
	 * GOTRACE_ORDERING_PARKING this is as 2.
	 * v1 traces (Go 1.11-1.21), which are read whole, ignore this.
	 * If the threads cannot be created the reader runs without them.
	 */
	int threads;
} gotrace_reader_options;

#define GOTRACE_READER_OPTIONS_INIT                                          \
	{ sizeof(gotrace_reader_options), 0, 0, GOTRACE_ORDERING_AUTO, 0 }

/*
 * A value for gotrace_reader_options.threads when the user has not
 * chosen one, as gotrace and the Python package choose it:
 * $GOTRACE_THREADS when it is a number from 1 to 64; else 2 on a machine
 * with more than one CPU online and, by the load average of the last
 * minute, about a core and a half idle (two threads lose to one where
 * another program keeps a core busy); else 1. It reads the environment
 * and the load average each time it is called.
 */
GOTRACE_API int gotrace_default_threads(void);

/*
 * Ordering strategies (gotrace_reader_options.ordering). Go's parser
 * retries every thread's next event in time order whenever the earliest
 * one is refused; on a generation whose threads mostly wait on one
 * another that costs events x threads. Parking sets a refused thread
 * aside until an accepted event changes what it waits for, which keeps
 * the work linear. Both choose the same event unless two threads' next
 * events have identical timestamps, where parking may pick a different
 * one of them than Go would (Go's own choice there depends on its sort
 * algorithm's internals).
 */
typedef enum gotrace_ordering {
	/* Go's retry loop; in a generation where retries cost more than
	 * 16 per accepted event (plus 65536), park for the rest of it. */
	GOTRACE_ORDERING_AUTO = 0,
	/* Go's retry loop throughout: same choices on ties, worst case
	 * events x threads. */
	GOTRACE_ORDERING_EXACT = 1,
	/* Park from the start of every generation. */
	GOTRACE_ORDERING_PARKING = 2
} gotrace_ordering;

/*
 * gotrace_reader_new reads the header from in and prepares to deliver
 * events. Like gotrace_wire_reader_new, it takes ownership of in and
 * returns the reader in *out even when the header is bad (read the error
 * from it, then free it); *out is NULL only on GOTRACE_ERR_NOMEM or
 * GOTRACE_ERR_ARG. opts may be NULL: the defaults, as
 * GOTRACE_READER_OPTIONS_INIT. GOTRACE_ERR_ARG also for a struct_size too
 * small or an unknown ordering.
 */
GOTRACE_API int gotrace_reader_new(gotrace_reader **out, gotrace_input *in);
GOTRACE_API int gotrace_reader_new_opts(gotrace_reader **out,
                                        gotrace_input *in,
                                        const gotrace_reader_options *opts);

/* The trace's format version. */
GOTRACE_API gotrace_version gotrace_reader_version(const gotrace_reader *r);

/*
 * gotrace_reader_next stores the next event in *ev and returns GOTRACE_OK,
 * or returns GOTRACE_EOF after the last event, or an error. After EOF or an
 * error, it keeps returning the same.
 */
GOTRACE_API int gotrace_reader_next(gotrace_reader *r, gotrace_event *ev);

/*
 * gotrace_reader_next_batch reads up to n events into ev[0..n) and stores
 * how many in *got: the events gotrace_reader_next would give, in the
 * same order, for less work per event (one call, and the reader's loop
 * entered once, instead of one each per event).
 *
 * Returns GOTRACE_OK with *got >= 1; or, with *got = 0, what
 * gotrace_reader_next would return at that point: GOTRACE_EOF after the
 * last event, or an error (and then the same again). A batch may hold
 * fewer than n events:
 *   - it holds events of one generation: a Sync event (the start of a
 *     generation) starts a new batch, since reading the next generation
 *     replaces the tables the events' strings and stacks point into;
 *   - it ends before the end of the trace or an error, which the next
 *     call returns;
 *   - it ends after 16 stop-the-world ranges (each has a name made for
 *     it, kept for the batch);
 *   - with the ordering on a worker (threads = 2), it ends where no
 *     ordered event is in sight; with generations ordered in parallel
 *     (threads >= 3), and for v1 traces, it holds one event.
 *
 * After the call the reader stands at the batch's last event: the state
 * machine (gotrace/state.h) and the getters are as gotrace_reader_next
 * leaves them after that event — except that an error found in the
 * event after it may already be reported by gotrace_reader_error.
 *
 * Lifetimes: every event of the batch, and everything it points to,
 * stays valid until the next call to gotrace_reader_next,
 * gotrace_reader_next_batch or gotrace_reader_free. The two calls may
 * be mixed. GOTRACE_ERR_ARG for NULL arguments or n = 0.
 *
 *     gotrace_event evs[64];
 *     size_t got, i;
 *     while ((rc = gotrace_reader_next_batch(r, evs, 64, &got)) == GOTRACE_OK)
 *         for (i = 0; i < got; i++)
 *             ... evs[i] ...
 */
GOTRACE_API int gotrace_reader_next_batch(gotrace_reader *r, gotrace_event *ev,
                                          size_t n, size_t *got);

/* The reader's error after a failed call. Valid until the reader is freed. */
GOTRACE_API const gotrace_error *gotrace_reader_error(const gotrace_reader *r);

/* Number of the generation the last event belongs to (its
 * gotrace_event.generation; 0 before any, and for v1 traces). */
GOTRACE_API uint64_t gotrace_reader_generation(const gotrace_reader *r);

/*
 * Nonzero if the reader returned GOTRACE_EOF without reading the trace to
 * its end: Go's parser ends silently, as at a clean end, when a table
 * entry of a generation is cut exactly at the end of its batch, and this
 * reader delivers the same events. gotrace_reader_error() then describes
 * where and why reading stopped.
 */
GOTRACE_API int gotrace_reader_incomplete(const gotrace_reader *r);

/*
 * Input bytes whose events have all been delivered: the end of the last
 * generation read completely (for a trace that ends cleanly, the whole
 * input). After an error, everything past this offset was lost; with the
 * input's size this gives the share of a damaged trace that could not be
 * used, as `go tool trace` reports it ("Lost N% of the latest trace data").
 */
GOTRACE_API uint64_t gotrace_reader_valid_bytes(const gotrace_reader *r);

/*
 * Generations read so far whose events were chosen, at least in part, by
 * parking waiting threads rather than by Go's retry loop (a v1 trace
 * counts as one generation): with GOTRACE_ORDERING_AUTO, those where the
 * retry budget ran out; with GOTRACE_ORDERING_PARKING, all of them. While
 * it is 0, every event came out exactly where Go's parser puts it, ties
 * included.
 */
GOTRACE_API uint64_t gotrace_reader_parked_generations(const gotrace_reader *r);

/* Input bytes consumed so far. */
GOTRACE_API uint64_t gotrace_reader_offset(const gotrace_reader *r);

/* Frees the reader and its input. NULL is allowed. */
GOTRACE_API void gotrace_reader_free(gotrace_reader *r);

/*
 * gotrace_event_write prints ev exactly as Go's trace.Event.String() does,
 * followed by a newline — one record of `go tool trace -d=parsed`.
 * Returns 0, or -1 if writing failed, or GOTRACE_ERR_INVALID, having
 * written nothing, for an event Go's String() panics on (below), where
 * `go tool trace -d=parsed` stops with exit status 2.
 */
GOTRACE_API int gotrace_event_write(const gotrace_event *ev, FILE *f);

/*
 * Events the reader delivers, as Go's reader does, but that Go's
 * trace.Event.String() cannot print: it panics. There is one: a Sync with
 * an unnamed experiment (u.sync.unnamed_experiment != 0). For such an
 * event gotrace_event_go_panic writes the panic's message, e.g. "runtime
 * error: index out of range [7] with length 2", to buf as snprintf does
 * (NUL-terminated, cut to size - 1 bytes) and returns its full length;
 * for any other event it writes nothing and returns 0.
 *
 * (Values Go's reader accepts but every consumer of the event panics on,
 * cmd/trace's viewer and Go's Summarizer included, are still reader
 * errors that carry the panic's message: a ProcStatus whose status is
 * past Go's table, which Go's StateTransition() looks up.)
 */
GOTRACE_API size_t gotrace_event_go_panic(const gotrace_event *ev, char *buf,
                                          size_t size);

#ifdef __cplusplus
}
#endif

#endif /* GOTRACE_READER_H */
