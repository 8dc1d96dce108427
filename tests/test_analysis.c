/*
 * The MMU and GC analyses' API: misuse (NULLs, bad flags, feeding after
 * finish, queries before it), empty input, and the contract's rules for
 * ranges whose beginning or end the trace does not show. The figures on
 * real traces are checked against Go 1.27 by compare_analysis.py; the
 * events here are made by hand, with results that follow from the
 * definitions in gotrace/analysis.h.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gotrace/gotrace.h>

static gotrace_event ev_at(gotrace_event_kind kind, int64_t time)
{
	gotrace_event ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	ev.time = time;
	ev.thread = 1;
	ev.proc = 0;
	ev.goroutine = 1;
	return ev;
}

static gotrace_event range_ev(gotrace_event_kind kind, int64_t time,
                              const char *name, gotrace_resource_kind scope,
                              int64_t id)
{
	gotrace_event ev = ev_at(kind, time);

	ev.u.range.name.data = name;
	ev.u.range.name.len = strlen(name);
	ev.u.range.scope = scope;
	ev.u.range.scope_id = id;
	return ev;
}

static int near(double a, double b)
{
	return a - b < 1e-12 && b - a < 1e-12;
}

static void test_mmu_misuse(void **state)
{
	gotrace_mmu *m;
	gotrace_event ev = ev_at(GOTRACE_EVENT_SYNC, 1);
	double q = 0.5, out = -1;

	(void)state;
	gotrace_mmu_free(NULL);
	assert_int_equal(gotrace_mmu_new(NULL, 0), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_mmu_new(&m, 1u << 5), GOTRACE_ERR_ARG);
	assert_null(m);
	assert_int_equal(gotrace_mmu_feed(NULL, &ev), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_mmu_finish(NULL), GOTRACE_ERR_ARG);
	assert_true(gotrace_mmu_at(NULL, 1000) == 0);
	assert_int_equal(gotrace_mmu_mud(NULL, 1000, &q, 1, &out),
	                 GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_mmu_series_count(NULL), 0);

	assert_int_equal(gotrace_mmu_new(&m, GOTRACE_UTIL_DEFAULT |
	                                     GOTRACE_UTIL_PER_PROC), GOTRACE_OK);
	assert_int_equal(gotrace_mmu_feed(m, NULL), GOTRACE_ERR_ARG);
	/* Before finish: no figures. */
	assert_true(gotrace_mmu_at(m, 1000) == 0);
	assert_int_equal(gotrace_mmu_mud(m, 1000, &q, 1, &out), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_mmu_finish(m), GOTRACE_OK);
	assert_int_equal(gotrace_mmu_finish(m), GOTRACE_OK);
	assert_int_equal(gotrace_mmu_feed(m, &ev), GOTRACE_ERR_ARG);

	/* Nothing fed: no series; Go's MMU of no series is 1. */
	assert_int_equal(gotrace_mmu_series_count(m), 0);
	assert_int_equal(gotrace_mmu_point_count(m), 0);
	assert_true(gotrace_mmu_at(m, 1000) == 1);
	assert_true(gotrace_mmu_at(m, 0) == 0);
	assert_true(gotrace_mmu_at(m, -5) == 0);

	q = 1.5;
	assert_int_equal(gotrace_mmu_mud(m, 1000, &q, 1, &out), GOTRACE_ERR_ARG);
	q = -0.1;
	assert_int_equal(gotrace_mmu_mud(m, 1000, &q, 1, &out), GOTRACE_ERR_ARG);
	q = NAN;
	assert_int_equal(gotrace_mmu_mud(m, 1000, &q, 1, &out), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_mmu_mud(m, 1000, NULL, 0, NULL), GOTRACE_OK);
	gotrace_mmu_free(m);
}

/*
 * Two Ps; a GC stop-the-world from 100 to 200; the trace ends at 1000.
 * Utilization 1 except during the pause: the MMU of a window of 100 is 0,
 * of the whole trace 900/1000. A non-GC pause takes nothing (Go counts
 * only pauses whose name mentions GC).
 */
static void test_mmu_stw(void **state)
{
	gotrace_mmu *m;
	gotrace_event evs[6];
	double q[3] = { 0, 0.5, 1 }, out[3];
	size_t i;

	(void)state;
	evs[0] = ev_at(GOTRACE_EVENT_METRIC, 0);
	evs[0].u.metric.name = "/sched/gomaxprocs:threads";
	evs[0].u.metric.value = 2;
	evs[1] = range_ev(GOTRACE_EVENT_RANGE_BEGIN, 100,
	                  "stop-the-world (GC mark termination)",
	                  GOTRACE_RESOURCE_GOROUTINE, 1);
	evs[2] = range_ev(GOTRACE_EVENT_RANGE_END, 200,
	                  "stop-the-world (GC mark termination)",
	                  GOTRACE_RESOURCE_GOROUTINE, 1);
	evs[3] = range_ev(GOTRACE_EVENT_RANGE_BEGIN, 400,
	                  "stop-the-world (read mem stats)",
	                  GOTRACE_RESOURCE_GOROUTINE, 1);
	evs[4] = range_ev(GOTRACE_EVENT_RANGE_END, 500,
	                  "stop-the-world (read mem stats)",
	                  GOTRACE_RESOURCE_GOROUTINE, 1);
	evs[5] = ev_at(GOTRACE_EVENT_LOG, 1000);

	assert_int_equal(gotrace_mmu_new(&m, GOTRACE_UTIL_STW), GOTRACE_OK);
	for (i = 0; i < 6; i++)
		assert_int_equal(gotrace_mmu_feed(m, &evs[i]), GOTRACE_OK);
	assert_int_equal(gotrace_mmu_finish(m), GOTRACE_OK);
	assert_int_equal(gotrace_mmu_series_count(m), 1);
	/* 1 at 0, 0 at 100, 1 at 200, the closing 0 at 1000. */
	assert_int_equal(gotrace_mmu_point_count(m), 4);
	assert_true(gotrace_mmu_at(m, 100) == 0);
	assert_true(near(gotrace_mmu_at(m, 1000), 0.9));
	assert_true(near(gotrace_mmu_at(m, 5000), 0.9));
	/* Go's MUD gives the MMU for every quantile. */
	assert_int_equal(gotrace_mmu_mud(m, 1000, q, 3, out), GOTRACE_OK);
	for (i = 0; i < 3; i++)
		assert_true(out[i] == gotrace_mmu_at(m, 1000));
	gotrace_mmu_free(m);
}

/* Per P: a P added later gets its own series. Events without a P that
 * Go would index its P table with are ignored, not a crash. */
static void test_mmu_per_proc(void **state)
{
	gotrace_mmu *m;
	gotrace_event ev;

	(void)state;
	assert_int_equal(gotrace_mmu_new(&m, GOTRACE_UTIL_DEFAULT |
	                                     GOTRACE_UTIL_PER_PROC), GOTRACE_OK);
	ev = ev_at(GOTRACE_EVENT_METRIC, 0);
	ev.u.metric.name = "/sched/gomaxprocs:threads";
	ev.u.metric.value = 1;
	assert_int_equal(gotrace_mmu_feed(m, &ev), GOTRACE_OK);
	ev = range_ev(GOTRACE_EVENT_RANGE_BEGIN, 50, "GC incremental sweep",
	              GOTRACE_RESOURCE_PROC, 0);
	ev.proc = GOTRACE_NO_PROC;
	assert_int_equal(gotrace_mmu_feed(m, &ev), GOTRACE_OK);
	ev = ev_at(GOTRACE_EVENT_METRIC, 100);
	ev.u.metric.name = "/sched/gomaxprocs:threads";
	ev.u.metric.value = 2;
	assert_int_equal(gotrace_mmu_feed(m, &ev), GOTRACE_OK);
	ev = ev_at(GOTRACE_EVENT_LOG, 1000);
	assert_int_equal(gotrace_mmu_feed(m, &ev), GOTRACE_OK);
	assert_int_equal(gotrace_mmu_finish(m), GOTRACE_OK);
	assert_int_equal(gotrace_mmu_series_count(m), 2);
	assert_true(gotrace_mmu_at(m, 10) == 1);
	gotrace_mmu_free(m);
}

/*
 * Go's rule for two values at one time: the lower one stays, and the
 * higher one is recorded at the next event. Two Ps: a sweep on P 0 and a
 * GC pause begin at 100, both end at 200, the next events are at 300 and
 * 1000. Together: 1, 0 from 100, 0.5 from 200 (the sweep's end at 200
 * cannot raise it), 1 from 300, the closing 0 at 1000.
 */
static void test_mmu_same_time(void **state)
{
	static const char stw[] = "stop-the-world (GC sweep termination)";
	static const char sweep[] = "GC incremental sweep";
	gotrace_event evs[7];
	gotrace_mmu *m;
	size_t i;

	(void)state;
	evs[0] = ev_at(GOTRACE_EVENT_METRIC, 0);
	evs[0].u.metric.name = "/sched/gomaxprocs:threads";
	evs[0].u.metric.value = 2;
	evs[1] = range_ev(GOTRACE_EVENT_RANGE_BEGIN, 100, sweep,
	                  GOTRACE_RESOURCE_PROC, 0);
	evs[2] = range_ev(GOTRACE_EVENT_RANGE_BEGIN, 100, stw,
	                  GOTRACE_RESOURCE_GOROUTINE, 1);
	evs[3] = range_ev(GOTRACE_EVENT_RANGE_END, 200, stw,
	                  GOTRACE_RESOURCE_GOROUTINE, 1);
	evs[4] = range_ev(GOTRACE_EVENT_RANGE_END, 200, sweep,
	                  GOTRACE_RESOURCE_PROC, 0);
	evs[5] = ev_at(GOTRACE_EVENT_LOG, 300);
	evs[6] = ev_at(GOTRACE_EVENT_LOG, 1000);

	assert_int_equal(gotrace_mmu_new(&m, GOTRACE_UTIL_DEFAULT), GOTRACE_OK);
	for (i = 0; i < 7; i++)
		assert_int_equal(gotrace_mmu_feed(m, &evs[i]), GOTRACE_OK);
	assert_int_equal(gotrace_mmu_finish(m), GOTRACE_OK);
	assert_int_equal(gotrace_mmu_point_count(m), 5);
	assert_true(gotrace_mmu_at(m, 100) == 0);
	assert_true(near(gotrace_mmu_at(m, 1000), 0.85));
	gotrace_mmu_free(m);

	/*
	 * Per P, the same rule, with a sweep on P 1 beginning and ending at
	 * 400: P 1 has 1, 0 from 400, 1 from 500 (not from 400), the closing
	 * 0; P 0 has 1 and the closing 0. The MMU of the whole trace is
	 * P 1's, 900/1000.
	 */
	evs[1] = range_ev(GOTRACE_EVENT_RANGE_BEGIN, 400, sweep,
	                  GOTRACE_RESOURCE_PROC, 1);
	evs[1].proc = 1;
	evs[2] = range_ev(GOTRACE_EVENT_RANGE_END, 400, sweep,
	                  GOTRACE_RESOURCE_PROC, 1);
	evs[2].proc = 1;
	evs[3] = ev_at(GOTRACE_EVENT_LOG, 500);
	assert_int_equal(gotrace_mmu_new(&m, GOTRACE_UTIL_DEFAULT |
	                                     GOTRACE_UTIL_PER_PROC), GOTRACE_OK);
	assert_int_equal(gotrace_mmu_feed(m, &evs[0]), GOTRACE_OK);
	assert_int_equal(gotrace_mmu_feed(m, &evs[1]), GOTRACE_OK);
	assert_int_equal(gotrace_mmu_feed(m, &evs[2]), GOTRACE_OK);
	assert_int_equal(gotrace_mmu_feed(m, &evs[3]), GOTRACE_OK);
	assert_int_equal(gotrace_mmu_feed(m, &evs[6]), GOTRACE_OK);
	assert_int_equal(gotrace_mmu_finish(m), GOTRACE_OK);
	assert_int_equal(gotrace_mmu_series_count(m), 2);
	assert_int_equal(gotrace_mmu_point_count(m), 6);
	assert_true(near(gotrace_mmu_at(m, 1000), 0.9));
	gotrace_mmu_free(m);
}

/*
 * A damaged trace can carry any times, out of order and at the ends of
 * int64 (the reader gives INT64_MIN for what it cannot convert). The
 * figures are then as meaningless as Go's; what matters is that the
 * arithmetic stays defined (run under UBSan) and every query ends.
 */
static void test_wild_times(void **state)
{
	static const char stw[] = "stop-the-world (GC mark termination)";
	static const int64_t times[] = {
		INT64_MIN, -5, INT64_MAX - 3, 0, INT64_MIN + 7, 100, INT64_MAX,
		INT64_MIN, 42, INT64_MAX
	};
	static const int64_t windows[] = {
		1, 2, 1000, INT64_MAX / 2, INT64_MAX, INT64_MIN, 0
	};
	unsigned flags[] = {
		GOTRACE_UTIL_DEFAULT,
		GOTRACE_UTIL_DEFAULT | GOTRACE_UTIL_PER_PROC
	};
	gotrace_mmu *m;
	gotrace_gc *g;
	gotrace_gc_totals t;
	size_t f, i, k;
	double q = 0.5, out;

	(void)state;
	for (f = 0; f < 2; f++) {
		assert_int_equal(gotrace_mmu_new(&m, flags[f]), GOTRACE_OK);
		assert_int_equal(gotrace_gc_new(&g), GOTRACE_OK);
		for (i = 0; i < sizeof times / sizeof times[0]; i++) {
			gotrace_event ev;

			if (i % 3 == 0) {
				ev = ev_at(GOTRACE_EVENT_METRIC, times[i]);
				ev.u.metric.name = "/sched/gomaxprocs:threads";
				ev.u.metric.value = 1 + i % 4;
			} else {
				ev = range_ev(i % 3 == 1 ? GOTRACE_EVENT_RANGE_BEGIN :
				              GOTRACE_EVENT_RANGE_END, times[i], stw,
				              GOTRACE_RESOURCE_GOROUTINE, 1);
			}
			assert_int_equal(gotrace_mmu_feed(m, &ev), GOTRACE_OK);
			assert_int_equal(gotrace_gc_feed(g, &ev), GOTRACE_OK);
		}
		assert_int_equal(gotrace_mmu_finish(m), GOTRACE_OK);
		assert_int_equal(gotrace_gc_finish(g), GOTRACE_OK);
		for (k = 0; k < sizeof windows / sizeof windows[0]; k++) {
			(void)gotrace_mmu_at(m, windows[k]);
			assert_int_equal(gotrace_mmu_mud(m, windows[k], &q, 1, &out),
			                 GOTRACE_OK);
		}
		gotrace_gc_totals_get(g, &t);
		assert_int_equal(t.stw_count, gotrace_gc_stw_count(g));
		gotrace_mmu_free(m);
		gotrace_gc_free(g);
	}
}

static void test_gc_misuse(void **state)
{
	gotrace_gc *g;
	gotrace_event ev = ev_at(GOTRACE_EVENT_SYNC, 1);
	gotrace_gc_totals t;
	gotrace_gc_cycle c;
	gotrace_stw s;
	gotrace_duration_stats d;

	(void)state;
	gotrace_gc_free(NULL);
	assert_int_equal(gotrace_gc_new(NULL), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_gc_feed(NULL, &ev), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_gc_finish(NULL), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_gc_cycle_count(NULL), 0);
	assert_int_equal(gotrace_gc_stw_count(NULL), 0);

	assert_int_equal(gotrace_gc_new(&g), GOTRACE_OK);
	assert_int_equal(gotrace_gc_feed(g, NULL), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_gc_finish(g), GOTRACE_OK);
	assert_int_equal(gotrace_gc_finish(g), GOTRACE_OK);
	assert_int_equal(gotrace_gc_feed(g, &ev), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_gc_cycle_count(g), 0);
	assert_int_equal(gotrace_gc_stw_count(g), 0);
	assert_int_equal(gotrace_gc_cycle_at(g, 0, &c), -1);
	assert_int_equal(gotrace_gc_stw_at(g, 0, &s), -1);
	gotrace_gc_totals_get(g, &t);
	assert_int_equal(t.cycles, 0);
	assert_int_equal(t.stw_count, 0);
	assert_int_equal(t.mark_assist_count, 0);
	assert_int_equal(t.sweep_count, 0);
	assert_int_equal(t.gc_ns, 0);
	gotrace_gc_stw_stats(g, &d);
	assert_int_equal(d.count, 0);
	gotrace_gc_cycle_stats(g, &d);
	assert_int_equal(d.count, 0);
	gotrace_gc_free(g);
}

/*
 * A cycle already running (two RangeActive, one per generation, then its
 * end), a complete pause, a pause first seen at its end, one still open,
 * and a sweep with its attributes.
 */
static void test_gc_ranges(void **state)
{
	static const char mark[] = "GC concurrent mark phase";
	static const char stw[] = "stop-the-world (GC mark termination)";
	gotrace_gc *g;
	gotrace_event evs[10];
	gotrace_gc_cycle c;
	gotrace_stw s;
	gotrace_gc_totals t;
	gotrace_duration_stats d;
	size_t i;

	(void)state;
	evs[0] = range_ev(GOTRACE_EVENT_RANGE_ACTIVE, 10, mark,
	                  GOTRACE_RESOURCE_NONE, 0);
	evs[1] = range_ev(GOTRACE_EVENT_RANGE_ACTIVE, 20, mark,
	                  GOTRACE_RESOURCE_NONE, 0);
	evs[2] = range_ev(GOTRACE_EVENT_RANGE_END, 30, mark,
	                  GOTRACE_RESOURCE_NONE, 0);
	evs[3] = range_ev(GOTRACE_EVENT_RANGE_BEGIN, 40, stw,
	                  GOTRACE_RESOURCE_GOROUTINE, 5);
	evs[4] = range_ev(GOTRACE_EVENT_RANGE_END, 50, stw,
	                  GOTRACE_RESOURCE_GOROUTINE, 5);
	evs[5] = range_ev(GOTRACE_EVENT_RANGE_END, 55, stw,
	                  GOTRACE_RESOURCE_GOROUTINE, 6);
	evs[6] = range_ev(GOTRACE_EVENT_RANGE_BEGIN, 60, stw,
	                  GOTRACE_RESOURCE_GOROUTINE, 5);
	evs[7] = range_ev(GOTRACE_EVENT_RANGE_BEGIN, 61, "GC incremental sweep",
	                  GOTRACE_RESOURCE_PROC, 0);
	evs[8] = range_ev(GOTRACE_EVENT_RANGE_END, 65, "GC incremental sweep",
	                  GOTRACE_RESOURCE_PROC, 0);
	evs[8].u.range.nattrs = 2;
	evs[8].u.range.attr_names[0] = "bytes swept";
	evs[8].u.range.attr_values[0] = 8192;
	evs[8].u.range.attr_names[1] = "bytes reclaimed";
	evs[8].u.range.attr_values[1] = 4096;
	evs[9] = ev_at(GOTRACE_EVENT_LOG, 70);

	assert_int_equal(gotrace_gc_new(&g), GOTRACE_OK);
	for (i = 0; i < 10; i++)
		assert_int_equal(gotrace_gc_feed(g, &evs[i]), GOTRACE_OK);
	assert_int_equal(gotrace_gc_finish(g), GOTRACE_OK);

	assert_int_equal(gotrace_gc_cycle_count(g), 1);
	assert_int_equal(gotrace_gc_cycle_at(g, 0, &c), 0);
	assert_int_equal(c.start_time, -1);
	assert_int_equal(c.end_time, 30);
	assert_int_equal(c.duration_ns, 20);

	/* The one whose beginning is unknown comes first. */
	assert_int_equal(gotrace_gc_stw_count(g), 3);
	assert_int_equal(gotrace_gc_stw_at(g, 0, &s), 0);
	assert_int_equal(s.start_time, -1);
	assert_int_equal(s.end_time, 55);
	assert_int_equal(s.goroutine, 6);
	assert_int_equal(gotrace_gc_stw_at(g, 1, &s), 0);
	assert_int_equal(s.reason.len, strlen("GC mark termination"));
	assert_memory_equal(s.reason.data, "GC mark termination", s.reason.len);
	assert_int_equal(s.start_time, 40);
	assert_int_equal(s.end_time, 50);
	assert_int_equal(s.duration_ns, 10);
	assert_int_equal(s.goroutine, 5);
	assert_int_equal(gotrace_gc_stw_at(g, 2, &s), 0);
	assert_int_equal(s.start_time, 60);
	assert_int_equal(s.end_time, -1);
	assert_int_equal(s.duration_ns, 10);

	gotrace_gc_totals_get(g, &t);
	assert_int_equal(t.cycles, 1);
	assert_int_equal(t.gc_ns, 20);
	assert_int_equal(t.stw_count, 3);
	assert_int_equal(t.stw_ns, 45 + 10 + 10);
	assert_int_equal(t.sweep_count, 1);
	assert_int_equal(t.sweep_ns, 4);
	assert_int_equal(t.swept_bytes, 8192);
	assert_int_equal(t.reclaimed_bytes, 4096);
	assert_int_equal(t.first_time, 10);
	assert_int_equal(t.last_time, 70);

	/* Only the pause with both ends is in the distribution. */
	gotrace_gc_stw_stats(g, &d);
	assert_int_equal(d.count, 1);
	assert_int_equal(d.max, 10);
	gotrace_gc_cycle_stats(g, &d);
	assert_int_equal(d.count, 0);
	gotrace_gc_free(g);
}

/* A reason read before finish stays valid while more are added. */
static void test_gc_reason_lifetime(void **state)
{
	gotrace_gc *g;
	gotrace_event ev;
	gotrace_stw s;
	char name[64];
	int i;

	(void)state;
	assert_int_equal(gotrace_gc_new(&g), GOTRACE_OK);
	ev = range_ev(GOTRACE_EVENT_RANGE_BEGIN, 1, "stop-the-world (first)",
	              GOTRACE_RESOURCE_GOROUTINE, 1);
	assert_int_equal(gotrace_gc_feed(g, &ev), GOTRACE_OK);
	assert_int_equal(gotrace_gc_stw_at(g, 0, &s), 0);
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "stop-the-world (reason number %d)", i);
		ev = range_ev(GOTRACE_EVENT_RANGE_BEGIN, 2 + i, name,
		              GOTRACE_RESOURCE_GOROUTINE, 2);
		assert_int_equal(gotrace_gc_feed(g, &ev), GOTRACE_OK);
	}
	assert_int_equal(s.reason.len, 5);
	assert_memory_equal(s.reason.data, "first", 5);
	assert_int_equal(gotrace_gc_stw_count(g), 1001);
	gotrace_gc_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmu_misuse),
		cmocka_unit_test(test_mmu_stw),
		cmocka_unit_test(test_mmu_per_proc),
		cmocka_unit_test(test_mmu_same_time),
		cmocka_unit_test(test_wild_times),
		cmocka_unit_test(test_gc_misuse),
		cmocka_unit_test(test_gc_ranges),
		cmocka_unit_test(test_gc_reason_lifetime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
