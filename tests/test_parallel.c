/*
 * Generations ordered in parallel (reader option threads >= 3,
 * docs/parallel.md) give exactly what a read on one thread gives: every
 * event as Go's printer writes it, the getters after each, the final
 * status and error. On Go's own traces no generation is ordered twice
 * (the speculation holds); on damaged and synthetic ones generations may
 * be, and the result is still the same.
 *
 * Run with trace paths as arguments, it compares those instead and
 * prints its statistics (for traces too large for the repository).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gotrace/reader.h"
#include "order/speculate.h"
#include "reader/parallel.h"
#include "reader/reader_internal.h"
#include "testutil.h"

static gotrace_reader *open_with(const char *path, int threads,
                                 uint32_t refute_every)
{
	gotrace_reader_options opts = GOTRACE_READER_OPTIONS_INIT;
	gotrace_input *in;
	gotrace_reader *r;

	opts.threads = threads;
	assert_int_equal(gotrace_input_open_path(&in, path), GOTRACE_OK);
	gotrace_reader_new_opts(&r, in, &opts);
	assert_non_null(r);
	r->par_refute_every = refute_every;
	return r;
}

/* A printed event. */
typedef struct printed {
	FILE *f;
	char *buf;
	size_t len;
	int rc;
} printed;

static void print_event(printed *p, const gotrace_event *ev)
{
	rewind(p->f);
	p->rc = gotrace_event_write(ev, p->f);
	fflush(p->f);
	p->len = (size_t)ftell(p->f);
}

static int same_progress(const gotrace_reader *a, const gotrace_reader *b)
{
	return gotrace_reader_generation(a) == gotrace_reader_generation(b) &&
	       gotrace_reader_valid_bytes(a) == gotrace_reader_valid_bytes(b) &&
	       gotrace_reader_offset(a) == gotrace_reader_offset(b) &&
	       gotrace_reader_incomplete(a) == gotrace_reader_incomplete(b) &&
	       gotrace_reader_parked_generations(a) ==
	       gotrace_reader_parked_generations(b);
}

/* Reads path with one thread and with threads; returns 0 if they agree
 * (else prints where they part), with the parallel read's statistics. */
static int compare(const char *path, int threads, uint32_t refute_every,
                   gt_par_stats *stats)
{
	gotrace_reader *one = open_with(path, 1, 0);
	gotrace_reader *par = open_with(path, threads, refute_every);
	printed p1 = {NULL, NULL, 0, 0}, p2 = {NULL, NULL, 0, 0};
	gotrace_event e1, e2;
	uint64_t n = 0;
	int rc1, rc2, bad = 0;

	p1.f = open_memstream(&p1.buf, &p1.len);
	p2.f = open_memstream(&p2.buf, &p2.len);
	assert_non_null(p1.f);
	assert_non_null(p2.f);
	do {
		rc1 = gotrace_reader_next(one, &e1);
		rc2 = gotrace_reader_next(par, &e2);
		if (rc1 != rc2) {
			print_error("%s (-j %d): event %llu: status %d vs %d\n", path,
			            threads, (unsigned long long)n, rc1, rc2);
			bad = 1;
			break;
		}
		if (rc1 == GOTRACE_OK) {
			print_event(&p1, &e1);
			print_event(&p2, &e2);
			if (p1.rc != p2.rc || p1.len != p2.len ||
			    memcmp(p1.buf, p2.buf, p1.len) != 0) {
				print_error("%s (-j %d): event %llu:\n  %.*s  %.*s", path,
				            threads, (unsigned long long)n, (int)p1.len,
				            p1.buf, (int)p2.len, p2.buf);
				bad = 1;
				break;
			}
		}
		if (!same_progress(one, par)) {
			print_error("%s (-j %d): getters differ after event %llu\n",
			            path, threads, (unsigned long long)n);
			bad = 1;
			break;
		}
		n++;
	} while (rc1 == GOTRACE_OK);
	if (!bad && strcmp(gotrace_error_message(gotrace_reader_error(one)),
	                   gotrace_error_message(gotrace_reader_error(par))) != 0) {
		print_error("%s (-j %d): error\n  %s\n  %s\n", path, threads,
		            gotrace_error_message(gotrace_reader_error(one)),
		            gotrace_error_message(gotrace_reader_error(par)));
		bad = 1;
	}
	gt_par_get_stats(par, stats);
	fclose(p1.f);
	fclose(p2.f);
	free(p1.buf);
	free(p2.buf);
	gotrace_reader_free(one);
	gotrace_reader_free(par);
	return bad;
}

static void add_stats(gt_par_stats *to, const gt_par_stats *s)
{
	size_t i;

	to->generations += s->generations;
	to->speculated += s->speculated;
	to->fallbacks += s->fallbacks;
	to->failed_checks += s->failed_checks;
	to->assumptions += s->assumptions;
	to->patched += s->patched;
	for (i = 0; i < 16; i++)
		to->gave_up[i] += s->gave_up[i];
}

static void print_stats(const char *what, const gt_par_stats *s)
{
	print_message("%s: %llu generations, %llu speculative, %llu ordered "
	              "again (%llu refuted; gave up: error %llu, stuck %llu, "
	              "parking %llu, context %llu, proc %llu, abandoned %llu, "
	              "other %llu); %llu assumptions, %llu events filled in\n",
	              what, (unsigned long long)s->generations,
	              (unsigned long long)s->speculated,
	              (unsigned long long)s->fallbacks,
	              (unsigned long long)s->failed_checks,
	              (unsigned long long)s->gave_up[GT_GIVEUP_ERROR],
	              (unsigned long long)s->gave_up[GT_GIVEUP_STUCK],
	              (unsigned long long)s->gave_up[GT_GIVEUP_PARKING],
	              (unsigned long long)s->gave_up[GT_GIVEUP_CONTEXT],
	              (unsigned long long)s->gave_up[GT_GIVEUP_PROC],
	              (unsigned long long)s->gave_up[GT_GIVEUP_ABANDONED],
	              (unsigned long long)s->gave_up[GT_GIVEUP_OTHER],
	              (unsigned long long)s->assumptions,
	              (unsigned long long)s->patched);
}

/* Go's own traces (not damaged, not made up): testdata/traces/go1.NN. */
static int is_real(const char *path)
{
	return strstr(path, "/traces/go1.") != NULL;
}

static void test_parallel_agrees(void **state)
{
	static const int threads[] = {3, 4};
	size_t n, i, k, compared = 0;
	char **traces = tu_list_traces(TESTDATA_DIR "/traces", &n);
	gt_par_stats real, other;
	int bad = 0;

	(void)state;
	memset(&real, 0, sizeof real);
	memset(&other, 0, sizeof other);
	for (i = 0; i < n; i++) {
		for (k = 0; k < 2; k++) {
			gt_par_stats s;

			bad |= compare(traces[i], threads[k], 0, &s);
			add_stats(is_real(traces[i]) ? &real : &other, &s);
			if (is_real(traces[i]) && s.fallbacks != 0) {
				print_error("%s (-j %d): %llu generations ordered "
				            "again\n", traces[i], threads[k],
				            (unsigned long long)s.fallbacks);
				bad = 1;
			}
			compared++;
		}
	}
	tu_free_list(traces, n);
	print_stats("Go's traces", &real);
	print_stats("damaged and synthetic traces", &other);
	assert_false(bad);
	assert_true(compared > 100);
	/* The speculation is exercised: real traces with several
	 * generations are in the corpus. */
	assert_true(real.speculated > 0);
}

/*
 * Ordering a generation again from where its speculation failed: with
 * checks of the true state made to fail every so often (the first, one in
 * 3, one in 40), each fallback at a different point of a generation, the
 * read is still the one-thread read.
 */
static void test_fallback_anywhere(void **state)
{
	static const uint32_t every[] = {1, 3, 40};
	size_t n, i, k;
	char **traces = tu_list_traces(TESTDATA_DIR "/traces", &n);
	gt_par_stats all;
	int bad = 0;

	(void)state;
	memset(&all, 0, sizeof all);
	for (i = 0; i < n; i++) {
		for (k = 0; k < 3; k++) {
			gt_par_stats s;

			bad |= compare(traces[i], 3, every[k], &s);
			add_stats(&all, &s);
		}
	}
	tu_free_list(traces, n);
	print_stats("with checks failing", &all);
	assert_false(bad);
	assert_true(all.fallbacks > 100);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parallel_agrees),
		cmocka_unit_test(test_fallback_anywhere),
	};

	if (argc > 1) {
		/* GT_REFUTE=N: every Nth check fails. */
		const char *refute = getenv("GT_REFUTE");
		uint32_t every = refute != NULL ? (uint32_t)atoi(refute) : 0;
		int i, bad = 0;

		for (i = 1; i < argc; i++) {
			gt_par_stats s;

			size_t k;

			bad |= compare(argv[i], 4, every, &s);
			print_stats(argv[i], &s);
			for (k = 0; k < 16; k++)
				if (s.by_kind[k] != 0)
					print_message("  assumption kind %zu: %llu\n", k,
					              (unsigned long long)s.by_kind[k]);
		}
		return bad;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
