/*
 * The goroutine/task/region summary's API: its contract (feeding after
 * finish, NULLs, empty input, lifetimes) and the promise that the live
 * figures read before finish are the final ones as of that event. The
 * figures themselves are checked against Go's Summarizer by
 * compare_analysis.py; nothing here restates them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gotrace/gotrace.h>

#include "testutil.h"

static gotrace_reader *open_trace(const char *path)
{
	gotrace_input *in;
	gotrace_reader *r = NULL;

	assert_int_equal(gotrace_input_open_path(&in, path), GOTRACE_OK);
	gotrace_reader_new(&r, in);
	assert_non_null(r);
	return r;
}

static void test_contract(void **state)
{
	gotrace_summary *s;
	gotrace_event ev;
	gotrace_goroutine_summary g;
	gotrace_task_summary t;
	gotrace_goroutine_group gr;

	(void)state;
	gotrace_summary_free(NULL);
	assert_int_equal(gotrace_summary_feed(NULL, &ev), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_summary_finish(NULL), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_summary_goroutine_count(NULL), 0);

	/* Nothing fed: an empty, valid summary. */
	assert_int_equal(gotrace_summary_new(&s), GOTRACE_OK);
	assert_int_equal(gotrace_summary_feed(s, NULL), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_summary_finish(s), GOTRACE_OK);
	assert_int_equal(gotrace_summary_finish(s), GOTRACE_OK);
	assert_int_equal(gotrace_summary_goroutine_count(s), 0);
	assert_int_equal(gotrace_summary_task_count(s), 0);
	assert_int_equal(gotrace_summary_task_type_count(s), 0);
	assert_int_equal(gotrace_summary_region_type_count(s), 0);
	assert_int_equal(gotrace_summary_group_count(s), 0);
	assert_int_equal(gotrace_summary_goroutine_at(s, 0, &g), -1);
	assert_int_equal(gotrace_summary_goroutine(s, 1, &g), 0);
	assert_int_equal(gotrace_summary_task_at(s, 0, &t), -1);
	assert_int_equal(gotrace_summary_group_at(s, 0, &gr), -1);

	/* Feeding after finish is refused. */
	memset(&ev, 0, sizeof ev);
	ev.kind = GOTRACE_EVENT_SYNC;
	assert_int_equal(gotrace_summary_feed(s, &ev), GOTRACE_ERR_ARG);
	gotrace_summary_free(s);
}

/* A copy of a goroutine record, its arrays included. */
typedef struct gcopy {
	gotrace_goroutine_summary g;
	char names[8][64];
	int64_t ns[8];
	size_t nblock;
} gcopy;

static void copy_g(gcopy *c, const gotrace_goroutine_summary *g)
{
	size_t k;

	c->g = *g;
	c->nblock = g->nblock < 8 ? g->nblock : 8;
	for (k = 0; k < c->nblock; k++) {
		size_t n = g->block[k].name.len < 63 ? g->block[k].name.len : 63;

		memcpy(c->names[k], g->block[k].name.data, n);
		c->names[k][n] = '\0';
		c->ns[k] = g->block[k].ns;
	}
}

/*
 * Finishing ends every goroutine at the last event, which is what the
 * live figures already count: read live after the last event, then
 * finish, and the records must agree (except the region count, which
 * finish completes with the regions still open).
 */
static void live_matches_final(const char *path)
{
	gotrace_reader *r = open_trace(path);
	gotrace_summary *s;
	gotrace_event ev;
	gcopy *live;
	size_t n, i, k;
	int rc;

	assert_int_equal(gotrace_summary_new(&s), GOTRACE_OK);
	while ((rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK)
		assert_int_equal(gotrace_summary_feed(s, &ev), GOTRACE_OK);
	n = gotrace_summary_goroutine_count(s);
	assert_true(n > 0);
	live = calloc(n, sizeof *live);
	assert_non_null(live);
	for (i = 0; i < n; i++) {
		gotrace_goroutine_summary g;

		assert_int_equal(gotrace_summary_goroutine_at(s, i, &g), 0);
		if (i > 0)
			assert_true(g.id > live[i - 1].g.id); /* ascending IDs */
		copy_g(&live[i], &g);
	}
	assert_int_equal(gotrace_summary_finish(s), GOTRACE_OK);
	assert_int_equal(gotrace_summary_goroutine_count(s), n);
	for (i = 0; i < n; i++) {
		gotrace_goroutine_summary g;

		assert_int_equal(gotrace_summary_goroutine_at(s, i, &g), 0);
		assert_int_equal(g.id, live[i].g.id);
		assert_int_equal(g.exec_ns, live[i].g.exec_ns);
		assert_int_equal(g.sched_wait_ns, live[i].g.sched_wait_ns);
		assert_int_equal(g.syscall_ns, live[i].g.syscall_ns);
		assert_int_equal(g.syscall_block_ns, live[i].g.syscall_block_ns);
		assert_int_equal(g.total_ns, live[i].g.total_ns);
		assert_int_equal(g.end_time, live[i].g.end_time);
		assert_true(g.regions >= live[i].g.regions);
		assert_int_equal(g.nblock, live[i].g.nblock);
		for (k = 0; k < live[i].nblock; k++) {
			assert_int_equal(g.block[k].ns, live[i].ns[k]);
			assert_true(g.block[k].name.len < 63);
			assert_memory_equal(g.block[k].name.data, live[i].names[k],
			                    g.block[k].name.len);
			/* Sorted by name, no zero entries. */
			assert_true(g.block[k].ns != 0);
			if (k > 0)
				assert_true(strcmp(live[i].names[k - 1], live[i].names[k]) < 0);
		}
	}
	free(live);
	gotrace_summary_free(s);
	gotrace_reader_free(r);
}

static void test_live_matches_final(void **state)
{
	(void)state;
	live_matches_final(TESTDATA_DIR "/traces/go1.27/annotations.trace");
	live_matches_final(TESTDATA_DIR "/traces/go1.27/syncprims.trace");
	live_matches_final(TESTDATA_DIR "/traces/go1.21/channels.trace");
}

/* Groups partition the goroutines: counts and sums add up. */
static void test_groups_add_up(void **state)
{
	gotrace_reader *r = open_trace(TESTDATA_DIR "/traces/go1.27/churn.trace");
	gotrace_summary *s;
	gotrace_event ev;
	int64_t exec = 0, gexec = 0;
	uint64_t count = 0;
	size_t i, n;

	(void)state;
	assert_int_equal(gotrace_summary_new(&s), GOTRACE_OK);
	while (gotrace_reader_next(r, &ev) == GOTRACE_OK)
		assert_int_equal(gotrace_summary_feed(s, &ev), GOTRACE_OK);
	assert_int_equal(gotrace_summary_finish(s), GOTRACE_OK);
	n = gotrace_summary_goroutine_count(s);
	for (i = 0; i < n; i++) {
		gotrace_goroutine_summary g;

		assert_int_equal(gotrace_summary_goroutine_at(s, i, &g), 0);
		exec += g.exec_ns;
	}
	n = gotrace_summary_group_count(s);
	assert_true(n > 1);
	for (i = 0; i < n; i++) {
		gotrace_goroutine_group gr;

		assert_int_equal(gotrace_summary_group_at(s, i, &gr), 0);
		count += gr.count;
		gexec += gr.exec_ns;
		if (i > 0) {
			gotrace_goroutine_group prev;

			gotrace_summary_group_at(s, i - 1, &prev);
			assert_true(prev.exec_ns >= gr.exec_ns);
		}
	}
	assert_int_equal(count, gotrace_summary_goroutine_count(s));
	assert_int_equal(gexec, exec);
	gotrace_summary_free(s);
	gotrace_reader_free(r);
}

/* Forgetting ended goroutines along the way keeps the groups whole. */
static void test_forget_ended_keeps_groups(void **state)
{
	gotrace_reader *r = open_trace(TESTDATA_DIR "/traces/go1.27/churn.trace");
	gotrace_summary *all, *live;
	gotrace_event ev;
	size_t n, i, forgot = 0;

	(void)state;
	assert_int_equal(gotrace_summary_new(&all), GOTRACE_OK);
	assert_int_equal(gotrace_summary_new(&live), GOTRACE_OK);
	while (gotrace_reader_next(r, &ev) == GOTRACE_OK) {
		assert_int_equal(gotrace_summary_feed(all, &ev), GOTRACE_OK);
		assert_int_equal(gotrace_summary_feed(live, &ev), GOTRACE_OK);
		if (ev.kind == GOTRACE_EVENT_SYNC ||
		    (ev.kind == GOTRACE_EVENT_STATE_TRANSITION &&
		     ev.u.transition.new_state == GOTRACE_GO_NOT_EXIST)) {
			size_t before = gotrace_summary_goroutine_count(live);

			assert_int_equal(gotrace_summary_forget_ended(live), GOTRACE_OK);
			forgot += before - gotrace_summary_goroutine_count(live);
		}
	}
	assert_true(forgot > 0);
	assert_true(gotrace_summary_goroutine_count(live) <
	            gotrace_summary_goroutine_count(all));
	assert_int_equal(gotrace_summary_finish(all), GOTRACE_OK);
	assert_int_equal(gotrace_summary_finish(live), GOTRACE_OK);
	assert_int_equal(gotrace_summary_forget_ended(live), GOTRACE_ERR_ARG);
	n = gotrace_summary_group_count(all);
	assert_int_equal(gotrace_summary_group_count(live), n);
	for (i = 0; i < n; i++) {
		gotrace_goroutine_group a, b;

		assert_int_equal(gotrace_summary_group_at(all, i, &a), 0);
		assert_int_equal(gotrace_summary_group_at(live, i, &b), 0);
		assert_int_equal(a.name.len, b.name.len);
		assert_memory_equal(a.name.data, b.name.data, a.name.len);
		assert_int_equal(a.count, b.count);
		assert_int_equal(a.exec_ns, b.exec_ns);
		assert_int_equal(a.sched_wait_ns, b.sched_wait_ns);
		assert_int_equal(a.block_ns, b.block_ns);
		assert_int_equal(a.syscall_ns, b.syscall_ns);
		assert_int_equal(a.syscall_block_ns, b.syscall_block_ns);
		assert_int_equal(a.total_ns, b.total_ns);
	}
	/* The goroutines still listed are exactly the ones of the full
	 * summary that had not ended. */
	n = gotrace_summary_goroutine_count(live);
	for (i = 0; i < n; i++) {
		gotrace_goroutine_summary g, h;

		assert_int_equal(gotrace_summary_goroutine_at(live, i, &g), 0);
		assert_int_equal(gotrace_summary_goroutine(all, g.id, &h), 1);
		assert_int_equal(g.exec_ns, h.exec_ns);
		assert_int_equal(g.total_ns, h.total_ns);
	}
	gotrace_summary_free(all);
	gotrace_summary_free(live);
	gotrace_reader_free(r);
}

/* The summary of a damaged trace is that of the events before the
 * damage: feeding a truncated copy must not fail or crash, and finish
 * still works. */
static void test_damaged_input(void **state)
{
	size_t n, i;
	char **list = tu_list_traces(TESTDATA_DIR "/traces/truncated", &n);

	(void)state;
	assert_non_null(list);
	for (i = 0; i < n; i++) {
		gotrace_reader *r = open_trace(list[i]);
		gotrace_summary *s;
		gotrace_event ev;
		int rc;

		assert_int_equal(gotrace_summary_new(&s), GOTRACE_OK);
		while ((rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK)
			assert_int_equal(gotrace_summary_feed(s, &ev), GOTRACE_OK);
		assert_int_equal(gotrace_summary_finish(s), GOTRACE_OK);
		gotrace_summary_free(s);
		gotrace_reader_free(r);
	}
	tu_free_list(list, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contract),
		cmocka_unit_test(test_live_matches_final),
		cmocka_unit_test(test_groups_add_up),
		cmocka_unit_test(test_forget_ended_keeps_groups),
		cmocka_unit_test(test_damaged_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
