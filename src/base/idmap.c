/* Open-addressing ID map with linear probing. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/idmap.h"

void gt_idmap_init(gt_idmap *m)
{
	memset(m, 0, sizeof *m);
}

void gt_idmap_free(gt_idmap *m)
{
	free(m->slots);
	free(m->dense);
	memset(m, 0, sizeof *m);
}

void gt_idmap_clear(gt_idmap *m)
{
	if (m->cap != 0)
		memset(m->slots, 0, m->cap * sizeof *m->slots);
	m->len = 0;
	m->ndense = 0;
}

/* The slot holding id, or the empty slot where it would go. */
static size_t slot_for(const gt_idmap *m, uint64_t id)
{
	size_t mask = m->cap - 1;
	size_t i = gt_idmap_home(id, mask);

	while (m->slots[i].val != 0 && m->slots[i].key != id)
		i = (i + 1) & mask;
	return i;
}

/* Out of line: growing is rare, and inlined it would make every put save
 * and restore the registers it needs. */
static GT_COLD int grow(gt_idmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	gt_idmap old = *m;
	size_t i;

	if (ncap > SIZE_MAX / sizeof *m->slots)
		return -1;
	m->slots = calloc(ncap, sizeof *m->slots);
	if (m->slots == NULL) {
		*m = old;
		return -1;
	}
	m->cap = ncap;
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].val != 0)
			m->slots[slot_for(m, old.slots[i].key)] = old.slots[i];
	free(old.slots);
	return 0;
}

int gt_idmap_put(gt_idmap *m, uint64_t id, uint32_t val)
{
	size_t i;

	if ((m->len + 1) * 4 > m->cap * 3 && grow(m) != 0)
		return -1;
	i = slot_for(m, id);
	if (m->slots[i].val == 0)
		m->len++;
	m->slots[i].key = id;
	m->slots[i].val = val + 1;
	if (id < m->ndense)
		m->dense[id] = val + 1;
	return 0;
}

int gt_idmap_del(gt_idmap *m, uint64_t id)
{
	size_t mask, i, j;

	if (m->cap == 0)
		return 0;
	mask = m->cap - 1;
	i = slot_for(m, id);
	if (m->slots[i].val == 0)
		return 0;
	if (id < m->ndense)
		m->dense[id] = 0;
	/* Backward-shift deletion keeps probe sequences unbroken. */
	m->slots[i].val = 0;
	m->len--;
	j = i;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (m->slots[j].val == 0)
			break;
		home = gt_idmap_home(m->slots[j].key, mask);
		/* Move j into the hole at i unless its home lies in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		m->slots[i] = m->slots[j];
		m->slots[j].val = 0;
		i = j;
	}
	return 1;
}

void gt_idmap_densify(gt_idmap *m)
{
	uint64_t max_key = 0;
	size_t i, n;

	m->ndense = 0;
	if (m->len == 0)
		return;
	for (i = 0; i < m->cap; i++)
		if (m->slots[i].val != 0 && m->slots[i].key > max_key)
			max_key = m->slots[i].key;
	if (max_key >= 2 * (uint64_t)m->len + 1024)
		return;
	n = (size_t)max_key + 1;
	if (n > m->dense_cap) {
		uint32_t *d = realloc(m->dense, n * sizeof *d);

		if (d == NULL)
			return;
		m->dense = d;
		m->dense_cap = n;
	}
	memset(m->dense, 0, n * sizeof *m->dense);
	for (i = 0; i < m->cap; i++)
		if (m->slots[i].val != 0)
			m->dense[m->slots[i].key] = m->slots[i].val;
	m->ndense = n;
}
