/*
 * libFuzzer harness: the whole reader (wire layer, generations, ordering
 * with and without parking, on the caller's thread and on a worker, state
 * machine, event printing) on arbitrary bytes, plus the raw wire reader. Any crash, hang, leak or sanitizer report is a bug; the inputs
 * that found bugs are kept in fuzz/regressions/ and replayed by the tests.
 *
 * Build and run: see docs/fuzzing.md.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gotrace/gotrace.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_events(const uint8_t *data, size_t size, int ordering,
                        int threads, FILE *sink)
{
	gotrace_reader_options opts = {0};
	gotrace_input *in;
	gotrace_reader *r;
	gotrace_event ev;
	int rc;

	if (gotrace_input_open_memory(&in, data, size) != GOTRACE_OK)
		return;
	opts.ordering = ordering;
	opts.threads = threads;
	rc = gotrace_reader_new_opts(&r, in, &opts);
	if (r == NULL) {
		gotrace_input_free(in);
		return;
	}
	while (rc == GOTRACE_OK && (rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK) {
		gotrace_goroutine_info gi;
		gotrace_proc_info pi;

		gotrace_event_write(&ev, sink);
		/* Query the state machine as a caller would. */
		if (ev.goroutine >= 0)
			gotrace_reader_goroutine(r, ev.goroutine, &gi);
		if (ev.proc >= 0)
			gotrace_reader_proc(r, ev.proc, &pi);
	}
	(void)gotrace_error_message(gotrace_reader_error(r));
	gotrace_reader_free(r);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;

	if (sink == NULL)
		sink = fopen("/dev/null", "w");
	if (sink == NULL)
		return 0;
	read_events(data, size, GOTRACE_ORDERING_AUTO, 1, sink);
	/* Parking only starts past a budget small inputs never reach. The
	 * second pass also orders on a worker thread. */
	read_events(data, size, GOTRACE_ORDERING_PARKING, 2, sink);
	read_wire(data, size, sink);
	return 0;
}
