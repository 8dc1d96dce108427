/*
 * libgotrace — the raw wire layer.
 *
 * A gotrace_wire_reader decodes a trace's bytes into wire events exactly as
 * they are stored: batch headers, string and stack table entries, CPU
 * samples, sync and frequency records and the timed events inside batches,
 * each with its arguments, in file order, with no interpretation, ordering
 * or validation beyond what is needed to find the next event. This is the
 * layer `go tool trace -d=wire` shows, and `gotrace dump --wire` prints it
 * byte for byte the same way.
 *
 * Usage:
 *
 *     gotrace_input *in;
 *     gotrace_wire_reader *wr;
 *     gotrace_wire_event ev;
 *     int rc;
 *
 *     if (gotrace_input_open_path(&in, "trace.out") != GOTRACE_OK) ...;
 *     if (gotrace_wire_reader_new(&wr, in) != GOTRACE_OK) {
 *         fprintf(stderr, "%s\n",
 *                 gotrace_error_message(gotrace_wire_reader_error(wr)));
 *         ...
 *     }
 *     while ((rc = gotrace_wire_reader_next(wr, &ev)) == GOTRACE_OK)
 *         printf("%s at %llu\n", ev.name, (unsigned long long)ev.offset);
 *     if (rc != GOTRACE_EOF) ... gotrace_wire_reader_error(wr) ...
 *     gotrace_wire_reader_free(wr);
 *
 * Lifetimes: everything an event points to (name, argument names, args,
 * frames, data) belongs to the reader and stays valid until the next call
 * to gotrace_wire_reader_next or gotrace_wire_reader_free, whichever comes
 * first. Names are static strings and stay valid forever.
 *
 * Only v2 traces (Go 1.22 and later) have a wire layer this reader decodes.
 * For v1 traces (Go 1.11-1.21) the header is read and the version reported,
 * and gotrace_wire_reader_next fails with GOTRACE_ERR_UNSUPPORTED.
 *
 * Copyright (c) 2026 The libgotrace Authors. BSD-3-Clause.
 */
#ifndef GOTRACE_WIRE_H
#define GOTRACE_WIRE_H

#include <stdio.h>

#include "common.h"
#include "input.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gotrace_wire_reader gotrace_wire_reader;

/* v2 wire event types (the first byte of every wire event). */
enum {
	GOTRACE_WIRE_EVENT_BATCH = 1,
	GOTRACE_WIRE_STACKS = 2,
	GOTRACE_WIRE_STACK = 3,
	GOTRACE_WIRE_STRINGS = 4,
	GOTRACE_WIRE_STRING = 5,
	GOTRACE_WIRE_CPU_SAMPLES = 6,
	GOTRACE_WIRE_CPU_SAMPLE = 7,
	GOTRACE_WIRE_FREQUENCY = 8,
	GOTRACE_WIRE_PROCS_CHANGE = 9,
	GOTRACE_WIRE_PROC_START = 10,
	GOTRACE_WIRE_PROC_STOP = 11,
	GOTRACE_WIRE_PROC_STEAL = 12,
	GOTRACE_WIRE_PROC_STATUS = 13,
	GOTRACE_WIRE_GO_CREATE = 14,
	GOTRACE_WIRE_GO_CREATE_SYSCALL = 15,
	GOTRACE_WIRE_GO_START = 16,
	GOTRACE_WIRE_GO_DESTROY = 17,
	GOTRACE_WIRE_GO_DESTROY_SYSCALL = 18,
	GOTRACE_WIRE_GO_STOP = 19,
	GOTRACE_WIRE_GO_BLOCK = 20,
	GOTRACE_WIRE_GO_UNBLOCK = 21,
	GOTRACE_WIRE_GO_SYSCALL_BEGIN = 22,
	GOTRACE_WIRE_GO_SYSCALL_END = 23,
	GOTRACE_WIRE_GO_SYSCALL_END_BLOCKED = 24,
	GOTRACE_WIRE_GO_STATUS = 25,
	GOTRACE_WIRE_STW_BEGIN = 26,
	GOTRACE_WIRE_STW_END = 27,
	GOTRACE_WIRE_GC_ACTIVE = 28,
	GOTRACE_WIRE_GC_BEGIN = 29,
	GOTRACE_WIRE_GC_END = 30,
	GOTRACE_WIRE_GC_SWEEP_ACTIVE = 31,
	GOTRACE_WIRE_GC_SWEEP_BEGIN = 32,
	GOTRACE_WIRE_GC_SWEEP_END = 33,
	GOTRACE_WIRE_GC_MARK_ASSIST_ACTIVE = 34,
	GOTRACE_WIRE_GC_MARK_ASSIST_BEGIN = 35,
	GOTRACE_WIRE_GC_MARK_ASSIST_END = 36,
	GOTRACE_WIRE_HEAP_ALLOC = 37,
	GOTRACE_WIRE_HEAP_GOAL = 38,
	GOTRACE_WIRE_GO_LABEL = 39,
	GOTRACE_WIRE_USER_TASK_BEGIN = 40,
	GOTRACE_WIRE_USER_TASK_END = 41,
	GOTRACE_WIRE_USER_REGION_BEGIN = 42,
	GOTRACE_WIRE_USER_REGION_END = 43,
	GOTRACE_WIRE_USER_LOG = 44,
	GOTRACE_WIRE_GO_SWITCH = 45,           /* Go 1.23+ */
	GOTRACE_WIRE_GO_SWITCH_DESTROY = 46,   /* Go 1.23+ */
	GOTRACE_WIRE_GO_CREATE_BLOCKED = 47,   /* Go 1.23+ */
	GOTRACE_WIRE_GO_STATUS_STACK = 48,     /* Go 1.23+ */
	GOTRACE_WIRE_EXPERIMENTAL_BATCH = 49,  /* Go 1.23+ */
	GOTRACE_WIRE_SYNC = 50,                /* Go 1.25+ */
	GOTRACE_WIRE_CLOCK_SNAPSHOT = 51,      /* Go 1.25+ */
	GOTRACE_WIRE_END_OF_GENERATION = 52,   /* Go 1.26+ */
	/* Experimental events (inside experimental batches), Go 1.23+. */
	GOTRACE_WIRE_SPAN = 128,
	GOTRACE_WIRE_SPAN_ALLOC = 129,
	GOTRACE_WIRE_SPAN_FREE = 130,
	GOTRACE_WIRE_HEAP_OBJECT = 131,
	GOTRACE_WIRE_HEAP_OBJECT_ALLOC = 132,
	GOTRACE_WIRE_HEAP_OBJECT_FREE = 133,
	GOTRACE_WIRE_GOROUTINE_STACK = 134,
	GOTRACE_WIRE_GOROUTINE_STACK_ALLOC = 135,
	GOTRACE_WIRE_GOROUTINE_STACK_FREE = 136
};

/* One stack frame of a Stack table entry, as stored (IDs unresolved). */
typedef struct gotrace_wire_frame {
	uint64_t pc;
	uint64_t func; /* string ID of the function name */
	uint64_t file; /* string ID of the file name */
	uint64_t line;
} gotrace_wire_frame;

/* One wire event. See the lifetime rules above. */
typedef struct gotrace_wire_event {
	uint8_t type;      /* the event type byte, GOTRACE_WIRE_* */
	const char *name;  /* "EventBatch", "GoStart", ...; "" if unnamed */
	uint64_t offset;   /* input offset of the type byte */
	size_t size;       /* encoded size in bytes, type byte included */
	size_t nargs;      /* number of arguments */
	const uint64_t *args;            /* the arguments, as decoded */
	const char *const *arg_names;    /* their names ("dt", "g", ...) */
	size_t nframes;                  /* Stack events: frames that follow */
	const gotrace_wire_frame *frames;
	int has_data;      /* nonzero if the event carries a byte payload */
	const uint8_t *data;             /* the payload (String, batch data) */
	size_t data_len;
} gotrace_wire_event;

/*
 * gotrace_wire_reader_new reads the trace header from in and creates a
 * reader positioned at the first event. It takes ownership of in, even on
 * failure once *out is set: if the header is bad the reader is still
 * returned in *out (so its error can be read) and must be freed. *out is
 * NULL only for GOTRACE_ERR_NOMEM or GOTRACE_ERR_ARG, in which case the
 * input is left to the caller.
 */
GOTRACE_API int gotrace_wire_reader_new(gotrace_wire_reader **out,
                                        gotrace_input *in);

/* The trace's format version, or GOTRACE_VERSION_UNKNOWN. */
GOTRACE_API gotrace_version
gotrace_wire_reader_version(const gotrace_wire_reader *r);

/*
 * gotrace_wire_reader_next decodes the next event into *ev.
 * Returns GOTRACE_OK, GOTRACE_EOF at the end of the input, or an error.
 * After GOTRACE_EOF or an error every further call returns the same.
 *
 * Go's raw reader stops silently, as at a clean end, when the input ends
 * exactly between two varints of an event; this reader does the same and
 * reports it with gotrace_wire_reader_truncated().
 */
GOTRACE_API int gotrace_wire_reader_next(gotrace_wire_reader *r,
                                         gotrace_wire_event *ev);

/*
 * Nonzero if the reader stopped with GOTRACE_EOF in the middle of an event
 * (Go's raw reader treats that as a clean end). The incomplete event starts
 * at gotrace_wire_reader_offset().
 */
GOTRACE_API int gotrace_wire_reader_truncated(const gotrace_wire_reader *r);

/* Input offset of the next byte the reader will decode. */
GOTRACE_API uint64_t gotrace_wire_reader_offset(const gotrace_wire_reader *r);

/* The reader's last error. Valid until the reader is freed. */
GOTRACE_API const gotrace_error *
gotrace_wire_reader_error(const gotrace_wire_reader *r);

/* Frees the reader and its input. NULL is allowed. */
GOTRACE_API void gotrace_wire_reader_free(gotrace_wire_reader *r);

/*
 * gotrace_wire_event_write prints ev the way `go tool trace -d=wire` does:
 * the name, then " name=value" for each argument, then one line per stack
 * frame, then the quoted payload, followed by a newline.
 * Returns 0, or -1 if writing to f failed.
 */
GOTRACE_API int gotrace_wire_event_write(const gotrace_wire_event *ev,
                                         FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* GOTRACE_WIRE_H */
