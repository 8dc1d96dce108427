/*
 * The export API (gotrace/export.h): sinks (paths, descriptors, callbacks
 * with short writes and errors) and the pprof builder's contract (misuse,
 * an empty trace, hand-made spells and their clipping, two passes, a
 * failing sink, a real trace and a damaged one). The profiles' samples on
 * real traces are compared with Go's by tests/compare_pprof.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include <gotrace/gotrace.h>

/* ---- a memory callback sink ------------------------------------------ */

typedef struct membuf {
	unsigned char *data;
	size_t len, cap;
	size_t max_chunk;   /* short writes: take at most this much per call */
	int fail_after;     /* fail once this many calls were made (-1: never) */
	int return_zero;
	int calls;
} membuf;

static ptrdiff_t mem_write(void *ctx, const void *data, size_t len)
{
	membuf *m = ctx;
	size_t n = len;

	if (m->fail_after >= 0 && m->calls >= m->fail_after)
		return -1;
	m->calls++;
	if (m->return_zero)
		return 0;
	if (m->max_chunk > 0 && n > m->max_chunk)
		n = m->max_chunk;
	if (m->len + n > m->cap) {
		size_t c = (m->len + n) * 2;
		unsigned char *p = realloc(m->data, c);

		if (p == NULL)
			return -1;
		m->data = p;
		m->cap = c;
	}
	memcpy(m->data + m->len, data, n);
	m->len += n;
	return (ptrdiff_t)n;
}

static void membuf_init(membuf *m)
{
	memset(m, 0, sizeof *m);
	m->fail_after = -1;
}

/* Gunzips m into *out (malloc'd); returns its length. */
static size_t gunzip(const membuf *m, unsigned char **out)
{
	z_stream z;
	size_t cap = 1 << 20;
	unsigned char *buf = malloc(cap);
	int zr;

	assert_non_null(buf);
	memset(&z, 0, sizeof z);
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = m->data;
	z.avail_in = (uInt)m->len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	zr = inflate(&z, Z_FINISH);
	assert_int_equal(zr, Z_STREAM_END);
	*out = buf;
	cap -= z.avail_out;
	inflateEnd(&z);
	return cap;
}

static int contains(const unsigned char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return 1;
	return 0;
}

/* ---- sinks ----------------------------------------------------------- */

static void test_sink_misuse(void **state)
{
	gotrace_sink *s = (gotrace_sink *)1;
	membuf m;

	(void)state;
	membuf_init(&m);
	assert_int_equal(gotrace_sink_open_path(NULL, "x"), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_sink_open_path(&s, NULL), GOTRACE_ERR_ARG);
	assert_null(s);
	assert_int_equal(gotrace_sink_open_path(&s, "/nonexistent-dir/x/y"),
	                 GOTRACE_ERR_IO);
	assert_null(s);
	assert_int_equal(gotrace_sink_open_fd(&s, -1), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_sink_open_callback(&s, NULL, NULL),
	                 GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_sink_write(NULL, "x", 1), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_sink_close(NULL), GOTRACE_OK);
	gotrace_sink_free(NULL);
	assert_int_equal(gotrace_sink_open_callback(&s, mem_write, &m), GOTRACE_OK);
	assert_int_equal(gotrace_sink_write(s, NULL, 1), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_sink_write(s, NULL, 0), GOTRACE_OK);
	assert_int_equal(gotrace_sink_close(s), GOTRACE_OK);
	free(m.data);
}

static void test_sink_short_writes(void **state)
{
	gotrace_sink *s;
	membuf m;
	char data[100];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof data; i++)
		data[i] = (char)i;
	membuf_init(&m);
	m.max_chunk = 3;
	assert_int_equal(gotrace_sink_open_callback(&s, mem_write, &m), GOTRACE_OK);
	assert_int_equal(gotrace_sink_write(s, data, sizeof data), GOTRACE_OK);
	assert_int_equal(gotrace_sink_bytes(s), sizeof data);
	assert_int_equal(m.calls, 34);
	assert_int_equal(m.len, sizeof data);
	assert_memory_equal(m.data, data, sizeof data);
	assert_int_equal(gotrace_sink_error(s), GOTRACE_OK);
	assert_int_equal(gotrace_sink_close(s), GOTRACE_OK);
	free(m.data);
}

static void test_sink_errors(void **state)
{
	gotrace_sink *s;
	membuf m;

	(void)state;
	/* A failing callback: the error sticks and close reports it. */
	membuf_init(&m);
	m.fail_after = 1;
	assert_int_equal(gotrace_sink_open_callback(&s, mem_write, &m), GOTRACE_OK);
	assert_int_equal(gotrace_sink_write(s, "abc", 3), GOTRACE_OK);
	assert_int_equal(gotrace_sink_write(s, "def", 3), GOTRACE_ERR_IO);
	m.fail_after = -1;
	assert_int_equal(gotrace_sink_write(s, "ghi", 3), GOTRACE_ERR_IO);
	assert_int_equal(gotrace_sink_bytes(s), 3);
	assert_int_equal(gotrace_sink_error(s), GOTRACE_ERR_IO);
	assert_int_equal(gotrace_sink_close(s), GOTRACE_ERR_IO);
	free(m.data);

	/* A callback that takes nothing is an error, not a loop. */
	membuf_init(&m);
	m.return_zero = 1;
	assert_int_equal(gotrace_sink_open_callback(&s, mem_write, &m), GOTRACE_OK);
	assert_int_equal(gotrace_sink_write(s, "abc", 3), GOTRACE_ERR_IO);
	assert_int_equal(m.calls, 1);
	gotrace_sink_free(s);
	free(m.data);
}

static void test_sink_path_fd(void **state)
{
	char path[] = "/tmp/gotrace-test-export-XXXXXX";
	gotrace_sink *s;
	char buf[16];
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(gotrace_sink_open_fd(&s, fd), GOTRACE_OK);
	assert_int_equal(gotrace_sink_write(s, "hello ", 6), GOTRACE_OK);
	assert_int_equal(gotrace_sink_close(s), GOTRACE_OK);
	/* The descriptor is the caller's: still open. */
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
	assert_int_equal(gotrace_sink_open_path(&s, path), GOTRACE_OK);
	assert_int_equal(gotrace_sink_write(s, "world", 5), GOTRACE_OK);
	assert_int_equal(gotrace_sink_close(s), GOTRACE_OK);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof buf, f), 5);
	assert_memory_equal(buf, "world", 5);
	fclose(f);
	unlink(path);
}

/* ---- pprof ------------------------------------------------------------ */

static gotrace_event transition(int64_t time, int64_t g, int old_state,
                                int new_state, const char *reason)
{
	gotrace_event ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = GOTRACE_EVENT_STATE_TRANSITION;
	ev.time = time;
	ev.thread = 1;
	ev.goroutine = g;
	ev.u.transition.resource = GOTRACE_RESOURCE_GOROUTINE;
	ev.u.transition.id = g;
	ev.u.transition.old_state = old_state;
	ev.u.transition.new_state = new_state;
	ev.u.transition.reason.data = reason;
	ev.u.transition.reason.len = strlen(reason);
	return ev;
}

static void test_pprof_misuse(void **state)
{
	gotrace_pprof_options o;
	gotrace_pprof *p = (gotrace_pprof *)1;
	gotrace_event ev = transition(1, 1, GOTRACE_GO_RUNNING,
	                              GOTRACE_GO_RUNNABLE, "");
	gotrace_frame fr;
	membuf m;
	gotrace_sink *s;
	int64_t v;

	(void)state;
	memset(&o, 0, sizeof o);
	assert_int_equal(gotrace_pprof_new(NULL, &o), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_pprof_new(&p, NULL), GOTRACE_ERR_ARG);
	assert_null(p);
	o.type = 99;
	assert_int_equal(gotrace_pprof_new(&p, &o), GOTRACE_ERR_ARG);
	o.type = -1;
	assert_int_equal(gotrace_pprof_new(&p, &o), GOTRACE_ERR_ARG);
	o.type = GOTRACE_PPROF_SYNC;
	o.region = "";
	assert_int_equal(gotrace_pprof_new(&p, &o), GOTRACE_ERR_ARG);
	o.region = NULL;
	assert_string_equal(gotrace_pprof_type_name(GOTRACE_PPROF_NET), "net");
	assert_null(gotrace_pprof_type_name(42));
	assert_int_equal(gotrace_pprof_type_parse("cpu"), GOTRACE_PPROF_CPU);
	assert_int_equal(gotrace_pprof_type_parse("block"), -1);
	assert_int_equal(gotrace_pprof_type_parse(NULL), -1);

	assert_int_equal(gotrace_pprof_new(&p, &o), GOTRACE_OK);
	assert_int_equal(gotrace_pprof_passes(p), 1);
	assert_int_equal(gotrace_pprof_next_pass(p), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_pprof_feed(p, NULL), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_pprof_feed(NULL, &ev), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_pprof_feed(p, &ev), GOTRACE_OK);
	/* Nothing to read or write before finish. */
	membuf_init(&m);
	assert_int_equal(gotrace_sink_open_callback(&s, mem_write, &m), GOTRACE_OK);
	assert_int_equal(gotrace_pprof_write(p, s), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_pprof_sample_count(p), 0);
	assert_int_equal(gotrace_pprof_sample_value(p, 0, 0, &v), -1);
	assert_int_equal(gotrace_pprof_finish(p), GOTRACE_OK);
	assert_int_equal(gotrace_pprof_finish(p), GOTRACE_OK);
	assert_int_equal(gotrace_pprof_feed(p, &ev), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_pprof_sample_frame(p, 0, 0, &fr), -1);
	assert_int_equal(gotrace_pprof_sample_depth(p, 5), 0);
	assert_null(gotrace_pprof_value_type(p, 2));
	assert_int_equal(gotrace_pprof_write(p, NULL), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_pprof_write(NULL, s), GOTRACE_ERR_ARG);
	gotrace_sink_free(s);
	free(m.data);
	gotrace_pprof_free(p);
	gotrace_pprof_free(NULL);
}

static void test_pprof_empty(void **state)
{
	static const int types[] = {GOTRACE_PPROF_SCHED, GOTRACE_PPROF_CPU};
	size_t t;

	(void)state;
	for (t = 0; t < 2; t++) {
		gotrace_pprof_options o;
		gotrace_pprof *p;
		gotrace_sink *s;
		membuf m;
		unsigned char *raw;
		size_t n;

		memset(&o, 0, sizeof o);
		o.type = types[t];
		assert_int_equal(gotrace_pprof_new(&p, &o), GOTRACE_OK);
		assert_int_equal(gotrace_pprof_finish(p), GOTRACE_OK);
		assert_int_equal(gotrace_pprof_sample_count(p), 0);
		assert_int_equal(gotrace_pprof_value_count(p), 2);
		membuf_init(&m);
		assert_int_equal(gotrace_sink_open_callback(&s, mem_write, &m),
		                 GOTRACE_OK);
		assert_int_equal(gotrace_pprof_write(p, s), GOTRACE_OK);
		assert_int_equal(gotrace_sink_close(s), GOTRACE_OK);
		assert_true(m.len > 10);
		assert_int_equal(m.data[0], 0x1f);
		assert_int_equal(m.data[1], 0x8b);
		n = gunzip(&m, &raw);
		assert_true(contains(raw, n, t == 0 ? "contentions" : "samples"));
		assert_true(contains(raw, n, "nanoseconds"));
		free(raw);
		free(m.data);
		gotrace_pprof_free(p);
	}
}

static void test_pprof_spells(void **state)
{
	gotrace_pprof_options o;
	gotrace_pprof *p;
	gotrace_event evs[9];
	int64_t v;
	size_t i;

	(void)state;
	/* g5 ran first at 10: its spell 20..50 counts 30. */
	evs[0] = transition(10, 5, GOTRACE_GO_UNDETERMINED, GOTRACE_GO_RUNNING, "");
	evs[1] = transition(20, 5, GOTRACE_GO_RUNNING, GOTRACE_GO_RUNNABLE, "");
	evs[2] = transition(50, 5, GOTRACE_GO_RUNNABLE, GOTRACE_GO_RUNNING, "");
	/* g6 waits for its first run: before its lifetime, not counted. */
	evs[3] = transition(100, 6, GOTRACE_GO_NOT_EXIST, GOTRACE_GO_RUNNABLE, "");
	evs[4] = transition(130, 6, GOTRACE_GO_RUNNABLE, GOTRACE_GO_RUNNING, "");
	/* g7 never runs: its spell counts whole (60). */
	evs[5] = transition(200, 7, GOTRACE_GO_UNDETERMINED, GOTRACE_GO_RUNNABLE, "");
	evs[6] = transition(210, 7, GOTRACE_GO_RUNNABLE, GOTRACE_GO_RUNNABLE, "");
	evs[7] = transition(260, 7, GOTRACE_GO_RUNNABLE, GOTRACE_GO_NOT_EXIST, "");
	/* g8's spell is still open at the end: not counted. */
	evs[8] = transition(300, 8, GOTRACE_GO_RUNNING, GOTRACE_GO_RUNNABLE, "");
	memset(&o, 0, sizeof o);
	o.type = GOTRACE_PPROF_SCHED;
	assert_int_equal(gotrace_pprof_new(&p, &o), GOTRACE_OK);
	for (i = 0; i < 9; i++)
		assert_int_equal(gotrace_pprof_feed(p, &evs[i]), GOTRACE_OK);
	assert_int_equal(gotrace_pprof_finish(p), GOTRACE_OK);
	/* No stacks: one sample, the empty stack. */
	assert_int_equal(gotrace_pprof_sample_count(p), 1);
	assert_int_equal(gotrace_pprof_sample_depth(p, 0), 0);
	assert_int_equal(gotrace_pprof_sample_value(p, 0, 0, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(gotrace_pprof_sample_value(p, 0, 1, &v), 0);
	assert_int_equal(v, 90);
	assert_string_equal(gotrace_pprof_value_type(p, 0), "contentions");
	assert_string_equal(gotrace_pprof_value_unit(p, 1), "nanoseconds");
	gotrace_pprof_free(p);

	/* The same spells in a sync profile: none is a sync wait. */
	o.type = GOTRACE_PPROF_SYNC;
	assert_int_equal(gotrace_pprof_new(&p, &o), GOTRACE_OK);
	for (i = 0; i < 9; i++)
		assert_int_equal(gotrace_pprof_feed(p, &evs[i]), GOTRACE_OK);
	assert_int_equal(gotrace_pprof_finish(p), GOTRACE_OK);
	assert_int_equal(gotrace_pprof_sample_count(p), 0);
	gotrace_pprof_free(p);
}

static void test_pprof_sink_error(void **state)
{
	gotrace_pprof_options o;
	gotrace_pprof *p;
	gotrace_sink *s;
	membuf m;

	(void)state;
	memset(&o, 0, sizeof o);
	o.type = GOTRACE_PPROF_NET;
	assert_int_equal(gotrace_pprof_new(&p, &o), GOTRACE_OK);
	assert_int_equal(gotrace_pprof_finish(p), GOTRACE_OK);
	membuf_init(&m);
	m.fail_after = 0;
	assert_int_equal(gotrace_sink_open_callback(&s, mem_write, &m), GOTRACE_OK);
	assert_int_equal(gotrace_pprof_write(p, s), GOTRACE_ERR_IO);
	assert_int_equal(gotrace_sink_close(s), GOTRACE_ERR_IO);
	/* Short writes still give the whole profile. */
	membuf_init(&m);
	m.max_chunk = 1;
	assert_int_equal(gotrace_sink_open_callback(&s, mem_write, &m), GOTRACE_OK);
	assert_int_equal(gotrace_pprof_write(p, s), GOTRACE_OK);
	assert_int_equal(gotrace_sink_close(s), GOTRACE_OK);
	assert_int_equal((size_t)m.calls, m.len);
	free(m.data);
	gotrace_pprof_free(p);
}

/* Reads path into p (passes times); returns the reader's final status. */
static int read_into(const char *path, gotrace_pprof *p)
{
	int pass, rc = GOTRACE_EOF;

	for (pass = 0; pass < gotrace_pprof_passes(p); pass++) {
		gotrace_input *in;
		gotrace_reader *r;
		gotrace_event ev;

		if (pass > 0)
			assert_int_equal(gotrace_pprof_next_pass(p), GOTRACE_OK);
		assert_int_equal(gotrace_input_open_path(&in, path), GOTRACE_OK);
		rc = gotrace_reader_new(&r, in);
		while (rc == GOTRACE_OK && (rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK)
			assert_int_equal(gotrace_pprof_feed(p, &ev), GOTRACE_OK);
		gotrace_reader_free(r);
	}
	assert_int_equal(gotrace_pprof_finish(p), GOTRACE_OK);
	return rc;
}

static void test_pprof_real_trace(void **state)
{
	const char *path = TESTDATA_DIR "/traces/go1.27/syncprims.trace";
	gotrace_pprof_options o;
	gotrace_pprof *p, *all;
	gotrace_frame fr;
	int64_t v, total_all = 0, total = 0;
	size_t i, n;

	(void)state;
	memset(&o, 0, sizeof o);
	o.type = GOTRACE_PPROF_SYNC;
	assert_int_equal(gotrace_pprof_new(&all, &o), GOTRACE_OK);
	assert_int_equal(read_into(path, all), GOTRACE_EOF);
	n = gotrace_pprof_sample_count(all);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(gotrace_pprof_sample_value(all, i, 0, &v), 0);
		assert_true(v > 0);
		total_all += v;
		if (gotrace_pprof_sample_depth(all, i) > 0) {
			assert_int_equal(gotrace_pprof_sample_frame(all, i, 0, &fr), 0);
			assert_true(fr.func.len > 0);
			assert_int_equal(fr.func.len, strlen(fr.func.data));
		}
	}
	/* A goroutine filter reads twice and counts a part of it. */
	o.goroutine = "main.main";
	assert_int_equal(gotrace_pprof_new(&p, &o), GOTRACE_OK);
	assert_int_equal(gotrace_pprof_passes(p), 2);
	assert_int_equal(read_into(path, p), GOTRACE_EOF);
	for (i = 0; i < gotrace_pprof_sample_count(p); i++) {
		assert_int_equal(gotrace_pprof_sample_value(p, i, 0, &v), 0);
		total += v;
	}
	assert_true(total <= total_all);
	assert_int_equal(gotrace_pprof_next_pass(p), GOTRACE_ERR_ARG);
	gotrace_pprof_free(p);
	/* A filter that matches nothing: an empty profile. */
	o.goroutine = "no.such.function";
	assert_int_equal(gotrace_pprof_new(&p, &o), GOTRACE_OK);
	assert_int_equal(read_into(path, p), GOTRACE_EOF);
	assert_int_equal(gotrace_pprof_sample_count(p), 0);
	gotrace_pprof_free(p);
	/* Finishing in the first of two passes: empty. */
	o.goroutine = NULL;
	o.region = "r";
	assert_int_equal(gotrace_pprof_new(&p, &o), GOTRACE_OK);
	assert_int_equal(gotrace_pprof_finish(p), GOTRACE_OK);
	assert_int_equal(gotrace_pprof_sample_count(p), 0);
	gotrace_pprof_free(p);
	gotrace_pprof_free(all);
}

static void test_pprof_damaged(void **state)
{
	char path[] = "/tmp/gotrace-test-export-XXXXXX";
	const char *src = TESTDATA_DIR "/traces/go1.27/generations.trace";
	gotrace_pprof_options o;
	gotrace_pprof *p;
	unsigned char *buf;
	FILE *f;
	long size;
	int fd;

	(void)state;
	f = fopen(src, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	rewind(f);
	buf = malloc((size_t)size);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, (size_t)size * 3 / 4), size * 3 / 4);
	close(fd);
	free(buf);
	memset(&o, 0, sizeof o);
	o.type = GOTRACE_PPROF_SCHED;
	assert_int_equal(gotrace_pprof_new(&p, &o), GOTRACE_OK);
	assert_true(read_into(path, p) < 0);
	/* The good part's profile. */
	assert_true(gotrace_pprof_sample_count(p) > 0);
	gotrace_pprof_free(p);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sink_misuse),
		cmocka_unit_test(test_sink_short_writes),
		cmocka_unit_test(test_sink_errors),
		cmocka_unit_test(test_sink_path_fd),
		cmocka_unit_test(test_pprof_misuse),
		cmocka_unit_test(test_pprof_empty),
		cmocka_unit_test(test_pprof_spells),
		cmocka_unit_test(test_pprof_sink_error),
		cmocka_unit_test(test_pprof_real_trace),
		cmocka_unit_test(test_pprof_damaged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
