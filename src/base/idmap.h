/*
 * Internal: an open-addressing hash map from 64-bit IDs to 32-bit indexes.
 * Trace IDs (strings, stacks, PCs, goroutines) are arbitrary uint64s
 * chosen by the runtime; values index into the owner's dense arrays.
 */
#ifndef GT_IDMAP_H
#define GT_IDMAP_H

#include <stddef.h>
#include <stdint.h>

/* A slot: key and value side by side, so a probe touches one line. */
typedef struct gt_idmap_slot {
	uint64_t key;
	uint32_t val;     /* value + 1; 0 marks an empty slot */
} gt_idmap_slot;

typedef struct gt_idmap {
	gt_idmap_slot *slots;
	size_t cap;       /* power of two, or 0 */
	size_t len;
	/* Optional (gt_idmap_densify): for keys below ndense, dense[key] is
	 * the value + 1, 0 if absent; kept in step by put and del. */
	uint32_t *dense;
	size_t ndense, dense_cap;
} gt_idmap;

void gt_idmap_init(gt_idmap *m);
void gt_idmap_free(gt_idmap *m);

/* Removes all entries, keeping the memory. */
void gt_idmap_clear(gt_idmap *m);

/* The home slot of id. Fibonacci hashing spreads sequential IDs across
 * the table. */
static inline size_t gt_idmap_home(uint64_t id, size_t mask)
{
	return (size_t)((id * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

/* Looks id up. Returns 1 and stores the value, or 0 if absent. */
static inline int gt_idmap_get(const gt_idmap *m, uint64_t id, uint32_t *val)
{
	size_t mask, i;

	if (id < m->ndense) {
		uint32_t v = m->dense[id];

		if (v == 0)
			return 0;
		*val = v - 1;
		return 1;
	}
	if (m->cap == 0)
		return 0;
	mask = m->cap - 1;
	for (i = gt_idmap_home(id, mask);; i = (i + 1) & mask) {
		const gt_idmap_slot *s = &m->slots[i];

		if (s->val == 0)
			return 0;
		if (s->key == id) {
			*val = s->val - 1;
			return 1;
		}
	}
}

/*
 * Inserts or replaces id -> val. Returns 0, or -1 if memory ran out
 * (the map is unchanged then).
 */
int gt_idmap_put(gt_idmap *m, uint64_t id, uint32_t val);

/* Removes id if present. Returns 1 if it was there. */
int gt_idmap_del(gt_idmap *m, uint64_t id);

/*
 * Adds the direct array for small keys when the keys are dense enough —
 * the largest below twice the number of entries plus 1024, as the runtime
 * numbers strings and stacks — so that their lookups skip the hash. For
 * maps filled once and then read many times. Without memory for it, or
 * with sparse keys, the map just stays a hash map.
 */
void gt_idmap_densify(gt_idmap *m);

/* FNV-1a: keys for string-valued maps (collisions are probed by callers). */
static inline uint64_t gt_hash_bytes(const uint8_t *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

#endif
