/*
 * The timeline core (src/export/timeline.c) between a scripted view and a
 * recording format: slices reach the format outer first and nested, with
 * lanes for overlaps; flows are bound to slices and written once both
 * ends are settled; dropped flows never are; times are made relative to
 * the first event; misuse and the public options. What the views draw is
 * compared with cmd/trace by tests/compare_timeline.py, and the formats
 * by tests/check_perfetto.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gotrace/gotrace.h>

#include "export/timeline.h"
#include "testutil.h"

/* ---- a recording format ---------------------------------------------- */

typedef struct recorder {
	char log[1 << 20];
	size_t len;
	int full;                  /* the log was cut: later calls are lost */
} recorder;

static void say(recorder *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(recorder *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->log + r->len, sizeof r->log - r->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof r->log - r->len) {
		r->log[r->len] = '\0';
		r->full = 1;
		return;
	}
	r->len += (size_t)n;
}

static int rec_begin(void *f, tl_core *c, int wall)
{
	(void)c;
	say(f, "begin%s;", wall ? " wall" : "");
	return GOTRACE_OK;
}

static int rec_process(void *f, tl_core *c, uint64_t pid, const char *name,
                       int64_t sort)
{
	(void)c;
	say(f, "process %llu %s %lld;", (unsigned long long)pid, name,
	    (long long)sort);
	return GOTRACE_OK;
}

static int rec_thread(void *f, tl_core *c, tl_track_ref t, gotrace_string name,
                      int64_t sort)
{
	(void)c;
	if (name.data == NULL)
		say(f, "track %u=%llu/%llu;", t.index,
		    (unsigned long long)t.track.pid, (unsigned long long)t.track.tid);
	else
		say(f, "name %u %.*s %lld;", t.index, (int)name.len, name.data,
		    (long long)sort);
	return GOTRACE_OK;
}

static int rec_slice(void *f, tl_core *c, const tl_out_slice *s)
{
	size_t i;

	(void)c;
	say(f, "slice %u/%u %.*s %lld-%lld", s->track.index, s->lane,
	    (int)s->name.len, s->name.data, (long long)s->start,
	    (long long)s->end);
	for (i = 0; i < s->nflow_out; i++)
		say(f, " out%llu", (unsigned long long)s->flow_out[i]);
	for (i = 0; i < s->nflow_in; i++)
		say(f, " in%llu", (unsigned long long)s->flow_in[i]);
	for (i = 0; i < s->nargs; i++)
		if (s->args[i].type == TL_ARG_STR)
			say(f, " %s=%.*s", s->args[i].key, (int)s->args[i].s.len,
			    s->args[i].s.data);
		else
			say(f, " %s=%lld", s->args[i].key, (long long)s->args[i].i);
	say(f, ";");
	return GOTRACE_OK;
}

static int rec_instant(void *f, tl_core *c, const tl_out_instant *i)
{
	(void)c;
	say(f, "instant %u %.*s %lld", i->track.index, (int)i->name.len,
	    i->name.data, (long long)i->time);
	if (i->flow_out != 0)
		say(f, " out%llu", (unsigned long long)i->flow_out);
	say(f, ";");
	return GOTRACE_OK;
}

static int rec_counter(void *f, tl_core *c, const tl_out_counter *k)
{
	size_t i;

	(void)c;
	say(f, "counter %s %lld", k->name, (long long)k->time);
	for (i = 0; i < k->n; i++)
		say(f, " %s=%lld", k->keys[i], (long long)k->values[i]);
	say(f, ";");
	return GOTRACE_OK;
}

static int rec_flow(void *f, tl_core *c, const tl_out_flow *fl)
{
	(void)c;
	say(f, "flow %llu %.*s %u@%lld%s -> %u@%lld%s;",
	    (unsigned long long)fl->id, (int)fl->name.len, fl->name.data,
	    fl->from.index, (long long)fl->from_time,
	    fl->bound_from ? "" : "(unbound)", fl->to.index,
	    (long long)fl->to_time, fl->bound_to ? "" : "(unbound)");
	return GOTRACE_OK;
}

static int rec_finish(void *f, tl_core *c)
{
	(void)c;
	say(f, "finish;");
	return GOTRACE_OK;
}

static void rec_free(void *f)
{
	(void)f;
}

static const tl_format_ops recorder_ops = {
	rec_begin, rec_process, rec_thread, rec_slice, rec_instant,
	rec_counter, rec_flow, rec_finish, rec_free
};

/* ---- a view that draws nothing: the test drives the core itself ------ */

static int quiet_feed(void *v, tl_core *c, const gotrace_event *ev)
{
	(void)v;
	(void)c;
	(void)ev;
	return GOTRACE_OK;
}

static int quiet_finish(void *v, tl_core *c, int64_t end)
{
	(void)v;
	(void)c;
	(void)end;
	return GOTRACE_OK;
}

static void quiet_free(void *v)
{
	(void)v;
}

static const tl_view_ops quiet_ops = { quiet_feed, quiet_finish, quiet_free };

typedef struct fixture {
	recorder *rec;
	gotrace_sink *sink;
	tl_core *core;
} fixture;

static ptrdiff_t discard(void *ctx, const void *data, size_t len)
{
	(void)ctx;
	(void)data;
	return (ptrdiff_t)len;
}

/* A core whose time zero is 1000 (its first event). */
static void setup(fixture *f)
{
	gotrace_event ev;

	static recorder rec;

	memset(f, 0, sizeof *f);
	memset(&rec, 0, sizeof rec);
	f->rec = &rec;
	assert_int_equal(gotrace_sink_open_callback(&f->sink, discard, NULL),
	                 GOTRACE_OK);
	assert_int_equal(tl_core_new(&f->core, f->sink, 0, NULL, &quiet_ops,
	                             f->rec, &recorder_ops),
	                 GOTRACE_OK);
	memset(&ev, 0, sizeof ev);
	ev.kind = GOTRACE_EVENT_METRIC;
	ev.time = 1000;
	assert_int_equal(gotrace_timeline_feed(f->core, &ev), GOTRACE_OK);
}

static void teardown(fixture *f)
{
	gotrace_timeline_free(f->core);
	gotrace_sink_free(f->sink);
}

static tl_track trk(uint64_t pid, uint64_t tid)
{
	tl_track t;

	t.pid = pid;
	t.tid = tid;
	return t;
}

static void done(tl_core *c, tl_track t, int64_t start, int64_t end,
                 const char *name)
{
	tl_slice s;

	memset(&s, 0, sizeof s);
	s.track = t;
	s.start = start;
	s.end = end;
	s.name.data = name;
	s.name.len = strlen(name);
	assert_int_equal(tl_slice_done(c, &s), GOTRACE_OK);
}

static gotrace_string str(const char *s)
{
	gotrace_string g;

	g.data = s;
	g.len = strlen(s);
	return g;
}

/* Inner slices are reported first; the format gets the outer one first,
 * with times since the first event, and only once the track is idle. */
static void test_nesting(void **state)
{
	fixture f;
	tl_track p = trk(0, 7);

	(void)state;
	setup(&f);
	assert_int_equal(tl_thread(f.core, p, str("Proc 7"), 7), GOTRACE_OK);
	assert_int_equal(tl_open(f.core, p), GOTRACE_OK);   /* G */
	assert_int_equal(tl_open(f.core, p), GOTRACE_OK);   /* range */
	done(f.core, p, 1100, 1200, "assist");
	assert_int_equal(tl_open(f.core, p), GOTRACE_OK);
	done(f.core, p, 1300, 1300, "zero");
	/* Nothing written while G is open. */
	assert_null(strstr(f.rec->log, "slice"));
	done(f.core, p, 1100, 1400, "G1");
	/* Same start and end: the one reported later is the outer one. */
	assert_int_equal(tl_open(f.core, p), GOTRACE_OK);
	assert_int_equal(tl_open(f.core, p), GOTRACE_OK);
	done(f.core, p, 1500, 1600, "inner");
	done(f.core, p, 1500, 1600, "outer");
	assert_int_equal(gotrace_timeline_finish(f.core), GOTRACE_OK);
	assert_string_equal(f.rec->log,
	                    "begin;name 0 Proc 7 7;"
	                    "slice 0/0 G1 100-400;slice 0/0 assist 100-200;"
	                    "slice 0/0 zero 300-300;"
	                    "slice 0/0 outer 500-600;slice 0/0 inner 500-600;"
	                    "finish;");
	teardown(&f);
}

/* A slice that overlaps another without nesting goes to lane 1. */
static void test_lanes(void **state)
{
	fixture f;
	tl_track p = trk(0, 1);

	(void)state;
	setup(&f);
	tl_open(f.core, p);
	tl_open(f.core, p);
	done(f.core, p, 1000, 1500, "sweep");
	tl_open(f.core, p);
	done(f.core, p, 1200, 1800, "G2");
	done(f.core, p, 1600, 1700, "G3 inside G2");
	assert_int_equal(gotrace_timeline_finish(f.core), GOTRACE_OK);
	assert_string_equal(f.rec->log,
	                    "begin;track 0=0/1;"
	                    "slice 0/0 sweep 0-500;slice 0/1 G2 200-800;"
	                    "slice 0/1 G3 inside G2 600-700;finish;");
	teardown(&f);
}

/* Flows: the start binds to the innermost slice holding it, the end to the
 * outermost slice starting there; the flow is written after both groups;
 * a flow from an idle track is unbound; dropped flows are not written. */
static void test_flows(void **state)
{
	fixture f;
	tl_track a = trk(0, 1), b = trk(0, 2), idle = trk(0, 3);
	uint64_t id, id2, id3;
	tl_instant in;

	(void)state;
	setup(&f);
	tl_open(f.core, a);                       /* G1 on a */
	tl_open(f.core, a);                       /* a range inside G1 */
	id = tl_flow_begin(f.core, a, 1150, str("unblock"), NULL, 0);
	assert_true(id != 0);
	done(f.core, a, 1100, 1200, "range");
	tl_open(f.core, b);                       /* G2 starts on b */
	assert_int_equal(tl_flow_end(f.core, id, b, 1300), GOTRACE_OK);
	/* Not written yet: its start's group (a) is still open. */
	assert_null(strstr(f.rec->log, "flow"));
	done(f.core, a, 1000, 1400, "G1");
	assert_null(strstr(f.rec->log, "flow"));   /* b still open */
	done(f.core, b, 1300, 1500, "G2");
	assert_non_null(strstr(f.rec->log, "flow 1 unblock 0@150 -> 1@300;"));
	assert_non_null(strstr(f.rec->log, "slice 0/0 range 100-200 out1;"));
	assert_non_null(strstr(f.rec->log, "slice 1/0 G2 300-500 in1;"));

	/* From an idle track: unbound at once; to an idle track: unbound. */
	id2 = tl_flow_begin(f.core, idle, 1600, str("go"), NULL, 0);
	assert_int_equal(tl_flow_end(f.core, id2, idle, 1700), GOTRACE_OK);
	assert_non_null(strstr(f.rec->log,
	                       "flow 2 go 2@600(unbound) -> 2@700(unbound);"));

	/* Bound to an instant; a dropped flow is never written. */
	id3 = tl_flow_begin(f.core, idle, 1800, str("exit blocked syscall"),
	                    NULL, 0);
	memset(&in, 0, sizeof in);
	in.track = idle;
	in.time = 1800;
	in.name = str("exit blocked syscall");
	in.flow_out = id3;
	assert_int_equal(tl_instant_at(f.core, &in), GOTRACE_OK);
	tl_flow_drop(f.core, id3);
	assert_int_equal(gotrace_timeline_finish(f.core), GOTRACE_OK);
	assert_non_null(strstr(f.rec->log, "instant 2 exit blocked syscall 800 out3;"));
	assert_null(strstr(f.rec->log, "flow 3"));
	teardown(&f);
}

/* Slices left open by the view are written at finish; counters pass
 * through; a finished timeline takes no more events. */
static void test_finish(void **state)
{
	fixture f;
	tl_track p = trk(0, 1), stats = trk(1, 0);
	tl_counter k;
	gotrace_event ev;

	(void)state;
	setup(&f);
	memset(&k, 0, sizeof k);
	k.track = stats;
	k.time = 1010;
	k.name = "Goroutines";
	k.keys[0] = "Running";
	k.values[0] = 3;
	k.n = 1;
	assert_int_equal(tl_counter_at(f.core, &k), GOTRACE_OK);
	tl_open(f.core, p);
	tl_open(f.core, p);
	done(f.core, p, 1020, 1030, "inner");
	assert_int_equal(gotrace_timeline_finish(f.core), GOTRACE_OK);
	assert_string_equal(f.rec->log,
	                    "begin;track 0=1/0;counter Goroutines 10 Running=3;"
	                    "track 1=0/1;slice 1/0 inner 20-30;finish;");
	assert_int_equal(gotrace_timeline_finish(f.core), GOTRACE_OK);
	memset(&ev, 0, sizeof ev);
	assert_int_equal(gotrace_timeline_feed(f.core, &ev), GOTRACE_ERR_ARG);
	teardown(&f);
}

/* The public options: INIT, names, and what gotrace_timeline_new refuses. */
static void test_options(void **state)
{
	gotrace_timeline_options o = GOTRACE_TIMELINE_OPTIONS_INIT;
	gotrace_timeline *tl = NULL;
	gotrace_sink *sink;

	(void)state;
	assert_int_equal(o.struct_size, sizeof o);
	assert_int_equal(o.format, GOTRACE_TIMELINE_JSON);
	assert_int_equal(o.view, GOTRACE_TIMELINE_PROC);
	assert_int_equal(o.clock, GOTRACE_TIMELINE_CLOCK_TRACE);
	assert_string_equal(gotrace_timeline_format_name(GOTRACE_TIMELINE_PERFETTO),
	                    "perfetto");
	assert_int_equal(gotrace_timeline_format_parse("json"), GOTRACE_TIMELINE_JSON);
	assert_int_equal(gotrace_timeline_view_parse("goroutine"),
	                 GOTRACE_TIMELINE_GOROUTINE);
	assert_string_equal(gotrace_timeline_view_name(GOTRACE_TIMELINE_THREAD),
	                    "thread");
	assert_int_equal(gotrace_timeline_clock_parse("wall"),
	                 GOTRACE_TIMELINE_CLOCK_WALL);
	assert_null(gotrace_timeline_clock_name(7));
	assert_int_equal(gotrace_timeline_view_parse("bogus"), -1);
	assert_int_equal(gotrace_timeline_format_parse(NULL), -1);

	assert_int_equal(gotrace_sink_open_callback(&sink, discard, NULL),
	                 GOTRACE_OK);
	assert_int_equal(gotrace_timeline_new(NULL, &o, sink), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_timeline_new(&tl, NULL, sink), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_timeline_new(&tl, &o, NULL), GOTRACE_ERR_ARG);
	/* No size (a zeroed struct), or one that cuts the last field. */
	o.struct_size = 0;
	assert_int_equal(gotrace_timeline_new(&tl, &o, sink), GOTRACE_ERR_ARG);
	o.struct_size = offsetof(gotrace_timeline_options, clock) + 1;
	assert_int_equal(gotrace_timeline_new(&tl, &o, sink), GOTRACE_ERR_ARG);
	o.struct_size = sizeof o;
	o.view = 9;
	assert_int_equal(gotrace_timeline_new(&tl, &o, sink), GOTRACE_ERR_ARG);
	assert_null(tl);
	gotrace_timeline_free(NULL);
	assert_int_equal(gotrace_timeline_finish(NULL), GOTRACE_ERR_ARG);
	gotrace_sink_free(sink);
}

/* The goroutine view on a real trace, through the recording format: a
 * track per goroutine, named by its function; states in order; wall
 * clock refused on a trace without snapshots. */
static void run_goroutine_view(const char *path, int wall, recorder *rec,
                               int *feed_rc)
{
	const tl_view_ops *vops;
	gotrace_reader *r;
	gotrace_sink *sink;
	gotrace_event ev;
	tl_core *core;
	void *view;
	int rc;

	assert_int_equal(tl_view_goroutine_new(&view, &vops), GOTRACE_OK);
	assert_int_equal(gotrace_sink_open_callback(&sink, discard, NULL),
	                 GOTRACE_OK);
	assert_int_equal(tl_core_new(&core, sink, wall, view, vops, rec,
	                             &recorder_ops),
	                 GOTRACE_OK);
	{
		gotrace_input *in;
		assert_int_equal(gotrace_input_open_path(&in, path), GOTRACE_OK);
		assert_int_equal(gotrace_reader_new(&r, in), GOTRACE_OK);
	}
	*feed_rc = GOTRACE_OK;
	while ((rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK)
		if ((*feed_rc = gotrace_timeline_feed(core, &ev)) != GOTRACE_OK)
			break;
	if (*feed_rc == GOTRACE_OK)
		assert_int_equal(rc, GOTRACE_EOF);
	gotrace_timeline_finish(core);
	gotrace_reader_free(r);
	gotrace_timeline_free(core);
	gotrace_sink_free(sink);
}

static void test_goroutine_view(void **state)
{
	static recorder rec;
	int rc;

	(void)state;
	memset(&rec, 0, sizeof rec);
	run_goroutine_view(TESTDATA_DIR "/traces/go1.27/syncprims.trace", 0, &rec,
	                   &rc);
	assert_int_equal(rc, GOTRACE_OK);
	assert_non_null(strstr(rec.log, "process 0 GOROUTINES 0;"));
	assert_non_null(strstr(rec.log, " G1 main.main 1;"));
	assert_non_null(strstr(rec.log, " running "));
	assert_non_null(strstr(rec.log, " waiting ("));
	assert_non_null(strstr(rec.log, "flow "));

	memset(&rec, 0, sizeof rec);
	run_goroutine_view(TESTDATA_DIR "/traces/go1.22/syncprims.trace", 1, &rec,
	                   &rc);
	assert_int_equal(rc, GOTRACE_ERR_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_lanes),
		cmocka_unit_test(test_flows),
		cmocka_unit_test(test_finish),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_goroutine_view),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
