/* Internal: the reader's structure, shared by the reader's source files. */
#ifndef GT_READER_INTERNAL_H
#define GT_READER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/frontier_sort.h"
#include "gen/generation.h"
#include "order/order.h"
#include "order/park.h"
#include "reader/pipe.h"
#include "reader/producer.h"
#include "wire/spec.h"
#include "state/state.h"
#include "io/stream.h"
#include "v1/v1.h"
#include "gotrace/reader.h"

/* "stop-the-world (<kind>)" and its NUL, the kind a table's string. */
#define GT_RANGE_NAME_MAX (sizeof "stop-the-world ()" + GT_MAX_STRING_SIZE)
/* Such names one batch may hold (gotrace_reader_next_batch). */
#define GT_BATCH_NAMES 16

/*
 * The reader works in two halves. The producer reads the input and orders
 * events (everything up to produce() in reader.c); the consumer resolves
 * them, runs the state machine and answers the caller. Normally both run
 * on the caller's thread, one event at a time; with options.threads >= 2
 * the producer runs ahead on a worker thread (pipe.h). Fields are owned
 * by one half; the consumer learns what it shows the caller (generation,
 * valid bytes, offsets) from the events themselves, and the producer's
 * final state only after its last event.
 */
struct gotrace_reader {
	/* ---- set up before any event, then read-only ---- */
	gotrace_input *in;
	gotrace_reader_options opts;
	gotrace_version version;
	gt_pipe *pipe;               /* NULL unless the producer has a thread */
	struct gt_par *par;          /* NULL unless workers order generations
	                                (parallel.h); then the producer's
	                                fields below are theirs, but for
	                                prod, order, perr, syncs, last_ts and
	                                the figures finish() reports */
	uint64_t par_offset;         /* with par: the input offset a read on
	                                one thread would be at */
	uint32_t par_refute_every;   /* tests: with par, every so many checks
	                                of the true state fail, to exercise
	                                ordering again (0: none) */
	int is_v1;                   /* read whole, parsed, then converted */

	/* The halves write their fields per event: keep them on separate
	 * cache lines (a line shared by both would bounce between cores). */
	char pad0[64];

	/* ---- consumer ---- */
	int state;                   /* GOTRACE_OK, GOTRACE_EOF or an error */
	int slow;                    /* gotrace_reader_next's one test: not
	                                a v2 trace read on the caller's
	                                thread, or state is not OK (kept by
	                                gt_reader_update_slow; stale only
	                                ever as 1) */
	int held;                    /* the producer's end (GOTRACE_EOF or
	                                an error) that a batch stopped short
	                                of: the next call's, through finish
	                                (gotrace_reader_next_batch); else
	                                GOTRACE_OK */
	struct gotrace_error err;
	gt_state st;
	char range_name[GT_RANGE_NAME_MAX]; /* "stop-the-world (<kind>)" */
	/* In a batch, each such name gets one of these instead, so that
	 * the batch's earlier events keep theirs; a batch ends when they
	 * are used up (gotrace_reader_next_batch). */
	int batching;
	size_t batch_names;          /* used in this batch */
	char batch_name[GT_BATCH_NAMES][GT_RANGE_NAME_MAX];
	uint64_t pub_gen;            /* what the getters report */
	uint64_t pub_valid_bytes;
	uint64_t pub_offset;
	uint64_t pub_parked;
	int pub_incomplete;

	char pad1[64];

	/* ---- producer ---- */
	gt_stream s;
	struct gotrace_error perr;   /* its error, handed over at the end */
	gt_genreader gr;
	gt_generation gens[2];       /* two when threaded: the consumer may
	                                still use one while the next is read */
	gt_generation *gen;          /* the generation being ordered */
	int gen_error;               /* pending_err follows the next Sync */
	struct gotrace_error pending_err;
	int done;                    /* the final Sync has been produced */
	int incomplete;              /* ended early, as Go's parser does */
	uint64_t gen_end;            /* input offset where gen's bytes end */
	uint64_t valid_bytes;        /* input fully delivered so far */
	uint64_t cur_gen;
	uint64_t parked_sent;        /* prod.parked_gens as told to the
	                                consumer */
	gt_producer prod;            /* orders the current generation */
	gt_event scratch;            /* events made here: Syncs */

	gt_order order;
	uint64_t syncs;
	int64_t last_ts;

	/* v1 traces: read whole, parsed, then converted event by event. */
	uint8_t *v1_bytes;           /* owned copy of a streamed input */
	gt_v1_trace v1;
	gt_v1_converter v1c;

	/* ---- random access (seek.c), on the caller's thread ----
	 * A seek starts the producer and the consumer over from scratch
	 * (gt_reader_restart): a field added above must be reset there. */
	struct gotrace_index *index; /* of a second view of in; made on
	                                first use, scanned as far as
	                                needed (gen/index.h) */
	size_t start_pos;            /* index position read from */
	int has_stop;
	size_t stop_pos;             /* index position read up to */
};

/* Renews r->slow after state, is_v1 or opts.threads changed. */
void gt_reader_update_slow(gotrace_reader *r);

/* Frees what random access made (seek.c). */
void gt_reader_free_random_access(gotrace_reader *r);

/*
 * Checks that every string and stack Go's event printer looks up exists
 * (Go's parser stops there, with a panic); returns 0 or an error (event.c).
 */
int gt_check_event_refs(const gt_event *ev, const gotrace_event *out,
                        struct gotrace_error *err);

/*
 * Checks a ProcStatus's status, which Go's StateTransition() accessor
 * indexes a table with (Go panics past it, in every consumer); returns 0
 * or an error (event.c). A Sync's unnamed experiment is not checked here:
 * only printing it fails.
 */
int gt_check_event_values(const gt_event *ev, struct gotrace_error *err);

/* The consumer's half for one ordered event, and the end of the read
 * with rc (reader.c), for parallel.c. */
int gt_reader_deliver(gotrace_reader *r, const gt_event *ev,
                      gotrace_event *out);
int gt_reader_finish(gotrace_reader *r, int rc);

/* Fills the public event from an ordered one (event.c). The plain
 * transitions, most events, are resolved inline first (resolve.h). */
void gt_resolve_event(gotrace_reader *r, const gt_event *ev,
                      gotrace_event *out);

#endif
