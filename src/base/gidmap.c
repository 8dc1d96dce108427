/* The goroutine ID map's rarer steps: pages made and given back, the
 * directory grown, IDs too large for it. */
#include <stdlib.h>
#include <string.h>

#include "base/gidmap.h"
#include "base/grow.h"

void gt_gidmap_init(gt_gidmap *m)
{
	memset(m, 0, sizeof *m);
	gt_idmap_init(&m->far);
}

void gt_gidmap_free(gt_gidmap *m)
{
	size_t i;

	for (i = 0; i < m->npages; i++)
		free(m->pages[i]);
	free(m->pages);
	free(m->spare);
	gt_idmap_free(&m->far);
	memset(m, 0, sizeof *m);
}

int gt_gidmap_put_slow(gt_gidmap *m, uint64_t id, uint32_t val)
{
	size_t pi = (size_t)(id >> GT_GIDMAP_SHIFT);
	gt_gidmap_page *pg;

	if (id >= GT_GIDMAP_LIMIT) {
		size_t before = m->far.len;

		if (gt_idmap_put(&m->far, id, val) != 0)
			return -1;
		m->len += m->far.len - before;
		return 0;
	}
	if (pi >= m->npages) {
		size_t cap = m->npages, n = pi + 1;

		/* Doubling, so that a directory growing with the IDs is
		 * copied O(log) times. */
		if (n < 2 * cap)
			n = 2 * cap;
		if (n > (size_t)(GT_GIDMAP_LIMIT >> GT_GIDMAP_SHIFT))
			n = (size_t)(GT_GIDMAP_LIMIT >> GT_GIDMAP_SHIFT);
		if (gt_grow((void **)&m->pages, &cap, n, sizeof *m->pages) != 0)
			return -1;
		memset(m->pages + m->npages, 0,
		       (n - m->npages) * sizeof *m->pages);
		m->npages = n;
	}
	if (m->pages[pi] == NULL) {
		if (m->spare != NULL) {
			pg = m->spare;
			m->spare = NULL;
		} else if ((pg = malloc(sizeof *pg)) == NULL) {
			return -1;
		}
		memset(pg, 0, sizeof *pg);
		m->pages[pi] = pg;
	}
	return gt_gidmap_put(m, id, val);
}

int gt_gidmap_del_slow(gt_gidmap *m, uint64_t id)
{
	if (id < GT_GIDMAP_LIMIT || !gt_idmap_del(&m->far, id))
		return 0;
	m->len--;
	return 1;
}

void gt_gidmap_release(gt_gidmap *m, size_t pi)
{
	/* One page is kept back: IDs move on page by page, and the next
	 * page is usually wanted soon. */
	free(m->spare);
	m->spare = m->pages[pi];
	m->pages[pi] = NULL;
}
