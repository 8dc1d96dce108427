/*
 * Internal: the v2 wire event table — each event type's name, arguments
 * and shape, and which types each format version knows.
 */
#ifndef GT_SPEC_H
#define GT_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "gotrace/common.h"

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

#endif
