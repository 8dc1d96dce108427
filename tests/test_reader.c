/*
 * The ordered reader and its state machine.
 *
 *  - On every trace with a Go reference, the state the reader reports after
 *    each event agrees with the state transitions Go printed up to that
 *    event (-d=parsed): each goroutine's and P's state, and which M and P a
 *    running goroutine is on.
 *  - The state module itself: transitions move resources and bind Ms; a
 *    transition from the wrong state is an error naming the resource.
 *  - API contracts: EOF and errors are sticky; stacks resolve.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <gotrace/gotrace.h>

#include "reader/reader_internal.h"
#include "state/state.h"
#include "testutil.h"

static int state_index(const char *name, int proc)
{
	static const char *const gs[] = {"Undetermined", "NotExist", "Runnable",
	                                  "Running", "Waiting", "Syscall"};
	static const char *const ps[] = {"Undetermined", "NotExist", "Running",
	                                  "Idle"};
	int i, n = proc ? 4 : 6;

	for (i = 0; i < n; i++)
		if (strcmp(name, proc ? ps[i] : gs[i]) == 0)
			return i;
	return -1;
}

/* One StateTransition line of Go's output, reduced to what we check. */
typedef struct ref_transition {
	int proc;            /* 0 goroutine, 1 proc */
	int64_t id, m, p;
	int from, to;
} ref_transition;

/* Parses "M=.. P=.. G=.. StateTransition Time=.. GoID=N A->B ..." */
static int parse_transition(const char *text, ref_transition *t)
{
	long long m, p, g, time, id;
	char from[32], to[32], line[512];
	const char *k, *nl = strchr(text, '\n');
	size_t len = nl != NULL ? (size_t)(nl - text) : strlen(text);

	if (len >= sizeof line)
		len = sizeof line - 1;
	memcpy(line, text, len);
	line[len] = '\0';

	if (sscanf(line, "M=%lld P=%lld G=%lld StateTransition Time=%lld",
	           &m, &p, &g, &time) != 4)
		return 0;
	k = strstr(line, " GoID=");
	t->proc = k == NULL;
	if (k == NULL)
		k = strstr(line, " ProcID=");
	if (k == NULL)
		return 0;
	if (sscanf(strchr(k, '=') + 1, "%lld %31[A-Za-z]->%31[A-Za-z]", &id, from,
	           to) != 3)
		return 0;
	t->id = id;
	t->m = m;
	t->p = p;
	t->from = state_index(from, t->proc);
	t->to = state_index(to, t->proc);
	return t->from >= 0 && t->to >= 0;
}

/* Returns the start of the next event record in Go's output (records
 * begin with "M="; stack lines that follow an event do not). */
static const char *next_record(const char *p)
{
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');

		if (nl == NULL)
			return p + strlen(p);
		p = nl + 1;
		if (strncmp(p, "M=", 2) == 0)
			return p;
	}
	return p;
}

static void check_trace(const char *path, const char *ref_text, int threads)
{
	gotrace_input *in;
	gotrace_reader *r;
	gotrace_reader_options opts = GOTRACE_READER_OPTIONS_INIT;
	gotrace_event ev;
	const char *rec = ref_text;
	size_t events = 0;
	int rc;

	opts.threads = threads;
	assert_int_equal(gotrace_input_open_path(&in, path), GOTRACE_OK);
	rc = gotrace_reader_new_opts(&r, in, &opts);
	assert_non_null(r);
	if (strncmp(rec, "M=", 2) != 0)
		rec = next_record(rec);
	while (rc == GOTRACE_OK && (rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK) {
		ref_transition t;

		/* Go's printer panicked on this event (its reader goes on). */
		if (*rec == '\0' && gotrace_event_go_panic(&ev, NULL, 0) != 0)
			break;
		assert_true(*rec != '\0'); /* Go printed this event too */
		if (parse_transition(rec, &t)) {
			if (ev.kind != GOTRACE_EVENT_STATE_TRANSITION ||
			    ev.u.transition.id != t.id)
				print_error("%s: event %zu is not: %.100s\n", path,
				            events, rec);
			assert_int_equal(ev.kind, GOTRACE_EVENT_STATE_TRANSITION);
			assert_int_equal(ev.u.transition.id, t.id);
			if (!t.proc) {
				gotrace_goroutine_info gi;
				int known = gotrace_reader_goroutine(r, t.id, &gi);

				if (t.to == GOTRACE_GO_NOT_EXIST) {
					assert_false(known);
				} else {
					if (!known)
						print_error("%s: G%" PRId64 " unknown after: %.80s\n",
						            path, t.id, rec);
					assert_true(known);
					assert_int_equal(gi.state, t.to);
					if (t.to == GOTRACE_GO_RUNNING ||
					    t.to == GOTRACE_GO_SYSCALL) {
						gotrace_thread_info mi;

						assert_int_equal(gi.thread, t.m);
						assert_int_equal(gi.proc, t.p);
						assert_true(gotrace_reader_thread(r, t.m, &mi));
						assert_int_equal(mi.goroutine, t.id);
					}
				}
			} else {
				gotrace_proc_info pi;

				assert_true(gotrace_reader_proc(r, t.id, &pi));
				assert_int_equal(pi.state, t.to);
				if (t.to == GOTRACE_PROC_RUNNING && t.m >= 0) {
					gotrace_thread_info mi;

					assert_int_equal(pi.thread, t.m);
					assert_true(gotrace_reader_thread(r, t.m, &mi));
					assert_int_equal(mi.proc, t.id);
				}
			}
		}
		rec = next_record(rec);
		events++;
	}
	/* Finished is finished: the same answer again. */
	assert_int_equal(gotrace_reader_next(r, &ev), rc);
	gotrace_reader_free(r);
	assert_true(events > 0 || rc != GOTRACE_EOF);
}

/* The state after every event, with the whole reader on the caller's
 * thread (threads 1) or the ordering on a worker (threads 2). */
static void state_follows_reference(int threads)
{
	size_t n, i, checked = 0;
	char **traces = tu_list_traces(TESTDATA_DIR "/traces", &n);

	for (i = 0; i < n; i++) {
		char ref[8192];
		char *text, *err_text = NULL;
		size_t len;

		if (tu_read_status(traces[i], "parsed", &err_text) < 0)
			continue;
		free(err_text);
		snprintf(ref, sizeof ref, "%s.parsed.xz", traces[i]);
		text = tu_read_xz(ref, &len);
		assert_non_null(text);
		check_trace(traces[i], text, threads);
		free(text);
		checked++;
	}
	tu_free_list(traces, n);
	assert_true(checked > 0);
}

static void test_state_follows_reference(void **state)
{
	(void)state;
	state_follows_reference(1);
}

static void test_state_follows_reference_threaded(void **state)
{
	(void)state;
	state_follows_reference(2);
}

static gotrace_reader *open_with(const char *path, int threads, int ordering)
{
	gotrace_reader_options opts = GOTRACE_READER_OPTIONS_INIT;
	gotrace_input *in;
	gotrace_reader *r;

	opts.threads = threads;
	opts.ordering = ordering;
	assert_int_equal(gotrace_input_open_path(&in, path), GOTRACE_OK);
	gotrace_reader_new_opts(&r, in, &opts);
	assert_non_null(r);
	return r;
}

/* The getters of two readers of the same trace agree. */
static void assert_same_progress(const gotrace_reader *a,
                                 const gotrace_reader *b)
{
	assert_true(gotrace_reader_generation(a) == gotrace_reader_generation(b));
	assert_true(gotrace_reader_valid_bytes(a) == gotrace_reader_valid_bytes(b));
	assert_true(gotrace_reader_offset(a) == gotrace_reader_offset(b));
	assert_int_equal(gotrace_reader_incomplete(a), gotrace_reader_incomplete(b));
	assert_true(gotrace_reader_parked_generations(a) ==
	            gotrace_reader_parked_generations(b));
}

static void assert_same_goroutine(const gotrace_goroutine_info *a,
                                  const gotrace_goroutine_info *b)
{
	assert_true(a->id == b->id);
	assert_int_equal(a->state, b->state);
	assert_true(a->since == b->since);
	assert_true(a->thread == b->thread);
	assert_true(a->proc == b->proc);
}

/*
 * The state machines of two readers of the same trace agree: counts,
 * every goroutine of each found in the other with the same record, Ps
 * and Ms (kept in delivery order on both sides, so index by index), and
 * the transition counts. all: the whole goroutine table; else only the
 * one the event names (the tables of some traces are large).
 */
static void assert_same_state(const gotrace_reader *a, const gotrace_reader *b,
                              const gotrace_event *ev, int all)
{
	size_t i, n = gotrace_reader_goroutine_count(a);
	gotrace_goroutine_info ga, gb;
	int from, to;

	assert_true(n == gotrace_reader_goroutine_count(b));
	assert_true(gotrace_reader_proc_count(a) == gotrace_reader_proc_count(b));
	assert_true(gotrace_reader_thread_count(a) ==
	            gotrace_reader_thread_count(b));
	if (ev != NULL && ev->kind == GOTRACE_EVENT_STATE_TRANSITION &&
	    ev->u.transition.resource == GOTRACE_RESOURCE_GOROUTINE) {
		int ka = gotrace_reader_goroutine(a, ev->u.transition.id, &ga);
		int kb = gotrace_reader_goroutine(b, ev->u.transition.id, &gb);

		assert_int_equal(ka, kb);
		if (ka)
			assert_same_goroutine(&ga, &gb);
	}
	if (!all)
		return;
	for (i = 0; i < n; i++) {
		assert_int_equal(gotrace_reader_goroutine_at(a, i, &ga), 0);
		assert_true(gotrace_reader_goroutine(b, ga.id, &gb));
		assert_same_goroutine(&ga, &gb);
		assert_int_equal(gotrace_reader_goroutine_at(b, i, &gb), 0);
		assert_true(gotrace_reader_goroutine(a, gb.id, &ga));
		assert_same_goroutine(&ga, &gb);
	}
	for (i = 0; i < gotrace_reader_proc_count(a); i++) {
		gotrace_proc_info pa, pb;

		assert_int_equal(gotrace_reader_proc_at(a, i, &pa), 0);
		assert_int_equal(gotrace_reader_proc_at(b, i, &pb), 0);
		assert_true(pa.id == pb.id && pa.state == pb.state &&
		            pa.since == pb.since && pa.thread == pb.thread);
	}
	for (i = 0; i < gotrace_reader_thread_count(a); i++) {
		gotrace_thread_info ma, mb;

		assert_int_equal(gotrace_reader_thread_at(a, i, &ma), 0);
		assert_int_equal(gotrace_reader_thread_at(b, i, &mb), 0);
		assert_true(ma.id == mb.id && ma.proc == mb.proc &&
		            ma.goroutine == mb.goroutine && ma.since == mb.since);
	}
	for (from = 0; from < 6; from++)
		for (to = 0; to < 6; to++) {
			assert_true(gotrace_reader_transition_count(a,
			                GOTRACE_RESOURCE_GOROUTINE, from, to) ==
			            gotrace_reader_transition_count(b,
			                GOTRACE_RESOURCE_GOROUTINE, from, to));
			assert_true(gotrace_reader_transition_count(a,
			                GOTRACE_RESOURCE_PROC, from, to) ==
			            gotrace_reader_transition_count(b,
			                GOTRACE_RESOURCE_PROC, from, to));
		}
}

/*
 * With the ordering on a worker thread, a caller sees exactly what it sees
 * with one thread — events, and after each one the getters and the state
 * tables; at the end the same status and error message — on every trace,
 * damaged ones included, with Go's ordering and with parking. (The one-thread values are pinned
 * to Go's elsewhere: the reference comparisons, test_valid_bytes.)
 */
static void test_threads_agree(void **state)
{
	static const int orderings[] = {GOTRACE_ORDERING_AUTO,
	                                GOTRACE_ORDERING_PARKING};
	size_t n, i, k, compared = 0;
	char **traces = tu_list_traces(TESTDATA_DIR "/traces", &n);

	(void)state;
	for (i = 0; i < n; i++) {
		for (k = 0; k < 2; k++) {
			gotrace_reader *one = open_with(traces[i], 1, orderings[k]);
			gotrace_reader *two = open_with(traces[i], 2, orderings[k]);
			gotrace_event e1, e2;
			size_t events = 0;
			int rc1, rc2;

			assert_same_progress(one, two);
			do {
				rc1 = gotrace_reader_next(one, &e1);
				rc2 = gotrace_reader_next(two, &e2);
				if (rc1 != rc2)
					print_error("%s: status %d vs %d\n", traces[i], rc1, rc2);
				assert_int_equal(rc1, rc2);
				if (rc1 == GOTRACE_OK) {
					assert_int_equal(e1.kind, e2.kind);
					assert_true(e1.time == e2.time);
					assert_true(e1.thread == e2.thread);
					assert_true(e1.goroutine == e2.goroutine);
					assert_int_equal(e1.wire_type, e2.wire_type);
					assert_true(e1.generation == e2.generation);
				}
				assert_same_progress(one, two);
				/* One thread keeps goroutines at the engine's
				 * slots, two in a table of their own. */
				events++;
				assert_same_state(one, two,
				                  rc1 == GOTRACE_OK ? &e1 : NULL,
				                  rc1 != GOTRACE_OK ||
				                  gotrace_reader_goroutine_count(one) <= 64 ||
				                  events % 61 == 0);
			} while (rc1 == GOTRACE_OK);
			assert_string_equal(gotrace_error_message(gotrace_reader_error(one)),
			                    gotrace_error_message(gotrace_reader_error(two)));
			/* The pairing with the engine's slots held to the
			 * end: the general form is a fallback, not a path Go's
			 * traces take. */
			if (rc1 == GOTRACE_EOF &&
			    gotrace_version_is_v2(gotrace_reader_version(one)))
				assert_non_null(one->st.eng);
			gotrace_reader_free(one);
			gotrace_reader_free(two);
			compared++;
		}
	}
	tu_free_list(traces, n);
	assert_true(compared > 100);
}

/* ev as gotrace_event_write prints it (and its status, in *rc). */
static char *format_event(const gotrace_event *ev, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*rc = gotrace_event_write(ev, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void assert_same_event(const gotrace_event *a, const gotrace_event *b)
{
	int rca, rcb;
	char *ta = format_event(a, &rca), *tb = format_event(b, &rcb);

	assert_int_equal(rca, rcb);
	assert_string_equal(ta, tb);
	assert_int_equal(a->kind, b->kind);
	assert_true(a->time == b->time);
	assert_true(a->generation == b->generation);
	free(ta);
	free(tb);
}

/*
 * Batches of up to n events give what gotrace_reader_next gives, event by
 * event (each printed after its whole batch has arrived, so its strings
 * and stacks must still be there), and after each batch the reader
 * stands where the event-by-event reader stands after its last event:
 * the getters and the state machine. A Sync starts a batch; with
 * generations ordered in parallel (threads 3) a batch is one event. At the end, the same status and message; mixed
 * with gotrace_reader_next (mix), the same events still.
 */
static void batch_agrees(const char *path, int threads, size_t n, int mix)
{
	gotrace_reader *one = open_with(path, threads, GOTRACE_ORDERING_AUTO);
	gotrace_reader *bat = open_with(path, threads, GOTRACE_ORDERING_AUTO);
	gotrace_event *evs = calloc(n, sizeof *evs), e1;
	size_t got, i, batches = 0;
	int rc1 = GOTRACE_OK, rc2;

	assert_non_null(evs);
	for (;;) {
		if (mix && batches % 3 == 2) {
			rc2 = gotrace_reader_next(bat, &evs[0]);
			got = rc2 == GOTRACE_OK;
		} else {
			rc2 = gotrace_reader_next_batch(bat, evs, n, &got);
		}
		batches++;
		if (rc2 != GOTRACE_OK) {
			assert_int_equal(got, 0);
			break;
		}
		assert_true(got >= 1 && got <= n);
		if (threads >= 3)
			assert_int_equal(got, 1);
		for (i = 0; i < got; i++) {
			rc1 = gotrace_reader_next(one, &e1);
			assert_int_equal(rc1, GOTRACE_OK);
			assert_same_event(&e1, &evs[i]);
			if (i > 0)
				assert_int_not_equal(evs[i].kind, GOTRACE_EVENT_SYNC);
		}
		assert_same_progress(one, bat);
		assert_same_state(one, bat, &evs[got - 1],
		                  gotrace_reader_goroutine_count(one) <= 64 ||
		                  batches % 13 == 0);
	}
	rc1 = gotrace_reader_next(one, &e1);
	assert_int_equal(rc1, rc2);
	assert_string_equal(gotrace_error_message(gotrace_reader_error(one)),
	                    gotrace_error_message(gotrace_reader_error(bat)));
	assert_same_progress(one, bat);
	assert_same_state(one, bat, NULL, 1);
	/* Finished is finished. */
	assert_int_equal(gotrace_reader_next_batch(bat, evs, n, &got), rc2);
	assert_int_equal(got, 0);
	assert_int_equal(gotrace_reader_next(bat, &e1), rc2);
	free(evs);
	gotrace_reader_free(one);
	gotrace_reader_free(bat);
}

/* On every trace, damaged ones included: batches of 64 on one thread
 * and with the ordering on a worker, and of other sizes, mixed with
 * single events, and with generations ordered in parallel. */
static void test_batch_agrees(void **state)
{
	size_t n, i;
	char **traces = tu_list_traces(TESTDATA_DIR "/traces", &n);

	(void)state;
	assert_true(n > 100);
	for (i = 0; i < n; i++) {
		batch_agrees(traces[i], 1, 64, 0);
		batch_agrees(traces[i], 2, 64, 0);
		if (i % 4 == 0)
			batch_agrees(traces[i], 1, 1 + i % 9, 1);
		if (i % 4 == 1)
			batch_agrees(traces[i], 2, 1 + i % 9, 1);
		if (i % 4 == 2)
			batch_agrees(traces[i], 3, 64, 1);
	}
	tu_free_list(traces, n);
}

/* $GOTRACE_THREADS from 1 to 64 is taken as it is; anything else leaves
 * the choice to the machine: 1 or 2. */
static void test_default_threads(void **state)
{
	static const char *const ignored[] = {"", "0", "65", "2x", "-1", " 3",
	                                      "99999999999999999999"};
	size_t i;
	int d;

	(void)state;
	assert_int_equal(setenv("GOTRACE_THREADS", "3", 1), 0);
	assert_int_equal(gotrace_default_threads(), 3);
	assert_int_equal(setenv("GOTRACE_THREADS", "64", 1), 0);
	assert_int_equal(gotrace_default_threads(), 64);
	assert_int_equal(setenv("GOTRACE_THREADS", "1", 1), 0);
	assert_int_equal(gotrace_default_threads(), 1);
	for (i = 0; i < sizeof ignored / sizeof ignored[0]; i++) {
		assert_int_equal(setenv("GOTRACE_THREADS", ignored[i], 1), 0);
		d = gotrace_default_threads();
		assert_true(d == 1 || d == 2);
	}
	assert_int_equal(unsetenv("GOTRACE_THREADS"), 0);
	d = gotrace_default_threads();
	assert_true(d == 1 || d == 2);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		assert_int_equal(d, 1);
}

/* Arguments a batch refuses. */
static void test_batch_arguments(void **state)
{
	char **traces;
	size_t n, got = 99;
	gotrace_reader *r;
	gotrace_event ev;

	(void)state;
	traces = tu_list_traces(TESTDATA_DIR "/traces", &n);
	r = open_with(traces[0], 1, GOTRACE_ORDERING_AUTO);
	assert_int_equal(gotrace_reader_next_batch(NULL, &ev, 1, &got),
	                 GOTRACE_ERR_ARG);
	assert_int_equal(got, 0);
	assert_int_equal(gotrace_reader_next_batch(r, NULL, 1, &got),
	                 GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_reader_next_batch(r, &ev, 0, &got),
	                 GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_reader_next_batch(r, &ev, 1, NULL),
	                 GOTRACE_ERR_ARG);
	/* None of that touched the reader. */
	assert_int_equal(gotrace_reader_next_batch(r, &ev, 1, &got), GOTRACE_OK);
	assert_int_equal(got, 1);
	assert_int_equal(ev.kind, GOTRACE_EVENT_SYNC);
	gotrace_reader_free(r);
	tu_free_list(traces, n);
}

static gotrace_event transition_event(int resource, int64_t id, int from,
                                      int to, int64_t m, int64_t p)
{
	gotrace_event ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = GOTRACE_EVENT_STATE_TRANSITION;
	ev.thread = m;
	ev.proc = p;
	ev.goroutine = -1;
	ev.time = 100;
	ev.u.transition.resource = (gotrace_resource_kind)resource;
	ev.u.transition.id = id;
	ev.u.transition.old_state = from;
	ev.u.transition.new_state = to;
	return ev;
}

static void test_state_module_rules(void **state)
{
	gt_state st;
	struct gotrace_error err;
	gotrace_event ev;

	(void)state;
	gt_state_init(&st);
	gt_error_clear(&err);
	ev = transition_event(GOTRACE_RESOURCE_PROC, 0, GOTRACE_PROC_UNDETERMINED,
	                      GOTRACE_PROC_RUNNING, 3, -1);
	assert_int_equal(gt_state_apply(&st, &ev, &err), GOTRACE_OK);
	ev = transition_event(GOTRACE_RESOURCE_GOROUTINE, 7, GOTRACE_GO_NOT_EXIST,
	                      GOTRACE_GO_RUNNABLE, 3, 0);
	assert_int_equal(gt_state_apply(&st, &ev, &err), GOTRACE_OK);
	ev = transition_event(GOTRACE_RESOURCE_GOROUTINE, 7, GOTRACE_GO_RUNNABLE,
	                      GOTRACE_GO_RUNNING, 3, 0);
	assert_int_equal(gt_state_apply(&st, &ev, &err), GOTRACE_OK);
	assert_int_equal(st.ngs, 1);
	assert_int_equal(st.gs[st.glive[0]].info.state, GOTRACE_GO_RUNNING);
	assert_int_equal(st.gs[st.glive[0]].info.thread, 3);
	assert_int_equal(st.nms, 1);
	assert_int_equal(st.ms[0].goroutine, 7);
	assert_int_equal(st.ms[0].proc, 0);
	/* A goroutine that is running cannot start running again. */
	ev = transition_event(GOTRACE_RESOURCE_GOROUTINE, 7, GOTRACE_GO_RUNNABLE,
	                      GOTRACE_GO_RUNNING, 3, 0);
	assert_int_equal(gt_state_apply(&st, &ev, &err), GOTRACE_ERR_INVALID);
	assert_non_null(strstr(err.go_message, "goroutine 7"));
	assert_non_null(strstr(err.go_message, "Runnable->Running"));
	/* Unknown goroutines cannot come from a live state. */
	ev = transition_event(GOTRACE_RESOURCE_GOROUTINE, 8, GOTRACE_GO_WAITING,
	                      GOTRACE_GO_RUNNABLE, 3, 0);
	assert_int_equal(gt_state_apply(&st, &ev, &err), GOTRACE_ERR_INVALID);
	/* Exit forgets the goroutine and frees its M. */
	ev = transition_event(GOTRACE_RESOURCE_GOROUTINE, 7, GOTRACE_GO_RUNNING,
	                      GOTRACE_GO_NOT_EXIST, 3, 0);
	assert_int_equal(gt_state_apply(&st, &ev, &err), GOTRACE_OK);
	assert_int_equal(st.ngs, 0);
	assert_int_equal(st.ms[0].goroutine, -1);
	/* A P that stops is released by its M. */
	ev = transition_event(GOTRACE_RESOURCE_PROC, 0, GOTRACE_PROC_RUNNING,
	                      GOTRACE_PROC_IDLE, 3, 0);
	assert_int_equal(gt_state_apply(&st, &ev, &err), GOTRACE_OK);
	assert_int_equal(st.ms[0].proc, -1);
	assert_int_equal(st.ps[0].thread, -1);
	assert_true(st.transitions[0][GOTRACE_GO_RUNNABLE][GOTRACE_GO_RUNNING] == 1);
	gt_state_free(&st);
}

/* Applies "goroutine id: from -> to" on M 3 with engine slot hint. */
static int apply_g(gt_state *st, int64_t id, int from, int to, uint32_t hint)
{
	struct gotrace_error err;
	gotrace_event ev = transition_event(GOTRACE_RESOURCE_GOROUTINE, id,
	                                    from, to, 3, 0);

	gt_error_clear(&err);
	return gt_state_apply_hinted(st, &ev, hint, &err);
}

/* The IDs of the live goroutines, in the order the _at queries list them. */
static void expect_listed(const gt_state *st, const int64_t *ids, size_t n)
{
	size_t i;

	assert_int_equal(st->ngs, n);
	for (i = 0; i < n; i++)
		assert_int_equal(st->gs[st->glive[i]].info.id, ids[i]);
}

static void test_state_module_slots_and_hints(void **state)
{
	static const int64_t after_remove[] = {10, 14, 12};
	static const int64_t after_reuse[] = {10, 14, 12, 20};
	gt_state st;
	int64_t id;

	(void)state;
	gt_state_init(&st);
	/* Five goroutines, engine slots 0..4. */
	for (id = 10; id < 15; id++)
		assert_int_equal(apply_g(&st, id, GOTRACE_GO_NOT_EXIST,
		                         GOTRACE_GO_RUNNABLE,
		                         (uint32_t)(id - 10)),
		                 GOTRACE_OK);
	/* Two exit: the last listed takes an exiting one's place, as the
	 * swap-remove of a plain array would list them. */
	assert_int_equal(apply_g(&st, 11, GOTRACE_GO_RUNNABLE,
	                         GOTRACE_GO_NOT_EXIST, 1), GOTRACE_OK);
	assert_int_equal(apply_g(&st, 14, GOTRACE_GO_RUNNABLE,
	                         GOTRACE_GO_NOT_EXIST, GT_NO_SLOT), GOTRACE_OK);
	{
		static const int64_t mid[] = {10, 13, 12};

		expect_listed(&st, mid, 3);
	}
	/* A goroutine 14 again, in engine slot 1 (which 11 had): the stale
	 * hint in slot 4 must not find it, nor slot 1's find 11. */
	assert_int_equal(apply_g(&st, 14, GOTRACE_GO_NOT_EXIST,
	                         GOTRACE_GO_RUNNABLE, 1), GOTRACE_OK);
	assert_null(gt_state_find_g(&st, 11, 1));
	assert_non_null(gt_state_find_g(&st, 14, 4));
	assert_int_equal(gt_state_find_g(&st, 14, 4)->info.state,
	                 GOTRACE_GO_RUNNABLE);
	/* A wrong hint (another goroutine's slot, or out of range) costs only
	 * the hash lookup. */
	assert_int_equal(gt_state_find_g(&st, 12, 0)->info.id, 12);
	assert_int_equal(gt_state_find_g(&st, 13, 1u << 10)->info.id, 13);
	assert_int_equal(gt_state_find_g(&st, 13, 1u << 30)->info.id, 13);
	assert_true(st.nghint < 1u << 12);
	assert_int_equal(apply_g(&st, 13, GOTRACE_GO_RUNNABLE,
	                         GOTRACE_GO_RUNNING, 0), GOTRACE_OK);
	assert_int_equal(gt_state_find_g(&st, 13, 0)->info.state,
	                 GOTRACE_GO_RUNNING);
	/* Listing: 10, 13, 12 and the new 14 at the end; then 13 exits. */
	assert_int_equal(apply_g(&st, 13, GOTRACE_GO_RUNNING,
	                         GOTRACE_GO_NOT_EXIST, 3), GOTRACE_OK);
	expect_listed(&st, after_remove, 3);
	/* A freed slot is reused: still the five slots of the start. */
	assert_int_equal(apply_g(&st, 20, GOTRACE_GO_NOT_EXIST,
	                         GOTRACE_GO_WAITING, 7), GOTRACE_OK);
	expect_listed(&st, after_reuse, 4);
	assert_int_equal(st.nslots, 5);
	assert_null(gt_state_find_g(&st, 11, GT_NO_SLOT));
	assert_null(gt_state_find_g(&st, 13, GT_NO_SLOT));
	gt_state_free(&st);
}

/* glive lists every slot once, and each slot knows its place. */
static void expect_whole_list(const gt_state *st)
{
	size_t i;

	for (i = 0; i < st->nslots; i++)
		assert_int_equal(st->gs[st->glive[i]].pos, i);
}

/*
 * Slotted (a read on the caller's thread): each goroutine's record at the
 * engine's slot for it, whatever order they arrive in; ends found by the
 * slot once the engine's index has dropped them; queries through the
 * engine's index; and a goroutine the engine does not have turns the
 * table into the general form with everything kept.
 */
static void test_state_module_slotted(void **state)
{
	static const int64_t first[] = {15, 12, 10};
	static const int64_t after_end[] = {15, 10};
	static const int64_t general[] = {15, 10, 99};
	gt_seq seq = {1, 0};
	gt_order o;
	gt_state st;
	int64_t id;
	size_t i;

	(void)state;
	gt_order_init(&o, GOTRACE_GO126);
	gt_state_init(&st);
	gt_state_slot(&st, &o);
	assert_true(st.eng == &o);
	/* The engine has goroutines 10..15 in slots 0..5. */
	for (id = 10; id < 16; id++)
		assert_non_null(gt_order_add_g(&o, id, GOTRACE_GO_RUNNABLE, seq));
	/* Delivered in another order, with no hints: found by the index. */
	for (i = 0; i < 3; i++)
		assert_int_equal(apply_g(&st, first[i], GOTRACE_GO_UNDETERMINED,
		                         GOTRACE_GO_RUNNABLE, GT_NO_SLOT),
		                 GOTRACE_OK);
	expect_listed(&st, first, 3);
	expect_whole_list(&st);
	assert_int_equal(st.nslots, 6);
	assert_int_equal(st.gs[5].info.id, 15);
	assert_int_equal(st.gs[2].info.id, 12);
	assert_int_equal(st.gs[0].info.id, 10);
	/* 12 ends: the engine first, then the state machine by the slot. */
	gt_order_remove_g(&o, &o.gs[2]);
	assert_int_equal(apply_g(&st, 12, GOTRACE_GO_RUNNABLE,
	                         GOTRACE_GO_NOT_EXIST, 2), GOTRACE_OK);
	expect_listed(&st, after_end, 2);
	expect_whole_list(&st);
	assert_non_null(gt_state_query_g(&st, 10));
	assert_non_null(gt_state_query_g(&st, 15));
	assert_null(gt_state_query_g(&st, 12));
	assert_null(gt_state_query_g(&st, 11)); /* the engine's, not ours */
	/* One the engine does not know: the general form from here on. */
	assert_int_equal(apply_g(&st, 99, GOTRACE_GO_UNDETERMINED,
	                         GOTRACE_GO_RUNNING, GT_NO_SLOT), GOTRACE_OK);
	assert_null(st.eng);
	expect_listed(&st, general, 3);
	expect_whole_list(&st);
	for (i = 0; i < 3; i++)
		assert_int_equal(gt_state_query_g(&st, general[i])->id,
		                 general[i]);
	assert_int_equal(gt_state_find_g(&st, 15, GT_NO_SLOT)->info.state,
	                 GOTRACE_GO_RUNNABLE);
	assert_int_equal(apply_g(&st, 15, GOTRACE_GO_RUNNABLE,
	                         GOTRACE_GO_NOT_EXIST, 5), GOTRACE_OK);
	assert_null(gt_state_query_g(&st, 15));
	gt_state_free(&st);
	gt_order_free(&o);
}

static void test_stacks_resolve(void **state)
{
	gotrace_input *in;
	gotrace_reader *r;
	gotrace_event ev;
	size_t frames = 0;
	int rc;

	(void)state;
	/* The synthetic traces' stack 1 is main.main at /src/main.go:10,20. */
	assert_int_equal(gotrace_input_open_path(&in, TESTDATA_DIR
	                 "/traces/synthetic/valid_two_generations_126.trace"),
	                 GOTRACE_OK);
	rc = gotrace_reader_new(&r, in);
	while (rc == GOTRACE_OK && (rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK) {
		size_t i, n = gotrace_stack_depth(ev.stack);

		for (i = 0; i < n; i++) {
			gotrace_frame f;

			assert_int_equal(gotrace_stack_frame(ev.stack, i, &f), 0);
			assert_true(f.func.len > 0);
			assert_true(f.file.len > 0);
			frames++;
		}
		if (gotrace_stack_present(ev.stack)) {
			gotrace_frame f;

			assert_int_equal(gotrace_stack_frame(ev.stack, n, &f), -1);
		}
	}
	assert_int_equal(rc, GOTRACE_EOF);
	assert_true(frames > 0);
	gotrace_reader_free(r);
}

static void test_bad_header_and_args(void **state)
{
	static const char junk[] = "not a trace at all";
	gotrace_input *in;
	gotrace_reader *r;
	gotrace_event ev;

	(void)state;
	assert_int_equal(gotrace_reader_new(NULL, NULL), GOTRACE_ERR_ARG);
	assert_int_equal(gotrace_input_open_memory(&in, junk, sizeof junk - 1),
	                 GOTRACE_OK);
	assert_int_equal(gotrace_reader_new(&r, in), GOTRACE_ERR_FORMAT);
	assert_non_null(r);
	assert_int_equal(gotrace_reader_next(r, &ev), GOTRACE_ERR_FORMAT);
	assert_string_equal(gotrace_error_go_message(gotrace_reader_error(r)),
	                    "bad file format: not a Go execution trace?");
	assert_int_equal(gotrace_reader_next(r, NULL), GOTRACE_ERR_ARG);
	gotrace_reader_free(r);
}

/*
 * Go's messages quote trace strings verbatim, NULs included: the Go
 * message and its length must be exactly the reference's standard error
 * (less its final newline); the full message spells the NULs \x00 so
 * that the C string holds all of it.
 */
static void test_error_messages_with_nuls(void **state)
{
	static const char *const names[] = {"duplicate_string_id_nul",
	                                    "region_end_mismatch_nul"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[4096], status[4200];
		uint8_t *ref;
		const char *want;
		size_t len, want_len;
		gotrace_input *in;
		gotrace_reader *r;
		gotrace_event ev;
		const gotrace_error *err;
		int rc;

		snprintf(path, sizeof path, "%s/traces/synthetic/%s.trace",
		         TESTDATA_DIR, names[i]);
		snprintf(status, sizeof status, "%s.parsed.status", path);
		ref = tu_read_file(status, &len);
		assert_non_null(ref);
		want = memchr(ref, '\n', len);
		assert_non_null(want);
		want++;
		want_len = len - (size_t)(want - (const char *)ref);
		assert_true(want_len > 0 && want[want_len - 1] == '\n');
		want_len--;
		assert_non_null(memchr(want, '\0', want_len));

		assert_int_equal(gotrace_input_open_path(&in, path), GOTRACE_OK);
		assert_int_equal(gotrace_reader_new(&r, in), GOTRACE_OK);
		while ((rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK)
			;
		assert_int_not_equal(rc, GOTRACE_EOF);
		err = gotrace_reader_error(r);
		assert_int_equal(gotrace_error_go_message_len(err), want_len);
		assert_memory_equal(gotrace_error_go_message(err), want, want_len);
		assert_int_equal(gotrace_error_go_message(err)[want_len], '\0');
		assert_non_null(strstr(gotrace_error_message(err), "\\x00"));
		/* The message ends where Go's does, not at its first NUL. */
		assert_true(strlen(gotrace_error_message(err)) > want_len);
		gotrace_reader_free(r);
		free(ref);
	}
}

/* Reads a trace to its end; returns the final status and valid bytes. */
static int read_to_end(const char *path, uint64_t *valid, uint64_t *size)
{
	gotrace_input *in;
	gotrace_reader *r;
	gotrace_event ev;
	size_t len;
	uint8_t *bytes = tu_read_file(path, &len);
	int rc;

	assert_non_null(bytes);
	free(bytes);
	*size = len;
	assert_int_equal(gotrace_input_open_path(&in, path), GOTRACE_OK);
	rc = gotrace_reader_new(&r, in);
	while (rc == GOTRACE_OK && (rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK)
		;
	*valid = gotrace_reader_valid_bytes(r);
	gotrace_reader_free(r);
	return rc;
}

static void test_valid_bytes(void **state)
{
	uint64_t valid, size;

	(void)state;
	/* gen_synthetic cuts these after the first generation (cut0), and one
	 * byte into the second (cut2). */
	assert_int_equal(read_to_end(TESTDATA_DIR
	                 "/traces/synthetic/truncated_126_cut0.trace", &valid, &size),
	                 GOTRACE_EOF);
	assert_true(valid == size);
	assert_int_not_equal(read_to_end(TESTDATA_DIR
	                     "/traces/synthetic/truncated_126_cut2.trace", &valid,
	                     &size), GOTRACE_EOF);
	assert_true(valid == size - 1);
	assert_int_not_equal(read_to_end(TESTDATA_DIR
	                     "/traces/synthetic/truncated_122_cut2.trace", &valid,
	                     &size), GOTRACE_EOF);
	assert_true(valid == size - 1);
	/* A whole valid trace is valid to its last byte. */
	assert_int_equal(read_to_end(TESTDATA_DIR
	                 "/traces/go1.27/channels.trace", &valid, &size),
	                 GOTRACE_EOF);
	assert_true(valid == size);
}

/*
 * Reads every event of path with opts. Returns the final status; counts
 * the Syncs in *syncs and reports the parked generations in *parked.
 */
static int read_all(const char *path, const gotrace_reader_options *opts,
                    uint64_t *syncs, uint64_t *parked)
{
	gotrace_input *in;
	gotrace_reader *r;
	gotrace_event ev;
	int rc;

	assert_int_equal(gotrace_input_open_path(&in, path), GOTRACE_OK);
	rc = gotrace_reader_new_opts(&r, in, opts);
	assert_non_null(r);
	*syncs = 0;
	while (rc == GOTRACE_OK && (rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK)
		*syncs += ev.kind == GOTRACE_EVENT_SYNC;
	*parked = gotrace_reader_parked_generations(r);
	gotrace_reader_free(r);
	return rc;
}

static int read_limited(const char *path, uint64_t limit)
{
	gotrace_reader_options opts = GOTRACE_READER_OPTIONS_INIT;
	uint64_t syncs, parked;

	opts.max_memory = limit;
	return read_all(path, &opts, &syncs, &parked);
}

static void test_memory_limit(void **state)
{
	static const char *const traces[] = {
		TESTDATA_DIR "/traces/go1.27/generations.trace",
		TESTDATA_DIR "/traces/go1.22/channels.trace",
		TESTDATA_DIR "/traces/go1.21/channels.trace",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof traces / sizeof traces[0]; i++) {
		/* A limit below the trace's size stops it cleanly... */
		assert_int_equal(read_limited(traces[i], 1024), GOTRACE_ERR_LIMIT);
		/* ...and one above it changes nothing. */
		assert_int_equal(read_limited(traces[i], 64u << 20), GOTRACE_EOF);
	}
}

/* Reads path with the given ordering; returns the parked generations,
 * and the generations (opening Syncs) in *gens. */
static uint64_t read_ordered(const char *path, int ordering, uint64_t *gens)
{
	gotrace_reader_options opts = GOTRACE_READER_OPTIONS_INIT;
	uint64_t parked;

	opts.ordering = ordering;
	assert_int_equal(read_all(path, &opts, gens, &parked), GOTRACE_EOF);
	*gens -= 1;                  /* the closing Sync */
	return parked;
}

static void test_ordering_option(void **state)
{
	static const char *const traces[] = {
		TESTDATA_DIR "/traces/go1.27/generations.trace",
		TESTDATA_DIR "/traces/synthetic/order_goroutine_chain_40.trace",
	};
	gotrace_reader_options opts = GOTRACE_READER_OPTIONS_INIT;
	gotrace_input *in;
	gotrace_reader *r = NULL;
	uint64_t gens, parked;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof traces / sizeof traces[0]; i++) {
		/* Parking from the start parks every generation... */
		parked = read_ordered(traces[i], GOTRACE_ORDERING_PARKING, &gens);
		assert_true(gens > 0);
		assert_int_equal(parked, gens);
		/* ...Go's loop none, and these are far below the budget. */
		assert_int_equal(read_ordered(traces[i], GOTRACE_ORDERING_EXACT,
		                              &gens), 0);
		assert_int_equal(read_ordered(traces[i], GOTRACE_ORDERING_AUTO,
		                              &gens), 0);
	}
	/* A v1 trace counts as one generation. */
	assert_int_equal(read_ordered(TESTDATA_DIR "/traces/go1.21/channels.trace",
	                              GOTRACE_ORDERING_PARKING, &gens), 1);
	/* An unknown strategy is refused. */
	opts.ordering = 3;
	assert_int_equal(gotrace_input_open_path(&in, traces[0]), GOTRACE_OK);
	assert_int_equal(gotrace_reader_new_opts(&r, in, &opts), GOTRACE_ERR_ARG);
	assert_null(r);
	gotrace_input_free(in);
}

/*
 * An experiment ID Go has no name for (experiment_id_unnamed: 7, in the
 * second generation's experimental batch at byte 361): Go's reader reads
 * on, only its Sync() accessor panics. The reader delivers every event,
 * on one thread and two, and its Sync reports the experiment; printing
 * that Sync fails, writing nothing, with Go's panic message. A ProcStatus
 * past Go's table is still an error: cmd/trace panics on it too.
 */
static void test_unnamed_experiment(void **state)
{
	static const char path[] =
		TESTDATA_DIR "/traces/synthetic/experiment_id_unnamed.trace";
	char msg[128];
	int threads;

	(void)state;
	for (threads = 1; threads <= 2; threads++) {
		gotrace_reader *r = open_with(path, threads, GOTRACE_ORDERING_AUTO);
		gotrace_event ev;
		size_t events = 0, syncs = 0, unnamed = 0;
		int rc;

		while ((rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK) {
			size_t n = gotrace_event_go_panic(&ev, msg, sizeof msg);

			events++;
			if (ev.kind != GOTRACE_EVENT_SYNC) {
				assert_int_equal(n, 0);
				continue;
			}
			syncs++;
			if (ev.u.sync.unnamed_experiment == 0) {
				assert_int_equal(n, 0);
				assert_true(ev.u.sync.unnamed_experiment_offset == 0);
				continue;
			}
			/* The second generation's Sync. */
			unnamed++;
			assert_int_equal(syncs, 2);
			assert_true(ev.u.sync.unnamed_experiment == 7);
			assert_true(ev.u.sync.unnamed_experiment_offset == 361);
			assert_int_equal(ev.u.sync.experimental_batches, 1);
			assert_string_equal(msg, "runtime error: index out of "
			                    "range [7] with length 2");
			assert_int_equal(n, strlen(msg));
			/* Cut to the buffer, the length still the whole. */
			assert_int_equal(gotrace_event_go_panic(&ev, msg, 8), n);
			assert_string_equal(msg, "runtime");
			{
				FILE *f = tmpfile();

				assert_non_null(f);
				assert_int_equal(gotrace_event_write(&ev, f),
				                 GOTRACE_ERR_INVALID);
				assert_int_equal(fflush(f), 0);
				assert_int_equal(ftell(f), 0);
				fclose(f);
			}
		}
		/* Every event, as Go's reader: 9 in the first generation,
		 * 4 in the second, and the closing Sync. */
		assert_int_equal(rc, GOTRACE_EOF);
		assert_int_equal(events, 14);
		assert_int_equal(syncs, 3);
		assert_int_equal(unnamed, 1);
		assert_int_equal(gotrace_reader_incomplete(r), 0);
		gotrace_reader_free(r);
	}
	/* The printer's panic on a ProcStatus stays a reader error. */
	{
		gotrace_reader *r = open_with(TESTDATA_DIR
		                              "/traces/synthetic/proc_status_wide.trace",
		                              1, GOTRACE_ORDERING_AUTO);
		gotrace_event ev;
		int rc;

		while ((rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK)
			assert_int_equal(gotrace_event_go_panic(&ev, msg, sizeof msg), 0);
		assert_int_equal(rc, GOTRACE_ERR_INVALID);
		assert_string_equal(gotrace_error_go_message(gotrace_reader_error(r)),
		                    "runtime error: index out of range [258] with "
		                    "length 5");
		gotrace_reader_free(r);
	}
}

/*
 * The distinct generation numbers of the batches in Go's wire dump of
 * trace (-d=wire: "EventBatch gen=N ..."), in file order, into gens.
 * Returns how many, or -1 without a dump.
 */
static long wire_generations(const char *trace, uint64_t *gens, size_t cap)
{
	char path[4096];
	char *text, *line;
	size_t len, n = 0;

	snprintf(path, sizeof path, "%s.wire.xz", trace);
	if ((text = tu_read_xz(path, &len)) == NULL)
		return -1;
	for (line = text; line != NULL && *line != '\0';) {
		char *nl = strchr(line, '\n');
		unsigned long long g;

		if (sscanf(line, "EventBatch gen=%llu ", &g) == 1 &&
		    (n == 0 || gens[n - 1] != g)) {
			assert_true(n < cap);
			gens[n++] = g;
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	free(text);
	return (long)n;
}

/*
 * Every event names its generation: the number its batches carry on the
 * wire, as Go's wire dump prints it (a generation's opening Sync, and the
 * events up to the next Sync, have that generation's; the final Sync the
 * last one's), and always what gotrace_reader_generation() says right
 * after it; 0 throughout a v1 trace. On every trace Go reads cleanly,
 * with one thread and with two.
 */
static void test_event_generation(void **state)
{
	size_t n, i, checked_v2 = 0, checked_v1 = 0;
	char **traces = tu_list_traces(TESTDATA_DIR "/traces", &n);

	(void)state;
	for (i = 0; i < n; i++) {
		uint64_t gens[256];
		char *err = NULL;
		long ngens = -1;
		int threads, status = tu_read_status(traces[i], "parsed", &err);

		free(err);
		if (status != 0)
			continue;
		for (threads = 1; threads <= 2; threads++) {
			gotrace_reader *r = open_with(traces[i], threads,
			                              GOTRACE_ORDERING_AUTO);
			int v1 = !gotrace_version_is_v2(gotrace_reader_version(r));
			uint64_t cur = 0;
			size_t syncs = 0;
			gotrace_event ev;
			int rc;

			if (!v1 && ngens < 0) {
				ngens = wire_generations(traces[i], gens,
				                         sizeof gens / sizeof gens[0]);
				assert_true(ngens >= 0);
			}
			assert_true(gotrace_reader_generation(r) == 0);
			while ((rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK) {
				assert_true(ev.generation ==
				            gotrace_reader_generation(r));
				if (v1) {
					assert_true(ev.generation == 0);
				} else if (ev.kind == GOTRACE_EVENT_SYNC) {
					/* A trace of no generations has only
					 * the final Sync, of none. */
					uint64_t want =
						ngens == 0 ? 0
						: gens[syncs < (size_t)ngens
						       ? syncs : (size_t)ngens - 1];

					if (ev.generation != want)
						print_error("%s: Sync %zu: generation "
						            "%" PRIu64 ", Go's %" PRIu64
						            "\n", traces[i], syncs + 1,
						            ev.generation, want);
					assert_true(ev.generation == want);
					cur = ev.generation;
				} else {
					assert_true(syncs > 0);
					assert_true(ev.generation == cur);
				}
				syncs += ev.kind == GOTRACE_EVENT_SYNC;
			}
			assert_int_equal(rc, GOTRACE_EOF);
			/* One Sync per generation and the final one (a
			 * trace Go ends early has fewer). */
			if (!v1 && !gotrace_reader_incomplete(r))
				assert_int_equal(syncs, (size_t)ngens + 1);
			if (v1)
				checked_v1++;
			else
				checked_v2++;
			gotrace_reader_free(r);
		}
	}
	tu_free_list(traces, n);
	assert_true(checked_v2 > 100);
	assert_true(checked_v1 > 20);
}

/*
 * After a seek (index.h) events still name their generation: the Sync of
 * the generation sought carries its wire number (from Go's -d=wire dump),
 * the next ones follow in file order, and the field agrees with
 * gotrace_reader_generation() throughout; seeking midway through a read,
 * with one thread and two.
 */
static void test_event_generation_after_seek(void **state)
{
	static const char *const traces[] = {
		TESTDATA_DIR "/traces/go1.27/generations.trace",
		TESTDATA_DIR "/traces/go1.26/flightrecorder.trace",
	};
	size_t i, checked = 0;

	(void)state;
	for (i = 0; i < sizeof traces / sizeof traces[0]; i++) {
		uint64_t gens[64];
		long ngens = wire_generations(traces[i], gens, 64);
		long k;
		int threads;

		assert_true(ngens >= 2);
		for (threads = 1; threads <= 2; threads++) {
			for (k = ngens - 1; k >= 0; k--) {
				gotrace_reader *r = open_with(traces[i], threads,
				                              GOTRACE_ORDERING_AUTO);
				gotrace_event ev;
				long next = k;
				int rc, n;

				/* Read into the trace first. */
				for (n = 0; n < 50; n++)
					assert_int_equal(gotrace_reader_next(r, &ev),
					                 GOTRACE_OK);
				assert_int_equal(gotrace_reader_seek_generation(
				                 r, gens[k]), GOTRACE_OK);
				n = 0;
				while ((rc = gotrace_reader_next(r, &ev)) ==
				       GOTRACE_OK) {
					assert_true(ev.generation ==
					            gotrace_reader_generation(r));
					if (n++ == 0)
						assert_int_equal(ev.kind,
						                 GOTRACE_EVENT_SYNC);
					if (ev.kind == GOTRACE_EVENT_SYNC) {
						long g = next < ngens ? next
						                      : ngens - 1;

						assert_true(ev.generation == gens[g]);
						next++;
					} else {
						assert_true(ev.generation ==
						            gens[next - 1]);
					}
				}
				assert_int_equal(rc, GOTRACE_EOF);
				assert_int_equal(next, ngens + 1);
				gotrace_reader_free(r);
				checked++;
			}
		}
	}
	assert_true(checked >= 10);
}

/*
 * A batch that stopped short of an error leaves it for the next call;
 * a seek in between starts over: the events of the generation sought,
 * not the stale error. (On every trace that fails inside a generation.)
 */
static void test_batch_end_then_seek(void **state)
{
	size_t n, i, seen = 0;
	char **traces = tu_list_traces(TESTDATA_DIR "/traces", &n);

	(void)state;
	for (i = 0; i < n; i++) {
		gotrace_reader *r = open_with(traces[i], 1,
		                              GOTRACE_ORDERING_AUTO);
		gotrace_event evs[64];
		uint64_t gens[64];
		size_t got;

		if (!gotrace_version_is_v2(gotrace_reader_version(r)) ||
		    wire_generations(traces[i], gens, 64) < 1) {
			gotrace_reader_free(r);
			continue;
		}
		while (gotrace_reader_next_batch(r, evs, 64, &got) ==
		       GOTRACE_OK && r->held == GOTRACE_OK)
			;
		if (r->held != GOTRACE_OK &&
		    gotrace_reader_seek_generation(r, gens[0]) == GOTRACE_OK) {
			assert_int_equal(gotrace_reader_next_batch(r, evs, 64,
			                                           &got),
			                 GOTRACE_OK);
			assert_int_equal(evs[0].kind, GOTRACE_EVENT_SYNC);
			assert_true(evs[0].generation == gens[0]);
			seen++;
		}
		gotrace_reader_free(r);
	}
	tu_free_list(traces, n);
	assert_true(seen > 0);
}

/*
 * The options' struct_size: the _INIT macro sets it; 0 (a zeroed struct)
 * or too small is refused; a larger one, from a caller built against a
 * later header, is read up to the fields this library knows.
 */
static void test_options_struct_size(void **state)
{
	static const char path[] = TESTDATA_DIR "/traces/go1.27/channels.trace";
	struct {
		gotrace_reader_options o;
		uint64_t later;          /* a field a later version might add */
	} big;
	gotrace_reader_options opts = GOTRACE_READER_OPTIONS_INIT;
	uint64_t syncs, parked;
	gotrace_input *in;
	gotrace_reader *r;

	(void)state;
	assert_true(opts.struct_size == sizeof opts);
	assert_int_equal(opts.ordering, GOTRACE_ORDERING_AUTO);
	assert_true(opts.max_memory == 0 && opts.threads == 0 &&
	            opts.no_state_tracking == 0);
	assert_int_equal(read_all(path, NULL, &syncs, &parked), GOTRACE_EOF);
	assert_int_equal(read_all(path, &opts, &syncs, &parked), GOTRACE_EOF);

	memset(&opts, 0, sizeof opts);
	assert_int_equal(gotrace_input_open_path(&in, path), GOTRACE_OK);
	r = (gotrace_reader *)1;
	assert_int_equal(gotrace_reader_new_opts(&r, in, &opts), GOTRACE_ERR_ARG);
	assert_null(r);
	opts.struct_size = sizeof opts - 1;
	assert_int_equal(gotrace_reader_new_opts(&r, in, &opts), GOTRACE_ERR_ARG);
	assert_null(r);
	gotrace_input_free(in);

	memset(&big, 0xff, sizeof big);
	big.o = (gotrace_reader_options)GOTRACE_READER_OPTIONS_INIT;
	big.o.struct_size = sizeof big;
	big.o.max_memory = 1024;     /* read: the trace is larger */
	assert_int_equal(read_all(path, &big.o, &syncs, &parked),
	                 GOTRACE_ERR_LIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_follows_reference),
		cmocka_unit_test(test_state_follows_reference_threaded),
		cmocka_unit_test(test_threads_agree),
		cmocka_unit_test(test_state_module_rules),
		cmocka_unit_test(test_state_module_slots_and_hints),
		cmocka_unit_test(test_state_module_slotted),
		cmocka_unit_test(test_batch_agrees),
		cmocka_unit_test(test_batch_arguments),
		cmocka_unit_test(test_default_threads),
		cmocka_unit_test(test_stacks_resolve),
		cmocka_unit_test(test_bad_header_and_args),
		cmocka_unit_test(test_error_messages_with_nuls),
		cmocka_unit_test(test_valid_bytes),
		cmocka_unit_test(test_memory_limit),
		cmocka_unit_test(test_ordering_option),
		cmocka_unit_test(test_unnamed_experiment),
		cmocka_unit_test(test_event_generation),
		cmocka_unit_test(test_event_generation_after_seek),
		cmocka_unit_test(test_batch_end_then_seek),
		cmocka_unit_test(test_options_struct_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
