/*
 * libgotrace — trace time and the wall clock.
 *
 * Event times are nanoseconds on the trace's own clock, which has no epoch.
 * From Go 1.25 on, every generation's Sync event carries a clock snapshot:
 * one instant read on the trace clock, the monotonic clock and the wall
 * clock (gotrace_event.u.sync.has_clock). A gotrace_clock collects those
 * snapshots from the caller's reader loop and converts any trace time to
 * Unix time and back, so that a Go trace lines up with logs, spans and
 * other systems' traces.
 *
 *     gotrace_clock *clk;
 *     gotrace_clock_new(&clk);
 *     while ((rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK) {
 *         int64_t unix_ns;
 *         gotrace_clock_feed(clk, &ev);
 *         if (gotrace_clock_to_wall(clk, ev.time, &unix_ns) == GOTRACE_OK)
 *             ... ev happened at unix_ns ...
 *     }
 *
 * Accuracy: a time is converted with the snapshot of its own generation
 * (the latest snapshot at or before it), as wall = snapshot wall + (t -
 * snapshot trace time). It is exact at the snapshot; away from it, it is
 * off by however much the trace clock and the wall clock drifted apart
 * since (Go's trace clock follows the monotonic clock; the wall clock can
 * be slewed by NTP, by up to 0.05%: at most 0.5 ms over the second a
 * generation lasts by default, usually microseconds). Because every
 * generation has its own snapshot, the error does not accumulate over a
 * long trace; a step of the wall clock (settimeofday) shows from the next
 * generation on. Times before the first snapshot use the first.
 *
 * Traces without snapshots (Go 1.24 and older, v1 traces) cannot be placed
 * on the wall clock: the conversions then fail with GOTRACE_ERR_UNSUPPORTED
 * rather than guess.
 *
 * Copyright (c) 2026 The libgotrace Authors. BSD-3-Clause.
 */
#ifndef GOTRACE_CLOCK_H
#define GOTRACE_CLOCK_H

#include "reader.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gotrace_clock gotrace_clock;

/* One generation's clock snapshot. */
typedef struct gotrace_clock_snapshot {
	uint64_t generation;  /* the Sync's n: 1 for the first generation */
	int64_t trace_ns;     /* the instant on the trace clock */
	int64_t unix_ns;      /* ... on the wall clock, ns since 1970 UTC */
	uint64_t mono_ns;     /* ... on the monotonic clock */
} gotrace_clock_snapshot;

/* Creates an empty clock. Returns GOTRACE_OK or GOTRACE_ERR_NOMEM. */
GOTRACE_API int gotrace_clock_new(gotrace_clock **out);

/*
 * Feeds the next event: Sync events with a snapshot are kept, the others
 * ignored (feeding only the Sync events is enough). Returns GOTRACE_OK,
 * GOTRACE_ERR_NOMEM, or GOTRACE_ERR_LIMIT for a snapshot whose wall time
 * is outside what int64 nanoseconds since 1970 hold (years 1678-2262);
 * such a snapshot is not kept.
 */
GOTRACE_API int gotrace_clock_feed(gotrace_clock *c, const gotrace_event *ev);

/* The snapshots kept so far, in trace order. Returns 0, or -1 if i is out
 * of range. */
GOTRACE_API size_t gotrace_clock_snapshot_count(const gotrace_clock *c);
GOTRACE_API int gotrace_clock_snapshot_at(const gotrace_clock *c, size_t i,
                                          gotrace_clock_snapshot *out);

/*
 * Converts a trace time to Unix nanoseconds, with the snapshot of its
 * generation. Returns GOTRACE_OK, GOTRACE_ERR_UNSUPPORTED if no snapshot
 * has been fed, or GOTRACE_ERR_LIMIT if the result overflows int64.
 */
GOTRACE_API int gotrace_clock_to_wall(const gotrace_clock *c, int64_t trace_ns,
                                      int64_t *unix_ns);

/*
 * Converts Unix nanoseconds to a trace time: the inverse of
 * gotrace_clock_to_wall, with the latest snapshot whose wall time is at or
 * before unix_ns (the first one before it). Returns as
 * gotrace_clock_to_wall.
 */
GOTRACE_API int gotrace_clock_from_wall(const gotrace_clock *c,
                                        int64_t unix_ns, int64_t *trace_ns);

/* Frees the clock. NULL is allowed. */
GOTRACE_API void gotrace_clock_free(gotrace_clock *c);

#ifdef __cplusplus
}
#endif

#endif /* GOTRACE_CLOCK_H */
