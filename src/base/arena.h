/* Internal: a chunked bump allocator, reset once per generation. */
#ifndef GT_ARENA_H
#define GT_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct gt_arena_chunk gt_arena_chunk;

typedef struct gt_arena {
	gt_arena_chunk *head;
	size_t used;          /* bytes used in head */
	size_t total;         /* bytes handed out since the last reset */
} gt_arena;

/* Returns n bytes (unaligned), or NULL if memory ran out. */
void *gt_arena_alloc(gt_arena *a, size_t n);
/* Forgets all allocations, keeping memory for the next round. */
void gt_arena_reset(gt_arena *a);
void gt_arena_free(gt_arena *a);

#endif
