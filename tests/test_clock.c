/*
 * gotrace_clock: trace time <-> wall clock from the generations' clock
 * snapshots. The snapshots are Go's numbers (the Sync events' fields,
 * which the reference comparisons check against Go's own printing); these
 * tests check the conversions against them and the contract around them.
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

static gotrace_event sync_event(uint64_t n, int64_t trace, int64_t sec,
                                int64_t nsec)
{
	gotrace_event ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = GOTRACE_EVENT_SYNC;
	ev.time = trace;
	ev.u.sync.n = n;
	ev.u.sync.has_clock = 1;
	ev.u.sync.clock_trace = trace;
	ev.u.sync.wall_sec = sec;
	ev.u.sync.wall_nsec = nsec;
	return ev;
}

static void test_contract(void **state)
{
	gotrace_clock *c;
	gotrace_clock_snapshot s;
	gotrace_event ev;
	int64_t t;

	(void)state;
	gotrace_clock_free(NULL);
	assert_int_equal(gotrace_clock_new(&c), GOTRACE_OK);
	assert_int_equal(gotrace_clock_feed(c, NULL), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_clock_snapshot_count(c), 0);
	assert_int_equal(gotrace_clock_snapshot_at(c, 0, &s), -1);
	/* No snapshot: no guess. */
	assert_int_equal(gotrace_clock_to_wall(c, 5, &t), GOTRACE_ERR_UNSUPPORTED);
	assert_int_equal(gotrace_clock_from_wall(c, 5, &t), GOTRACE_ERR_UNSUPPORTED);
	/* A Sync without a snapshot, and other events, are not kept. */
	ev = sync_event(1, 100, 1700000000, 0);
	ev.u.sync.has_clock = 0;
	assert_int_equal(gotrace_clock_feed(c, &ev), GOTRACE_OK);
	ev.kind = GOTRACE_EVENT_METRIC;
	assert_int_equal(gotrace_clock_feed(c, &ev), GOTRACE_OK);
	assert_int_equal(gotrace_clock_snapshot_count(c), 0);

	/* Two generations 1 s apart on both clocks, the second a little off:
	 * each time converts with its own generation's snapshot. */
	ev = sync_event(1, 1000, 1700000000, 0);
	assert_int_equal(gotrace_clock_feed(c, &ev), GOTRACE_OK);
	ev = sync_event(2, 1000001000, 1700000001, 250);
	assert_int_equal(gotrace_clock_feed(c, &ev), GOTRACE_OK);
	assert_int_equal(gotrace_clock_snapshot_count(c), 2);
	assert_int_equal(gotrace_clock_to_wall(c, 1500, &t), GOTRACE_OK);
	assert_true(t == 1700000000LL * 1000000000 + 500);
	assert_int_equal(gotrace_clock_to_wall(c, 1000001000 + 10, &t), GOTRACE_OK);
	assert_true(t == 1700000001LL * 1000000000 + 260);
	/* Before the first snapshot: the first. */
	assert_int_equal(gotrace_clock_to_wall(c, 0, &t), GOTRACE_OK);
	assert_true(t == 1700000000LL * 1000000000 - 1000);
	assert_int_equal(gotrace_clock_from_wall(c, 1700000001LL * 1000000000 + 260,
	                                         &t), GOTRACE_OK);
	assert_int_equal(t, 1000001010);
	assert_int_equal(gotrace_clock_snapshot_at(c, 1, &s), 0);
	assert_int_equal(s.generation, 2);
	assert_int_equal(s.trace_ns, 1000001000);
	/* Results past int64 are refused, not wrapped. */
	assert_int_equal(gotrace_clock_to_wall(c, INT64_MAX, &t), GOTRACE_ERR_LIMIT);
	assert_int_equal(gotrace_clock_from_wall(c, INT64_MIN, &t), GOTRACE_ERR_LIMIT);
	/* A wall time int64 nanoseconds cannot hold is refused. */
	ev = sync_event(3, 2000001000, INT64_MAX / 1000000000, 0);
	assert_int_equal(gotrace_clock_feed(c, &ev), GOTRACE_ERR_LIMIT);
	ev = sync_event(3, 2000001000, INT64_MIN / 1000000000, 0);
	assert_int_equal(gotrace_clock_feed(c, &ev), GOTRACE_ERR_LIMIT);
	assert_int_equal(gotrace_clock_snapshot_count(c), 2);
	gotrace_clock_free(c);
}

/* Traces without snapshots (v1, Go 1.24's format) convert nothing. */
static void test_no_snapshots(void **state)
{
	static const char *const traces[] = {
		TESTDATA_DIR "/traces/go1.21/gc.trace",
		TESTDATA_DIR "/traces/go1.24/gc.trace",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof traces / sizeof traces[0]; i++) {
		gotrace_reader *r = open_trace(traces[i]);
		gotrace_clock *c;
		gotrace_event ev;
		int64_t t;

		assert_int_equal(gotrace_clock_new(&c), GOTRACE_OK);
		while (gotrace_reader_next(r, &ev) == GOTRACE_OK)
			assert_int_equal(gotrace_clock_feed(c, &ev), GOTRACE_OK);
		assert_int_equal(gotrace_clock_snapshot_count(c), 0);
		assert_int_equal(gotrace_clock_to_wall(c, ev.time, &t),
		                 GOTRACE_ERR_UNSUPPORTED);
		gotrace_clock_free(c);
		gotrace_reader_free(r);
	}
}

/*
 * Real traces of Go 1.26 and 1.27: one snapshot per generation; each snapshot
 * converts to itself both ways; every event converts with the snapshot of
 * its generation and back; and the previous generation's snapshot,
 * carried forward, lands within 1 ms of the next one's wall time (the
 * trace clock runs at the wall clock's rate).
 */
static void check_real_trace(const char *path)
{
	gotrace_reader *r = open_trace(path);
	gotrace_clock *c;
	gotrace_event ev;
	size_t syncs = 0, i;
	int64_t t, back;

	assert_int_equal(gotrace_clock_new(&c), GOTRACE_OK);
	while (gotrace_reader_next(r, &ev) == GOTRACE_OK) {
		assert_int_equal(gotrace_clock_feed(c, &ev), GOTRACE_OK);
		if (ev.kind == GOTRACE_EVENT_SYNC) {
			/* The Sync that ends the trace has no snapshot. */
			syncs += ev.u.sync.has_clock != 0;
			continue;
		}
		if (gotrace_clock_snapshot_count(c) > 0) {
			gotrace_clock_snapshot last;

			gotrace_clock_snapshot_at(c, gotrace_clock_snapshot_count(c) - 1,
			                          &last);
			assert_int_equal(gotrace_clock_to_wall(c, ev.time, &t),
			                 GOTRACE_OK);
			assert_true(t - last.unix_ns == ev.time - last.trace_ns);
			assert_int_equal(gotrace_clock_from_wall(c, t, &back),
			                 GOTRACE_OK);
			assert_true(back == ev.time);
		}
	}
	assert_true(syncs > 0);
	assert_int_equal(gotrace_clock_snapshot_count(c), syncs);
	for (i = 0; i < syncs; i++) {
		gotrace_clock_snapshot s;

		assert_int_equal(gotrace_clock_snapshot_at(c, i, &s), 0);
		assert_int_equal(gotrace_clock_to_wall(c, s.trace_ns, &t), GOTRACE_OK);
		assert_true(t == s.unix_ns);
		assert_int_equal(gotrace_clock_from_wall(c, s.unix_ns, &t), GOTRACE_OK);
		assert_true(t == s.trace_ns);
		if (i > 0) {
			gotrace_clock_snapshot p;
			int64_t carried, d;

			gotrace_clock_snapshot_at(c, i - 1, &p);
			carried = p.unix_ns + (s.trace_ns - p.trace_ns);
			d = carried > s.unix_ns ? carried - s.unix_ns : s.unix_ns - carried;
			assert_true(d < 1000000);
		}
	}
	gotrace_clock_free(c);
	gotrace_reader_free(r);
}

static void test_real_traces(void **state)
{
	static const char *const traces[] = {
		TESTDATA_DIR "/traces/go1.27/generations.trace",
		TESTDATA_DIR "/traces/go1.27/flightrecorder.trace",
		TESTDATA_DIR "/traces/go1.26/gc.trace",
		TESTDATA_DIR "/traces/go1.27/startstop.trace",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof traces / sizeof traces[0]; i++)
		check_real_trace(traces[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contract),
		cmocka_unit_test(test_no_snapshots),
		cmocka_unit_test(test_real_traces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
