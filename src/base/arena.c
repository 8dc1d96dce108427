/* A chunked bump allocator for the bytes of one generation. */
#include <stdlib.h>

#include "base/arena.h"

struct gt_arena_chunk {
	gt_arena_chunk *next;
	size_t size;
	uint8_t *bytes;
};

#define GT_ARENA_MIN_CHUNK (1u << 20)

void *gt_arena_alloc(gt_arena *a, size_t n)
{
	gt_arena_chunk *c = a->head;
	void *p;

	if (c == NULL || c->size - a->used < n) {
		size_t size = n > GT_ARENA_MIN_CHUNK ? n : GT_ARENA_MIN_CHUNK;

		c = malloc(sizeof *c);
		if (c == NULL)
			return NULL;
		c->bytes = malloc(size);
		if (c->bytes == NULL) {
			free(c);
			return NULL;
		}
		c->size = size;
		c->next = a->head;
		a->head = c;
		a->used = 0;
	}
	p = c->bytes + a->used;
	a->used += n;
	a->total += n;
	return p;
}

void gt_arena_reset(gt_arena *a)
{
	gt_arena_chunk *c = a->head;

	/* Keep one chunk; if the generation needed several, replace them with
	 * one chunk the size of the whole, since the next is likely similar. */
	if (c != NULL && c->next != NULL) {
		size_t want = a->total;

		gt_arena_free(a);
		if (want > 0)
			(void)gt_arena_alloc(a, want);
	}
	a->used = 0;
	a->total = 0;
}

void gt_arena_free(gt_arena *a)
{
	gt_arena_chunk *c = a->head;

	while (c != NULL) {
		gt_arena_chunk *next = c->next;

		free(c->bytes);
		free(c);
		c = next;
	}
	a->head = NULL;
	a->used = 0;
	a->total = 0;
}
