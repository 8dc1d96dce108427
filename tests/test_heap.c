/*
 * base/heap.h against Go's container/heap: testdata/heapref holds
 * sequences of pushes, pops and changed times on heaps of (time, id)
 * entries with many equal times, as Go 1.27 ran them, with the id each
 * pop returned and the array's order at the end (written by
 * testdata/heapref with Go, see testdata/regen.sh). Each sequence is
 * replayed twice: once moving entries down with the bounded walk, once
 * with the sentinel walk the frontier uses.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/heap.h"
#include "testutil.h"

typedef struct entry {
	int64_t time;
	uint32_t id;
} entry;

GT_HEAP_DEFINE(eheap, entry, time)

/* Room for this many entries, and sentinels past them for any node's
 * children. */
#define MAX_ENTRIES 8192

typedef struct replay {
	entry *h;
	size_t n;
	uint32_t next_id;
	int sentinel;
	size_t sequences, pops, fixes, largest;
} replay;

static void reset(replay *r)
{
	size_t i;

	for (i = 0; i < 2 * MAX_ENTRIES + 2; i++) {
		r->h[i].time = INT64_MAX;
		r->h[i].id = UINT32_MAX;
	}
	r->n = 0;
	r->next_id = 0;
}

/* After a pop or a change, the slots past the heap hold sentinels again,
 * as the frontier keeps them. */
static void unsentinel_tail(replay *r)
{
	r->h[r->n].time = INT64_MAX;
	r->h[r->n].id = UINT32_MAX;
}

static void down(replay *r, size_t i)
{
	if (r->sentinel)
		eheap_down_sentinel(r->h, i);
	else
		eheap_down(r->h, i, r->n);
}

static void step(replay *r, const char *line, size_t lineno)
{
	char *end;

	switch (line[0]) {
	case 'P': {
		entry x;

		x.time = strtoll(line + 2, &end, 10);
		x.id = r->next_id++;
		assert_true(r->n < MAX_ENTRIES);
		eheap_push(r->h, &r->n, x);
		if (r->n > r->largest)
			r->largest = r->n;
		break;
	}
	case 'O': {
		unsigned long want = strtoul(line + 2, &end, 10);
		entry got;

		assert_true(r->n > 0);
		if (r->sentinel) {
			/* As the frontier pops: the last to the root, down. */
			got = r->h[0];
			r->h[0] = r->h[--r->n];
			unsentinel_tail(r);
			down(r, 0);
		} else {
			got = eheap_pop(r->h, &r->n);
			unsentinel_tail(r);
		}
		if (got.id != want)
			fail_msg("line %zu: pop gave id %" PRIu32 ", Go's gave %lu",
			         lineno, got.id, want);
		r->pops++;
		break;
	}
	case 'F': {
		size_t i = (size_t)strtoul(line + 2, &end, 10);
		int64_t t = strtoll(end, &end, 10), old;

		assert_true(i < r->n);
		old = r->h[i].time;
		r->h[i].time = t;
		/* heap.Fix: an earlier time can only go up, a later one
		 * only down. */
		if (t < old)
			(void)eheap_up(r->h, i);
		else
			down(r, i);
		r->fixes++;
		break;
	}
	case '=': {
		const char *p = line + 1;
		size_t i;

		for (i = 0; i < r->n; i++) {
			unsigned long want = strtoul(p, &end, 10);

			assert_true(end != p);
			p = end;
			if (r->h[i].id != want)
				fail_msg("line %zu: index %zu holds id %" PRIu32
				         ", Go's heap has %lu", lineno, i,
				         r->h[i].id, want);
		}
		while (*p == ' ')
			p++;
		assert_int_equal(*p, '\0');
		r->sequences++;
		reset(r);
		break;
	}
	default:
		fail_msg("line %zu: unknown operation '%c'", lineno, line[0]);
	}
}

static void replay_all(int sentinel)
{
	size_t len, lineno = 0;
	char *text = tu_read_xz(TESTDATA_DIR "/heapref/ops.txt.xz", &len);
	char *line, *save = NULL;
	replay r;

	assert_non_null(text);
	memset(&r, 0, sizeof r);
	r.sentinel = sentinel;
	r.h = calloc(2 * MAX_ENTRIES + 2, sizeof *r.h);
	assert_non_null(r.h);
	reset(&r);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		step(&r, line, ++lineno);
	/* The reference is all there. */
	assert_true(r.sequences >= 100);
	assert_true(r.pops > 5000 && r.fixes > 5000);
	assert_true(r.largest >= 1000);
	free(r.h);
	free(text);
}

static void test_bounded_matches_go(void **state)
{
	(void)state;
	replay_all(0);
}

static void test_sentinel_matches_go(void **state)
{
	(void)state;
	replay_all(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounded_matches_go),
		cmocka_unit_test(test_sentinel_matches_go),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
