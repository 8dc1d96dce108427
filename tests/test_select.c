/*
 * Ranges: gotrace_range_parse_*, gotrace_index_select and
 * gotrace_reader_select.
 *
 *  - The parsers: each textual form and each reason for refusing one;
 *    wall-clock times against timegm(3), durations against Go's units.
 *  - Resolving on go1.27/generations.trace (7 generations, clock
 *    snapshots): generation ranges, time ranges on each clock placed by
 *    the index's own first_time and snapshots as the header documents
 *    it, a generation it lacks, a start after the end; a wall-clock time
 *    on go1.24's (no snapshots), a v1 trace, a trace with no complete
 *    generation, one damaged in its first generation.
 *  - gotrace_index_valid_bytes against the reader's valid bytes after
 *    its error, on every damaged v2 trace of the corpus.
 *  - Against Go: on the traces testdata/regen.sh cut with
 *    tests/cut_trace.py (FILE.cut.A-B.parsed.xz, Go 1.27's -d=parsed of
 *    the cut bytes), a reader on the whole file given the range "A:B"
 *    (as `gotrace dump --gen A:B` gives it), and the same generations as
 *    a time range on the trace clock and since the start, prints Go's
 *    events.
 */
#define _DEFAULT_SOURCE /* timegm */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <gotrace/gotrace.h>

#include "testutil.h"

#define GENS TESTDATA_DIR "/traces/go1.27/generations.trace"
#define GENS_124 TESTDATA_DIR "/traces/go1.24/generations.trace"
#define V1 TESTDATA_DIR "/traces/go1.21/gc.trace"

/* A struct_size smaller than this version's struct is refused by every
 * function that takes a range, which reads nothing else of it. */
static void test_struct_size(void **state)
{
	gotrace_range r = GOTRACE_RANGE_INIT;
	gotrace_selection sel;
	gotrace_input *in = NULL;
	gotrace_index *idx = NULL;
	const char *why = NULL;

	(void)state;
	assert_true(r.struct_size == sizeof r);
	r.struct_size = sizeof r - 1;
	assert_int_equal(gotrace_range_parse_generations(&r, "2:3", &why),
	                 GOTRACE_ERR_ARG);
	assert_string_equal(why, "struct_size too small");
	assert_int_equal(r.kind, GOTRACE_RANGE_ALL);
	assert_int_equal(gotrace_range_parse_time(&r, GOTRACE_RANGE_FIRST,
	                                          "1s", &why),
	                 GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_input_open_path(&in, GENS), GOTRACE_OK);
	assert_int_equal(gotrace_index_new(&idx, in), GOTRACE_OK);
	assert_int_equal(gotrace_index_select(idx, &r, &sel), GOTRACE_ERR_ARG);
	assert_non_null(strstr(sel.message, "struct_size"));
	r.struct_size = sizeof r;
	assert_int_equal(gotrace_index_select(idx, &r, &sel), GOTRACE_OK);
	gotrace_index_free(idx);         /* and the input it owns */
}

/* ---- parsing -------------------------------------------------------------- */

static void expect_gens(const char *text, int has_first, uint64_t first,
                        int has_last, uint64_t last)
{
	gotrace_range r = GOTRACE_RANGE_INIT;
	const char *why = NULL;

	assert_int_equal(gotrace_range_parse_generations(&r, text, &why),
	                 GOTRACE_OK);
	assert_int_equal(r.kind, GOTRACE_RANGE_GENERATIONS);
	assert_int_equal(r.has_first, has_first);
	assert_int_equal(r.has_last, has_last);
	if (has_first)
		assert_true(r.first_gen == first);
	if (has_last)
		assert_true(r.last_gen == last);
}

static void expect_bad_gens(const char *text, const char *reason)
{
	gotrace_range r = GOTRACE_RANGE_INIT;
	const char *why = NULL;

	assert_int_equal(gotrace_range_parse_generations(&r, text, &why),
	                 GOTRACE_ERR_ARG);
	assert_non_null(why);
	assert_string_equal(why, reason);
	assert_int_equal(r.kind, GOTRACE_RANGE_ALL); /* unchanged */
}

static void expect_time(const char *text, gotrace_clock_kind clock,
                        int64_t t)
{
	gotrace_range r = GOTRACE_RANGE_INIT;
	const char *why = NULL;

	assert_int_equal(gotrace_range_parse_time(&r, GOTRACE_RANGE_LAST, text,
	                                          &why), GOTRACE_OK);
	assert_int_equal(r.kind, GOTRACE_RANGE_TIMES);
	assert_int_equal(r.has_first, 0);
	assert_int_equal(r.has_last, 1);
	assert_int_equal(r.to_clock, clock);
	assert_true(r.to == t);
}

static void expect_bad_time(const char *text, const char *reason)
{
	gotrace_range r = GOTRACE_RANGE_INIT;
	const char *why = NULL;

	assert_int_equal(gotrace_range_parse_time(&r, GOTRACE_RANGE_FIRST, text,
	                                          &why), GOTRACE_ERR_ARG);
	assert_non_null(why);
	if (strncmp(why, reason, strlen(reason)) != 0)
		print_error("%s: got %s\n", text, why);
	assert_true(strncmp(why, reason, strlen(reason)) == 0);
	assert_int_equal(r.kind, GOTRACE_RANGE_ALL);
}

static int64_t utc_ns(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm) * 1000000000;
}

static void test_parse(void **state)
{
	gotrace_range r = GOTRACE_RANGE_INIT;
	int64_t ns = -1;
	const char *why = NULL;

	(void)state;
	expect_gens("2:4", 1, 2, 1, 4);
	expect_gens("5:", 1, 5, 0, 0);
	expect_gens(":3", 0, 0, 1, 3);
	expect_gens("3", 1, 3, 1, 3);
	expect_gens("18446744073709551615", 1, UINT64_MAX, 1, UINT64_MAX);
	expect_bad_gens("", "empty");
	expect_bad_gens(":", "neither A nor B given (A:B, A:, :B or A)");
	expect_bad_gens("1:2:3", "more than one ':' (A:B, A:, :B or A)");
	expect_bad_gens("0", "must be positive");
	expect_bad_gens("-1", "must not be negative");
	expect_bad_gens("a", "not a number");
	expect_bad_gens("1:x", "not a number");
	expect_bad_gens("18446744073709551616", "too large");
	expect_bad_gens("4:2", "A is after B");

	expect_time("1.5s", GOTRACE_CLOCK_START, 1500000000);
	expect_time("2m3s", GOTRACE_CLOCK_START, 123000000000);
	expect_time("1h30m", GOTRACE_CLOCK_START, 5400000000000);
	expect_time("250ms", GOTRACE_CLOCK_START, 250000000);
	expect_time("7\xc2\xb5s", GOTRACE_CLOCK_START, 7000);
	expect_time("100us", GOTRACE_CLOCK_START, 100000);
	expect_time("42", GOTRACE_CLOCK_START, 42);
	expect_time("@3622970673024", GOTRACE_CLOCK_TRACE, 3622970673024);
	expect_time("2026-12-03T10:15:00.5Z", GOTRACE_CLOCK_WALL,
	            utc_ns(2026, 12, 3, 10, 15, 0) + 500000000);
	expect_time("2026-12-03T10:15:00+01:30", GOTRACE_CLOCK_WALL,
	            utc_ns(2026, 12, 3, 8, 45, 0));
	expect_time("2024-02-29t23:59:59.123456789123-00:00", GOTRACE_CLOCK_WALL,
	            utc_ns(2024, 2, 29, 23, 59, 59) + 123456789);
	expect_bad_time("", "empty");
	expect_bad_time("-1s", "must not be negative");
	expect_bad_time("1 parsec", "unknown unit");
	expect_bad_time("1.5", "missing unit");
	expect_bad_time("x", "not a time: a duration since the start");
	expect_bad_time("@", "empty");
	expect_bad_time("@x", "not a number");
	expect_bad_time("@9223372036854775808", "too large");
	expect_bad_time("2026-13-01T00:00:00Z", "no such date or time");
	expect_bad_time("2023-02-29T00:00:00Z", "no such date or time");
	expect_bad_time("2026-11-23T01:13:35", "missing zone");
	expect_bad_time("2026-11-23T01:13:35+1:00", "bad zone offset");
	expect_bad_time("2026-11-23 01:13:35Z", "not an RFC 3339 time");
	expect_bad_time("3000-01-01T00:00:00Z", "out of range");

	/* Both ends, each on its own clock; a generation range is replaced. */
	assert_int_equal(gotrace_range_parse_generations(&r, "2:3", NULL),
	                 GOTRACE_OK);
	assert_int_equal(gotrace_range_parse_time(&r, GOTRACE_RANGE_FIRST,
	                                          "@5", NULL), GOTRACE_OK);
	assert_int_equal(r.kind, GOTRACE_RANGE_TIMES);
	assert_int_equal(r.has_last, 0);
	assert_int_equal(gotrace_range_parse_time(&r, GOTRACE_RANGE_LAST, "1s",
	                                          NULL), GOTRACE_OK);
	assert_true(r.has_first && r.from_clock == GOTRACE_CLOCK_TRACE &&
	            r.from == 5);
	assert_true(r.has_last && r.to_clock == GOTRACE_CLOCK_START &&
	            r.to == 1000000000);
	assert_int_equal(gotrace_range_parse_time(&r, 3, "1s", &why),
	                 GOTRACE_ERR_ARG);

	assert_int_equal(gotrace_parse_duration("1.5h", &ns, &why), GOTRACE_OK);
	assert_true(ns == 5400000000000);
	assert_int_equal(gotrace_parse_duration("@5", &ns, &why),
	                 GOTRACE_ERR_ARG);
	assert_string_equal(why, "not a duration (e.g. 10ms, 1.5s, 100us)");
	assert_true(ns == 5400000000000);
	assert_int_equal(gotrace_parse_duration("9223372036854775807ns", &ns,
	                                        &why), GOTRACE_OK);
	assert_true(ns == INT64_MAX);
	assert_int_equal(gotrace_parse_duration("9223372036854775808ns", &ns,
	                                        &why), GOTRACE_ERR_ARG);
	assert_string_equal(why, "too large");
}

static gotrace_reader *reader_of(const char *path, int threads);

/* ---- resolving ------------------------------------------------------------ */

static gotrace_index *index_of(const char *path)
{
	gotrace_input *in = NULL;
	gotrace_index *idx = NULL;

	assert_int_equal(gotrace_input_open_path(&in, path), GOTRACE_OK);
	gotrace_index_new(&idx, in);
	assert_non_null(idx);
	return idx;
}

static gotrace_generation_info gen_at(const gotrace_index *idx, size_t i)
{
	gotrace_generation_info g;

	assert_int_equal(gotrace_index_at(idx, i, &g), 0);
	return g;
}

static gotrace_range gen_range(int has_first, uint64_t a, int has_last,
                               uint64_t b)
{
	gotrace_range r = GOTRACE_RANGE_INIT;

	r.kind = GOTRACE_RANGE_GENERATIONS;
	r.has_first = has_first;
	r.first_gen = a;
	r.has_last = has_last;
	r.last_gen = b;
	return r;
}

static gotrace_range time_range(int has_from, gotrace_clock_kind fc,
                                int64_t from, int has_to,
                                gotrace_clock_kind tc, int64_t to)
{
	gotrace_range r = GOTRACE_RANGE_INIT;

	r.kind = GOTRACE_RANGE_TIMES;
	r.has_first = has_from;
	r.from_clock = fc;
	r.from = from;
	r.has_last = has_to;
	r.to_clock = tc;
	r.to = to;
	return r;
}

static void expect_sel(const gotrace_index *idx, gotrace_range r,
                       size_t first, size_t last, int to_end)
{
	gotrace_selection sel;

	assert_int_equal(gotrace_index_select(idx, &r, &sel), GOTRACE_OK);
	assert_int_equal(sel.first, first);
	assert_int_equal(sel.last, last);
	assert_int_equal(sel.to_end, to_end);
	assert_true(sel.first_gen == gen_at(idx, first).number);
	assert_true(sel.last_gen == gen_at(idx, last).number);
	assert_int_equal(sel.failed_end, 0);
}

static void expect_fail(const gotrace_index *idx, gotrace_range r, int rc,
                        int end, const char *message)
{
	gotrace_selection sel;

	assert_int_equal(gotrace_index_select(idx, &r, &sel), rc);
	assert_int_equal(sel.failed_end, end);
	if (strcmp(sel.message, message) != 0)
		print_error("got \"%s\"\n", sel.message);
	assert_string_equal(sel.message, message);
}

static int64_t wall_of(const gotrace_generation_info *g)
{
	return g->wall_sec * 1000000000 + g->wall_nsec;
}

/* The position of the last generation whose first_time is at or before
 * trace time t, else 0: where the header says a time is placed. */
static size_t holding(const gotrace_index *idx, int64_t t)
{
	size_t i, pos = 0;

	for (i = 0; i < gotrace_index_count(idx); i++)
		if (gen_at(idx, i).first_time <= t)
			pos = i;
	return pos;
}

static void test_index_select(void **state)
{
	gotrace_index *idx = index_of(GENS);
	size_t n = gotrace_index_count(idx), i;
	gotrace_generation_info g0;
	gotrace_range all = GOTRACE_RANGE_INIT;

	(void)state;
	assert_int_equal(n, 7);
	g0 = gen_at(idx, 0);
	assert_true(g0.number == 1 && gen_at(idx, 6).number == 7);
	expect_sel(idx, all, 0, 6, 1);
	expect_sel(idx, gen_range(1, 2, 1, 4), 1, 3, 0);
	expect_sel(idx, gen_range(1, 5, 0, 0), 4, 6, 1);
	expect_sel(idx, gen_range(0, 0, 1, 3), 0, 2, 0);
	expect_sel(idx, gen_range(1, 7, 1, 7), 6, 6, 0);
	expect_fail(idx, gen_range(1, 99, 0, 0), GOTRACE_ERR_ARG,
	            GOTRACE_RANGE_FIRST,
	            "no generation 99 in the trace (its generations: 1 to 7)");
	expect_fail(idx, gen_range(1, 2, 1, 8), GOTRACE_ERR_ARG,
	            GOTRACE_RANGE_LAST,
	            "no generation 8 in the trace (its generations: 1 to 7)");

	/* Each generation by its own first_time, on each clock, and just
	 * before it (the generation before); a wall time through the
	 * snapshot, as gotrace_index_find_time is documented to place it. */
	for (i = 1; i < n; i++) {
		gotrace_generation_info g = gen_at(idx, i);
		int64_t wall;

		assert_true(g.has_clock);
		expect_sel(idx, time_range(1, GOTRACE_CLOCK_TRACE, g.first_time,
		                           0, 0, 0), i, 6, 1);
		expect_sel(idx, time_range(1, GOTRACE_CLOCK_TRACE, g.first_time - 1,
		                           1, GOTRACE_CLOCK_TRACE, g.first_time - 1),
		           i - 1, i - 1, 0);
		expect_sel(idx, time_range(0, 0, 0, 1, GOTRACE_CLOCK_START,
		                           g.first_time - g0.first_time), 0, i, 0);
		/* Just after the snapshot's wall time: through that
		 * snapshot, a trace time holding the generation. */
		wall = wall_of(&g) + 1;
		expect_sel(idx, time_range(1, GOTRACE_CLOCK_WALL, wall, 1,
		                           GOTRACE_CLOCK_WALL, wall),
		           holding(idx, g.clock_trace + 1),
		           holding(idx, g.clock_trace + 1), 0);
	}
	/* Before the trace: the first; after it: the last. */
	expect_sel(idx, time_range(1, GOTRACE_CLOCK_TRACE, 0, 1,
	                           GOTRACE_CLOCK_START, INT64_MAX / 2), 0, 6, 0);
	expect_fail(idx, time_range(1, GOTRACE_CLOCK_TRACE, gen_at(idx, 4).first_time,
	                            1, GOTRACE_CLOCK_TRACE, gen_at(idx, 1).first_time),
	            GOTRACE_ERR_ARG, GOTRACE_RANGE_FIRST | GOTRACE_RANGE_LAST,
	            "the range's start comes after its end (the trace's "
	            "generations 5 and 2)");
	/* The wrong way round on one clock, though both fall in the last
	 * generation (past the trace's end). */
	expect_fail(idx, time_range(1, GOTRACE_CLOCK_START, INT64_MAX / 2, 1,
	                            GOTRACE_CLOCK_START, INT64_MAX / 4),
	            GOTRACE_ERR_ARG, GOTRACE_RANGE_FIRST | GOTRACE_RANGE_LAST,
	            "the range's start comes after its end (the trace's "
	            "generations 7 and 7)");
	{
		gotrace_selection sel;
		gotrace_range bad = time_range(1, (gotrace_clock_kind)7, 0, 0, 0, 0);

		assert_int_equal(gotrace_index_select(idx, &bad, &sel),
		                 GOTRACE_ERR_ARG);
		bad.kind = (gotrace_range_kind)9;
		assert_int_equal(gotrace_index_select(idx, &bad, &sel),
		                 GOTRACE_ERR_ARG);
		assert_int_equal(gotrace_index_select(idx, NULL, &sel),
		                 GOTRACE_ERR_ARG);
	}
	gotrace_index_free(idx);

	/* No clock snapshots before Go 1.25: wall times cannot be placed;
	 * times on the other clocks can. */
	idx = index_of(GENS_124);
	assert_true(gotrace_index_count(idx) > 1);
	assert_false(gen_at(idx, 0).has_clock);
	expect_fail(idx, time_range(0, 0, 0, 1, GOTRACE_CLOCK_WALL,
	                            utc_ns(2026, 11, 23, 1, 13, 35)),
	            GOTRACE_ERR_UNSUPPORTED, GOTRACE_RANGE_LAST,
	            "the trace has no clock snapshots to place a wall-clock "
	            "time (Go writes them from 1.25 on)");
	expect_sel(idx, time_range(1, GOTRACE_CLOCK_START, 0, 0, 0, 0), 0,
	           gotrace_index_count(idx) - 1, 1);
	gotrace_index_free(idx);

	idx = index_of(V1);
	expect_fail(idx, gen_range(1, 2, 1, 2), GOTRACE_ERR_UNSUPPORTED, 0,
	            "a go 1.21 trace (the v1 format of Go 1.11 to 1.21) has no "
	            "generations");
	gotrace_index_free(idx);
}

/* An index of the first len bytes of the generations trace (in *data,
 * which the caller frees after the index). */
static gotrace_index *index_of_prefix(size_t len, int *rc, uint8_t **data)
{
	size_t size;
	gotrace_input *in = NULL;
	gotrace_index *idx = NULL;

	*data = tu_read_file(GENS, &size);
	assert_non_null(*data);
	assert_true(len <= size);
	assert_int_equal(gotrace_input_open_memory(&in, *data, len),
	                 GOTRACE_OK);
	*rc = gotrace_index_new(&idx, in);
	assert_non_null(idx);
	return idx;
}

static void test_no_generations(void **state)
{
	gotrace_selection sel;
	gotrace_range r;
	int rc;
	uint8_t *data;
	gotrace_index *idx = index_of_prefix(16, &rc, &data);

	(void)state;
	/* The header alone: a trace with no generation, not a damaged one. */
	assert_int_equal(gotrace_index_count(idx), 0);
	expect_fail(idx, gen_range(1, 1, 0, 0), GOTRACE_ERR_ARG,
	            GOTRACE_RANGE_FIRST,
	            "no generation 1 in the trace (its generations: none)");
	expect_fail(idx, time_range(1, GOTRACE_CLOCK_START, 0, 0, 0, 0),
	            GOTRACE_ERR_ARG, GOTRACE_RANGE_FIRST,
	            "the trace has no complete generation");
	gotrace_index_free(idx);
	free(data);

	/* Damaged inside its first generation: the scan's error, whatever
	 * the range. */
	idx = index_of_prefix(200, &rc, &data);
	assert_true(rc < 0);
	assert_int_equal(gotrace_index_count(idx), 0);
	r = gen_range(1, 1, 0, 0);
	assert_int_equal(gotrace_index_select(idx, &r, &sel), rc);
	assert_int_equal(sel.failed_end, 0);
	assert_string_equal(sel.message,
	                    gotrace_error_message(gotrace_index_error(idx)));
	/* Nothing intact: nothing valid, not even the header. */
	assert_true(gotrace_index_valid_bytes(idx) == 0);
	gotrace_index_free(idx);
	free(data);
}

/*
 * gotrace_index_valid_bytes is what a reader's gotrace_reader_valid_bytes
 * comes to after reading up to the error, on every damaged v2 trace of
 * the corpus (and on the whole traces they were cut from, the input's
 * size).
 */
static void test_valid_bytes(void **state)
{
	size_t n, i, damaged = 0;
	char **traces = tu_list_traces(TESTDATA_DIR "/traces/truncated", &n);

	(void)state;
	for (i = 0; i < n; i++) {
		gotrace_reader_options opts = GOTRACE_READER_OPTIONS_INIT;
		gotrace_input *in = NULL;
		gotrace_reader *r = NULL;
		gotrace_index *idx;
		gotrace_event ev;
		int rc;

		opts.threads = 1;
		assert_int_equal(gotrace_input_open_path(&in, traces[i]),
		                 GOTRACE_OK);
		rc = gotrace_reader_new_opts(&r, in, &opts);
		assert_non_null(r);
		if (rc != GOTRACE_OK ||
		    !gotrace_version_is_v2(gotrace_reader_version(r))) {
			gotrace_reader_free(r);
			continue;
		}
		while ((rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK)
			;
		idx = index_of(traces[i]);
		if (gotrace_index_valid_bytes(idx) !=
		    gotrace_reader_valid_bytes(r))
			print_error("%s: index %llu, reader %llu\n", traces[i],
			            (unsigned long long)gotrace_index_valid_bytes(idx),
			            (unsigned long long)gotrace_reader_valid_bytes(r));
		assert_true(gotrace_index_valid_bytes(idx) ==
		            gotrace_reader_valid_bytes(r));
		damaged += rc < 0;
		gotrace_index_free(idx);
		gotrace_reader_free(r);
	}
	tu_free_list(traces, n);
	assert_true(damaged >= 10);
	{
		size_t size;
		uint8_t *data = tu_read_file(GENS, &size);
		gotrace_index *idx = index_of(GENS);

		assert_non_null(data);
		assert_true(gotrace_index_valid_bytes(idx) == size);
		gotrace_index_free(idx);
		free(data);
	}
}

/* ---- the reader ------------------------------------------------------------ */

/* Reads r to its end: every event as gotrace_event_write prints it, then
 * "end RC". */
static char *read_events(gotrace_reader *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	gotrace_event ev;
	int rc;

	assert_non_null(f);
	while ((rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK)
		if (gotrace_event_write(&ev, f) != 0)
			fprintf(f, "(unprintable)\n");
	fprintf(f, "end %d\n", rc);
	fclose(f);
	return text;
}

static gotrace_reader *reader_of(const char *path, int threads)
{
	gotrace_reader_options opts = GOTRACE_READER_OPTIONS_INIT;
	gotrace_input *in = NULL;
	gotrace_reader *r = NULL;

	opts.threads = threads;
	assert_int_equal(gotrace_input_open_path(&in, path), GOTRACE_OK);
	assert_int_equal(gotrace_reader_new_opts(&r, in, &opts), GOTRACE_OK);
	return r;
}

static void test_reader_select(void **state)
{
	gotrace_reader *r = reader_of(GENS, 1);
	gotrace_range range = GOTRACE_RANGE_INIT;
	gotrace_selection sel;
	gotrace_event ev;
	char *whole, *again;
	int rc;

	(void)state;
	/* No range: nothing changes (and no index is needed). */
	assert_int_equal(gotrace_reader_select(r, &range, NULL), GOTRACE_OK);
	whole = read_events(r);
	/* A failed select leaves the reader as it was: at its end. */
	range = gen_range(1, 99, 0, 0);
	assert_int_equal(gotrace_reader_select(r, &range, &sel), GOTRACE_ERR_ARG);
	assert_int_equal(sel.failed_end, GOTRACE_RANGE_FIRST);
	assert_int_equal(gotrace_reader_next(r, &ev), GOTRACE_EOF);
	/* Selecting after a stop, and after reading, starts over. */
	range = gen_range(1, 5, 1, 5);
	assert_int_equal(gotrace_reader_select(r, &range, NULL), GOTRACE_OK);
	free(read_events(r));
	range = gen_range(0, 0, 0, 0);
	range.has_first = 1;
	range.first_gen = 1;
	assert_int_equal(gotrace_reader_select(r, &range, &sel), GOTRACE_OK);
	assert_true(sel.to_end && sel.first == 0);
	again = read_events(r);
	assert_string_equal(again, whole);
	free(again);
	free(whole);
	gotrace_reader_free(r);

	r = reader_of(V1, 1);
	range = gen_range(1, 2, 1, 2);
	rc = gotrace_reader_select(r, &range, &sel);
	assert_int_equal(rc, GOTRACE_ERR_UNSUPPORTED);
	assert_int_equal(sel.failed_end, 0);
	assert_string_equal(sel.message, "a go 1.21 trace (the v1 format of Go "
	                    "1.11 to 1.21) has no generations");
	gotrace_reader_free(r);

	r = reader_of(GENS_124, 2);
	range = time_range(1, GOTRACE_CLOCK_WALL, 0, 0, 0, 0);
	assert_int_equal(gotrace_reader_select(r, &range, &sel),
	                 GOTRACE_ERR_UNSUPPORTED);
	assert_int_equal(sel.failed_end, GOTRACE_RANGE_FIRST);
	assert_non_null(strstr(sel.message, "no clock snapshots"));
	gotrace_reader_free(r);
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The reader's events before its "end" line against Go's reference. */
static void expect_go_events(gotrace_reader *r, const char *ref, size_t rlen,
                             int go_ok, const char *what)
{
	char *got = read_events(r), *end;

	end = starts_with(got, "end ") ? got : strstr(got, "\nend ");
	assert_non_null(end);
	end += *end == '\n';
	if ((size_t)(end - got) != rlen || memcmp(got, ref, rlen) != 0)
		print_error("%s: events differ from Go's\n", what);
	assert_int_equal((size_t)(end - got), rlen);
	assert_memory_equal(got, ref, rlen);
	assert_int_equal(starts_with(end, "end 1"), go_ok);
	free(got);
}

static void test_select_matches_go(void **state)
{
	size_t n, i, checked = 0;
	char **traces = tu_list_traces(TESTDATA_DIR "/traces", &n);

	(void)state;
	for (i = 0; i < n; i++) {
		char cmd[8300], line[8192];
		size_t plen = strlen(traces[i]) + strlen(".cut.");
		FILE *ls;

		snprintf(cmd, sizeof cmd, "ls '%s'.cut.*.parsed.xz 2>/dev/null",
		         traces[i]);
		ls = popen(cmd, "r");
		assert_non_null(ls);
		while (fgets(line, sizeof line, ls) != NULL) {
			char status_base[8192], *err_text = NULL, *ref, endword[16];
			char spec[64];
			size_t rlen;
			unsigned long a;
			int exit_code, threads, open_end;

			line[strcspn(line, "\n")] = '\0';
			if (sscanf(line + plen, "%lu-%15[a-z0-9]", &a, endword) != 2)
				continue;
			open_end = strcmp(endword, "end") == 0;
			snprintf(spec, sizeof spec, open_end ? "%lu:" : "%lu:%s", a,
			         endword);
			snprintf(status_base, sizeof status_base, "%.*s",
			         (int)(strlen(line) - strlen(".parsed.xz")), line);
			exit_code = tu_read_status(status_base, "parsed", &err_text);
			assert_true(exit_code >= 0);
			ref = tu_read_xz(line, &rlen);
			assert_non_null(ref);
			for (threads = 1; threads <= 2; threads++) {
				gotrace_reader *r = reader_of(traces[i], threads);
				gotrace_range range = GOTRACE_RANGE_INIT;
				gotrace_selection sel;
				const gotrace_index *idx;
				int64_t t0;

				assert_int_equal(gotrace_range_parse_generations(
				                         &range, spec, NULL), GOTRACE_OK);
				assert_int_equal(gotrace_reader_select(r, &range, &sel),
				                 GOTRACE_OK);
				expect_go_events(r, ref, rlen, exit_code == 0, line);

				/* The same generations by their first times: on the
				 * trace clock, then since the start. */
				idx = gotrace_reader_index(r, NULL);
				assert_non_null(idx);
				t0 = gen_at(idx, 0).first_time;
				range = time_range(1, GOTRACE_CLOCK_TRACE,
				                   gen_at(idx, sel.first).first_time,
				                   !open_end, GOTRACE_CLOCK_START,
				                   gen_at(idx, sel.last).first_time - t0);
				assert_int_equal(gotrace_reader_select(r, &range, NULL),
				                 GOTRACE_OK);
				expect_go_events(r, ref, rlen, exit_code == 0, line);
				gotrace_reader_free(r);
			}
			free(ref);
			free(err_text);
			checked++;
		}
		pclose(ls);
	}
	tu_free_list(traces, n);
	assert_true(checked >= 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_struct_size),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_index_select),
		cmocka_unit_test(test_no_generations),
		cmocka_unit_test(test_valid_bytes),
		cmocka_unit_test(test_reader_select),
		cmocka_unit_test(test_select_matches_go),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
