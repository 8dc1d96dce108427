/* Open-addressing ID map with linear probing. */
#include <stdlib.h>
#include <string.h>

#include "idmap.h"

void gt_idmap_init(gt_idmap *m)
{
	memset(m, 0, sizeof *m);
}

void gt_idmap_free(gt_idmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof *m);
}

void gt_idmap_clear(gt_idmap *m)
{
	if (m->cap != 0)
		memset(m->slots, 0, m->cap * sizeof *m->slots);
	m->len = 0;
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

static int grow(gt_idmap *m)
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
