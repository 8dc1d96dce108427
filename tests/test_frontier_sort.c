/*
 * gt_frontier_sort against Go's slices.SortFunc: testdata/sortref holds
 * arrays of (time, id) entries of many shapes and sizes, and the order Go
 * 1.27 leaves the ids in (written by testdata/sortref with Go, see
 * testdata/regen.sh). Equal times are common, so the ids' order checks
 * every choice the sort makes, not only that times come out sorted.
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

#include "base/frontier_sort.h"
#include "testutil.h"

static void test_matches_go(void **state)
{
	size_t len, cases = 0, largest = 0;
	char *text = tu_read_xz(TESTDATA_DIR "/sortref/cases.txt.xz", &len);
	char *line, *save = NULL;

	(void)state;
	assert_non_null(text);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = line, *end;
		size_t n = (size_t)strtoul(p, &end, 10), i;
		struct gt_front *f;

		assert_true(end != p && n > 0);
		f = calloc(n, sizeof *f);
		assert_non_null(f);
		for (i = 0; i < n; i++) {
			p = end;
			f[i].time = strtoll(p, &end, 10);
			assert_true(end != p);
			f[i].c = (uint32_t)i;
		}
		while (*end == ' ')
			end++;
		assert_int_equal(*end, ':');
		end++;
		gt_frontier_sort(f, n);
		for (i = 0; i < n; i++) {
			unsigned long want;

			p = end;
			want = strtoul(p, &end, 10);
			assert_true(end != p);
			if (f[i].c != want)
				fail_msg("case %zu (n=%zu): position %zu holds id %"
				         PRIu32 ", Go's sort puts %lu there",
				         cases, n, i, f[i].c, want);
		}
		free(f);
		cases++;
		if (n > largest)
			largest = n;
	}
	/* The reference is all there: every shape, sizes past 2000. */
	assert_true(cases >= 200);
	assert_true(largest > 2000);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_go),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
