/*
 * Test-side trace writer: builds v2 Go execution traces byte by byte, so
 * tests can make the cases real programs rarely produce — damaged, hostile
 * or rare orderings. It only encodes; it knows nothing of the rules. What
 * a trace built with it *means* is decided by Go's reference parser: the
 * synthetic traces are checked in under testdata/traces/synthetic/ with
 * Go 1.27's output beside them.
 */
#ifndef TRACEWRITER_H
#define TRACEWRITER_H

#include <stddef.h>
#include <stdint.h>

typedef struct tw_trace {
	uint8_t *buf;
	size_t len, cap;
	int version;         /* 22, 23, 25 or 26 */
	size_t batch_start;  /* offset of the current batch's payload */
	size_t batch_size_at;/* offset of the reserved size field */
	int in_batch;
	uint64_t last_ts;    /* for dt encoding inside a batch */
} tw_trace;

/* Starts a trace with the standard 16-byte header for go 1.<version>. */
void tw_init(tw_trace *t, int version);
/* Starts a trace with an arbitrary header (no header if hdr is NULL). */
void tw_init_header(tw_trace *t, int version, const void *hdr, size_t n);
void tw_free(tw_trace *t);

void tw_byte(tw_trace *t, uint8_t b);
void tw_bytes(tw_trace *t, const void *p, size_t n);
void tw_uvarint(tw_trace *t, uint64_t v);

/*
 * Batches. tw_batch_begin writes the EventBatch header with a size field
 * patched in by tw_batch_end (always as a 3-byte padded varint, which is
 * valid LEB128). Timed events take an absolute timestamp; the writer
 * stores the delta from the previous event (or the batch time).
 */
void tw_batch_begin(tw_trace *t, uint64_t gen, uint64_t m, uint64_t ts);
void tw_exp_batch_begin(tw_trace *t, uint8_t exp, uint64_t gen, uint64_t m,
                        uint64_t ts);
void tw_batch_end(tw_trace *t);
/* Overrides the size of the batch just ended (for damaged traces). */
void tw_batch_patch_size(tw_trace *t, uint64_t size);

/* A timed event: type byte, dt from ts, then the other arguments. */
void tw_event(tw_trace *t, uint8_t type, uint64_t ts, size_t nargs,
              const uint64_t *args);
#define TW_EV(t, type, ts, ...)                                             \
	tw_event((t), (type), (ts),                                          \
	         sizeof((uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t),       \
	         (uint64_t[]){__VA_ARGS__})
#define TW_EV0(t, type, ts) tw_event((t), (type), (ts), 0, NULL)

/* A batch holding one string table section. */
void tw_strings(tw_trace *t, uint64_t gen, size_t n, const uint64_t *ids,
                const char *const *strs);
/* The same, with each string's length given (strings holding NULs);
 * lens NULL means strlen. */
void tw_strings_len(tw_trace *t, uint64_t gen, size_t n, const uint64_t *ids,
                    const char *const *strs, const size_t *lens);
/* Stack table: tw_stacks_begin, then tw_stack per entry, then batch_end. */
void tw_stacks_begin(tw_trace *t, uint64_t gen);
void tw_stack(tw_trace *t, uint64_t id, size_t nframes,
              const uint64_t (*frames)[4]);
/* The sync batch: frequency (all versions) and, for 1.25+, a clock
 * snapshot at clock_ts with the given mono/wall values. */
void tw_sync(tw_trace *t, uint64_t gen, uint64_t ts, uint64_t freq,
             uint64_t clock_ts, uint64_t mono, uint64_t sec, uint64_t nsec);
/* Go 1.26: the end-of-generation marker. */
void tw_end_of_generation(tw_trace *t);

/*
 * v1 (Go 1.11-1.21) encoding. A v1 event is one byte (type in the low six
 * bits, argument count - 1 in the top two; 3 means the arguments are
 * length-prefixed), then varint arguments. Timed events start with a
 * timestamp delta; the writer keeps the batch's last timestamp.
 */
void tw_v1_batch(tw_trace *t, int64_t p, uint64_t ts);
void tw_v1_raw(tw_trace *t, uint8_t type, size_t nargs, const uint64_t *args);
void tw_v1_event(tw_trace *t, uint8_t type, uint64_t ts, size_t nargs,
                 const uint64_t *args);
void tw_v1_string(tw_trace *t, uint64_t id, const char *s);
void tw_v1_stack(tw_trace *t, uint64_t id, size_t nframes,
                 const uint64_t (*frames)[4]);
/* A UserLog event: its arguments, then the message string. */
void tw_v1_log(tw_trace *t, uint64_t ts, uint64_t task, uint64_t key,
               uint64_t stk, const char *msg);
#define TW_V1(t, type, ts, ...)                                             \
	tw_v1_event((t), (type), (ts),                                       \
	            sizeof((uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t),    \
	            (uint64_t[]){__VA_ARGS__})
#define TW_V1_0(t, type, ts) tw_v1_event((t), (type), (ts), 0, NULL)

/* Writes the trace to path. Returns 0 or -1. */
int tw_write_file(const tw_trace *t, const char *path);

#endif
