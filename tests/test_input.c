/*
 * Input sources: a path, a mapped file, a pipe, a memory buffer and a read
 * callback that returns a few bytes at a time must all yield the same wire
 * and ordered events; a mapped file is given back as it is read.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <gotrace/gotrace.h>

#include "io/source.h"
#include "io/stream.h"
#include "testutil.h"

/* A digest of everything a reader yields: events and the final status. */
typedef struct digest {
	uint64_t hash;
	size_t events;
	int final_rc;
	uint64_t final_offset;
} digest;

static void mix(uint64_t *h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= 0x100000001b3ull;
	}
}

static digest read_all(gotrace_input *in)
{
	gotrace_wire_reader *r = NULL;
	gotrace_wire_event ev;
	digest d = {0xcbf29ce484222325ull, 0, 0, 0};
	int rc = gotrace_wire_reader_new(&r, in);

	assert_non_null(r);
	while (rc == GOTRACE_OK && (rc = gotrace_wire_reader_next(r, &ev)) == GOTRACE_OK) {
		d.events++;
		mix(&d.hash, &ev.type, 1);
		mix(&d.hash, &ev.offset, sizeof ev.offset);
		mix(&d.hash, ev.args, ev.nargs * sizeof *ev.args);
		if (ev.nframes)
			mix(&d.hash, ev.frames, ev.nframes * sizeof *ev.frames);
		if (ev.data_len)
			mix(&d.hash, ev.data, ev.data_len);
	}
	d.final_rc = rc;
	d.final_offset = rc < 0 ? gotrace_error_offset(gotrace_wire_reader_error(r))
	                        : gotrace_wire_reader_offset(r);
	gotrace_wire_reader_free(r);
	return d;
}

typedef struct chunked {
	const uint8_t *data;
	size_t len, pos, chunk;
	int closed;
} chunked;

static long chunked_read(void *ctx, void *buf, size_t len)
{
	chunked *c = ctx;
	size_t n = c->len - c->pos;

	if (n > c->chunk)
		n = c->chunk;
	if (n > len)
		n = len;
	memcpy(buf, c->data + c->pos, n);
	c->pos += n;
	return (long)n;
}

static void chunked_close(void *ctx)
{
	((chunked *)ctx)->closed++;
}

static void assert_same(digest a, digest b)
{
	assert_true(a.hash == b.hash);
	assert_int_equal(a.events, b.events);
	assert_int_equal(a.final_rc, b.final_rc);
	assert_true(a.final_offset == b.final_offset);
}

static void check_trace(const char *path)
{
	gotrace_input *in;
	size_t len;
	uint8_t *bytes = tu_read_file(path, &len);
	digest by_path, by_mem, by_cb, by_pipe;
	size_t chunks[] = {1, 7, 4096};
	size_t i;
	int fds[2];
	pid_t pid;

	assert_non_null(bytes);
	assert_int_equal(gotrace_input_open_path(&in, path), GOTRACE_OK);
	by_path = read_all(in);
	assert_int_equal(gotrace_input_open_memory(&in, bytes, len), GOTRACE_OK);
	by_mem = read_all(in);
	assert_same(by_path, by_mem);
	assert_int_equal(gotrace_input_open_mmap(&in, path), GOTRACE_OK);
	by_mem = read_all(in);
	assert_same(by_path, by_mem);
	for (i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		chunked c = {bytes, len, 0, chunks[i], 0};

		assert_int_equal(gotrace_input_open_callback(&in, chunked_read,
		                                             chunked_close, &c),
		                 GOTRACE_OK);
		by_cb = read_all(in);
		assert_same(by_path, by_cb);
		assert_int_equal(c.closed, 1);
	}
	/* A pipe fed by a child process: pure streaming, no seeking. */
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		size_t off = 0;

		close(fds[0]);
		while (off < len) {
			ssize_t w = write(fds[1], bytes + off, len - off > 3000 ? 3000 : len - off);

			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(gotrace_input_open_fd(&in, fds[0], 1), GOTRACE_OK);
	by_pipe = read_all(in);
	assert_same(by_path, by_pipe);
	waitpid(pid, NULL, 0);
	free(bytes);
}

static void test_sources_agree(void **state)
{
	size_t n, i;
	char **traces = tu_list_traces(TESTDATA_DIR "/traces", &n);

	(void)state;
	assert_true(n > 0);
	for (i = 0; i < n; i++)
		check_trace(traces[i]);
	tu_free_list(traces, n);
}

static void test_missing_file(void **state)
{
	gotrace_input *in = (gotrace_input *)&in;

	(void)state;
	errno = 0;
	assert_int_equal(gotrace_input_open_path(&in, TESTDATA_DIR "/no/such/file"),
	                 GOTRACE_ERR_IO);
	assert_int_equal(errno, ENOENT);
	assert_null(in);
	in = (gotrace_input *)&in;
	errno = 0;
	assert_int_equal(gotrace_input_open_mmap(&in, TESTDATA_DIR "/no/such/file"),
	                 GOTRACE_ERR_IO);
	assert_int_equal(errno, ENOENT);
	assert_null(in);
}

/* A digest of a reader's ordered events, as the public API shows them. */
static digest read_ordered(gotrace_input *in, int threads)
{
	gotrace_reader *r = NULL;
	gotrace_reader_options opts = GOTRACE_READER_OPTIONS_INIT;
	gotrace_event ev;
	digest d = {0xcbf29ce484222325ull, 0, 0, 0};
	int rc;

	opts.threads = threads;
	rc = gotrace_reader_new_opts(&r, in, &opts);
	assert_non_null(r);
	while (rc == GOTRACE_OK && (rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK) {
		d.events++;
		mix(&d.hash, &ev.kind, sizeof ev.kind);
		mix(&d.hash, &ev.time, sizeof ev.time);
		mix(&d.hash, &ev.thread, sizeof ev.thread);
		mix(&d.hash, &ev.proc, sizeof ev.proc);
		mix(&d.hash, &ev.goroutine, sizeof ev.goroutine);
		mix(&d.hash, &ev.wire_type, sizeof ev.wire_type);
		if (ev.kind == GOTRACE_EVENT_STATE_TRANSITION) {
			mix(&d.hash, &ev.u.transition.id, sizeof ev.u.transition.id);
			mix(&d.hash, &ev.u.transition.old_state,
			    sizeof ev.u.transition.old_state);
			mix(&d.hash, &ev.u.transition.new_state,
			    sizeof ev.u.transition.new_state);
			/* Strings point into the input when it is mapped. */
			mix(&d.hash, ev.u.transition.reason.data,
			    ev.u.transition.reason.len);
		} else if (ev.kind == GOTRACE_EVENT_LOG) {
			mix(&d.hash, ev.u.log.category.data, ev.u.log.category.len);
			mix(&d.hash, ev.u.log.message.data, ev.u.log.message.len);
		}
	}
	d.final_rc = rc;
	d.final_offset = gotrace_reader_valid_bytes(r);
	gotrace_reader_free(r);
	return d;
}

/* The input offset of the last generation's first batch: every reader is
 * past everything before it by the end. */
static uint64_t last_generation_start(const char *path)
{
	gotrace_input *in;
	gotrace_wire_reader *r = NULL;
	gotrace_wire_event ev;
	uint64_t gen = 0, start = 0;

	assert_int_equal(gotrace_input_open_path(&in, path), GOTRACE_OK);
	assert_int_equal(gotrace_wire_reader_new(&r, in), GOTRACE_OK);
	while (gotrace_wire_reader_next(r, &ev) == GOTRACE_OK) {
		if (strcmp(ev.name, "EventBatch") == 0 && ev.args[0] != gen) {
			gen = ev.args[0];
			start = ev.offset;
		}
	}
	gotrace_wire_reader_free(r);
	return start;
}

static void test_mmap_ordered_events(void **state)
{
	size_t n, i, released = 0;
	char **traces = tu_list_traces(TESTDATA_DIR "/traces", &n);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	(void)state;
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		gotrace_input *in;
		digest by_path, by_map;
		int threads;

		for (threads = 1; threads <= 2; threads++) {
			assert_int_equal(gotrace_input_open_path(&in, traces[i]),
			                 GOTRACE_OK);
			by_path = read_ordered(in, threads);
			assert_int_equal(gotrace_input_open_mmap(&in, traces[i]),
			                 GOTRACE_OK);
			by_map = read_ordered(in, threads);
			assert_same(by_path, by_map);
		}
		/* The pages before the last generation have been given back. */
		if (by_map.final_rc == GOTRACE_EOF &&
		    gotrace_input_open_mmap(&in, traces[i]) == GOTRACE_OK) {
			gotrace_reader *r = NULL;
			gotrace_event ev;
			uint64_t want = last_generation_start(traces[i]);
			int rc = gotrace_reader_new(&r, in);

			while (rc == GOTRACE_OK &&
			       (rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK)
				;
			if (gotrace_reader_version(r) >= GOTRACE_GO122) {
				assert_true(in->released >= want - want % page);
				released += in->released > 0;
			}
			gotrace_reader_free(r);
		}
	}
	assert_true(released > 0);
	tu_free_list(traces, n);
}

/* A file far larger than the wire reader's release step: pages behind it
 * are given back as it goes, and the events are those of the same bytes
 * in memory. */
static void test_mmap_wire_gives_pages_back(void **state)
{
	size_t n, len, body, copies, i, at = 0;
	char **traces = tu_list_traces(TESTDATA_DIR "/traces/go1.26", &n);
	char path[] = "/tmp/gotrace-test-XXXXXX";
	uint8_t *one, *big;
	gotrace_input *in;
	gotrace_wire_reader *r = NULL;
	gotrace_wire_event ev;
	digest from_map, from_mem;
	int fd;

	(void)state;
	assert_true(n > 0);
	one = tu_read_file(traces[0], &len);
	assert_non_null(one);
	assert_true(len > 16);
	/* The 16-byte header, then the batches over and over: the wire layer
	 * does not check that generations go forward. */
	body = len - 16;
	copies = 3 * GT_STREAM_RELEASE_STEP / body + 2;
	big = malloc(16 + body * copies);
	assert_non_null(big);
	memcpy(big, one, 16);
	for (i = 0; i < copies; i++)
		memcpy(big + 16 + i * body, one + 16, body);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	while (at < 16 + body * copies) {
		ssize_t w = write(fd, big + at, 16 + body * copies - at);

		assert_true(w > 0);
		at += (size_t)w;
	}
	close(fd);

	assert_int_equal(gotrace_input_open_memory(&in, big, at), GOTRACE_OK);
	from_mem = read_all(in);
	assert_int_equal(gotrace_input_open_mmap(&in, path), GOTRACE_OK);
	from_map = read_all(in);
	assert_same(from_mem, from_map);
	assert_int_equal(from_map.final_rc, GOTRACE_EOF);

	/* Half way through, the pages more than a step behind are gone. */
	assert_int_equal(gotrace_input_open_mmap(&in, path), GOTRACE_OK);
	assert_int_equal(gotrace_wire_reader_new(&r, in), GOTRACE_OK);
	while (gotrace_wire_reader_next(r, &ev) == GOTRACE_OK &&
	       ev.offset < at / 2)
		;
	assert_true(in->released > 0);
	assert_true(in->released + GT_STREAM_RELEASE_STEP + 2 * 65536 >= ev.offset);
	assert_true(in->released <= ev.offset);
	gotrace_wire_reader_free(r);

	unlink(path);
	free(big);
	free(one);
	tu_free_list(traces, n);
}

static void test_mmap_not_a_file(void **state)
{
	char dir[] = "/tmp/gotrace-test-XXXXXX";
	char fifo[sizeof dir + 8];
	char empty[sizeof dir + 8];
	gotrace_input *in = (gotrace_input *)&in;
	gotrace_wire_reader *r = NULL;
	int fd, rc;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* A directory or a named pipe is not mapped (and the pipe is not even
	 * opened, which would wait for a writer). */
	errno = 0;
	assert_int_equal(gotrace_input_open_mmap(&in, dir),
	                 GOTRACE_ERR_UNSUPPORTED);
	assert_int_equal(errno, ENODEV);
	assert_null(in);
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(gotrace_input_open_mmap(&in, fifo),
	                 GOTRACE_ERR_UNSUPPORTED);
	assert_null(in);
	/* An empty file is an empty input, as it is read. */
	snprintf(empty, sizeof empty, "%s/empty", dir);
	fd = open(empty, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(gotrace_input_open_path(&in, empty), GOTRACE_OK);
	rc = gotrace_wire_reader_new(&r, in);
	assert_true(rc < 0);
	gotrace_wire_reader_free(r);
	assert_int_equal(gotrace_input_open_mmap(&in, empty), GOTRACE_OK);
	assert_int_equal(gotrace_wire_reader_new(&r, in), rc);
	assert_non_null(r);
	gotrace_wire_reader_free(r);
	assert_int_equal(gotrace_input_open_mmap(NULL, empty), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_input_open_mmap(&in, NULL), GOTRACE_ERR_ARG);
	unlink(empty);
	unlink(fifo);
	rmdir(dir);
}

static long failing_read(void *ctx, void *buf, size_t len)
{
	(void)ctx, (void)buf, (void)len;
	errno = EPIPE;
	return -1;
}

static void test_callback_error(void **state)
{
	gotrace_input *in;
	gotrace_wire_reader *r;

	(void)state;
	assert_int_equal(gotrace_input_open_callback(&in, failing_read, NULL, NULL),
	                 GOTRACE_OK);
	assert_int_equal(gotrace_wire_reader_new(&r, in), GOTRACE_ERR_IO);
	assert_non_null(r);
	assert_int_equal(gotrace_error_code(gotrace_wire_reader_error(r)),
	                 GOTRACE_ERR_IO);
	gotrace_wire_reader_free(r);
}

static void test_bad_arguments(void **state)
{
	gotrace_input *in;

	(void)state;
	assert_int_equal(gotrace_input_open_path(NULL, "x"), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_input_open_fd(&in, -1, 0), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_input_open_memory(&in, NULL, 5), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_input_open_callback(&in, NULL, NULL, NULL),
	                 GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_wire_reader_new(NULL, NULL), GOTRACE_ERR_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sources_agree),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_mmap_ordered_events),
		cmocka_unit_test(test_mmap_wire_gives_pages_back),
		cmocka_unit_test(test_mmap_not_a_file),
		cmocka_unit_test(test_callback_error),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
