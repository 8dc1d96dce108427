/*
 * libgotrace — exports: a trace turned into another tool's format.
 *
 * Three parts:
 *
 *   - gotrace_sink: where an export writes its bytes — a file by path, a
 *     file descriptor, or the caller's own write callback.
 *   - gotrace_timeline: timelines for trace viewers — Chrome's JSON and
 *     Perfetto's protobuf — of the P, thread or goroutine view.
 *   - gotrace_pprof: pprof profiles (gzip'd protocol buffers, as
 *     `go tool pprof` reads them) built from the events of the caller's
 *     reader loop: the scheduler-latency, synchronization, syscall and
 *     network-wait profiles of `go tool trace -pprof=TYPE`, with the same
 *     samples, and the trace's CPU profile samples.
 *
 *     gotrace_pprof *p;
 *     gotrace_sink *out;
 *     gotrace_pprof_options po = GOTRACE_PPROF_OPTIONS_INIT;
 *     po.type = GOTRACE_PPROF_SYNC;
 *     gotrace_pprof_new(&p, &po);
 *     while ((rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK)
 *         if (gotrace_pprof_feed(p, &ev) != GOTRACE_OK)
 *             break;                       // out of memory
 *     gotrace_pprof_finish(p);             // also after a reader error
 *     gotrace_sink_open_path(&out, "sync.pb.gz");
 *     gotrace_pprof_write(p, out);
 *     gotrace_sink_close(out);
 *     gotrace_pprof_free(p);
 *
 * The profile objects follow the contract of the analyses (see
 * gotrace/analysis.h): every event the reader delivers is fed in order,
 * once per pass; what is kept is copied; memory grows with the distinct
 * stacks and the goroutines seen, not with events; finish after a reader
 * error gives the profile of the events delivered before it; no global
 * state, one thread at a time.
 *
 * Copyright (c) 2026 The libgotrace Authors. BSD-3-Clause.
 */
#ifndef GOTRACE_EXPORT_H
#define GOTRACE_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "reader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Sinks.
 *
 * Functions return GOTRACE_OK or a negative status: GOTRACE_ERR_ARG (a
 * bad argument), GOTRACE_ERR_NOMEM, GOTRACE_ERR_IO (the open or a write
 * failed: errno tells why for paths and descriptors). The first write
 * error sticks: every later write and the close report it again.
 */

typedef struct gotrace_sink gotrace_sink;

/*
 * The callback of gotrace_sink_open_callback: writes up to len bytes of
 * data and returns how many it took (short writes are allowed: the sink
 * calls again with the rest), or a negative value on error. Returning 0
 * for a nonempty buffer counts as an error (nothing could be written).
 */
typedef ptrdiff_t (*gotrace_sink_write_fn)(void *ctx, const void *data,
                                           size_t len);

/* Creates (or truncates) the file at path, mode 0666 before umask. */
GOTRACE_API int gotrace_sink_open_path(gotrace_sink **out, const char *path);
/* Writes to fd, which the sink does not close (EINTR is retried). */
GOTRACE_API int gotrace_sink_open_fd(gotrace_sink **out, int fd);
/* Writes through write_fn(ctx, ...). */
GOTRACE_API int gotrace_sink_open_callback(gotrace_sink **out,
                                           gotrace_sink_write_fn write_fn,
                                           void *ctx);

/* Writes len bytes; GOTRACE_OK once all were taken. */
GOTRACE_API int gotrace_sink_write(gotrace_sink *s, const void *data,
                                   size_t len);
/* Bytes written so far. */
GOTRACE_API uint64_t gotrace_sink_bytes(const gotrace_sink *s);
/* The sink's first error (GOTRACE_OK if none), and the errno of a failed
 * path or descriptor write (0 otherwise). */
GOTRACE_API int gotrace_sink_error(const gotrace_sink *s);
GOTRACE_API int gotrace_sink_errno(const gotrace_sink *s);

/*
 * Closes the sink (a file opened by path is closed; its close error is
 * reported) and frees it: returns the sink's first error, or GOTRACE_OK.
 * gotrace_sink_free frees without reporting. NULL is allowed for both.
 */
GOTRACE_API int gotrace_sink_close(gotrace_sink *s);
GOTRACE_API void gotrace_sink_free(gotrace_sink *s);

/* ------------------------------------------------------------------------
 * pprof profiles.
 *
 * The four profiles of `go tool trace -pprof=TYPE` (Go 1.27's cmd/trace)
 * time a goroutine state: each spell of a goroutine in that state, from
 * the transition into it to the transition out, is one contention (count
 * 1) with its duration as delay, attributed to the stack of the event
 * that put the goroutine in the state (for SCHED, the stack of whatever
 * made it runnable: the creating or unblocking goroutine's). Spells are
 * summed per stack. Sample types are contentions/count and
 * delay/nanoseconds; the period type trace/count, period 1.
 *
 *   SCHED    runnable until running (scheduler latency)
 *   SYNC     waiting for a reason containing "chan", "sync" or "select"
 *   SYSCALL  in a syscall
 *   NET      waiting for the reason "network"
 *
 * As cmd/trace, only the time inside a goroutine's lifetime in the
 * trace counts: from the first time it ran (or, for one that never ran,
 * from the start) to its end (or the trace's last event); a spell with
 * no time inside is left out. So a new goroutine's wait for its first
 * run is not in SCHED.
 *
 * CPU: the trace's CPU profile samples (StackSample events, present when
 * the program ran the CPU profiler while tracing; v1 traces' samples as
 * the reader delivers them). Each event counts 1 in samples/count and
 * 10 ms in cpu/nanoseconds: the trace does not record the profiling
 * rate, and 10 ms is the period of runtime/pprof's default 100 Hz. The
 * period type is cpu/nanoseconds, period 10000000. Events with the same
 * stack are one sample, so the sum of samples/count is the number of
 * events.
 *
 * Stacks are those of the events, innermost frame first, cut at 128
 * frames as cmd/trace cuts them (and so merged when their first 128 PCs
 * are the same). One location per PC (its first frame's function and
 * line), one function per (file, name).
 */

typedef enum gotrace_pprof_type {
	GOTRACE_PPROF_SCHED = 0,
	GOTRACE_PPROF_SYNC,
	GOTRACE_PPROF_SYSCALL,
	GOTRACE_PPROF_NET,
	GOTRACE_PPROF_CPU
} gotrace_pprof_type;

/* The type's name: "sched", "sync", "syscall", "net" or "cpu" (NULL for
 * an unknown type), and the reverse (-1 if unknown). */
GOTRACE_API const char *gotrace_pprof_type_name(int type);
GOTRACE_API int gotrace_pprof_type_parse(const char *name);

/*
 * Options. Start from GOTRACE_PPROF_OPTIONS_INIT, which also sets
 * struct_size: a later version may add fields at the end, and reads them
 * only when struct_size says the caller's struct has them. A struct_size
 * of 0 (a struct zeroed with memset or {0}) or too small is
 * GOTRACE_ERR_ARG.
 *
 * The filters are those of cmd/trace's profile pages, and need the whole
 * trace before the first sample can be counted: with either set, the
 * caller feeds the trace twice — every event, then
 * gotrace_pprof_next_pass(), then every event again (the same trace,
 * read anew) — and finishes after the second pass. Without filters
 * there is one pass (a standard-input trace can be profiled).
 *
 * A filter that matches nothing gives an empty profile (cmd/trace
 * answers "failed to find matching goroutines" for --goroutine).
 * CPU profiles ignore the filters.
 */
typedef struct gotrace_pprof_options {
	size_t struct_size;        /* sizeof(gotrace_pprof_options) */
	int type;                  /* gotrace_pprof_type */
	/* Only goroutines whose start function (the name
	 * gotrace_summary gives) is this, as cmd/trace's per-goroutine-group
	 * profiles: from its first run to its end. NULL: all goroutines. */
	const char *goroutine;
	/* Only the time inside user regions of this type, as cmd/trace's
	 * region profiles: per goroutine, the outermost of its matching
	 * regions (a region overlapping an earlier one is dropped), from its
	 * begin (or the trace's first event) to its end (or the goroutine's
	 * end, or the trace's last event). NULL: no region filter. With both
	 * filters, the regions of the goroutines of that name. */
	const char *region;
} gotrace_pprof_options;

#define GOTRACE_PPROF_OPTIONS_INIT                                           \
	{ sizeof(gotrace_pprof_options), GOTRACE_PPROF_SCHED, NULL, NULL }

typedef struct gotrace_pprof gotrace_pprof;

/* Creates an empty profile. Returns GOTRACE_OK, GOTRACE_ERR_ARG (no
 * options, a struct_size too small, unknown type, an empty region type)
 * or GOTRACE_ERR_NOMEM. */
GOTRACE_API int gotrace_pprof_new(gotrace_pprof **out,
                                  const gotrace_pprof_options *opts);

/* 1 or 2: the passes over the trace the options need. */
GOTRACE_API int gotrace_pprof_passes(const gotrace_pprof *p);

/* Feeds the next event. GOTRACE_OK, GOTRACE_ERR_NOMEM (then unusable
 * except for free), or GOTRACE_ERR_ARG after finish. */
GOTRACE_API int gotrace_pprof_feed(gotrace_pprof *p, const gotrace_event *ev);

/* Ends the first of two passes. GOTRACE_ERR_ARG if the profile has one
 * pass or is past its first; GOTRACE_ERR_NOMEM. */
GOTRACE_API int gotrace_pprof_next_pass(gotrace_pprof *p);

/*
 * Ends the profile at the last event fed and fixes the samples. With
 * two passes, finishing during the first (the read failed) gives an
 * empty profile. Calling it twice is harmless. GOTRACE_OK or
 * GOTRACE_ERR_NOMEM.
 */
GOTRACE_API int gotrace_pprof_finish(gotrace_pprof *p);

/*
 * Samples, after finish, in the order their stacks were first counted.
 * Values: gotrace_pprof_value_count() per sample (2), named by
 * gotrace_pprof_value_type/unit ("contentions"/"count" and
 * "delay"/"nanoseconds", or "samples"/"count" and "cpu"/"nanoseconds").
 * Frames innermost first; their strings belong to the profile.
 * *_at return 0, or -1 if out of range (or before finish).
 */
GOTRACE_API size_t gotrace_pprof_sample_count(const gotrace_pprof *p);
GOTRACE_API size_t gotrace_pprof_value_count(const gotrace_pprof *p);
GOTRACE_API const char *gotrace_pprof_value_type(const gotrace_pprof *p,
                                                 size_t v);
GOTRACE_API const char *gotrace_pprof_value_unit(const gotrace_pprof *p,
                                                 size_t v);
GOTRACE_API int gotrace_pprof_sample_value(const gotrace_pprof *p, size_t i,
                                           size_t v, int64_t *out);
GOTRACE_API size_t gotrace_pprof_sample_depth(const gotrace_pprof *p,
                                              size_t i);
GOTRACE_API int gotrace_pprof_sample_frame(const gotrace_pprof *p, size_t i,
                                           size_t f, gotrace_frame *out);

/*
 * Writes the profile as gzip'd protocol buffers (perftools.profiles.
 * Profile), after finish. Strings are written up to a NUL byte, should a
 * trace string hold one. Returns GOTRACE_OK, GOTRACE_ERR_ARG (before
 * finish), GOTRACE_ERR_NOMEM, or the sink's error.
 */
GOTRACE_API int gotrace_pprof_write(const gotrace_pprof *p, gotrace_sink *s);

/* Frees the profile. NULL is allowed. */
GOTRACE_API void gotrace_pprof_free(gotrace_pprof *p);

/* ------------------------------------------------------------------------
 * Timelines.
 *
 * A timeline draws the trace for a viewer: tracks (a P, an OS thread, a
 * goroutine, ...) holding slices (a goroutine running, a syscall, a GC
 * phase), instants, counters and flow arrows (who created or woke whom).
 * Two formats:
 *
 *   JSON      Chrome's Trace Event Format (chrome://tracing, Perfetto's
 *             UI, Catapult): one object with displayTimeUnit, traceEvents
 *             and stackFrames.
 *   PERFETTO  Perfetto's protobuf trace (perfetto.protos.Trace, a stream
 *             of TracePackets): track descriptors, track events, counter
 *             tracks, flows, interned names and callstacks.
 *
 * and three views:
 *
 *   PROC       one track per P, as `go tool trace`'s default view
 *              (/jsontrace?view=proc): the goroutines running on it,
 *              syscalls, GC ranges, proc start/stop, unblock and creation
 *              flows; STATS counters (goroutines, heap, threads).
 *   THREAD     the same per OS thread (/jsontrace?view=thread).
 *   GOROUTINE  one track per goroutine, showing its states over time
 *              (running, runnable, waiting with its reason, syscall),
 *              which cmd/trace does not have.
 *
 * The PROC and THREAD views in JSON hold the events cmd/trace's viewer
 * serves for the whole trace (docs/exports.md lists the rules and the
 * few documented differences); Perfetto output holds the same slices,
 * instants, counters and flows.
 *
 * Streaming: the timeline writes to its sink while events are fed; what
 * it keeps is the goroutines, Ps and threads seen, the distinct stacks,
 * the slices not yet closed, and, per track, the slices inside the
 * outermost one still open there (a format writes a track's slices when
 * its outermost one ends, so that they nest). Not the whole trace.
 *
 *     gotrace_timeline *tl;
 *     gotrace_timeline_options to = GOTRACE_TIMELINE_OPTIONS_INIT;
 *     to.format = GOTRACE_TIMELINE_PERFETTO;
 *     gotrace_sink_open_path(&out, "trace.pftrace");
 *     gotrace_timeline_new(&tl, &to, out);
 *     while ((rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK)
 *         if (gotrace_timeline_feed(tl, &ev) != GOTRACE_OK)
 *             break;                  // out of memory, or the sink failed
 *     gotrace_timeline_finish(tl);    // also after a reader error
 *     gotrace_timeline_free(tl);
 *     gotrace_sink_close(out);
 *
 * Times: by default nanoseconds since the first event fed (cmd/trace's
 * time zero; JSON writes microseconds with three decimals). With
 * GOTRACE_TIMELINE_CLOCK_WALL every time is Unix time, converted per
 * generation with the trace's clock snapshots (gotrace/clock.h, and its
 * accuracy); Perfetto output then records a clock snapshot declaring the
 * timestamps REALTIME. A trace without snapshots (Go 1.24 and older, v1)
 * fails with GOTRACE_ERR_UNSUPPORTED at its first event.
 *
 * Damaged traces: the timeline holds what was fed. cmd/trace draws a
 * damaged trace up to its last Sync event before the error; to match it,
 * feed the events up to that one only (gotrace timeline does so for
 * files by reading them twice).
 */

typedef enum gotrace_timeline_format {
	GOTRACE_TIMELINE_JSON = 0,
	GOTRACE_TIMELINE_PERFETTO
} gotrace_timeline_format;

typedef enum gotrace_timeline_view {
	GOTRACE_TIMELINE_PROC = 0,
	GOTRACE_TIMELINE_THREAD,
	GOTRACE_TIMELINE_GOROUTINE
} gotrace_timeline_view;

typedef enum gotrace_timeline_clock {
	GOTRACE_TIMELINE_CLOCK_TRACE = 0, /* ns since the first event */
	GOTRACE_TIMELINE_CLOCK_WALL       /* Unix ns, from clock snapshots */
} gotrace_timeline_clock;

/* Names ("json", "perfetto"; "proc", "thread", "goroutine"; "trace",
 * "wall") and their reverse (-1 if unknown); NULL for an unknown value. */
GOTRACE_API const char *gotrace_timeline_format_name(int format);
GOTRACE_API int gotrace_timeline_format_parse(const char *name);
GOTRACE_API const char *gotrace_timeline_view_name(int view);
GOTRACE_API int gotrace_timeline_view_parse(const char *name);
GOTRACE_API const char *gotrace_timeline_clock_name(int clock);
GOTRACE_API int gotrace_timeline_clock_parse(const char *name);

/*
 * Options. Start from GOTRACE_TIMELINE_OPTIONS_INIT, which also sets
 * struct_size: a later version may add fields at the end, and reads
 * them only when struct_size says the caller's struct has them.
 */
typedef struct gotrace_timeline_options {
	size_t struct_size;        /* sizeof(gotrace_timeline_options) */
	int format;                /* gotrace_timeline_format */
	int view;                  /* gotrace_timeline_view */
	int clock;                 /* gotrace_timeline_clock */
} gotrace_timeline_options;

#define GOTRACE_TIMELINE_OPTIONS_INIT                                        \
	{ sizeof(gotrace_timeline_options), GOTRACE_TIMELINE_JSON,           \
	  GOTRACE_TIMELINE_PROC, GOTRACE_TIMELINE_CLOCK_TRACE }

typedef struct gotrace_timeline gotrace_timeline;

/*
 * Creates a timeline writing to sink, which must outlive it (the
 * timeline does not close it). Nothing is written before the first feed.
 * Returns GOTRACE_OK, GOTRACE_ERR_ARG (NULL, a struct_size too small, or
 * an unknown format, view or clock) or GOTRACE_ERR_NOMEM.
 */
GOTRACE_API int gotrace_timeline_new(gotrace_timeline **out,
                                     const gotrace_timeline_options *opts,
                                     gotrace_sink *sink);

/*
 * Feeds the next event. Returns GOTRACE_OK; GOTRACE_ERR_NOMEM; the sink's
 * error (GOTRACE_ERR_IO); GOTRACE_ERR_UNSUPPORTED (wall clock, no
 * snapshot); GOTRACE_ERR_ARG after finish. After an error the timeline
 * is unusable except for finish (which then only reports it) and free.
 */
GOTRACE_API int gotrace_timeline_feed(gotrace_timeline *t,
                                      const gotrace_event *ev);

/*
 * Ends the timeline at the last event fed: slices still open close there,
 * and the format's trailer is written (JSON's stackFrames and closing
 * brace). Returns GOTRACE_OK or the first error of the timeline or its
 * sink. Calling it twice returns the same. A timeline fed no event writes
 * an empty but valid file.
 */
GOTRACE_API int gotrace_timeline_finish(gotrace_timeline *t);

/* Frees the timeline (without finishing it). NULL is allowed. */
GOTRACE_API void gotrace_timeline_free(gotrace_timeline *t);

#ifdef __cplusplus
}
#endif

#endif /* GOTRACE_EXPORT_H */
