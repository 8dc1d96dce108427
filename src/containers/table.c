/*
 * The analyses' growing arrays, hash map and string interner (see table.h).
 */
#include <stdlib.h>
#include <string.h>

#include "table.h"

int gt_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			return -1;
		ncap *= 2;
	}
	np = realloc(*p, ncap * elem);
	if (np == NULL)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

/*
 * Keys are mostly goroutine and task IDs, which runtimes hand out nearly in
 * sequence: a hash that keeps consecutive IDs in consecutive slots makes the
 * lookups of a busy trace touch few cache lines. The high bits are folded
 * in so that IDs differing only there still spread out.
 */
static uint64_t mix(int64_t a, int64_t b)
{
	uint64_t h = (uint64_t)a + (uint64_t)b * 0x9e3779b97f4a7c15u;

	return h ^ (h >> 29) ^ (h >> 47);
}

static size_t find_slot(const gt_map *m, int64_t a, int64_t b)
{
	size_t mask = m->cap - 1, i = (size_t)mix(a, b) & mask;

	while (m->slots[i].used && (m->slots[i].a != a || m->slots[i].b != b))
		i = (i + 1) & mask;
	return i;
}

int gt_map_get(const gt_map *m, int64_t a, int64_t b, uint32_t *value)
{
	size_t i;

	if (m->cap == 0)
		return 0;
	i = find_slot(m, a, b);
	if (!m->slots[i].used)
		return 0;
	*value = m->slots[i].value;
	return 1;
}

static int grow(gt_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16, i;
	gt_map old = *m;

	m->slots = calloc(cap, sizeof *m->slots);
	if (m->slots == NULL) {
		m->slots = old.slots;
		return -1;
	}
	m->cap = cap;
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].used)
			m->slots[find_slot(m, old.slots[i].a, old.slots[i].b)] = old.slots[i];
	free(old.slots);
	return 0;
}

int gt_map_put(gt_map *m, int64_t a, int64_t b, uint32_t value)
{
	size_t i;

	/* At most half full keeps probe runs short. */
	if ((m->len + 1) * 2 > m->cap && grow(m) != 0)
		return -1;
	i = find_slot(m, a, b);
	if (!m->slots[i].used) {
		m->slots[i].a = a;
		m->slots[i].b = b;
		m->slots[i].used = 1;
		m->len++;
	}
	m->slots[i].value = value;
	return 0;
}

void gt_map_del(gt_map *m, int64_t a, int64_t b)
{
	size_t mask, i, j;

	if (m->cap == 0)
		return;
	mask = m->cap - 1;
	i = find_slot(m, a, b);
	if (!m->slots[i].used)
		return;
	m->slots[i].used = 0;
	m->len--;
	/* Move later entries of the run back into the hole when their home
	 * slot is at or before it, so lookups never stop early. */
	for (j = (i + 1) & mask; m->slots[j].used; j = (j + 1) & mask) {
		size_t home = (size_t)mix(m->slots[j].a, m->slots[j].b) & mask;

		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->slots[i] = m->slots[j];
			m->slots[j].used = 0;
			i = j;
		}
	}
}

void gt_map_free(gt_map *m)
{
	free(m->slots);
	*m = (gt_map){0};
}

static int64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3u;
	}
	return (int64_t)h;
}

int gt_strtab_intern(gt_strtab *t, const char *data, size_t len, uint32_t *id)
{
	int64_t h = hash_bytes(data, len);
	uint32_t cur;

	if (gt_map_get(&t->index, h, (int64_t)len, &cur)) {
		for (; cur != UINT32_MAX; cur = t->next[cur])
			if (len == 0 || memcmp(t->bytes + t->offsets[cur], data, len) == 0) {
				*id = cur;
				return 0;
			}
	}
	if (t->count == UINT32_MAX - 1)
		return -1;
	if (t->count == t->ids_cap) {
		uint32_t cap = t->ids_cap ? t->ids_cap * 2 : 32;
		size_t *offsets = realloc(t->offsets, cap * sizeof *offsets);
		size_t *lens;
		uint32_t *next;

		if (offsets == NULL)
			return -1;
		t->offsets = offsets;
		lens = realloc(t->lens, cap * sizeof *lens);
		if (lens == NULL)
			return -1;
		t->lens = lens;
		next = realloc(t->next, cap * sizeof *next);
		if (next == NULL)
			return -1;
		t->next = next;
		t->ids_cap = cap;
	}
	if (t->used + len + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		char *bytes;

		while (cap < t->used + len + 1)
			cap *= 2;
		bytes = realloc(t->bytes, cap);
		if (bytes == NULL)
			return -1;
		t->bytes = bytes;
		t->cap = cap;
	}
	if (len > 0)
		memcpy(t->bytes + t->used, data, len);
	t->bytes[t->used + len] = '\0';
	t->offsets[t->count] = t->used;
	t->lens[t->count] = len;
	t->used += len + 1;
	/* A new string goes at the head of its (hash, length) chain. */
	{
		uint32_t head;

		t->next[t->count] =
			gt_map_get(&t->index, h, (int64_t)len, &head) ? head : UINT32_MAX;
	}
	if (gt_map_put(&t->index, h, (int64_t)len, t->count) != 0)
		return -1;
	*id = t->count++;
	return 0;
}

gotrace_string gt_strtab_get(const gt_strtab *t, uint32_t id)
{
	gotrace_string s = { t->bytes + t->offsets[id], t->lens[id] };

	return s;
}

void gt_strtab_free(gt_strtab *t)
{
	free(t->bytes);
	free(t->offsets);
	free(t->lens);
	free(t->next);
	gt_map_free(&t->index);
	*t = (gt_strtab){0};
}
