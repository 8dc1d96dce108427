/*
 * Internal: the v2 wire event table — each event type's name, arguments
 * and shape, and which types each format version knows.
 */
#ifndef GT_SPEC_H
#define GT_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "gotrace/common.h"
#include "gotrace/reader.h"

#define GT_SPEC_TABLE_SIZE 137 /* types 0..136 */
/* The table's length: any byte indexes it. Entries from
 * GT_SPEC_TABLE_SIZE up are all zero (no name, not timed). */
#define GT_SPEC_SLOTS 256
#define GT_MAX_SPEC_ARGS 5
/* Experiment IDs Go names: 0 (none) and 1 (AllocFree). Batches may carry
 * any ID; the reader delivers a Sync listing one past these, and only its
 * printing fails, as Go's Sync() accessor panics (event_format.c). */
#define GT_NUM_EXPERIMENTS 2

typedef struct gt_spec {
	const char *name;               /* "" for unused type codes */
	uint8_t nargs;
	const char *const *args;        /* argument names */
	uint8_t is_stack;               /* args are followed by nframes*4 varints */
	uint8_t has_data;               /* args are followed by a length + bytes */
	uint8_t timed;                  /* appears in batches, first arg is dt */
	uint8_t experiment;             /* nonzero: experimental event */
	int8_t stack_args[2];           /* arg indexes of stack IDs, -1 if none */
	int8_t string_args[2];          /* arg indexes of string IDs, -1 if none */
} gt_spec;

extern const gt_spec gt_specs[GT_SPEC_SLOTS];

/*
 * Number of type codes a version's wire format defines: types 1..n-1 are
 * decodable (0 never is). 0 for v1 and unknown versions.
 */
size_t gt_spec_count(gotrace_version v);

/* Nonzero if the header's "go 1.N" names a format Go 1.27 reads. */
int gt_version_known(uint32_t v);

/*
 * The status arguments of GoStatus and ProcStatus (Go's GoStatus and
 * ProcStatus on the wire). Goroutine statuses become the public states as
 * soon as they are read: GT_WIRE_GO_BAD, which no goroutine may have, is
 * the public "undetermined" (both 0). The engine keeps P statuses as they
 * are on the wire, since it must tell a P in a syscall, and one whose
 * syscall was abandoned, from a running and an idle one, which the public
 * states do not.
 */
enum { GT_WIRE_GO_BAD, GT_WIRE_GO_RUNNABLE, GT_WIRE_GO_RUNNING,
       GT_WIRE_GO_SYSCALL, GT_WIRE_GO_WAITING, GT_WIRE_GO_STATUSES };
enum { GT_WIRE_PROC_BAD, GT_WIRE_PROC_RUNNING, GT_WIRE_PROC_IDLE,
       GT_WIRE_PROC_SYSCALL, GT_WIRE_PROC_ABANDONED, GT_WIRE_PROC_STATUSES };

/* The public state a goroutine status stands for; a status past the
 * known ones (which the engine refuses first) gives "undetermined". */
static inline uint8_t gt_wire_go_state(uint64_t status)
{
	static const uint8_t state[GT_WIRE_GO_STATUSES] = {
		GOTRACE_GO_UNDETERMINED, GOTRACE_GO_RUNNABLE,
		GOTRACE_GO_RUNNING, GOTRACE_GO_SYSCALL, GOTRACE_GO_WAITING};

	return status < GT_WIRE_GO_STATUSES ? state[status]
	                                    : GOTRACE_GO_UNDETERMINED;
}

/* The public state a P status stands for: a P in a syscall is running
 * it, and an abandoned one is idle, as Go's parser reports them. */
static inline uint8_t gt_wire_proc_state(uint64_t status)
{
	static const uint8_t state[GT_WIRE_PROC_STATUSES] = {
		GOTRACE_PROC_UNDETERMINED, GOTRACE_PROC_RUNNING,
		GOTRACE_PROC_IDLE, GOTRACE_PROC_RUNNING, GOTRACE_PROC_IDLE};

	return status < GT_WIRE_PROC_STATUSES ? state[status]
	                                      : GOTRACE_PROC_UNDETERMINED;
}

#endif
