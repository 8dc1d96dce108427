/*
 * Internal: ordering several generations at once (docs/parallel.md).
 *
 * With gotrace_reader_options.threads = N >= 3 on a v2 trace, N - 1
 * worker threads take generations in turn: one at a time reads the next
 * generation from the input, then orders it with an engine of its own —
 * the true engine for the first generation, a speculative one
 * (order/speculate.h) for the others — into the generation's stream of
 * ordered events, assumptions and a final record. The caller's thread
 * reads the streams in generation order: it checks each assumption
 * against the true engine, fills in the marked events, runs the consumer
 * half (resolution, the state machine), and when a generation ends lays
 * its engine's final state over the true engine. A generation whose
 * assumption fails, or whose worker gave up, is ordered again on the
 * caller's thread with the true engine, from its start, the events
 * already delivered skipped: events, errors and their order are those of
 * a read on one thread.
 */
#ifndef GT_PARALLEL_H
#define GT_PARALLEL_H

#include <stdint.h>

#include "gotrace/reader.h"

typedef struct gt_par gt_par;

/*
 * Starts the workers for reader r (a v2 trace, nothing read past the
 * header yet). Returns 0, or -1 if memory or threads ran out (the reader
 * then reads on one thread).
 */
int gt_par_start(gotrace_reader *r, int workers);

/* Stops the workers (waiting for one blocked reading its input) and frees
 * everything. NULL is allowed. */
void gt_par_stop(gt_par *p);

/* gotrace_reader_next with generations ordered by the workers. */
int gt_par_next(gotrace_reader *r, gotrace_event *out);

/* Statistics, for tests and tuning. */
typedef struct gt_par_stats {
	uint64_t generations;    /* generations delivered */
	uint64_t speculated;     /* ... of them ordered speculatively */
	uint64_t fallbacks;      /* ... ordered again with the true engine */
	uint64_t failed_checks;  /* fallbacks for an assumption or a mark the
	                            true state refuted */
	uint64_t gave_up[16];    /* fallbacks for a worker that gave up, by
	                            reason (GT_GIVEUP_*) */
	uint64_t assumptions;    /* assumptions checked */
	uint64_t by_kind[16];    /* ... by kind (GT_A_*) */
	uint64_t patched;        /* events filled in */
} gt_par_stats;

/* The statistics of r's parallel read so far (all zero without one). */
void gt_par_get_stats(const gotrace_reader *r, gt_par_stats *out);

#endif
