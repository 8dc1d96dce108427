/*
 * libFuzzer harness: the whole reader (wire layer, generations, ordering
 * with and without parking, on the caller's thread, on a worker and on
 * workers ordering generations at once, state
 * machine, event printing) on arbitrary bytes, the analyses fed from it
 * (summary with its live accessors and forgetting, GC, MMU and MUD), the
 * exports (a pprof profile; timelines of every view in both formats, on
 * the trace clock and the wall clock), plus the raw wire reader, the
 * index, seeks and cuts, and ranges parsed from text and selected. Any
 * crash, hang, leak or sanitizer report is a bug; the inputs that found
 * bugs are kept in fuzz/regressions/ and replayed by the tests.
 *
 * Build and run: see docs/fuzzing.md.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gotrace/gotrace.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The analyses, as a caller would run them: fed every event, asked for
 * live figures at each generation, finished even after an error. */
typedef struct analyses {
	gotrace_summary *sum;
	gotrace_gc *gc;
	gotrace_mmu *mmu;
} analyses;

static int analyses_new(analyses *a, unsigned mmu_flags)
{
	a->sum = NULL;
	a->gc = NULL;
	a->mmu = NULL;
	return gotrace_summary_new(&a->sum) == GOTRACE_OK &&
	       gotrace_gc_new(&a->gc) == GOTRACE_OK &&
	       gotrace_mmu_new(&a->mmu, mmu_flags) == GOTRACE_OK;
}

static void analyses_feed(analyses *a, const gotrace_event *ev, int forget)
{
	gotrace_summary_feed(a->sum, ev);
	gotrace_gc_feed(a->gc, ev);
	gotrace_mmu_feed(a->mmu, ev);
	if (ev->kind == GOTRACE_EVENT_SYNC) {
		size_t n = gotrace_summary_group_count(a->sum), i;
		gotrace_goroutine_group g;
		gotrace_goroutine_summary gs;

		for (i = 0; i < n; i++)
			gotrace_summary_group_at(a->sum, i, &g);
		if (gotrace_summary_goroutine_count(a->sum) > 0)
			gotrace_summary_goroutine_at(a->sum, 0, &gs);
		if (forget)
			gotrace_summary_forget_ended(a->sum);
	}
}

static void analyses_finish(analyses *a)
{
	static const double q[] = { 0, 0.01, 0.5, 1 };
	double mud[4];
	gotrace_duration_stats st;
	gotrace_gc_totals tot;
	size_t i, n;

	gotrace_summary_finish(a->sum);
	gotrace_gc_finish(a->gc);
	gotrace_mmu_finish(a->mmu);
	n = gotrace_summary_goroutine_count(a->sum);
	for (i = 0; i < n; i++) {
		gotrace_goroutine_summary g;

		gotrace_summary_goroutine_at(a->sum, i, &g);
	}
	n = gotrace_summary_task_count(a->sum);
	for (i = 0; i < n; i++) {
		gotrace_task_summary t;

		gotrace_summary_task_at(a->sum, i, &t);
	}
	n = gotrace_summary_region_type_count(a->sum);
	for (i = 0; i < n; i++) {
		gotrace_region_type rt;

		gotrace_summary_region_type_at(a->sum, i, &rt);
	}
	n = gotrace_summary_task_type_count(a->sum);
	for (i = 0; i < n; i++) {
		gotrace_task_type tt;

		gotrace_summary_task_type_at(a->sum, i, &tt);
	}
	gotrace_gc_totals_get(a->gc, &tot);
	gotrace_gc_stw_stats(a->gc, &st);
	gotrace_gc_cycle_stats(a->gc, &st);
	for (i = 1; i <= 1000000000; i *= 1000)
		gotrace_mmu_at(a->mmu, (int64_t)i);
	gotrace_mmu_mud(a->mmu, 1000000, q, 4, mud);
	gotrace_summary_free(a->sum);
	gotrace_gc_free(a->gc);
	gotrace_mmu_free(a->mmu);
}

/* Exports fed from the same loop, written to a sink that drops the bytes
 * (the writers still encode everything). */
typedef struct exports {
	gotrace_sink *sink;
	gotrace_pprof *pprof;
	gotrace_timeline *tl[2];
} exports;

static ptrdiff_t drop_bytes(void *ctx, const void *data, size_t len)
{
	(void)ctx;
	(void)data;
	return (ptrdiff_t)len;
}

/* pass 1: a sched profile, the proc view as JSON and the goroutine view
 * as Perfetto; pass 2: a CPU profile, the thread view as Perfetto on the
 * wall clock and the proc view as Perfetto. */
static void exports_new(exports *x, int pass)
{
	gotrace_pprof_options po = GOTRACE_PPROF_OPTIONS_INIT;
	gotrace_timeline_options to[2] = { GOTRACE_TIMELINE_OPTIONS_INIT,
	                                   GOTRACE_TIMELINE_OPTIONS_INIT };
	size_t i;

	x->sink = NULL;
	x->pprof = NULL;
	x->tl[0] = x->tl[1] = NULL;
	if (gotrace_sink_open_callback(&x->sink, drop_bytes, NULL) != GOTRACE_OK)
		return;
	po.type = pass == 1 ? GOTRACE_PPROF_SCHED : GOTRACE_PPROF_CPU;
	(void)gotrace_pprof_new(&x->pprof, &po);
	if (pass == 1) {
		to[1].view = GOTRACE_TIMELINE_GOROUTINE;
		to[1].format = GOTRACE_TIMELINE_PERFETTO;
	} else {
		to[0].view = GOTRACE_TIMELINE_THREAD;
		to[0].format = GOTRACE_TIMELINE_PERFETTO;
		to[0].clock = GOTRACE_TIMELINE_CLOCK_WALL;
		to[1].format = GOTRACE_TIMELINE_PERFETTO;
	}
	for (i = 0; i < 2; i++)
		(void)gotrace_timeline_new(&x->tl[i], &to[i], x->sink);
}

static void exports_feed(exports *x, const gotrace_event *ev)
{
	if (x->pprof != NULL)
		gotrace_pprof_feed(x->pprof, ev);
	if (x->tl[0] != NULL)
		gotrace_timeline_feed(x->tl[0], ev);
	if (x->tl[1] != NULL)
		gotrace_timeline_feed(x->tl[1], ev);
}

static void exports_finish(exports *x)
{
	size_t i;

	if (x->pprof != NULL) {
		gotrace_pprof_finish(x->pprof);
		gotrace_pprof_write(x->pprof, x->sink);
		gotrace_pprof_free(x->pprof);
	}
	for (i = 0; i < 2; i++) {
		gotrace_timeline_finish(x->tl[i]);
		gotrace_timeline_free(x->tl[i]);
	}
	gotrace_sink_free(x->sink);
}

/* A reader of the input; NULL if memory ran out. (A bad header is the
 * first read's error.) */
static gotrace_reader *open_reader(const uint8_t *data, size_t size,
                                   int ordering, int threads)
{
	gotrace_reader_options opts = GOTRACE_READER_OPTIONS_INIT;
	gotrace_input *in;
	gotrace_reader *r;

	if (gotrace_input_open_memory(&in, data, size) != GOTRACE_OK)
		return NULL;
	opts.ordering = ordering;
	opts.threads = threads;
	gotrace_reader_new_opts(&r, in, &opts);
	if (r == NULL)
		gotrace_input_free(in);
	return r;
}

static void read_events(const uint8_t *data, size_t size, int ordering,
                        int threads, FILE *sink, int analyse)
{
	analyses an;
	exports ex;
	gotrace_reader *r = open_reader(data, size, ordering, threads);
	gotrace_event ev;
	int rc = GOTRACE_OK;

	if (r == NULL)
		return;
	if (analyse && !analyses_new(&an, analyse == 1 ? GOTRACE_UTIL_DEFAULT :
	                             GOTRACE_UTIL_DEFAULT | GOTRACE_UTIL_PER_PROC)) {
		gotrace_summary_free(an.sum);
		gotrace_gc_free(an.gc);
		gotrace_mmu_free(an.mmu);
		analyse = 0;
	}
	if (analyse)
		exports_new(&ex, analyse);
	while (rc == GOTRACE_OK && (rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK) {
		gotrace_goroutine_info gi;
		gotrace_proc_info pi;

		if (analyse) {
			analyses_feed(&an, &ev, analyse == 2);
			exports_feed(&ex, &ev);
		}
		gotrace_event_write(&ev, sink);
		/* Query the state machine as a caller would. */
		if (ev.goroutine >= 0)
			gotrace_reader_goroutine(r, ev.goroutine, &gi);
		if (ev.proc >= 0)
			gotrace_reader_proc(r, ev.proc, &pi);
	}
	if (analyse) {
		analyses_finish(&an);
		exports_finish(&ex);
	}
	(void)gotrace_error_message(gotrace_reader_error(r));
	gotrace_reader_free(r);
}

/* ev as gotrace_event_write prints it, in a string of the caller's (NULL
 * if memory ran out). */
static char *event_text(const gotrace_event *ev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	gotrace_event_write(ev, f);
	fclose(f);
	return buf;
}

/*
 * Batches of up to n events give what single calls give: a second reader
 * reads the same input event by event beside it, and any difference in
 * the events' text or the end aborts. The batch's events are printed only
 * once the whole batch is in, so that a string or stack whose tables were
 * replaced or freed meanwhile shows (as other text, or under ASan).
 */
static void read_batches(const uint8_t *data, size_t size, int threads,
                         size_t n, FILE *sink)
{
	gotrace_reader *one = open_reader(data, size, GOTRACE_ORDERING_AUTO,
	                                  threads);
	gotrace_reader *bat = open_reader(data, size, GOTRACE_ORDERING_AUTO,
	                                  threads);
	gotrace_event evs[16], e1;
	char *text[16];
	size_t got, i;
	int rc;

	if (one == NULL || bat == NULL) {
		gotrace_reader_free(one);
		gotrace_reader_free(bat);
		return;
	}
	while ((rc = gotrace_reader_next_batch(bat, evs, n, &got)) ==
	       GOTRACE_OK) {
		for (i = 0; i < got; i++) {
			if (gotrace_reader_next(one, &e1) != GOTRACE_OK)
				abort();
			text[i] = event_text(&e1);
		}
		for (i = 0; i < got; i++) {
			char *t = event_text(&evs[i]);

			if (t != NULL && text[i] != NULL && strcmp(t, text[i]) != 0)
				abort();
			free(t);
			free(text[i]);
			gotrace_event_write(&evs[i], sink);
		}
	}
	if (got != 0 || gotrace_reader_next(one, &e1) != rc ||
	    strcmp(gotrace_error_message(gotrace_reader_error(one)),
	           gotrace_error_message(gotrace_reader_error(bat))) != 0)
		abort();
	gotrace_reader_free(one);
	gotrace_reader_free(bat);
}

static void read_wire(const uint8_t *data, size_t size, FILE *sink)
{
	gotrace_input *in;
	gotrace_wire_reader *w;
	gotrace_wire_event ev;
	int rc;

	if (gotrace_input_open_memory(&in, data, size) != GOTRACE_OK)
		return;
	rc = gotrace_wire_reader_new(&w, in);
	if (w == NULL) {
		gotrace_input_free(in);
		return;
	}
	while (rc == GOTRACE_OK && (rc = gotrace_wire_reader_next(w, &ev)) == GOTRACE_OK)
		gotrace_wire_event_write(&ev, sink);
	gotrace_wire_reader_free(w);
}

static int count_cut(void *ctx, const void *data, size_t len)
{
	(void)data;
	*(size_t *)ctx += len;
	return 0;
}

/* Random access: the index of whatever the input holds, a cut of every
 * generation it lists, and a reader that seeks to each (the last one
 * stopping where it starts) and reads to its end. */
static void read_random_access(const uint8_t *data, size_t size, FILE *sink)
{
	gotrace_input *in;
	gotrace_reader *r;
	const gotrace_index *idx;
	gotrace_generation_info gi;
	gotrace_event ev;
	size_t i, n, written = 0;
	int rc;

	if (gotrace_input_open_memory(&in, data, size) != GOTRACE_OK)
		return;
	rc = gotrace_reader_new(&r, in);
	if (r == NULL) {
		gotrace_input_free(in);
		return;
	}
	idx = gotrace_reader_index(r, &rc);
	n = idx != NULL ? gotrace_index_count(idx) : 0;
	for (i = 0; i < n && i < 8; i++) {
		if (gotrace_index_at(idx, i, &gi) != 0)
			break;
		(void)gotrace_cut_write(idx, i, i, count_cut, &written);
		(void)gotrace_index_find_time(idx, GOTRACE_CLOCK_START, gi.first_time);
		if (gotrace_reader_seek_generation(r, gi.number) != GOTRACE_OK)
			continue;
		if (i + 1 == n)
			(void)gotrace_reader_set_stop(r, gi.number);
		while (gotrace_reader_next(r, &ev) == GOTRACE_OK)
			gotrace_event_write(&ev, sink);
	}
	(void)gotrace_reader_seek_time(r, GOTRACE_CLOCK_WALL, 0);
	gotrace_reader_free(r);
}

/* Ranges (gotrace_range): the parsers on text taken from the input's
 * last bytes (up to a NUL), which the fuzzer mutates like the rest, then
 * the range selected on a reader of the whole input and read. */
static void read_ranges(const uint8_t *data, size_t size, FILE *sink)
{
	gotrace_range gens = GOTRACE_RANGE_INIT, times = GOTRACE_RANGE_INIT;
	gotrace_selection sel;
	gotrace_reader *r;
	gotrace_event ev;
	char text[49];
	size_t n = size < sizeof text - 1 ? size : sizeof text - 1, i;
	const char *why;
	int64_t ns;
	int k;

	memcpy(text, data + size - n, n);
	text[n] = '\0';
	(void)gotrace_parse_duration(text, &ns, &why);
	(void)gotrace_range_parse_generations(&gens, text, &why);
	/* The text up to its first ',' starts the range, the rest ends it. */
	for (i = 0; i < n && text[i] != ','; i++)
		;
	if (i < n) {
		text[i] = '\0';
		(void)gotrace_range_parse_time(&times, GOTRACE_RANGE_LAST,
		                               text + i + 1, &why);
	}
	(void)gotrace_range_parse_time(&times, GOTRACE_RANGE_FIRST, text, &why);
	for (k = 0; k < 2; k++) {
		const gotrace_range *range = k == 0 ? &gens : &times;

		if (range->kind == GOTRACE_RANGE_ALL)
			continue;
		if ((r = open_reader(data, size, GOTRACE_ORDERING_AUTO, 0)) ==
		    NULL)
			return;
		if (gotrace_reader_select(r, range, &sel) == GOTRACE_OK)
			while (gotrace_reader_next(r, &ev) == GOTRACE_OK)
				gotrace_event_write(&ev, sink);
		gotrace_reader_free(r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;

	if (sink == NULL)
		sink = fopen("/dev/null", "w");
	if (sink == NULL)
		return 0;
	read_events(data, size, GOTRACE_ORDERING_AUTO, 1, sink, 1);
	/* Parking only starts past a budget small inputs never reach. The
	 * second pass also orders on a worker thread. */
	read_events(data, size, GOTRACE_ORDERING_PARKING, 2, sink, 2);
	/* Generations ordered at once, speculatively (docs/parallel.md). */
	read_events(data, size, GOTRACE_ORDERING_AUTO, 3, sink, 0);
	read_batches(data, size, 1 + (int)(size & 1), 1 + size % 16, sink);
	read_wire(data, size, sink);
	read_random_access(data, size, sink);
	read_ranges(data, size, sink);
	return 0;
}
