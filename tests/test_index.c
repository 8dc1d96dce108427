/*
 * Random access: the generation index, seeking, stopping, cutting.
 *
 *  - The index of every real v2 trace against Go's -d=wire output: per
 *    generation its number, batch counts, earliest and latest batch
 *    timestamps, frequency and clock snapshot are those of the batch
 *    headers and sync batches Go printed; the byte ranges tile the file.
 *    Every kind of input (memory, mapped, path, pipe) gives the same index.
 *  - Seeking: a reader moved to generation N (and stopped after M) gives
 *    the same events, text for text, and the same error as a fresh reader
 *    on the cut trace (the header, then the bytes of generations N..M),
 *    for every generation of the multi-generation traces, on one thread
 *    and two, after reading a while, twice in a row; seeking by time on
 *    each clock; and the errors of what cannot be seeked.
 *  - Seeking against Go: on the traces testdata/regen.sh cut with
 *    tests/cut_trace.py (FILE.cut.A-B.parsed.xz), a reader on the whole
 *    file seeked to A and stopped after B prints Go's events and error.
 *  - Cutting writes exactly the header and the generations' bytes.
 *  - Damaged traces (testdata/traces/truncated, cut from the real ones):
 *    the index lists the generations whose bytes end before the damage,
 *    as in the full trace, and returns the error.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <gotrace/gotrace.h>

#include "gen/index.h"
#include "reader/reader_internal.h"
#include "testutil.h"

/* ---- inputs -------------------------------------------------------------- */

enum input_kind { IN_MEMORY, IN_MMAP, IN_PATH, IN_PIPE, IN_CALLBACK };

typedef struct pipe_feed {
	const uint8_t *data;
	size_t len, pos;
} pipe_feed;

static long feed_read(void *ctx, void *buf, size_t len)
{
	pipe_feed *f = ctx;
	size_t n = f->len - f->pos;

	if (n > len)
		n = len;
	if (n > 1000)
		n = 1000; /* short reads, as a pipe gives */
	memcpy(buf, f->data + f->pos, n);
	f->pos += n;
	return (long)n;
}

/* A pipe with the bytes in it, written by a grandchild process (whose
 * parent exits at once, so that nothing is left to wait for). */
static int pipe_with(const uint8_t *data, size_t len)
{
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		size_t off = 0;

		if (fork() != 0)
			_exit(0);
		close(fds[0]);
		while (off < len) {
			ssize_t n = write(fds[1], data + off, len - off);

			if (n <= 0)
				_exit(1);
			off += (size_t)n;
		}
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return fds[0];
}

/* An input of the given kind over the file at path (whose bytes are
 * data). The pipe's writer is left to exit on its own. */
static gotrace_input *open_input(enum input_kind kind, const char *path,
                                 const uint8_t *data, size_t len,
                                 pipe_feed *feed)
{
	gotrace_input *in = NULL;

	switch (kind) {
	case IN_MEMORY:
		assert_int_equal(gotrace_input_open_memory(&in, data, len),
		                 GOTRACE_OK);
		break;
	case IN_MMAP:
		assert_int_equal(gotrace_input_open_mmap(&in, path), GOTRACE_OK);
		break;
	case IN_PATH:
		assert_int_equal(gotrace_input_open_path(&in, path), GOTRACE_OK);
		break;
	case IN_PIPE:
		assert_int_equal(gotrace_input_open_fd(&in, pipe_with(data, len), 1),
		                 GOTRACE_OK);
		break;
	case IN_CALLBACK:
		feed->data = data;
		feed->len = len;
		feed->pos = 0;
		assert_int_equal(gotrace_input_open_callback(&in, feed_read, NULL,
		                                             feed),
		                 GOTRACE_OK);
		break;
	}
	return in;
}

static gotrace_index *index_file(enum input_kind kind, const char *path,
                                 const uint8_t *data, size_t len, int *rc)
{
	pipe_feed feed;
	gotrace_index *idx = NULL;

	*rc = gotrace_index_new(&idx, open_input(kind, path, data, len, &feed));
	assert_non_null(idx);
	return idx;
}

static gotrace_generation_info gen_at(const gotrace_index *idx, size_t i)
{
	gotrace_generation_info g;

	assert_int_equal(gotrace_index_at(idx, i, &g), 0);
	return g;
}

/* ---- Go's -d=wire output, reduced to generations ------------------------ */

typedef struct ref_gen {
	uint64_t number, batches, event_batches;
	uint64_t min_ts, max_ts;
	int has_freq;
	uint64_t freq;
	int has_clock;
	uint64_t clock_ts, mono, sec, nsec;
} ref_gen;

typedef struct ref_wire {
	ref_gen *gens;
	size_t n;
	int ended;            /* the last generation's end was seen */
} ref_wire;

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The word a line starts with. */
static size_t word_len(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0' && s[n] != ' ' && s[n] != '\n')
		n++;
	return n;
}

static int word_is(const char *s, const char *w)
{
	return word_len(s) == strlen(w) && strncmp(s, w, strlen(w)) == 0;
}

static ref_gen *ref_new_gen(ref_wire *w, uint64_t number)
{
	ref_gen *g;

	w->gens = realloc(w->gens, (w->n + 1) * sizeof *w->gens);
	assert_non_null(w->gens);
	g = &w->gens[w->n++];
	memset(g, 0, sizeof *g);
	g->number = number;
	return g;
}

/*
 * Generations as Go printed their batches: a generation is a run of
 * batches with one gen= number, ended (Go 1.26+) by EndOfGeneration.
 */
static void parse_wire(const char *text, int version, ref_wire *w)
{
	const char *line = text;
	ref_gen *cur = NULL;
	uint64_t batch_time = 0;
	int open_gen = 0;

	memset(w, 0, sizeof *w);
	while (*line != '\0') {
		const char *nl = strchr(line, '\n');
		const char *next = nl != NULL ? nl + 1 : line + strlen(line);
		unsigned long long gen, m, t, size, exp, a, b, c, d;
		int is_batch = 0, is_exp = 0;

		if (sscanf(line, "EventBatch gen=%llu m=%llu time=%llu size=%llu",
		           &gen, &m, &t, &size) == 4)
			is_batch = 1;
		else if (sscanf(line, "ExperimentalBatch exp=%llu gen=%llu m=%llu "
		                "time=%llu", &exp, &gen, &m, &t) == 4)
			is_batch = is_exp = 1;
		if (is_batch) {
			if (!open_gen || cur->number != gen) {
				cur = ref_new_gen(w, gen);
				open_gen = 1;
			}
			if (cur->batches == 0 || cur->min_ts == 0 || t < cur->min_ts)
				cur->min_ts = t;
			if (cur->batches == 0 || t > cur->max_ts)
				cur->max_ts = t;
			cur->batches++;
			batch_time = t;
			/* What the batch holds: the line after its header. */
			if (!is_exp && !(size == 0 ||
			                 word_is(next, "Strings") ||
			                 word_is(next, "Stacks") ||
			                 word_is(next, "CPUSamples") ||
			                 (version >= 25 && word_is(next, "Sync")) ||
			                 (version < 25 && word_is(next, "Frequency"))))
				cur->event_batches++;
			if (!is_exp && size == 0)
				cur->event_batches++;
			w->ended = version < 26;
		} else if (starts_with(line, "EndOfGeneration")) {
			if (!open_gen)
				cur = ref_new_gen(w, 0);
			open_gen = 0;
			w->ended = 1;
		} else if (sscanf(line, "Frequency freq=%llu", &a) == 1 &&
		           cur != NULL) {
			cur->has_freq = 1;
			cur->freq = a;
		} else if (sscanf(line, "ClockSnapshot dt=%llu mono=%llu sec=%llu "
		                  "nsec=%llu", &a, &b, &c, &d) == 4 &&
		           cur != NULL) {
			cur->has_clock = 1;
			cur->clock_ts = batch_time + a;
			cur->mono = b;
			cur->sec = c;
			cur->nsec = d;
		}
		line = next;
	}
}

/* Go's tick conversion (float64), as the reader's events have it. */
static int64_t ticks_ns(uint64_t freq, uint64_t ticks)
{
	double ns_per_tick = 1.0 / ((double)freq / 1e9);

	return (int64_t)((double)ticks * ns_per_tick);
}

/* The trace's minor version from its header ("go 1.NN trace"). */
static int header_version(const uint8_t *data, size_t len)
{
	int v = 0;

	if (len < 16 || sscanf((const char *)data, "go 1.%d trace", &v) != 1)
		return 0;
	return v;
}

static void check_gen_matches_ref(const gotrace_generation_info *g,
                                  const ref_gen *r, const char *path)
{
	if (g->number != r->number || g->batches != r->batches ||
	    g->event_batches != r->event_batches || g->frequency != r->freq ||
	    g->has_clock != r->has_clock)
		print_error("%s: generation %" PRIu64 ": batches %" PRIu64 "/%"
		            PRIu64 " event batches %" PRIu64 "/%" PRIu64 "\n", path,
		            g->number, g->batches, r->batches, g->event_batches,
		            r->event_batches);
	assert_int_equal(g->number, r->number);
	assert_int_equal(g->batches, r->batches);
	assert_int_equal(g->event_batches, r->event_batches);
	assert_true(g->has_frequency && r->has_freq);
	assert_int_equal(g->frequency, r->freq);
	assert_true(g->first_time == ticks_ns(r->freq, r->min_ts));
	assert_true(g->last_batch_time == ticks_ns(r->freq, r->max_ts));
	assert_int_equal(g->has_clock, r->has_clock);
	if (r->has_clock) {
		assert_true(g->clock_trace == ticks_ns(r->freq, r->clock_ts));
		assert_int_equal(g->clock_mono, r->mono);
		assert_int_equal(g->wall_sec, r->sec);
		assert_int_equal(g->wall_nsec, r->nsec);
	}
}

static const char *const v2_dirs[] = {"go1.22", "go1.23", "go1.24", "go1.26",
                                      "go1.27"};

/* Every real v2 trace: the index is Go's batch headers, and its byte
 * ranges tile the file from the header to the end. */
static void test_index_matches_wire(void **state)
{
	size_t d, checked = 0, multi = 0;

	(void)state;
	for (d = 0; d < sizeof v2_dirs / sizeof *v2_dirs; d++) {
		char dir[4096];
		size_t n, i;
		char **traces;

		snprintf(dir, sizeof dir, TESTDATA_DIR "/traces/%s", v2_dirs[d]);
		traces = tu_list_traces(dir, &n);
		for (i = 0; i < n; i++) {
			char ref[8192], *text, *err_text = NULL;
			size_t len, tlen, k;
			uint8_t *data;
			gotrace_index *idx;
			ref_wire w;
			int rc, version;

			if (tu_read_status(traces[i], "wire", &err_text) != 0) {
				free(err_text);
				continue;
			}
			free(err_text);
			snprintf(ref, sizeof ref, "%s.wire.xz", traces[i]);
			text = tu_read_xz(ref, &tlen);
			assert_non_null(text);
			data = tu_read_file(traces[i], &len);
			assert_non_null(data);
			version = header_version(data, len);
			parse_wire(text, version, &w);

			idx = index_file(IN_MMAP, traces[i], data, len, &rc);
			if (rc != GOTRACE_OK)
				print_error("%s: %s\n", traces[i],
				            gotrace_error_message(gotrace_index_error(idx)));
			assert_int_equal(rc, GOTRACE_OK);
			assert_int_equal(gotrace_index_version(idx), version);
			assert_true(w.ended);
			assert_int_equal(gotrace_index_count(idx), w.n);
			for (k = 0; k < w.n; k++) {
				gotrace_generation_info g = gen_at(idx, k);

				check_gen_matches_ref(&g, &w.gens[k], traces[i]);
				assert_int_equal(g.serial, k + 1);
				assert_int_equal(g.start_offset,
				                 k == 0 ? gotrace_index_header_size(idx)
				                        : gen_at(idx, k - 1).end_offset);
				assert_int_equal(gotrace_index_find_generation(idx,
				                                               g.number),
				                 (long)k);
			}
			assert_int_equal(gen_at(idx, w.n - 1).end_offset, len);
			assert_int_equal(gotrace_index_header_size(idx), 16);
			multi += w.n >= 3;
			gotrace_index_free(idx);
			free(w.gens);
			free(text);
			free(data);
			checked++;
		}
		tu_free_list(traces, n);
	}
	assert_true(checked >= 70);
	assert_true(multi >= 5);
}

static int same_info(const gotrace_generation_info *a,
                     const gotrace_generation_info *b)
{
	return a->number == b->number && a->serial == b->serial &&
	       a->start_offset == b->start_offset &&
	       a->end_offset == b->end_offset && a->batches == b->batches &&
	       a->event_batches == b->event_batches &&
	       a->first_time == b->first_time &&
	       a->last_batch_time == b->last_batch_time &&
	       a->has_frequency == b->has_frequency &&
	       a->frequency == b->frequency && a->has_clock == b->has_clock &&
	       a->clock_trace == b->clock_trace &&
	       a->clock_mono == b->clock_mono && a->wall_sec == b->wall_sec &&
	       a->wall_nsec == b->wall_nsec;
}

/* Collects a cut through gotrace_cut_write. */
typedef struct sink {
	uint8_t *data;
	size_t len, cap;
	int fail_after;       /* calls before failing; -1: never */
} sink;

static int sink_write(void *ctx, const void *data, size_t len)
{
	sink *s = ctx;

	if (s->fail_after == 0)
		return -1;
	if (s->fail_after > 0)
		s->fail_after--;
	if (s->len + len > s->cap) {
		s->cap = (s->len + len) * 2;
		s->data = realloc(s->data, s->cap);
		assert_non_null(s->data);
	}
	memcpy(s->data + s->len, data, len);
	s->len += len;
	return 0;
}

/* The cut trace, made by hand: the header and bytes [start, end). */
static uint8_t *cut_by_hand(const uint8_t *data, uint64_t header,
                            uint64_t start, uint64_t end, size_t *len)
{
	uint8_t *out = malloc((size_t)(header + end - start) + 1);

	assert_non_null(out);
	memcpy(out, data, (size_t)header);
	memcpy(out + header, data + start, (size_t)(end - start));
	*len = (size_t)(header + end - start);
	return out;
}

/* Every kind of input indexes alike; the ones that can be read again
 * cut alike. */
static void test_inputs_agree(void **state)
{
	static const char *const files[] = {
		"go1.22/gc.trace", "go1.23/generations.trace",
		"go1.26/flightrecorder.trace", "go1.27/generations.trace",
		"go1.27/allocfree.trace", "truncated/go1.27_generations_12817.trace",
		"truncated/go1.23_generations_9841.trace",
		"truncated/go1.26_flightrecorder_9720.trace"};
	size_t f;

	(void)state;
	for (f = 0; f < sizeof files / sizeof *files; f++) {
		char path[4096];
		size_t len, k;
		uint8_t *data;
		gotrace_index *base;
		int base_rc;
		enum input_kind kind;

		snprintf(path, sizeof path, TESTDATA_DIR "/traces/%s", files[f]);
		data = tu_read_file(path, &len);
		assert_non_null(data);
		base = index_file(IN_MEMORY, path, data, len, &base_rc);
		assert_true(gotrace_index_count(base) >= 1);
		for (kind = IN_MMAP; kind <= IN_CALLBACK; kind++) {
			gotrace_index *idx;
			size_t last = gotrace_index_count(base) - 1;
			sink s = {NULL, 0, 0, -1};
			int rc;

			idx = index_file(kind, path, data, len, &rc);
			assert_int_equal(rc, base_rc);
			assert_string_equal(
				gotrace_error_message(gotrace_index_error(idx)),
				gotrace_error_message(gotrace_index_error(base)));
			assert_int_equal(gotrace_index_count(idx),
			                 gotrace_index_count(base));
			for (k = 0; k < gotrace_index_count(base); k++) {
				gotrace_generation_info a = gen_at(idx, k);
				gotrace_generation_info b = gen_at(base, k);

				assert_true(same_info(&a, &b));
			}
			rc = gotrace_cut_write(idx, 0, last, sink_write, &s);
			if (kind == IN_PIPE || kind == IN_CALLBACK) {
				assert_int_equal(rc, GOTRACE_ERR_UNSUPPORTED);
			} else {
				size_t want_len;
				uint8_t *want = cut_by_hand(data, 16, 16,
				                            gen_at(base, last).end_offset,
				                            &want_len);

				assert_int_equal(rc, GOTRACE_OK);
				assert_int_equal(s.len, want_len);
				assert_memory_equal(s.data, want, want_len);
				free(want);
			}
			free(s.data);
			gotrace_index_free(idx);
		}
		gotrace_index_free(base);
		free(data);
	}
}

/* ---- events, as text ------------------------------------------------------ */

/* Reads r to its end: every event as gotrace_event_write prints it, then
 * the result and Go's text of the error. At most max events (0: all). */
static char *read_events(gotrace_reader *r, size_t max, size_t *count)
{
	char *text = NULL;
	size_t len = 0, n = 0;
	FILE *f = open_memstream(&text, &len);
	gotrace_event ev;
	int rc = GOTRACE_OK;

	assert_non_null(f);
	while ((max == 0 || n < max) &&
	       (rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK) {
		if (gotrace_event_write(&ev, f) != 0)
			fprintf(f, "(unprintable)\n");
		n++;
	}
	if (max == 0 || n < max)
		fprintf(f, "end %d: %s\n", rc,
		        rc == GOTRACE_EOF && !gotrace_reader_incomplete(r)
		                ? "" : gotrace_error_go_message(gotrace_reader_error(r)));
	fclose(f);
	if (count != NULL)
		*count = n;
	return text;
}

static gotrace_reader *reader_on(gotrace_input *in, int threads)
{
	gotrace_reader_options opts = GOTRACE_READER_OPTIONS_INIT;
	gotrace_reader *r = NULL;

	opts.threads = threads;
	assert_int_equal(gotrace_reader_new_opts(&r, in, &opts), GOTRACE_OK);
	return r;
}

/* What a fresh reader gives for the cut trace: the header, then bytes
 * [start, end) of data. */
static char *cut_events(const uint8_t *data, uint64_t start, uint64_t end,
                        int threads)
{
	size_t len;
	uint8_t *cut = cut_by_hand(data, 16, start, end, &len);
	gotrace_input *in;
	gotrace_reader *r;
	char *text;

	assert_int_equal(gotrace_input_open_memory(&in, cut, len), GOTRACE_OK);
	r = reader_on(in, threads);
	text = read_events(r, 0, NULL);
	gotrace_reader_free(r);
	free(cut);
	return text;
}

static void expect_same(const char *got, const char *want, const char *what,
                        const char *path, size_t n, size_t m)
{
	if (strcmp(got, want) != 0) {
		size_t i = 0;

		while (got[i] != '\0' && got[i] == want[i])
			i++;
		print_error("%s: %s from generation #%zu to #%zu differs at byte "
		            "%zu:\n got: %.200s\nwant: %.200s\n", path, what, n, m, i,
		            got + i, want + i);
	}
	assert_string_equal(got, want);
}

/* Traces with at least three generations, including damaged ones. */
static const char *const multi_files[] = {
	"go1.22/generations.trace", "go1.23/generations.trace",
	"go1.24/generations.trace", "go1.26/generations.trace",
	"go1.26/flightrecorder.trace", "go1.27/generations.trace",
	"go1.27/flightrecorder.trace",
	"truncated/go1.27_generations_17089.trace",
	"truncated/go1.23_generations_14761.trace"};

static void seek_matches_cut(int threads, enum input_kind kind)
{
	size_t f;

	for (f = 0; f < sizeof multi_files / sizeof *multi_files; f++) {
		char path[4096];
		size_t len, count, i, j;
		uint8_t *data;
		gotrace_index *idx;
		uint64_t file_end;
		int rc;

		snprintf(path, sizeof path, TESTDATA_DIR "/traces/%s",
		         multi_files[f]);
		data = tu_read_file(path, &len);
		assert_non_null(data);
		idx = index_file(IN_MEMORY, path, data, len, &rc);
		count = gotrace_index_count(idx);
		assert_true(count >= 3);
		/* A damaged trace is cut with its damage: to the file's end. */
		file_end = len;
		for (i = 0; i < count; i++) {
			gotrace_generation_info gi = gen_at(idx, i);

			for (j = i; j <= count; j++) {
				/* j == count: no stop. */
				int stop = j < count;
				uint64_t end = stop ? gen_at(idx, j).end_offset : file_end;
				pipe_feed feed;
				gotrace_reader *r;
				char *want, *got;

				if (stop && j != i && j != i + 1 && j + 1 != count)
					continue;
				want = cut_events(data, gi.start_offset, end, 1);
				r = reader_on(open_input(kind, path, data, len, &feed),
				              threads);
				assert_int_equal(gotrace_reader_seek_generation(r, gi.number),
				                 GOTRACE_OK);
				if (stop)
					assert_int_equal(gotrace_reader_set_stop(
						r, gen_at(idx, j).number), GOTRACE_OK);
				got = read_events(r, 0, NULL);
				expect_same(got, want, "seek", path, i, j);
				free(got);
				gotrace_reader_free(r);
				free(want);
			}
		}
		gotrace_index_free(idx);
		free(data);
	}
}

static void test_seek_memory(void **state)
{
	(void)state;
	seek_matches_cut(1, IN_MEMORY);
}

static void test_seek_mmap_threads(void **state)
{
	(void)state;
	seek_matches_cut(2, IN_MMAP);
}

static void test_seek_path(void **state)
{
	(void)state;
	seek_matches_cut(1, IN_PATH);
}

static void test_seek_path_threads(void **state)
{
	(void)state;
	seek_matches_cut(2, IN_PATH);
}

/* With generations ordered at once (docs/parallel.md). */
static void test_seek_path_parallel(void **state)
{
	(void)state;
	seek_matches_cut(4, IN_PATH);
}

/* A stop without a seek: the trace cut after generation M. */
static void test_stop_from_start(void **state)
{
	size_t f;

	(void)state;
	for (f = 0; f < sizeof multi_files / sizeof *multi_files; f++) {
		char path[4096];
		size_t len, count, j;
		uint8_t *data;
		gotrace_index *idx;
		int rc, threads;

		snprintf(path, sizeof path, TESTDATA_DIR "/traces/%s",
		         multi_files[f]);
		data = tu_read_file(path, &len);
		assert_non_null(data);
		idx = index_file(IN_MEMORY, path, data, len, &rc);
		count = gotrace_index_count(idx);
		for (j = 0; j < count; j++) {
			for (threads = 1; threads <= 4; threads *= 2) {
				gotrace_generation_info gj = gen_at(idx, j);
				char *want = cut_events(data, 16, gj.end_offset, 1), *got;
				gotrace_reader *r = reader_on(
					open_input(IN_PATH, path, data, len, NULL), threads);

				assert_int_equal(gotrace_reader_set_stop(r, gj.number),
				                 GOTRACE_OK);
				got = read_events(r, 0, NULL);
				expect_same(got, want, "stop", path, 0, j);
				/* Too late now. */
				assert_int_equal(gotrace_reader_set_stop(r, gj.number),
				                 GOTRACE_ERR_ARG);
				free(got);
				free(want);
				gotrace_reader_free(r);
			}
		}
		gotrace_index_free(idx);
		free(data);
	}
}

/* Seeking after reading a while, twice in a row, back and forth, with
 * one thread, two and four, on each input that can be read again. */
static void test_seek_midway(void **state)
{
	static const char *const files[] = {"go1.27/generations.trace",
	                                    "go1.23/generations.trace",
	                                    "go1.26/flightrecorder.trace"};
	size_t f;

	(void)state;
	for (f = 0; f < sizeof files / sizeof *files; f++) {
		char path[4096];
		size_t len, count, i;
		uint8_t *data;
		gotrace_index *idx;
		int rc, threads;
		enum input_kind kind;

		snprintf(path, sizeof path, TESTDATA_DIR "/traces/%s", files[f]);
		data = tu_read_file(path, &len);
		assert_non_null(data);
		idx = index_file(IN_MEMORY, path, data, len, &rc);
		count = gotrace_index_count(idx);
		for (kind = IN_MEMORY; kind <= IN_PATH; kind++) {
			for (threads = 1; threads <= 4; threads *= 2) {
				for (i = 0; i < count; i++) {
					gotrace_generation_info gi = gen_at(idx, i);
					gotrace_generation_info gl = gen_at(idx, count - 1);
					char *want = cut_events(data, gi.start_offset, len, 1);
					char *got, *skip;
					gotrace_reader *r = reader_on(
						open_input(kind, path, data, len, NULL), threads);

					/* Part way into the trace, then back to i. */
					free(read_events(r, 300 + 97 * i, NULL));
					assert_int_equal(gotrace_reader_seek_generation(
						r, gi.number), GOTRACE_OK);
					got = read_events(r, 0, NULL);
					expect_same(got, want, "seek midway", path, i, count);
					free(got);
					/* To the last generation, a little of it, then to
					 * i again: twice. */
					assert_int_equal(gotrace_reader_seek_generation(
						r, gl.number), GOTRACE_OK);
					skip = read_events(r, 50, NULL);
					free(skip);
					assert_int_equal(gotrace_reader_seek_generation(
						r, gi.number), GOTRACE_OK);
					assert_int_equal(gotrace_reader_seek_generation(
						r, gi.number), GOTRACE_OK);
					got = read_events(r, 0, NULL);
					expect_same(got, want, "seek again", path, i, count);
					free(got);
					/* After the end, back. */
					assert_int_equal(gotrace_reader_seek_generation(
						r, gi.number), GOTRACE_OK);
					got = read_events(r, 0, NULL);
					expect_same(got, want, "seek after the end", path, i,
					            count);
					free(got);
					free(want);
					gotrace_reader_free(r);
				}
			}
		}
		gotrace_index_free(idx);
		free(data);
	}
}

/* Two indexes list the same generations and end with the same error. */
static void expect_same_index(const gotrace_index *a, int arc,
                              const gotrace_index *b, int brc)
{
	size_t k;

	assert_int_equal(arc, brc);
	assert_int_equal(gotrace_index_count(a), gotrace_index_count(b));
	for (k = 0; k < gotrace_index_count(a); k++) {
		gotrace_generation_info ga = gen_at(a, k), gb = gen_at(b, k);

		assert_memory_equal(&ga, &gb, sizeof ga);
	}
	assert_int_equal(gotrace_error_code(gotrace_index_error(a)),
	                 gotrace_error_code(gotrace_index_error(b)));
	assert_string_equal(gotrace_error_message(gotrace_index_error(a)),
	                    gotrace_error_message(gotrace_index_error(b)));
	assert_int_equal(gotrace_error_offset(gotrace_index_error(a)),
	                 gotrace_error_offset(gotrace_index_error(b)));
}

/*
 * A seek, a stop or a range of generation numbers scans the index only
 * up to the generation it names (so that reaching one near the start of
 * a long trace does not wait for the whole scan), and the index the
 * reader hands out afterwards is the whole one, error included: on every
 * v2 trace, intact and truncated, for every generation.
 */
static void test_index_scanned_as_needed(void **state)
{
	static const char *const dirs[] = {"go1.22", "go1.23", "go1.24",
	                                   "go1.26", "go1.27", "truncated"};
	size_t d, checked = 0, early = 0;

	(void)state;
	for (d = 0; d < sizeof dirs / sizeof *dirs; d++) {
		char dir[4096];
		size_t n, i;
		char **traces;

		snprintf(dir, sizeof dir, TESTDATA_DIR "/traces/%s", dirs[d]);
		traces = tu_list_traces(dir, &n);
		for (i = 0; i < n; i++) {
			size_t len, count, k;
			uint8_t *data = tu_read_file(traces[i], &len);
			gotrace_index *full;
			int frc, how;

			assert_non_null(data);
			if (header_version(data, len) < 22) {
				free(data);
				continue;
			}
			full = index_file(IN_MEMORY, traces[i], data, len, &frc);
			count = gotrace_index_count(full);
			for (k = 0; k < count; k++) {
				gotrace_generation_info g = gen_at(full, k);

				for (how = 0; how < 3; how++) {
					gotrace_reader *r = reader_on(
						open_input(IN_PATH, traces[i], data, len, NULL), 1);
					gotrace_range range = GOTRACE_RANGE_INIT;
					const gotrace_index *idx;
					int rc;

					if (how == 0) {
						rc = gotrace_reader_seek_generation(r, g.number);
					} else if (how == 1) {
						rc = gotrace_reader_set_stop(r, g.number);
					} else {
						char spec[64];

						snprintf(spec, sizeof spec, "%" PRIu64 ":%" PRIu64,
						         g.number, g.number);
						assert_int_equal(gotrace_range_parse_generations(
							&range, spec, NULL), GOTRACE_OK);
						rc = gotrace_reader_select(r, &range, NULL);
					}
					assert_int_equal(rc, GOTRACE_OK);
					/* Listed up to k, and (where more follow) no more. */
					assert_int_equal(gotrace_index_count(r->index), k + 1);
					if (k + 1 < count)
						assert_true(gt_index_scanning(r->index));
					early += gt_index_scanning(r->index) != 0;
					idx = gotrace_reader_index(r, &rc);
					assert_non_null(idx);
					assert_false(gt_index_scanning(idx));
					expect_same_index(idx, rc, full, frc);
					gotrace_reader_free(r);
					checked++;
				}
			}
			gotrace_index_free(full);
			free(data);
		}
		tu_free_list(traces, n);
	}
	/* Both ends met: multi-generation traces, and truncated ones. */
	assert_true(checked > 100);
	assert_true(early > 50);
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of text, sorted (NULL-terminated array into a copy). */
static char **sorted_lines(const char *text, char **copy)
{
	size_t n = 1, k = 0;
	char **lines, *p;

	*copy = strdup(text);
	assert_non_null(*copy);
	for (p = *copy; *p != '\0'; p++)
		n += *p == '\n';
	lines = calloc(n + 1, sizeof *lines);
	assert_non_null(lines);
	for (p = strtok(*copy, "\n"); p != NULL; p = strtok(NULL, "\n"))
		lines[k++] = p;
	qsort(lines, k, sizeof *lines, cmp_line);
	return lines;
}

/* Whether two texts have the same lines, in any order (blank lines
 * aside). */
static int same_lines(const char *a, const char *b)
{
	char *ca, *cb, **la = sorted_lines(a, &ca), **lb = sorted_lines(b, &cb);
	size_t i;
	int same = 1;

	for (i = 0; same && (la[i] != NULL || lb[i] != NULL); i++)
		same = la[i] != NULL && lb[i] != NULL && strcmp(la[i], lb[i]) == 0;
	free(la);
	free(lb);
	free(ca);
	free(cb);
	return same;
}

/*
 * Against Go: testdata/regen.sh cut some traces to generations A-B with
 * tests/cut_trace.py (which shares nothing with the library) and stored
 * Go 1.27's -d=parsed output of the cut bytes (FILE.cut.A-B.parsed.xz,
 * B "end": to the end of the file). A reader on the whole file, seeked to
 * A and stopped after B, prints the same events and fails (or not) as Go
 * did, with Go's message.
 */
static void test_seek_matches_go(void **state)
{
	size_t n, i, checked = 0;
	char **traces = tu_list_traces(TESTDATA_DIR "/traces", &n);

	(void)state;
	for (i = 0; i < n; i++) {
		char cmd[8300], line[8192];
		size_t plen = strlen(traces[i]) + strlen(".cut.");
		FILE *ls;

		/* This trace's references. */
		snprintf(cmd, sizeof cmd, "ls '%s'.cut.*.parsed.xz 2>/dev/null",
		         traces[i]);
		ls = popen(cmd, "r");
		assert_non_null(ls);
		while (fgets(line, sizeof line, ls) != NULL) {
			char status_base[8192], *err_text = NULL, *ref, endword[16];
			size_t rlen, len;
			unsigned long a;
			uint64_t b;
			uint8_t *data;
			int exit_code, threads;

			line[strcspn(line, "\n")] = '\0';
			if (sscanf(line + plen, "%lu-%15[a-z0-9]", &a, endword) != 2)
				continue;
			b = strcmp(endword, "end") == 0 ? UINT64_MAX
			                                : strtoull(endword, NULL, 10);
			/* tu_read_status wants "FILE.cut.A-B" and "parsed". */
			snprintf(status_base, sizeof status_base, "%.*s",
			         (int)(strlen(line) - strlen(".parsed.xz")), line);
			exit_code = tu_read_status(status_base, "parsed", &err_text);
			assert_true(exit_code >= 0);
			ref = tu_read_xz(line, &rlen);
			assert_non_null(ref);
			data = tu_read_file(traces[i], &len);
			assert_non_null(data);
			for (threads = 1; threads <= 4; threads *= 2) {
				gotrace_reader *r = reader_on(
					open_input(threads == 1 ? IN_MMAP : IN_PATH, traces[i],
					           data, len, NULL), threads);
				char *got, *end;

				assert_int_equal(gotrace_reader_seek_generation(r, a),
				                 GOTRACE_OK);
				if (b != UINT64_MAX)
					assert_int_equal(gotrace_reader_set_stop(r, b),
					                 GOTRACE_OK);
				got = read_events(r, 0, NULL);
				/* Event lines start "M="; then comes our "end" line. */
				end = starts_with(got, "end ") ? got : strstr(got, "\nend ");
				assert_non_null(end);
				end += *end == '\n';
				if ((size_t)(end - got) != rlen ||
				    memcmp(got, ref, rlen) != 0)
					print_error("%s: events differ from Go's\n", line);
				assert_int_equal((size_t)(end - got), rlen);
				assert_memory_equal(got, ref, rlen);
				if (exit_code == 0) {
					assert_true(starts_with(end, "end 1: "));
				} else {
					const char *msg = end + strlen("end -N: ");

					assert_false(starts_with(end, "end 1: "));
					/* Go's message and a newline (a panic, exit 2, has
					 * more around it); Go dumps a stuck frontier's maps
					 * in random order: the lines are compared as sets. */
					if (exit_code == 1 && !same_lines(msg, err_text))
						print_error("%s: error %s, Go's %s\n", line, msg,
						            err_text);
					if (exit_code == 1)
						assert_true(same_lines(msg, err_text));
				}
				free(got);
				gotrace_reader_free(r);
			}
			free(data);
			free(ref);
			free(err_text);
			checked++;
		}
		pclose(ls);
	}
	tu_free_list(traces, n);
	assert_true(checked >= 15);
}

/* The generation a seek landed on: its Sync's generation. */
static uint64_t first_generation(gotrace_reader *r)
{
	gotrace_event ev;

	assert_int_equal(gotrace_reader_next(r, &ev), GOTRACE_OK);
	assert_int_equal(ev.kind, GOTRACE_EVENT_SYNC);
	return gotrace_reader_generation(r);
}

static int64_t wall_of(const gotrace_generation_info *g)
{
	return g->wall_sec * 1000000000 + g->wall_nsec;
}

/* The last generation starting at or before trace time t, else the
 * first. */
static size_t holding(const gotrace_index *idx, int64_t t)
{
	size_t i, found = 0;

	for (i = 0; i < gotrace_index_count(idx); i++)
		if (gen_at(idx, i).first_time <= t)
			found = i;
	return found;
}

static void test_seek_time(void **state)
{
	static const char *const files[] = {
		"go1.22/generations.trace", "go1.24/generations.trace",
		"go1.26/generations.trace", "go1.27/generations.trace",
		"go1.27/flightrecorder.trace"};
	size_t f;

	(void)state;
	for (f = 0; f < sizeof files / sizeof *files; f++) {
		char path[4096];
		size_t len, count, i;
		uint8_t *data;
		gotrace_index *idx;
		gotrace_reader *r;
		int rc, version;

		snprintf(path, sizeof path, TESTDATA_DIR "/traces/%s", files[f]);
		data = tu_read_file(path, &len);
		assert_non_null(data);
		version = header_version(data, len);
		idx = index_file(IN_MEMORY, path, data, len, &rc);
		count = gotrace_index_count(idx);
		r = reader_on(open_input(IN_MMAP, path, data, len, NULL), 1);
		for (i = 0; i < count; i++) {
			gotrace_generation_info g = gen_at(idx, i), g0 = gen_at(idx, 0);

			/* Its first batch's time is the generation's. */
			assert_int_equal(gotrace_reader_seek_time(
				r, GOTRACE_CLOCK_TRACE, g.first_time), GOTRACE_OK);
			assert_int_equal(first_generation(r), g.number);
			/* Just before it, the one before (or the first). */
			assert_int_equal(gotrace_reader_seek_time(
				r, GOTRACE_CLOCK_TRACE, g.first_time - 1), GOTRACE_OK);
			assert_int_equal(first_generation(r),
			                 gen_at(idx, i > 0 ? i - 1 : 0).number);
			assert_int_equal(gotrace_reader_seek_time(
				r, GOTRACE_CLOCK_START, g.first_time - g0.first_time),
				GOTRACE_OK);
			assert_int_equal(first_generation(r), g.number);
			if (version >= 25) {
				/* 1 µs past its snapshot on the wall clock: that
				 * snapshot converts it. */
				int64_t t = g.clock_trace + 1000;

				assert_true(g.has_clock);
				assert_int_equal(gotrace_reader_seek_time(
					r, GOTRACE_CLOCK_WALL, wall_of(&g) + 1000),
					GOTRACE_OK);
				assert_int_equal(first_generation(r),
				                 gen_at(idx, holding(idx, t)).number);
				assert_int_equal(gotrace_index_find_time(
					idx, GOTRACE_CLOCK_WALL, wall_of(&g) + 1000),
					(long)holding(idx, t));
			} else {
				assert_false(g.has_clock);
				assert_int_equal(gotrace_reader_seek_time(
					r, GOTRACE_CLOCK_WALL, 0), GOTRACE_ERR_UNSUPPORTED);
				assert_int_equal(gotrace_index_find_time(
					idx, GOTRACE_CLOCK_WALL, 0), -1);
			}
		}
		/* Before the trace and after it. */
		assert_int_equal(gotrace_index_find_time(idx, GOTRACE_CLOCK_TRACE,
		                                         INT64_MIN), 0);
		assert_int_equal(gotrace_index_find_time(idx, GOTRACE_CLOCK_START,
		                                         -1), 0);
		assert_int_equal(gotrace_index_find_time(idx, GOTRACE_CLOCK_TRACE,
		                                         INT64_MAX),
		                 (long)count - 1);
		assert_int_equal(gotrace_index_find_time(idx, GOTRACE_CLOCK_START,
		                                         INT64_MAX),
		                 (long)count - 1);
		if (version >= 25) {
			assert_int_equal(gotrace_index_find_time(
				idx, GOTRACE_CLOCK_WALL, INT64_MIN), 0);
			assert_int_equal(gotrace_index_find_time(
				idx, GOTRACE_CLOCK_WALL, INT64_MAX), (long)count - 1);
		}
		assert_int_equal(gotrace_reader_seek_time(r, (gotrace_clock_kind)7,
		                                          0), GOTRACE_ERR_ARG);
		gotrace_reader_free(r);
		gotrace_index_free(idx);
		free(data);
	}
}

/* What cannot be indexed, seeked or cut, and bad arguments. */
static void test_errors(void **state)
{
	char path[4096];
	size_t len;
	uint8_t *data;
	gotrace_index *idx;
	gotrace_reader *r;
	gotrace_input *in;
	const gotrace_index *ri;
	sink s = {NULL, 0, 0, -1};
	pipe_feed feed;
	int rc;

	(void)state;
	/* v1: no generations. */
	snprintf(path, sizeof path, TESTDATA_DIR "/traces/go1.21/gc.trace");
	data = tu_read_file(path, &len);
	assert_non_null(data);
	idx = index_file(IN_MEMORY, path, data, len, &rc);
	assert_int_equal(rc, GOTRACE_ERR_UNSUPPORTED);
	assert_int_equal(gotrace_index_count(idx), 0);
	assert_int_equal(gotrace_index_version(idx), 21);
	assert_int_equal(gotrace_cut_write(idx, 0, 0, sink_write, &s),
	                 GOTRACE_ERR_UNSUPPORTED);
	gotrace_index_free(idx);
	r = reader_on(open_input(IN_PATH, path, data, len, NULL), 1);
	assert_null(gotrace_reader_index(r, &rc));
	assert_int_equal(rc, GOTRACE_ERR_UNSUPPORTED);
	assert_int_equal(gotrace_reader_seek_generation(r, 1),
	                 GOTRACE_ERR_UNSUPPORTED);
	assert_int_equal(gotrace_reader_seek_time(r, GOTRACE_CLOCK_TRACE, 0),
	                 GOTRACE_ERR_UNSUPPORTED);
	assert_int_equal(gotrace_reader_set_stop(r, 1), GOTRACE_ERR_UNSUPPORTED);
	gotrace_reader_free(r);
	free(data);

	/* Not a trace. */
	assert_int_equal(gotrace_input_open_memory(&in, "hello, world, this "
	                                           "is not a trace", 30),
	                 GOTRACE_OK);
	assert_int_equal(gotrace_index_new(&idx, in), GOTRACE_ERR_FORMAT);
	assert_int_equal(gotrace_index_count(idx), 0);
	gotrace_index_free(idx);
	assert_int_equal(gotrace_index_new(NULL, NULL), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_index_new(&idx, NULL), GOTRACE_ERR_ARG);
	assert_null(idx);
	assert_int_equal(gotrace_index_count(NULL), 0);
	assert_int_equal(gotrace_index_find_generation(NULL, 1), -1);
	assert_int_equal(gotrace_index_find_time(NULL, GOTRACE_CLOCK_TRACE, 0), -1);
	gotrace_index_free(NULL);

	snprintf(path, sizeof path, TESTDATA_DIR "/traces/go1.27/generations.trace");
	data = tu_read_file(path, &len);
	assert_non_null(data);

	/* Bad generations and positions. */
	r = reader_on(open_input(IN_MMAP, path, data, len, NULL), 2);
	ri = gotrace_reader_index(r, &rc);
	assert_non_null(ri);
	assert_int_equal(rc, GOTRACE_OK);
	assert_ptr_equal(gotrace_reader_index(r, NULL), ri);
	assert_int_equal(gotrace_reader_seek_generation(r, 0), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_reader_seek_generation(r, 1000), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_reader_set_stop(r, 1000), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_index_at(ri, gotrace_index_count(ri), NULL), -1);
	assert_int_equal(gotrace_cut_write(ri, 1, 0, sink_write, &s),
	                 GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_cut_write(ri, 0, gotrace_index_count(ri),
	                                   sink_write, &s), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_cut_write(ri, 0, 0, NULL, &s), GOTRACE_ERR_ARG);
	/* A writer that fails. */
	s.fail_after = 1;
	assert_int_equal(gotrace_cut_write(ri, 0, 1, sink_write, &s),
	                 GOTRACE_ERR_IO);
	s.fail_after = -1;
	/* The reader's own index cuts what it indexed. */
	s.len = 0;
	assert_int_equal(gotrace_cut_write(ri, 1, 2, sink_write, &s), GOTRACE_OK);
	{
		gotrace_generation_info a, b;
		size_t want_len;
		uint8_t *want;

		assert_int_equal(gotrace_index_at(ri, 1, &a), 0);
		assert_int_equal(gotrace_index_at(ri, 2, &b), 0);
		want = cut_by_hand(data, 16, a.start_offset, b.end_offset,
		                   &want_len);
		assert_int_equal(s.len, want_len);
		assert_memory_equal(s.data, want, want_len);
		free(want);
	}
	/* A stop before the generation seeked to: nothing to read. */
	assert_int_equal(gotrace_reader_seek_generation(r, 3), GOTRACE_OK);
	assert_int_equal(gotrace_reader_set_stop(r, 2), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_reader_set_stop(r, 3), GOTRACE_OK);
	assert_int_equal(gotrace_reader_seek_generation(r, 4), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_reader_seek_generation(r, 2), GOTRACE_OK);
	assert_int_equal(gotrace_reader_set_stop(r, UINT64_MAX), GOTRACE_OK);
	assert_int_equal(gotrace_reader_seek_generation(r, 4), GOTRACE_OK);
	gotrace_reader_free(r);
	free(s.data);

	/* Inputs that cannot be read twice. */
	r = reader_on(open_input(IN_PIPE, path, data, len, NULL), 2);
	assert_null(gotrace_reader_index(r, &rc));
	assert_int_equal(rc, GOTRACE_ERR_UNSUPPORTED);
	assert_int_equal(gotrace_reader_seek_generation(r, 2),
	                 GOTRACE_ERR_UNSUPPORTED);
	/* ... which does not disturb reading. */
	{
		char *got = read_events(r, 0, NULL);
		char *want = cut_events(data, 16, len, 1);

		assert_string_equal(got, want);
		free(got);
		free(want);
	}
	gotrace_reader_free(r);
	r = reader_on(open_input(IN_CALLBACK, path, data, len, &feed), 1);
	assert_int_equal(gotrace_reader_seek_generation(r, 2),
	                 GOTRACE_ERR_UNSUPPORTED);
	assert_int_equal(gotrace_reader_set_stop(r, 2), GOTRACE_ERR_UNSUPPORTED);
	gotrace_reader_free(r);

	/* NULLs. */
	assert_null(gotrace_reader_index(NULL, &rc));
	assert_int_equal(rc, GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_reader_seek_generation(NULL, 1), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_reader_set_stop(NULL, 1), GOTRACE_ERR_ARG);
	free(data);
}

/* ---- damaged traces -------------------------------------------------------- */

/*
 * Each truncated trace is a real trace cut short: truncated/goX_NAME_N is
 * goX/NAME.trace's first N bytes. Its index must list exactly the full
 * trace's generations whose bytes end before the cut (a generation that
 * ends where the next begins ends once the next one's first batch header
 * shows its number), and return an error unless the cut falls between
 * generations. Seeking to each of them gives the events and the error of
 * the cut trace.
 */
static void test_truncated(void **state)
{
	size_t n, i, checked = 0, with_gens = 0, clean = 0;
	char **traces = tu_list_traces(TESTDATA_DIR "/traces/truncated", &n);

	(void)state;
	for (i = 0; i < n; i++) {
		const char *base = strrchr(traces[i], '/') + 1;
		char ver[16], name[256], full_path[4096];
		unsigned long cut;
		size_t len, full_len, k, want_n = 0;
		uint8_t *data, *full;
		gotrace_index *idx, *fidx;
		int rc, frc, version;

		if (sscanf(base, "go%15[0-9.]_%255[a-z]_%lu.trace", ver, name, &cut) != 3)
			continue;
		snprintf(full_path, sizeof full_path,
		         TESTDATA_DIR "/traces/go%s/%s.trace", ver, name);
		data = tu_read_file(traces[i], &len);
		full = tu_read_file(full_path, &full_len);
		assert_non_null(data);
		assert_non_null(full);
		assert_int_equal(len, cut);
		assert_true(len < full_len);
		assert_memory_equal(data, full, len);
		version = header_version(data, len);
		idx = index_file(IN_PATH, traces[i], data, len, &rc);
		if (version < 22) {
			assert_int_equal(rc, GOTRACE_ERR_UNSUPPORTED);
			gotrace_index_free(idx);
			free(data);
			free(full);
			continue;
		}
		fidx = index_file(IN_MEMORY, full_path, full, full_len, &frc);
		assert_int_equal(frc, GOTRACE_OK);
		for (k = 0; k < gotrace_index_count(fidx); k++) {
			gotrace_generation_info g = gen_at(fidx, k);
			uint64_t need = g.end_offset;

			/* Before 1.26, unless the cut is right there, the next
			 * generation's first batch header must show its number:
			 * the type byte (and an experiment's ID), then the
			 * number's varint. */
			if (version < 26 && g.end_offset < len) {
				need += full[need] == 49 ? 2 : 1;
				while (need < full_len && (full[need] & 0x80) != 0)
					need++;
				need++;
			}
			if (need <= len)
				want_n = k + 1;
		}
		if (gotrace_index_count(idx) != want_n)
			print_error("%s: %zu generations, want %zu (%s)\n", traces[i],
			            gotrace_index_count(idx), want_n,
			            gotrace_error_message(gotrace_index_error(idx)));
		assert_int_equal(gotrace_index_count(idx), want_n);
		for (k = 0; k < want_n; k++) {
			gotrace_generation_info a = gen_at(idx, k), b = gen_at(fidx, k);

			assert_true(same_info(&a, &b));
		}
		if (want_n > 0 && gen_at(fidx, want_n - 1).end_offset == len) {
			assert_int_equal(rc, GOTRACE_OK);
			clean++;
		} else {
			assert_int_not_equal(rc, GOTRACE_OK);
			assert_int_equal(gotrace_error_code(gotrace_index_error(idx)), rc);
		}
		/* Seeking to each: the cut trace's events, then its error. */
		for (k = 0; k < want_n; k++) {
			gotrace_generation_info g = gen_at(idx, k);
			char *want = cut_events(data, g.start_offset, len, 1), *got;
			gotrace_reader *r = reader_on(
				open_input(IN_MMAP, traces[i], data, len, NULL), 1);

			assert_int_equal(gotrace_reader_seek_generation(r, g.number),
			                 GOTRACE_OK);
			got = read_events(r, 0, NULL);
			expect_same(got, want, "truncated seek", traces[i], k, want_n);
			free(got);
			free(want);
			gotrace_reader_free(r);
		}
		with_gens += want_n > 0;
		gotrace_index_free(idx);
		gotrace_index_free(fidx);
		free(data);
		free(full);
		checked++;
	}
	tu_free_list(traces, n);
	assert_true(checked >= 40);
	assert_true(with_gens >= 8);
	(void)clean;
}

int main(void)
{

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_matches_wire),
		cmocka_unit_test(test_inputs_agree),
		cmocka_unit_test(test_seek_memory),
		cmocka_unit_test(test_seek_mmap_threads),
		cmocka_unit_test(test_seek_path),
		cmocka_unit_test(test_seek_path_threads),
		cmocka_unit_test(test_seek_path_parallel),
		cmocka_unit_test(test_stop_from_start),
		cmocka_unit_test(test_seek_midway),
		cmocka_unit_test(test_index_scanned_as_needed),
		cmocka_unit_test(test_seek_matches_go),
		cmocka_unit_test(test_seek_time),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
