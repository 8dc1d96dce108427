/*
 * Internal: a map from goroutine IDs to 32-bit indexes, for the tables
 * that add and remove a goroutine for every one a trace creates and ends
 * (the ordering engine's, the state machine's).
 *
 * The runtime hands goroutine IDs out in increasing runs, and the live
 * ones crowd into a few recent stretches of the ID space; so IDs are kept
 * in pages of GT_GIDMAP_PAGE consecutive IDs, each page a direct array,
 * held while any of its IDs is present. A lookup, an insert and a delete
 * are an index into a page — no hashing, no probing. IDs too large for
 * the page directory (GT_GIDMAP_LIMIT and up, and "negative" ones) go to
 * a hash map, so any ID works; a page outlives its goroutines only while
 * one of them lives, so memory follows the live goroutines, not the
 * trace's length.
 */
#ifndef GT_GIDMAP_H
#define GT_GIDMAP_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/idmap.h"

#define GT_GIDMAP_SHIFT 8
#define GT_GIDMAP_PAGE (1u << GT_GIDMAP_SHIFT)
#define GT_GIDMAP_LIMIT ((uint64_t)1 << 28) /* IDs below it are paged */

typedef struct gt_gidmap_page {
	uint32_t n;                        /* IDs present */
	uint32_t val[GT_GIDMAP_PAGE];      /* value + 1; 0 if absent */
} gt_gidmap_page;

typedef struct gt_gidmap {
	gt_gidmap_page **pages;  /* directory: page of IDs [i<<SHIFT, ...) */
	size_t npages;           /* directory length (pages NULL if unused) */
	gt_gidmap_page *spare;   /* the last page emptied, for reuse */
	gt_idmap far;            /* IDs from GT_GIDMAP_LIMIT on */
	size_t len;
} gt_gidmap;

void gt_gidmap_init(gt_gidmap *m);
void gt_gidmap_free(gt_gidmap *m);

/* Looks id up. Returns 1 and stores the value, or 0 if absent. */
static inline int gt_gidmap_get(const gt_gidmap *m, uint64_t id,
                                uint32_t *val)
{
	uint64_t pi = id >> GT_GIDMAP_SHIFT;

	if (pi < m->npages) {
		const gt_gidmap_page *pg = m->pages[pi];
		uint32_t v;

		if (pg == NULL || (v = pg->val[id & (GT_GIDMAP_PAGE - 1)]) == 0)
			return 0;
		*val = v - 1;
		return 1;
	}
	if (id < GT_GIDMAP_LIMIT)
		return 0;
	return gt_idmap_get(&m->far, id, val);
}

/* For an insert that follows a lookup: the page that holds id, or NULL
 * (none yet, or id is not paged: use get and put). */
static inline gt_gidmap_page *gt_gidmap_page_of(const gt_gidmap *m,
                                                uint64_t id)
{
	uint64_t pi = id >> GT_GIDMAP_SHIFT;

	return pi < m->npages ? m->pages[pi] : NULL;
}

/* Whether id, which page pg holds, is present. */
static inline int gt_gidmap_page_has(const gt_gidmap_page *pg, uint64_t id)
{
	return pg->val[id & (GT_GIDMAP_PAGE - 1)] != 0;
}

/* Adds id -> val, id absent from page pg, which holds it. */
static inline void gt_gidmap_fill(gt_gidmap *m, gt_gidmap_page *pg,
                                  uint64_t id, uint32_t val)
{
	pg->val[id & (GT_GIDMAP_PAGE - 1)] = val + 1;
	pg->n++;
	m->len++;
}

/* gt_gidmap_put and _del past an existing page (gidmap.c). */
int gt_gidmap_put_slow(gt_gidmap *m, uint64_t id, uint32_t val);
int gt_gidmap_del_slow(gt_gidmap *m, uint64_t id);
void gt_gidmap_release(gt_gidmap *m, size_t pi);

/*
 * Inserts or replaces id -> val. Returns 0, or -1 if memory ran out
 * (the map is unchanged then).
 */
static inline int gt_gidmap_put(gt_gidmap *m, uint64_t id, uint32_t val)
{
	uint64_t pi = id >> GT_GIDMAP_SHIFT;
	gt_gidmap_page *pg;
	uint32_t *v;

	if (pi >= m->npages || (pg = m->pages[pi]) == NULL)
		return gt_gidmap_put_slow(m, id, val);
	v = &pg->val[id & (GT_GIDMAP_PAGE - 1)];
	if (*v == 0) {
		pg->n++;
		m->len++;
	}
	*v = val + 1;
	return 0;
}

/* Removes id if present. Returns 1 if it was there. */
static GT_ALWAYS_INLINE int gt_gidmap_del(gt_gidmap *m, uint64_t id)
{
	uint64_t pi = id >> GT_GIDMAP_SHIFT;
	gt_gidmap_page *pg;
	uint32_t *v;

	if (pi >= m->npages)
		return gt_gidmap_del_slow(m, id);
	if ((pg = m->pages[pi]) == NULL)
		return 0;
	v = &pg->val[id & (GT_GIDMAP_PAGE - 1)];
	if (*v == 0)
		return 0;
	*v = 0;
	m->len--;
	if (--pg->n == 0)
		gt_gidmap_release(m, (size_t)pi);
	return 1;
}

#endif
