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
	gotrace_pprof_options o = GOTRACE_PPROF_OPTIONS_INIT;
	gotrace_pprof *p = (gotrace_pprof *)1;
	gotrace_event ev = transition(1, 1, GOTRACE_GO_RUNNING,
	                              GOTRACE_GO_RUNNABLE, "");
	gotrace_frame fr;
	membuf m;
	gotrace_sink *s;
	int64_t v;

	(void)state;
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
	/* A struct without its size (zeroed), or one too small. */
	assert_true(o.struct_size == sizeof o);
	o.struct_size = 0;
	assert_int_equal(gotrace_pprof_new(&p, &o), GOTRACE_ERR_ARG);
	o.struct_size = sizeof o - 1;
	assert_int_equal(gotrace_pprof_new(&p, &o), GOTRACE_ERR_ARG);
	assert_null(p);
	o.struct_size = sizeof o;
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
		gotrace_pprof_options o = GOTRACE_PPROF_OPTIONS_INIT;
		gotrace_pprof *p;
		gotrace_sink *s;
		membuf m;
		unsigned char *raw;
		size_t n;

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
	gotrace_pprof_options o = GOTRACE_PPROF_OPTIONS_INIT;
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
	gotrace_pprof_options o = GOTRACE_PPROF_OPTIONS_INIT;
	gotrace_pprof *p;
	gotrace_sink *s;
	membuf m;

	(void)state;
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
	gotrace_pprof_options o = GOTRACE_PPROF_OPTIONS_INIT;
	gotrace_pprof *p, *all;
	gotrace_frame fr;
	int64_t v, total_all = 0, total = 0;
	size_t i, n;

	(void)state;
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
	gotrace_pprof_options o = GOTRACE_PPROF_OPTIONS_INIT;
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
	o.type = GOTRACE_PPROF_SCHED;
	assert_int_equal(gotrace_pprof_new(&p, &o), GOTRACE_OK);
	assert_true(read_into(path, p) < 0);
	/* The good part's profile. */
	assert_true(gotrace_pprof_sample_count(p) > 0);
	gotrace_pprof_free(p);
	unlink(path);
}

/* ---- Perfetto timelines ------------------------------------------------
 * The protobuf framing and sequence of gotrace_timeline's Perfetto output,
 * read with a few lines of wire-format decoding; what the packets hold is
 * checked against Perfetto's own schema and the JSON timeline by
 * tests/check_perfetto.py. */

/* One field of a protobuf message at *p: its number, wire type, and value
 * (varint, fixed) or bytes (length-delimited). Returns 0 at the end, 1 for
 * a field, -1 if the bytes are not a message. */
static int pb_next(const unsigned char **p, const unsigned char *end,
                   uint32_t *field, int *wt, uint64_t *v,
                   const unsigned char **data, size_t *len)
{
	uint64_t key = 0, x;
	int shift, i;

	if (*p == end)
		return 0;
	for (shift = 0;; shift += 7) {
		if (*p == end || shift > 63)
			return -1;
		key |= (uint64_t)(**p & 0x7f) << shift;
		if (!(*(*p)++ & 0x80))
			break;
	}
	*field = (uint32_t)(key >> 3);
	*wt = (int)(key & 7);
	*v = 0;
	switch (*wt) {
	case 0:
	case 2:
		for (shift = 0, x = 0;; shift += 7) {
			if (*p == end || shift > 63)
				return -1;
			x |= (uint64_t)(**p & 0x7f) << shift;
			if (!(*(*p)++ & 0x80))
				break;
		}
		if (*wt == 0) {
			*v = x;
			return 1;
		}
		if (x > (uint64_t)(end - *p))
			return -1;
		*data = *p;
		*len = (size_t)x;
		*p += x;
		return 1;
	case 1:
	case 5:
		if (end - *p < (*wt == 1 ? 8 : 4))
			return -1;
		for (i = (*wt == 1 ? 8 : 4) - 1; i >= 0; i--)
			*v = *v << 8 | (*p)[i];
		*p += *wt == 1 ? 8 : 4;
		return 1;
	default:
		return -1;
	}
}

/* The varint field f of a message (the last one), or def. */
static uint64_t pb_uint(const unsigned char *msg, size_t n, uint32_t f,
                        uint64_t def)
{
	const unsigned char *p = msg, *d;
	uint32_t field;
	uint64_t v;
	size_t len;
	int wt, rc;

	while ((rc = pb_next(&p, msg + n, &field, &wt, &v, &d, &len)) == 1)
		if (field == f && wt == 0)
			def = v;
	assert_int_equal(rc, 0);
	return def;
}

/* The message field f of a message (the first), or NULL. */
static const unsigned char *pb_sub(const unsigned char *msg, size_t n,
                                   uint32_t f, size_t *sub_len)
{
	const unsigned char *p = msg, *d;
	uint32_t field;
	uint64_t v;
	size_t len;
	int wt, rc;

	while ((rc = pb_next(&p, msg + n, &field, &wt, &v, &d, &len)) == 1)
		if (field == f && wt == 2) {
			*sub_len = len;
			return d;
		}
	assert_int_equal(rc, 0);
	return NULL;
}

/* What a Perfetto output holds, as far as these tests look. */
typedef struct pf_summary {
	size_t packets, events, descriptors, snapshots;
	uint64_t first_flags, seq;
	int wall_defaults;          /* the first packet's defaults: REALTIME */
	int snapshot_realtime;      /* primary_trace_clock REALTIME */
} pf_summary;

/* Walks a Trace: every top-level field must be a packet (field 1,
 * length-delimited), all on one sequence, and the bytes end with one. */
static void pf_summarize(const membuf *m, pf_summary *s)
{
	const unsigned char *p = m->data, *end = m->data + m->len, *pkt, *sub;
	uint32_t field;
	uint64_t v;
	size_t n, sn;
	int wt, rc;

	memset(s, 0, sizeof *s);
	while ((rc = pb_next(&p, end, &field, &wt, &v, &pkt, &n)) == 1) {
		assert_int_equal(field, 1);
		assert_int_equal(wt, 2);
		if (s->packets == 0) {
			s->first_flags = pb_uint(pkt, n, 13, 0);
			s->seq = pb_uint(pkt, n, 10, 0);
			sub = pb_sub(pkt, n, 59, &sn);
			s->wall_defaults = sub != NULL && pb_uint(sub, sn, 58, 0) == 1;
		} else {
			assert_int_equal(pb_uint(pkt, n, 10, 0), s->seq);
			assert_int_equal(pb_uint(pkt, n, 13, 0) & 2, 2);
		}
		s->packets++;
		s->events += pb_sub(pkt, n, 11, &sn) != NULL;
		s->descriptors += pb_sub(pkt, n, 60, &sn) != NULL;
		if ((sub = pb_sub(pkt, n, 6, &sn)) != NULL) {
			s->snapshots++;
			s->snapshot_realtime = pb_uint(sub, sn, 2, 0) == 1;
		}
	}
	assert_int_equal(rc, 0);
}

/* Writes a Perfetto timeline of path into m; returns the first error of
 * feed or finish (feeding stops at a feed error). */
static int pf_timeline(const char *path, int view, int clock, membuf *m)
{
	gotrace_timeline_options o = GOTRACE_TIMELINE_OPTIONS_INIT;
	gotrace_timeline *t;
	gotrace_input *in;
	gotrace_reader *r;
	gotrace_sink *s;
	gotrace_event ev;
	int rc, frc = GOTRACE_OK;

	o.format = GOTRACE_TIMELINE_PERFETTO;
	o.view = view;
	o.clock = clock;
	assert_int_equal(gotrace_sink_open_callback(&s, mem_write, m), GOTRACE_OK);
	assert_int_equal(gotrace_timeline_new(&t, &o, s), GOTRACE_OK);
	assert_int_equal(gotrace_input_open_path(&in, path), GOTRACE_OK);
	rc = gotrace_reader_new(&r, in);
	while (rc == GOTRACE_OK && (rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK)
		if ((frc = gotrace_timeline_feed(t, &ev)) != GOTRACE_OK)
			break;
	rc = gotrace_timeline_finish(t);
	if (frc == GOTRACE_OK)
		frc = rc;
	else
		assert_int_equal(rc, frc);
	gotrace_reader_free(r);
	gotrace_timeline_free(t);
	gotrace_sink_free(s);
	return frc;
}

static void test_perfetto_timeline(void **state)
{
	const char *path = TESTDATA_DIR "/traces/go1.27/annotations.trace";
	pf_summary s;
	membuf m, again;

	(void)state;
	membuf_init(&m);
	assert_int_equal(pf_timeline(path, GOTRACE_TIMELINE_GOROUTINE,
	                             GOTRACE_TIMELINE_CLOCK_TRACE, &m),
	                 GOTRACE_OK);
	pf_summarize(&m, &s);
	/* The first packet clears the sequence's state, the rest need it. */
	assert_int_equal(s.first_flags, 3);
	assert_true(s.seq != 0);
	assert_false(s.wall_defaults);
	assert_int_equal(s.snapshots, 0);
	assert_true(s.descriptors > 1);
	assert_true(s.events > 100);
	/* The same bytes again, and through one-byte writes. */
	membuf_init(&again);
	again.max_chunk = 1;
	assert_int_equal(pf_timeline(path, GOTRACE_TIMELINE_GOROUTINE,
	                             GOTRACE_TIMELINE_CLOCK_TRACE, &again),
	                 GOTRACE_OK);
	assert_int_equal(again.len, m.len);
	assert_memory_equal(again.data, m.data, m.len);
	free(again.data);
	free(m.data);
}

static void test_perfetto_wall_clock(void **state)
{
	pf_summary s;
	membuf m;

	(void)state;
	/* REALTIME is the sequence's clock and the trace's. */
	membuf_init(&m);
	assert_int_equal(pf_timeline(TESTDATA_DIR "/traces/go1.27/annotations.trace",
	                             GOTRACE_TIMELINE_GOROUTINE,
	                             GOTRACE_TIMELINE_CLOCK_WALL, &m),
	                 GOTRACE_OK);
	pf_summarize(&m, &s);
	assert_int_equal(s.first_flags, 3);
	assert_true(s.wall_defaults);
	assert_int_equal(s.snapshots, 1);
	assert_true(s.snapshot_realtime);
	assert_true(s.events > 100);
	free(m.data);
	/* A trace without clock snapshots cannot be put on the wall clock. */
	membuf_init(&m);
	assert_int_equal(pf_timeline(TESTDATA_DIR "/traces/go1.21/annotations.trace",
	                             GOTRACE_TIMELINE_GOROUTINE,
	                             GOTRACE_TIMELINE_CLOCK_WALL, &m),
	                 GOTRACE_ERR_UNSUPPORTED);
	free(m.data);
}

static void test_perfetto_empty_and_errors(void **state)
{
	gotrace_timeline_options o = GOTRACE_TIMELINE_OPTIONS_INIT;
	gotrace_timeline *t;
	gotrace_sink *sink;
	pf_summary s;
	membuf m;

	(void)state;
	/* No event: one packet, which only clears the sequence. */
	membuf_init(&m);
	o.format = GOTRACE_TIMELINE_PERFETTO;
	assert_int_equal(gotrace_sink_open_callback(&sink, mem_write, &m),
	                 GOTRACE_OK);
	assert_int_equal(gotrace_timeline_new(&t, &o, sink), GOTRACE_OK);
	assert_int_equal(gotrace_timeline_finish(t), GOTRACE_OK);
	gotrace_timeline_free(t);
	gotrace_sink_free(sink);
	pf_summarize(&m, &s);
	assert_int_equal(s.packets, 1);
	assert_int_equal(s.first_flags, 1 | 2);
	free(m.data);
	/* A sink that fails: the timeline reports it. */
	membuf_init(&m);
	m.fail_after = 0;
	assert_int_equal(pf_timeline(TESTDATA_DIR "/traces/go1.27/annotations.trace",
	                             GOTRACE_TIMELINE_GOROUTINE,
	                             GOTRACE_TIMELINE_CLOCK_TRACE, &m),
	                 GOTRACE_ERR_IO);
	free(m.data);
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
		cmocka_unit_test(test_perfetto_timeline),
		cmocka_unit_test(test_perfetto_wall_clock),
		cmocka_unit_test(test_perfetto_empty_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
