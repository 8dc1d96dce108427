/*
 * The wire reader: what the test-side writer encodes comes back unchanged,
 * every cut of a trace yields a prefix of the full event sequence, and
 * errors name the right byte offset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gotrace/gotrace.h>

#include "reader/resolve.h"
#include "wire/spec.h"
#include "tracewriter.h"

typedef struct rec {
	uint8_t type;
	uint64_t offset;
	size_t nargs;
	uint64_t args[5];
	size_t data_len;
} rec;

/* Reads all events of buf into recs; returns the final status. */
static int read_events(const uint8_t *buf, size_t len, rec *recs, size_t max,
                       size_t *n, uint64_t *err_offset, int *truncated)
{
	gotrace_input *in;
	gotrace_wire_reader *r;
	gotrace_wire_event ev;
	int rc;

	assert_int_equal(gotrace_input_open_memory(&in, buf, len), GOTRACE_OK);
	rc = gotrace_wire_reader_new(&r, in);
	assert_non_null(r);
	*n = 0;
	while (rc == GOTRACE_OK && (rc = gotrace_wire_reader_next(r, &ev)) == GOTRACE_OK) {
		assert_true(*n < max);
		recs[*n].type = ev.type;
		recs[*n].offset = ev.offset;
		recs[*n].nargs = ev.nargs;
		memcpy(recs[*n].args, ev.args, ev.nargs * sizeof *ev.args);
		recs[*n].data_len = ev.data_len;
		(*n)++;
	}
	*err_offset = gotrace_error_offset(gotrace_wire_reader_error(r));
	*truncated = gotrace_wire_reader_truncated(r);
	/* Once finished, the reader keeps saying so. */
	assert_int_equal(gotrace_wire_reader_next(r, &ev), rc);
	gotrace_wire_reader_free(r);
	return rc;
}

static void build(tw_trace *t)
{
	static const uint64_t ids[] = {1, 2};
	static const char *const strs[] = {"main.main", "main.go"};
	static const uint64_t frames[1][4] = {{0x401000, 1, 2, 7}};

	tw_init(t, 26);
	tw_strings(t, 1, 2, ids, strs);
	tw_stacks_begin(t, 1);
	tw_stack(t, 1, 1, frames);
	tw_batch_end(t);
	tw_batch_begin(t, 1, 5, 100);
	TW_EV(t, 13, 101, 0, 1);              /* ProcStatus */
	TW_EV(t, 25, 105, 1, 5, 2);           /* GoStatus */
	TW_EV(t, 37, 200, UINT64_MAX);        /* HeapAlloc */
	tw_batch_end(t);
	tw_sync(t, 1, 100, 1000000000, 105, 1, 2, 3);
	tw_end_of_generation(t);
}

static void test_round_trip(void **state)
{
	tw_trace t;
	rec recs[64];
	size_t n;
	uint64_t eoff;
	int trunc;

	(void)state;
	build(&t);
	assert_int_equal(read_events(t.buf, t.len, recs, 64, &n, &eoff, &trunc),
	                 GOTRACE_EOF);
	assert_false(trunc);
	/* EventBatch, Strings, String, String, EventBatch, Stacks, Stack,
	 * EventBatch, ProcStatus, GoStatus, HeapAlloc, EventBatch, Sync,
	 * Frequency, ClockSnapshot, EndOfGeneration. */
	assert_int_equal(n, 16);
	assert_int_equal(recs[0].type, GOTRACE_WIRE_EVENT_BATCH);
	assert_int_equal(recs[0].offset, 16);
	assert_int_equal(recs[2].type, GOTRACE_WIRE_STRING);
	assert_int_equal(recs[2].args[0], 1);
	assert_int_equal(recs[2].data_len, strlen("main.main"));
	assert_int_equal(recs[6].type, GOTRACE_WIRE_STACK);
	assert_int_equal(recs[6].args[1], 1);
	assert_int_equal(recs[8].type, GOTRACE_WIRE_PROC_STATUS);
	assert_int_equal(recs[8].args[0], 1); /* dt */
	assert_int_equal(recs[9].type, GOTRACE_WIRE_GO_STATUS);
	assert_int_equal(recs[9].args[0], 4);
	assert_int_equal(recs[9].args[1], 1);
	assert_int_equal(recs[9].args[2], 5);
	assert_int_equal(recs[9].args[3], 2);
	assert_int_equal(recs[10].type, GOTRACE_WIRE_HEAP_ALLOC);
	assert_true(recs[10].args[1] == UINT64_MAX);
	assert_int_equal(recs[14].type, GOTRACE_WIRE_CLOCK_SNAPSHOT);
	assert_int_equal(recs[14].args[0], 5);
	assert_int_equal(recs[15].type, GOTRACE_WIRE_END_OF_GENERATION);
	assert_int_equal(recs[15].offset, t.len - 1);
	tw_free(&t);
}

static void test_every_cut_is_a_prefix(void **state)
{
	tw_trace t;
	rec full[64], part[64];
	size_t nfull, npart, cut, i;
	uint64_t eoff;
	int trunc;

	(void)state;
	build(&t);
	read_events(t.buf, t.len, full, 64, &nfull, &eoff, &trunc);
	for (cut = 16; cut < t.len; cut++) {
		int rc = read_events(t.buf, cut, part, 64, &npart, &eoff, &trunc);

		assert_true(npart <= nfull);
		for (i = 0; i < npart; i++) {
			assert_int_equal(part[i].type, full[i].type);
			assert_true(part[i].offset == full[i].offset);
			assert_memory_equal(part[i].args, full[i].args,
			                    part[i].nargs * sizeof(uint64_t));
		}
		if (rc == GOTRACE_EOF) {
			/* Clean only where an event ended, else flagged. */
			int at_boundary = npart < nfull && full[npart].offset == cut;

			assert_int_equal(trunc, !at_boundary);
		} else {
			assert_int_equal(rc, GOTRACE_ERR_TRUNCATED);
			assert_true(eoff == cut);
		}
	}
	tw_free(&t);
}

static void test_overflow_offset(void **state)
{
	tw_trace t;
	rec recs[8];
	size_t n, at;
	uint64_t eoff;
	int trunc;

	(void)state;
	tw_init(&t, 26);
	tw_batch_begin(&t, 1, 1, 0);
	tw_byte(&t, 37); /* HeapAlloc */
	tw_uvarint(&t, 1);
	at = t.len;
	tw_bytes(&t, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10);
	tw_batch_end(&t);
	assert_int_equal(read_events(t.buf, t.len, recs, 8, &n, &eoff, &trunc),
	                 GOTRACE_ERR_CORRUPT);
	assert_int_equal(n, 1);
	assert_true(eoff == at);
	tw_free(&t);
}

static void test_invalid_type_offset(void **state)
{
	tw_trace t;
	rec recs[8];
	size_t n, at;
	uint64_t eoff;
	int trunc;

	(void)state;
	tw_init(&t, 23);
	tw_batch_begin(&t, 1, 1, 0);
	at = t.len;
	tw_byte(&t, 51); /* ClockSnapshot does not exist before Go 1.25 */
	tw_batch_end(&t);
	assert_int_equal(read_events(t.buf, t.len, recs, 8, &n, &eoff, &trunc),
	                 GOTRACE_ERR_CORRUPT);
	assert_int_equal(n, 1);
	assert_true(eoff == at);
	tw_free(&t);
}

static void test_v1_is_unsupported(void **state)
{
	static const uint8_t v1[] = "go 1.21 trace\0\0\0\x01\x02\x03";
	rec recs[4];
	size_t n;
	uint64_t eoff;
	int trunc;

	(void)state;
	assert_int_equal(read_events(v1, sizeof v1 - 1, recs, 4, &n, &eoff, &trunc),
	                 GOTRACE_ERR_UNSUPPORTED);
	assert_int_equal(n, 0);
	assert_int_equal(eoff, 16);
}

/*
 * The reader checks and resolves goroutines' plain transitions with their
 * stack and string arguments as constants (GT_PLAIN_GO_TRANSITIONS): they
 * are the spec table's, which the general path reads.
 */
static void test_plain_go_args_match_specs(void **state)
{
	(void)state;
#define CHECK_ARGS(type, id, from, to, reason, stack, sa0, sa1, ta0)        \
	do {                                                                \
		const gt_spec *sp = &gt_specs[GOTRACE_WIRE_##type];         \
		assert_int_equal(sp->stack_args[0] < 1 ? 0 : sp->stack_args[0], \
		                 sa0);                                      \
		assert_int_equal(sp->stack_args[1] < 1 ? 0 : sp->stack_args[1], \
		                 sa1);                                      \
		assert_int_equal(sp->string_args[0] < 1 ? 0 : sp->string_args[0], \
		                 ta0);                                      \
		assert_true(sp->string_args[1] < 1);                        \
		assert_true(sp->timed);                                     \
		assert_int_equal(gt_plain_transitions[GOTRACE_WIRE_##type].resource, \
		                 GOTRACE_RESOURCE_GOROUTINE);               \
	} while (0);
	GT_PLAIN_GO_TRANSITIONS(CHECK_ARGS)
#undef CHECK_ARGS
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_cut_is_a_prefix),
		cmocka_unit_test(test_overflow_offset),
		cmocka_unit_test(test_invalid_type_offset),
		cmocka_unit_test(test_v1_is_unsupported),
		cmocka_unit_test(test_plain_go_args_match_specs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
