/*
 * libgotrace — analyses: what people open a trace for.
 *
 * Each analysis is an object fed one event at a time from the caller's own
 * gotrace_reader_next() loop, so one pass over a trace can run several
 * analyses and the caller's code side by side:
 *
 *     gotrace_summary *sum;
 *     gotrace_mmu *mmu;
 *     gotrace_summary_new(&sum);
 *     gotrace_mmu_new(&mmu, GOTRACE_UTIL_DEFAULT);
 *     while ((rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK) {
 *         if (gotrace_summary_feed(sum, &ev) != GOTRACE_OK ||
 *             gotrace_mmu_feed(mmu, &ev) != GOTRACE_OK)
 *             break;                           // out of memory
 *         ... the caller's own work on ev ...
 *     }
 *     gotrace_summary_finish(sum);             // also after a reader error:
 *     gotrace_mmu_finish(mmu);                 // results of the good part
 *     for (size_t i = 0; i < gotrace_summary_goroutine_count(sum); i++) ...
 *     printf("%f\n", gotrace_mmu_at(mmu, 1000000));
 *
 * Contract, common to every analysis:
 *
 *   - Feed every event the reader delivers, in order, each exactly once.
 *     An analysis copies what it keeps (names, reasons, frames), so events
 *     need not outlive the feed call.
 *   - *_feed() returns GOTRACE_OK, or GOTRACE_ERR_NOMEM (the analysis is
 *     then unusable except for *_free), or GOTRACE_ERR_ARG after finish.
 *   - *_finish() closes what is still open (goroutines still alive, ranges
 *     and regions not ended) at the time of the last event fed, exactly as
 *     Go's tools do at the end of a trace. After it, feeding is an error
 *     and results are final. Finishing after a reader error gives the
 *     results of the events delivered before it.
 *   - Results are read through accessors. Strings and arrays they return
 *     belong to the analysis and stay valid until it is freed (or, for
 *     gotrace_summary before finish, until the next feed).
 *   - Memory grows with the goroutines, tasks, regions and GC cycles seen,
 *     never with the number of events. The MMU analysis keeps the mutator
 *     utilization series: one entry per change of utilization.
 *   - Analyses use only the public API (this header builds on reader.h and
 *     nothing else) and keep no global state; each object belongs to one
 *     thread at a time.
 *
 * Times are nanoseconds on the trace clock, as events carry them; durations
 * are nanoseconds. v1 traces (Go 1.11-1.21) are analysed the same way: the
 * reader converts them into the same events, as Go's parser does.
 *
 * Copyright (c) 2026 The libgotrace Authors. BSD-3-Clause.
 */
#ifndef GOTRACE_ANALYSIS_H
#define GOTRACE_ANALYSIS_H

#include "reader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Durations: a distribution shared by the analyses.
 */

/* A name and a duration, e.g. a block reason and the time spent in it. */
typedef struct gotrace_named_duration {
	gotrace_string name;
	int64_t ns;
} gotrace_named_duration;

/*
 * The histogram of cmd/trace's /usertasks and /userregions pages: five
 * buckets per power of ten; a duration d > 0 falls in bucket
 * floor(ln(d) / ln(10^(1/5))), d <= 0 in bucket 0. Bucket b's lower bound
 * is gotrace_histogram_bucket_min(b).
 */
#define GOTRACE_HISTOGRAM_BUCKETS 96

/*
 * A distribution of durations. Percentiles are exact, nearest-rank: the
 * p-th percentile is the smallest sample with at least p% of the samples
 * at or below it. All fields are 0 when count is 0.
 */
typedef struct gotrace_duration_stats {
	uint64_t count;
	int64_t total;
	int64_t min;
	int64_t p50;
	int64_t p90;
	int64_t p99;
	int64_t max;
	int min_bucket;                 /* first and last nonempty bucket */
	int max_bucket;
	uint64_t buckets[GOTRACE_HISTOGRAM_BUCKETS];
} gotrace_duration_stats;

/* The smallest duration of histogram bucket b, as cmd/trace labels it. */
GOTRACE_API int64_t gotrace_histogram_bucket_min(int b);

/* ------------------------------------------------------------------------
 * Goroutines, tasks and regions: the summary of Go 1.27's
 * internal/trace.Summarizer (what `go tool trace` shows on its goroutine,
 * task and region pages), computed streaming.
 */

typedef struct gotrace_summary gotrace_summary;

/* One goroutine, as Go's GoroutineSummary describes it. */
typedef struct gotrace_goroutine_summary {
	int64_t id;
	gotrace_string name;    /* start function ("" if no stack was seen) */
	uint64_t pc;            /* PC of that frame, 0 if none */
	int64_t creation_time;  /* creation, or the generation's start for a
	                           goroutine that existed before it */
	int64_t start_time;     /* first time it ran; 0 if never */
	int64_t end_time;       /* exit (or blocked "forever"); 0 if never */
	int64_t exec_ns;        /* running */
	int64_t sched_wait_ns;  /* runnable, and in a syscall without a P
	                           before the syscall ended (Go counts the
	                           latter as scheduler wait while open) */
	int64_t syscall_ns;     /* in a syscall holding its P */
	int64_t syscall_block_ns; /* in a syscall after losing its P */
	int64_t total_ns;       /* from creation to end (or the last event) */
	/* Blocked time by reason ("chan receive", "sync", ...) and time in
	 * ranges ("GC mark assist", "GC incremental sweep",
	 * "stop-the-world (...)"), sorted by name, zero entries left out. */
	const gotrace_named_duration *block;
	size_t nblock;
	const gotrace_named_duration *ranges;
	size_t nranges;
	size_t regions;         /* user regions it ran (ended or still open) */
} gotrace_goroutine_summary;

/* One task, as Go's UserTaskSummary describes it. */
typedef struct gotrace_task_summary {
	uint64_t id;
	gotrace_string name;    /* "" if neither its begin nor end was seen */
	uint64_t parent;        /* 0 if unknown */
	int64_t start_time;     /* -1 if its begin is not in the trace */
	int64_t end_time;       /* -1 if its end is not in the trace */
	const int64_t *goroutines; /* goroutines associated with it, sorted */
	size_t ngoroutines;
	size_t logs;            /* Log events of the task */
	size_t regions;         /* user regions of the task */
} gotrace_task_summary;

/*
 * Regions grouped as cmd/trace's /userregions page groups them: by type and
 * the outermost frame of the stack that began them (a region without a
 * begin has an empty frame). A region's duration runs from its begin (or
 * the trace's first event) to its end (or the trace's last event).
 */
typedef struct gotrace_region_type {
	gotrace_string type;
	gotrace_frame frame;
	gotrace_duration_stats durations;
} gotrace_region_type;

/*
 * Tasks grouped by type as cmd/trace's /usertasks page groups them: count
 * is every task of the type; durations covers complete tasks only (both
 * begin and end in the trace).
 */
typedef struct gotrace_task_type {
	gotrace_string type;
	uint64_t count;
	gotrace_duration_stats durations;
} gotrace_task_type;

/*
 * Goroutines grouped by name as cmd/trace's goroutine page groups them,
 * with the sums of their statistics.
 */
typedef struct gotrace_goroutine_group {
	gotrace_string name;
	uint64_t count;
	int64_t exec_ns;
	int64_t sched_wait_ns;
	int64_t block_ns;       /* all block reasons */
	int64_t syscall_ns;
	int64_t syscall_block_ns;
	int64_t total_ns;
} gotrace_goroutine_group;

/* Creates an empty summary. Returns GOTRACE_OK or GOTRACE_ERR_NOMEM. */
GOTRACE_API int gotrace_summary_new(gotrace_summary **out);

/* Feeds the next event (see the contract above). */
GOTRACE_API int gotrace_summary_feed(gotrace_summary *s,
                                     const gotrace_event *ev);

/*
 * Ends the summary at the last event fed, as Go's Summarizer.Finalize.
 * Returns GOTRACE_OK or GOTRACE_ERR_NOMEM. Calling it twice is harmless.
 */
GOTRACE_API int gotrace_summary_finish(gotrace_summary *s);

/*
 * Goroutines, in ascending ID order. Before finish these are the running
 * figures as of the last event fed (time still accruing in the current
 * state counted up to it, as Go's summary of a region open at that point
 * counts it), which is what a live view wants. Each call recomputes the
 * record; its block and ranges arrays are valid until the next call on
 * the summary. Returns 0, or -1 if i is out of range (or out of memory).
 */
GOTRACE_API size_t gotrace_summary_goroutine_count(const gotrace_summary *s);
GOTRACE_API int gotrace_summary_goroutine_at(const gotrace_summary *s,
                                             size_t i,
                                             gotrace_goroutine_summary *out);
/* Looks up one goroutine by ID: 1 if found, 0 if not. */
GOTRACE_API int gotrace_summary_goroutine(const gotrace_summary *s, int64_t id,
                                          gotrace_goroutine_summary *out);

/*
 * Goroutine groups by name, sorted by total execution time, largest first
 * (ties by name). Available before finish, like the goroutines:
 * gotrace_summary_group_count() computes the groups (as of the last event
 * fed) and gotrace_summary_group_at() reads that computation; the names
 * are valid until the next feed. So that the running figures only grow
 * (a live view shows their differences), before finish a syscall's time
 * without a P counts as syscall_block_ns as it accrues: Go moves it there
 * when the syscall ends, and the final figures of a syscall still open at
 * the end count it as scheduler wait, as Go's do.
 */
GOTRACE_API size_t gotrace_summary_group_count(const gotrace_summary *s);
GOTRACE_API int gotrace_summary_group_at(const gotrace_summary *s, size_t i,
                                         gotrace_goroutine_group *out);

/*
 * Forgets the goroutines that have ended (exited or blocked forever), for a
 * long or live read whose memory should follow the live goroutines, not
 * all that ever ran: `gotrace top` calls it after each generation. Their
 * figures stay in the groups (gotrace_summary_group_*), but they are no
 * longer listed by the goroutine accessors, and should an event still
 * concern one (Go's Summarizer would update the ended record), it is
 * ignored. Returns GOTRACE_OK, GOTRACE_ERR_ARG after finish, or
 * GOTRACE_ERR_NOMEM.
 */
GOTRACE_API int gotrace_summary_forget_ended(gotrace_summary *s);

/* Tasks, in ascending ID order (after finish). */
GOTRACE_API size_t gotrace_summary_task_count(const gotrace_summary *s);
GOTRACE_API int gotrace_summary_task_at(const gotrace_summary *s, size_t i,
                                        gotrace_task_summary *out);

/* Task types, sorted by type (after finish). */
GOTRACE_API size_t gotrace_summary_task_type_count(const gotrace_summary *s);
GOTRACE_API int gotrace_summary_task_type_at(const gotrace_summary *s,
                                             size_t i, gotrace_task_type *out);

/* Region types, sorted by type, then frame PC (after finish). */
GOTRACE_API size_t gotrace_summary_region_type_count(const gotrace_summary *s);
GOTRACE_API int gotrace_summary_region_type_at(const gotrace_summary *s,
                                               size_t i,
                                               gotrace_region_type *out);

/* Frees the summary. NULL is allowed. */
GOTRACE_API void gotrace_summary_free(gotrace_summary *s);

/* ------------------------------------------------------------------------
 * GC and stop-the-world.
 */

typedef struct gotrace_gc gotrace_gc;

/* A GC cycle: the concurrent mark phase ("GC concurrent mark phase"). */
typedef struct gotrace_gc_cycle {
	int64_t start_time;     /* -1 if its beginning is not in the trace
	                           (first seen running, as RangeActive, or
	                           ending) */
	int64_t end_time;       /* -1 if it had not ended by the last event */
	int64_t duration_ns;    /* end (or last event) - start (or first) */
} gotrace_gc_cycle;

/* A stop-the-world pause: a "stop-the-world (REASON)" range. */
typedef struct gotrace_stw {
	gotrace_string reason;  /* e.g. "GC mark termination" */
	int64_t start_time;     /* -1 if its beginning is not in the trace */
	int64_t end_time;       /* -1 if it had not ended by the last event */
	int64_t duration_ns;
	int64_t goroutine;      /* the goroutine that stopped the world (-1 if
	                           the range has no goroutine scope) */
} gotrace_stw;

/* Totals over the trace. */
typedef struct gotrace_gc_totals {
	uint64_t cycles;
	int64_t gc_ns;               /* sum of the cycles' durations */
	uint64_t stw_count;
	int64_t stw_ns;
	/* Assists and sweeps are timed like the cycles: from their begin
	 * (or the first event) to their end (or the last event). */
	uint64_t mark_assist_count;  /* "GC mark assist" ranges */
	int64_t mark_assist_ns;
	uint64_t sweep_count;        /* "GC incremental sweep" ranges */
	int64_t sweep_ns;
	uint64_t swept_bytes;        /* their "bytes swept" attributes */
	uint64_t reclaimed_bytes;    /* their "bytes reclaimed" attributes */
	int64_t first_time;          /* first and last event fed */
	int64_t last_time;
} gotrace_gc_totals;

/* Creates an empty GC analysis. Returns GOTRACE_OK or GOTRACE_ERR_NOMEM. */
GOTRACE_API int gotrace_gc_new(gotrace_gc **out);
/* Feeds the next event (see the contract above). */
GOTRACE_API int gotrace_gc_feed(gotrace_gc *g, const gotrace_event *ev);
/* Closes open cycles and pauses at the last event. Returns GOTRACE_OK or
 * GOTRACE_ERR_NOMEM. */
GOTRACE_API int gotrace_gc_finish(gotrace_gc *g);

/* GC cycles and pauses in the order they began (those whose beginning
 * the trace does not show first). Return 0, or -1 if i is out of range. */
GOTRACE_API size_t gotrace_gc_cycle_count(const gotrace_gc *g);
GOTRACE_API int gotrace_gc_cycle_at(const gotrace_gc *g, size_t i,
                                    gotrace_gc_cycle *out);
GOTRACE_API size_t gotrace_gc_stw_count(const gotrace_gc *g);
GOTRACE_API int gotrace_gc_stw_at(const gotrace_gc *g, size_t i,
                                  gotrace_stw *out);
/* Totals (partial before finish). */
GOTRACE_API void gotrace_gc_totals_get(const gotrace_gc *g,
                                       gotrace_gc_totals *out);
/* The distribution of STW pause durations and of GC cycle durations,
 * after finish: complete ones only (begun and ended in the trace), since
 * the others' durations are cut by the trace's ends. */
GOTRACE_API void gotrace_gc_stw_stats(const gotrace_gc *g,
                                      gotrace_duration_stats *out);
GOTRACE_API void gotrace_gc_cycle_stats(const gotrace_gc *g,
                                        gotrace_duration_stats *out);
/* Frees the analysis. NULL is allowed. */
GOTRACE_API void gotrace_gc_free(gotrace_gc *g);

/* ------------------------------------------------------------------------
 * Minimum mutator utilization: Go's MutatorUtilizationV2 + MMUCurve, the
 * figures of cmd/trace's MMU page, reproduced exactly. Go panics on an
 * event without a P where it looks one up (with GOTRACE_UTIL_ASSIST, a
 * trace that starts while a blocked goroutine is inside a mark assist has
 * one); here such an event changes no P's utilization and the analysis
 * goes on.
 */

typedef struct gotrace_mmu gotrace_mmu;

/* What takes time away from the mutator (Go's trace.UtilFlags). */
enum {
	GOTRACE_UTIL_STW = 1 << 0,        /* stop-the-world pauses */
	GOTRACE_UTIL_BACKGROUND = 1 << 1, /* background mark workers */
	GOTRACE_UTIL_ASSIST = 1 << 2,     /* mark assists */
	GOTRACE_UTIL_SWEEP = 1 << 3,      /* sweeping */
	GOTRACE_UTIL_PER_PROC = 1 << 4,   /* one utilization series per P */
	GOTRACE_UTIL_DEFAULT = GOTRACE_UTIL_STW | GOTRACE_UTIL_BACKGROUND |
	                       GOTRACE_UTIL_ASSIST | GOTRACE_UTIL_SWEEP
};

/* Creates an MMU analysis with flags (GOTRACE_UTIL_*). Returns GOTRACE_OK,
 * GOTRACE_ERR_ARG for unknown flag bits, or GOTRACE_ERR_NOMEM. */
GOTRACE_API int gotrace_mmu_new(gotrace_mmu **out, unsigned flags);
/* Feeds the next event (see the contract above). */
GOTRACE_API int gotrace_mmu_feed(gotrace_mmu *m, const gotrace_event *ev);
/* Ends every series at the last event and prepares the queries.
 * Returns GOTRACE_OK or GOTRACE_ERR_NOMEM. */
GOTRACE_API int gotrace_mmu_finish(gotrace_mmu *m);

/*
 * The minimum mutator utilization over every window of window_ns
 * nanoseconds, in [0, 1], exactly as Go's MMUCurve.MMU (a window longer
 * than the trace is the whole trace). Go's search can start a window past
 * the last one, where the trace's end counts as unused time, so this is
 * sometimes below the true minimum (for short windows); it is Go's figure
 * that is reproduced. 0 before finish or for window_ns <= 0; 1 for a
 * trace with no utilization data (no GOMAXPROCS metric), as Go.
 */
GOTRACE_API double gotrace_mmu_at(const gotrace_mmu *m, int64_t window_ns);

/*
 * Mutator utilization distribution, as Go 1.27's MMUCurve.MUD: for each
 * of n quantiles q[i] in [0, 1], out[i] is meant to be the utilization
 * that a share q[i] of the windows of window_ns fall below; but Go's MUD
 * never records its distribution and returns the MMU for every quantile,
 * and so does this. Returns GOTRACE_OK, or GOTRACE_ERR_ARG (before
 * finish, q out of range), GOTRACE_ERR_NOMEM.
 */
GOTRACE_API int gotrace_mmu_mud(const gotrace_mmu *m, int64_t window_ns,
                                const double *q, size_t n, double *out);

/* The number of utilization series and their total number of points,
 * after finish: 1 series, or with PER_PROC one per P (a P that GOMAXPROCS
 * removes and adds again starts a new one); none without a GOMAXPROCS
 * metric. */
GOTRACE_API size_t gotrace_mmu_series_count(const gotrace_mmu *m);
GOTRACE_API size_t gotrace_mmu_point_count(const gotrace_mmu *m);

/* Frees the analysis. NULL is allowed. */
GOTRACE_API void gotrace_mmu_free(gotrace_mmu *m);

#ifdef __cplusplus
}
#endif

#endif /* GOTRACE_ANALYSIS_H */
