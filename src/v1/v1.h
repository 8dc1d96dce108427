/*
 * Internal: v1 traces (Go 1.11-1.21).
 *
 * The v1 format has no generations: per-P batches of events, a string
 * table and a stack table that may appear anywhere, and per-goroutine
 * sequence numbers that fix the order of events whose timestamps disagree.
 * It cannot be read incrementally, so the parser takes the whole trace,
 * puts its events in order (v1_parser.c), and the converter (v1_convert.c)
 * turns them into the v2 event model the reader delivers, the way Go's
 * parser does.
 */
#ifndef GT_V1_H
#define GT_V1_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "gen/generation.h"
#include "base/idmap.h"
#include "order/order.h"

/* v1 event types. */
enum {
	V1_NONE = 0, V1_BATCH = 1, V1_FREQUENCY = 2, V1_STACK = 3,
	V1_GOMAXPROCS = 4, V1_PROC_START = 5, V1_PROC_STOP = 6,
	V1_GC_START = 7, V1_GC_DONE = 8, V1_STW_START = 9, V1_STW_DONE = 10,
	V1_GC_SWEEP_START = 11, V1_GC_SWEEP_DONE = 12, V1_GO_CREATE = 13,
	V1_GO_START = 14, V1_GO_END = 15, V1_GO_STOP = 16, V1_GO_SCHED = 17,
	V1_GO_PREEMPT = 18, V1_GO_SLEEP = 19, V1_GO_BLOCK = 20,
	V1_GO_UNBLOCK = 21, V1_GO_BLOCK_SEND = 22, V1_GO_BLOCK_RECV = 23,
	V1_GO_BLOCK_SELECT = 24, V1_GO_BLOCK_SYNC = 25, V1_GO_BLOCK_COND = 26,
	V1_GO_BLOCK_NET = 27, V1_GO_SYS_CALL = 28, V1_GO_SYS_EXIT = 29,
	V1_GO_SYS_BLOCK = 30, V1_GO_WAITING = 31, V1_GO_IN_SYSCALL = 32,
	V1_HEAP_ALLOC = 33, V1_HEAP_GOAL = 34, V1_TIMER_GOROUTINE = 35,
	V1_FUTILE_WAKEUP = 36, V1_STRING = 37, V1_GO_START_LOCAL = 38,
	V1_GO_UNBLOCK_LOCAL = 39, V1_GO_SYS_EXIT_LOCAL = 40,
	V1_GO_START_LABEL = 41, V1_GO_BLOCK_GC = 42,
	V1_GC_MARK_ASSIST_START = 43, V1_GC_MARK_ASSIST_DONE = 44,
	V1_USER_TASK_CREATE = 45, V1_USER_TASK_END = 46, V1_USER_REGION = 47,
	V1_USER_LOG = 48, V1_CPU_SAMPLE = 49, V1_COUNT = 50
};

/* Pseudo-Ps that v1 traces and Go's parser use for some events. */
#define V1_FAKE_P 1000000
#define V1_TIMER_P (V1_FAKE_P + 1)
#define V1_NETPOLL_P (V1_FAKE_P + 2)
#define V1_SYSCALL_P (V1_FAKE_P + 3)
#define V1_GC_P (V1_FAKE_P + 4)

typedef struct gt_v1_event {
	int64_t ts;          /* nanoseconds from the first event, once parsed */
	uint64_t g;
	uint64_t args[4];
	uint32_t stk;
	int32_t p;
	uint8_t type;
} gt_v1_event;

typedef struct gt_v1_frame {
	uint64_t pc, fn, file;
	int64_t line;
} gt_v1_frame;

typedef struct gt_v1_trace {
	int version;
	gt_v1_event *events;
	size_t nevents, events_cap;

	/* string ID -> string (into the trace bytes) */
	gt_string *strings;
	size_t nstrings, strings_cap;
	gt_idmap string_index;

	/* strings of UserLog events, deduplicated, in first-seen order (their
	 * IDs are given by the conversion) */
	gt_string *inline_strings;
	size_t ninline, inline_cap;
	gt_idmap inline_index;   /* hash -> first index with that hash */

	/* stack ID -> PCs */
	uint64_t *stack_ids;
	size_t *stack_first, *stack_len;
	size_t nstacks, stacks_cap;
	gt_idmap stack_index;
	uint64_t *pcs;
	size_t npcs, pcs_cap;

	/* PC -> first frame seen */
	gt_v1_frame *frames;
	size_t nframes, frames_cap;
	gt_idmap frame_index;

	int merge_parked;        /* the merge parked waiting Ps */
} gt_v1_trace;

void gt_v1_trace_init(gt_v1_trace *t);
void gt_v1_trace_free(gt_v1_trace *t);

/*
 * Parses a whole v1 trace: data[0..len) is everything after the header,
 * and must stay valid while t is used. ordering is a gotrace_ordering:
 * whether the merge of per-P batches may park Ps that wait on a goroutine
 * (see merge_batches). Errors carry Go's messages.
 */
int gt_v1_parse(gt_v1_trace *t, const uint8_t *data, size_t len,
                int version, int ordering, struct gotrace_error *err);

/* Converts parsed v1 events into v2-model events. */
typedef struct gt_v1_converter {
	gt_v1_trace *trace;
	gt_generation table;     /* strings (with builtins), stacks, frames */
	gt_order *order;         /* for interned task names */
	size_t next;             /* next event of trace->events */
	uint8_t *syscall_blocked;/* per event: a GoSysCall that blocks */
	int pre_init;
	uint64_t *pre_init_gs;   /* goroutines created before GOMAXPROCS */
	size_t npre, pre_cap;
	gt_event *extra;         /* events implied by the last one converted */
	size_t nextra, extra_head, extra_cap;
	gt_idmap proc_m;         /* P -> M (value: index into proc_m_vals) */
	int64_t *proc_m_vals;
	size_t nproc_m, proc_m_cap;
	gt_idmap seen_procs;
	gt_idmap tasks;          /* task ID -> index into task_* */
	uint64_t *task_parent;
	uint32_t *task_name;
	size_t ntasks, tasks_cap;
	uint64_t last_stw_reason;
	uint64_t inline_base;    /* string ID of inline string 0 */
	uint64_t builtin_base;   /* string ID of builtin 0 */
	int64_t last_ts;
} gt_v1_converter;

int gt_v1_converter_init(gt_v1_converter *c, gt_v1_trace *t, gt_order *order,
                         struct gotrace_error *err);
void gt_v1_converter_free(gt_v1_converter *c);

/* Timestamp of the first event (for the opening Sync), or -1 if none. */
int gt_v1_converter_peek_ts(const gt_v1_converter *c, int64_t *ts);

/* Next converted event: 1, 0 at the end, or an error. */
int gt_v1_converter_next(gt_v1_converter *c, gt_event *out,
                         struct gotrace_error *err);

#endif
