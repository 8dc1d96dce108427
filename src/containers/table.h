/*
 * Small containers for the modules built on the public API (the analyses
 * and the exports), which cannot share the reader's internal ones: a hash
 * map from a pair of int64 keys to a uint32 value, and a string interner.
 * Internal to src/.
 */
#ifndef GT_CONTAINERS_TABLE_H
#define GT_CONTAINERS_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include <gotrace/reader.h>

/*
 * Grows *p (an array of *cap elements of elem bytes) to hold at least need
 * elements, doubling. Returns 0, or -1 (array unchanged) when out of
 * memory or the size would overflow.
 */
int gt_grow(void **p, size_t *cap, size_t need, size_t elem);

/* Open addressing with linear probing; deletion shifts entries back, so
 * there are no tombstones. Zero-initialize. */
typedef struct gt_map_slot {
	int64_t a, b;
	uint32_t value;
	uint32_t used;
} gt_map_slot;

typedef struct gt_map {
	gt_map_slot *slots;
	size_t cap;   /* a power of two, or 0 */
	size_t len;
} gt_map;

/* Looks (a, b) up: 1 and *value if present, 0 if not. */
int gt_map_get(const gt_map *m, int64_t a, int64_t b, uint32_t *value);
/* Inserts or replaces. Returns 0, or -1 when out of memory. */
int gt_map_put(gt_map *m, int64_t a, int64_t b, uint32_t value);
/* Removes (a, b) if present. */
void gt_map_del(gt_map *m, int64_t a, int64_t b);
void gt_map_free(gt_map *m);

/* Interned byte strings, numbered from 0 in order of first appearance. */
typedef struct gt_strtab {
	char *bytes;          /* all strings, back to back, each NUL-terminated */
	size_t used, cap;
	size_t *offsets;      /* offsets[id] into bytes */
	size_t *lens;
	uint32_t count, ids_cap;
	gt_map index;         /* (hash, length) -> first id; chained below */
	uint32_t *next;       /* next id with the same (hash, length) */
} gt_strtab;

/* The id of s (adding it if new). Returns 0, or -1 when out of memory. */
int gt_strtab_intern(gt_strtab *t, const char *data, size_t len, uint32_t *id);
/* The string with that id; valid until the next intern. */
gotrace_string gt_strtab_get(const gt_strtab *t, uint32_t id);
void gt_strtab_free(gt_strtab *t);

#endif
