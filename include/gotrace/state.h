/*
 * libgotrace — the scheduler state machine.
 *
 * While a gotrace_reader delivers events, it keeps the state of every
 * goroutine (G), processor (P) and thread (M) as of the last delivered
 * event. Every StateTransition event moves one G or P from its old state to
 * its new one; the reader checks that the transition starts from the
 * state the resource is in (a violation is an error naming the resource and
 * the transition) and updates which M holds which P and G.
 *
 * Goroutine states: Undetermined (seen first in a generation-opening
 * status), NotExist, Runnable, Running, Waiting, Syscall. P states:
 * Undetermined, NotExist, Running, Idle. An M has no state of its own: it
 * runs a G and/or holds a P, or neither.
 *
 * Between two calls to gotrace_reader_next() a caller may ask about any
 * resource, or enumerate them. Goroutines that exited are forgotten, so the
 * tables hold only what is alive. Enumeration order is unspecified and
 * changes as events are read; indexes are valid until the next event.
 *
 * Usage, after any event:
 *
 *     gotrace_goroutine_info gi;
 *     if (gotrace_reader_goroutine(r, 42, &gi))
 *         printf("G42 is %s since %lld on M%lld\n",
 *                gotrace_goroutine_state_string(gi.state),
 *                (long long)gi.since, (long long)gi.thread);
 *
 *     for (size_t i = 0; i < gotrace_reader_proc_count(r); i++) {
 *         gotrace_proc_info pi;
 *         gotrace_reader_proc_at(r, i, &pi);
 *         ...
 *     }
 *
 * The tables are kept unless the reader was opened with
 * gotrace_reader_options.no_state_tracking; then they are empty.
 *
 * Copyright (c) 2026 The libgotrace Authors. BSD-3-Clause.
 */
#ifndef GOTRACE_STATE_H
#define GOTRACE_STATE_H

#include "reader.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gotrace_goroutine_info {
	int64_t id;
	gotrace_goroutine_state state;
	int64_t since;     /* time of the transition into this state, ns */
	int64_t thread;    /* the M running it (Running, Syscall), else -1 */
	int64_t proc;      /* the P it runs on (Running, Syscall), else -1 */
} gotrace_goroutine_info;

typedef struct gotrace_proc_info {
	int64_t id;
	gotrace_proc_state state;
	int64_t since;     /* time of the transition into this state, ns */
	int64_t thread;    /* the M holding it, or -1 */
} gotrace_proc_info;

typedef struct gotrace_thread_info {
	int64_t id;
	int64_t proc;      /* the P it holds, or -1 */
	int64_t goroutine; /* the G it runs, or -1 */
	int64_t since;     /* time of its last change, ns */
} gotrace_thread_info;

/*
 * Looks up a goroutine, P or M by ID. Returns 1 and fills *out if the
 * resource is known and alive, 0 if not.
 */
GOTRACE_API int gotrace_reader_goroutine(const gotrace_reader *r, int64_t id,
                                         gotrace_goroutine_info *out);
GOTRACE_API int gotrace_reader_proc(const gotrace_reader *r, int64_t id,
                                    gotrace_proc_info *out);
GOTRACE_API int gotrace_reader_thread(const gotrace_reader *r, int64_t id,
                                      gotrace_thread_info *out);

/* How many goroutines, Ps and Ms are known now. */
GOTRACE_API size_t gotrace_reader_goroutine_count(const gotrace_reader *r);
GOTRACE_API size_t gotrace_reader_proc_count(const gotrace_reader *r);
GOTRACE_API size_t gotrace_reader_thread_count(const gotrace_reader *r);

/* The i-th known resource, 0 <= i < count. Returns 0, or -1 if i is out of
 * range. */
GOTRACE_API int gotrace_reader_goroutine_at(const gotrace_reader *r, size_t i,
                                            gotrace_goroutine_info *out);
GOTRACE_API int gotrace_reader_proc_at(const gotrace_reader *r, size_t i,
                                       gotrace_proc_info *out);
GOTRACE_API int gotrace_reader_thread_at(const gotrace_reader *r, size_t i,
                                         gotrace_thread_info *out);

/*
 * How many transitions from state `from` to state `to` the reader has
 * delivered so far, for goroutines (resource GOTRACE_RESOURCE_GOROUTINE,
 * gotrace_goroutine_state values) or Ps (GOTRACE_RESOURCE_PROC,
 * gotrace_proc_state values).
 */
GOTRACE_API uint64_t gotrace_reader_transition_count(const gotrace_reader *r,
                                                     int resource, int from,
                                                     int to);

/*
 * v1 traces only: how many transitions did not start from the state the
 * resource was in. Go's parser does not check its conversion of v1 traces
 * against the state rules, and on damaged traces it can break them while
 * still accepting the trace; so that the reader accepts what Go accepts,
 * for v1 traces it follows such transitions and counts them here instead
 * of failing. Always 0 for v2 traces, where a violation is an error.
 */
GOTRACE_API uint64_t gotrace_reader_state_violations(const gotrace_reader *r);

#ifdef __cplusplus
}
#endif

#endif /* GOTRACE_STATE_H */
