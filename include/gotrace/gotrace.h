/*
 * libgotrace — read Go execution traces from C.
 *
 * This umbrella header includes the whole public API:
 *
 *   gotrace/common.h  status codes, trace versions, error descriptions
 *   gotrace/input.h   input sources: path, file descriptor, memory, callback
 *   gotrace/wire.h    the raw wire layer: every wire event, in file order
 *   gotrace/reader.h  the ordered, validated event stream
 *   gotrace/state.h   the scheduler state machine: what each G, P, M is doing
 *   gotrace/analysis.h  analyses fed from a reader loop: goroutine, task and
 *                     region summaries, GC and stop-the-world, MMU
 *   gotrace/clock.h   trace time <-> wall clock, from the clock snapshots
 *   gotrace/index.h   random access: the generation index, seeking, cutting
 *
 * No function keeps global mutable state: handles are independent, and
 * several readers may run at once on different threads. A single handle
 * must not be used from two threads at the same time.
 *
 * Copyright (c) 2026 The libgotrace Authors. BSD-3-Clause.
 */
#ifndef GOTRACE_GOTRACE_H
#define GOTRACE_GOTRACE_H

#include "common.h"
#include "input.h"
#include "wire.h"
#include "reader.h"
#include "state.h"
#include "analysis.h"
#include "clock.h"
#include "index.h"
#include "export.h"

#endif /* GOTRACE_GOTRACE_H */
