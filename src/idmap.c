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
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

void gt_idmap_clear(gt_idmap *m)
{
	if (m->cap != 0)
		memset(m->vals, 0, m->cap * sizeof *m->vals);
	m->len = 0;
}

static size_t slot_for(const gt_idmap *m, uint64_t id)
{
	size_t mask = m->cap - 1;
	size_t i = (size_t)((id * 0x9E3779B97F4A7C15ull) >> 32) & mask;

	while (m->vals[i] != 0 && m->keys[i] != id)
		i = (i + 1) & mask;
	return i;
}

static int grow(gt_idmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	gt_idmap old = *m;
	size_t i;

	m->keys = malloc(ncap * sizeof *m->keys);
	m->vals = calloc(ncap, sizeof *m->vals);
	if (m->keys == NULL || m->vals == NULL) {
		free(m->keys);
		free(m->vals);
		*m = old;
		return -1;
	}
	m->cap = ncap;
	for (i = 0; i < old.cap; i++) {
		if (old.vals[i] != 0) {
			size_t j = slot_for(m, old.keys[i]);

			m->keys[j] = old.keys[i];
			m->vals[j] = old.vals[i];
		}
	}
	free(old.keys);
	free(old.vals);
	return 0;
}

int gt_idmap_put(gt_idmap *m, uint64_t id, uint32_t val)
{
	size_t i;

	if ((m->len + 1) * 4 > m->cap * 3 && grow(m) != 0)
		return -1;
	i = slot_for(m, id);
	if (m->vals[i] == 0)
		m->len++;
	m->keys[i] = id;
	m->vals[i] = val + 1;
	return 0;
}

int gt_idmap_del(gt_idmap *m, uint64_t id)
{
	size_t mask, i, j;

	if (m->cap == 0)
		return 0;
	mask = m->cap - 1;
	i = slot_for(m, id);
	if (m->vals[i] == 0)
		return 0;
	/* Backward-shift deletion keeps probe sequences unbroken. */
	m->vals[i] = 0;
	m->len--;
	j = i;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (m->vals[j] == 0)
			break;
		home = (size_t)((m->keys[j] * 0x9E3779B97F4A7C15ull) >> 32) & mask;
		/* Move j into the hole at i unless its home lies in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		m->keys[i] = m->keys[j];
		m->vals[i] = m->vals[j];
		m->vals[j] = 0;
		i = j;
	}
	return 1;
}
