/*
 * Input sources: a path, a pipe, a memory buffer and a read callback that
 * returns a few bytes at a time must all yield the same wire events.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <gotrace/gotrace.h>

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
		cmocka_unit_test(test_callback_error),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
