/*
 * gen_synthetic: writes the synthetic traces of testdata/traces/synthetic/.
 *
 *   gen_synthetic DIR
 *   gen_synthetic --chains N DIR   (only the chain traces, with N threads)
 *
 * Each trace isolates one rule of the format or one kind of damage. The
 * expected outputs are not made here: testdata/regen.sh runs Go 1.27's
 * `go tool trace -d=wire` and `-d=parsed` on each file and stores what it
 * prints. The test suite regenerates these files and checks they match
 * the committed ones, so the generator and the corpus cannot drift apart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracewriter.h"

/* Event type codes used below (docs/format.md lists them all). */
enum {
	EV_CPU_SAMPLES = 6, EV_CPU_SAMPLE = 7, EV_FREQUENCY = 8,
	EV_PROCS_CHANGE = 9, EV_PROC_START = 10, EV_PROC_STOP = 11,
	EV_PROC_STEAL = 12, EV_PROC_STATUS = 13, EV_GO_CREATE = 14,
	EV_GO_CREATE_SYSCALL = 15, EV_GO_START = 16, EV_GO_DESTROY = 17,
	EV_GO_DESTROY_SYSCALL = 18, EV_GO_STOP = 19, EV_GO_BLOCK = 20,
	EV_GO_UNBLOCK = 21, EV_GO_SYSCALL_BEGIN = 22, EV_GO_SYSCALL_END = 23,
	EV_GO_SYSCALL_END_BLOCKED = 24, EV_GO_STATUS = 25, EV_STW_BEGIN = 26,
	EV_STW_END = 27, EV_GC_ACTIVE = 28, EV_GC_BEGIN = 29, EV_GC_END = 30,
	EV_GC_SWEEP_ACTIVE = 31, EV_GC_SWEEP_BEGIN = 32, EV_GC_SWEEP_END = 33,
	EV_GC_MARK_ASSIST_ACTIVE = 34, EV_GC_MARK_ASSIST_BEGIN = 35,
	EV_GC_MARK_ASSIST_END = 36, EV_HEAP_ALLOC = 37, EV_HEAP_GOAL = 38,
	EV_GO_LABEL = 39, EV_TASK_BEGIN = 40, EV_TASK_END = 41,
	EV_REGION_BEGIN = 42, EV_REGION_END = 43, EV_USER_LOG = 44,
	EV_GO_SWITCH = 45, EV_GO_SWITCH_DESTROY = 46, EV_GO_CREATE_BLOCKED = 47,
	EV_GO_STATUS_STACK = 48, EV_SPAN_ALLOC = 129,
};

#define V1_FAKE_P_ID 1000000

/* Wire statuses. */
enum { G_RUNNABLE = 1, G_RUNNING = 2, G_SYSCALL = 3, G_WAITING = 4 };
enum { P_RUNNING = 1, P_IDLE = 2, P_SYSCALL = 3, P_ABANDONED = 4 };

static const char *outdir;
static int failures;

static void save(tw_trace *t, const char *name)
{
	char path[4096];

	snprintf(path, sizeof path, "%s/%s.trace", outdir, name);
	if (tw_write_file(t, path) != 0) {
		fprintf(stderr, "gen_synthetic: cannot write %s\n", path);
		failures++;
	}
	tw_free(t);
}

static const uint64_t str_ids[] = {1, 2, 3, 4, 5};
static const char *const strs[] = {"main.main", "/src/main.go", "sleep",
                                   "key", "value \"quoted\"\n\x01\xff\xe2\x80\xa8"};

static void tables(tw_trace *t, uint64_t gen)
{
	static const uint64_t frames[2][4] = {{0x401000, 1, 2, 10},
	                                      {0x401100, 1, 2, 20}};

	tw_strings(t, gen, 5, str_ids, strs);
	tw_stacks_begin(t, gen);
	tw_stack(t, 1, 2, frames);
	tw_stack(t, 2, 1, frames + 1);
	tw_batch_end(t);
}

static void sync_batch(tw_trace *t, uint64_t gen, uint64_t ts)
{
	tw_sync(t, gen, ts, 1000000000, ts + 5, 123456789, 1700000000, 42);
}

/* The first generation: goroutine 1 runs on P 0, creates goroutine 2,
 * blocks, and goroutine 2 runs and exits. Later ones: P 0 keeps running
 * with no goroutine, the heap grows, and P 0 stops. */
static void simple_generation(tw_trace *t, uint64_t gen, uint64_t base,
                              int with_tables)
{
	uint64_t g = 1;

	if (gen > 1) {
		if (with_tables)
			tables(t, gen);
		tw_batch_begin(t, gen, 1, base);
		TW_EV(t, EV_PROC_STATUS, base + 1, 0, 1);
		TW_EV(t, EV_HEAP_ALLOC, base + 3, 8192 * gen);
		TW_EV0(t, EV_PROC_STOP, base + 9);
		tw_batch_end(t);
		sync_batch(t, gen, base);
		return;
	}

	if (with_tables)
		tables(t, gen);
	tw_batch_begin(t, gen, 1, base);
	TW_EV(t, EV_PROC_STATUS, base + 1, 0, 1);          /* P0 running */
	TW_EV(t, EV_GO_STATUS, base + 2, g, 1, 2);         /* g running on M1 */
	TW_EV(t, EV_HEAP_ALLOC, base + 3, 4096);
	TW_EV(t, EV_GO_CREATE, base + 10, g + 1, 2, 1);
	TW_EV(t, EV_USER_LOG, base + 11, 0, 4, 5, 1);
	TW_EV(t, EV_GO_BLOCK, base + 20, 3, 1);
	TW_EV(t, EV_GO_START, base + 30, g + 1, 1);
	TW_EV0(t, EV_GO_DESTROY, base + 40);
	tw_batch_end(t);
	sync_batch(t, gen, base);
}

static void end_gen(tw_trace *t)
{
	if (t->version >= 26)
		tw_end_of_generation(t);
}

/* simple_generation, with one experimental batch of experiment exp (one
 * SpanAlloc event) before the generation ends. */
static void generation_with_exp(tw_trace *t, uint64_t gen, uint64_t base,
                                uint8_t exp)
{
	simple_generation(t, gen, base, 1);
	tw_exp_batch_begin(t, exp, gen, 1, base);
	TW_EV(t, EV_SPAN_ALLOC, base + 5, 0x100, 1, 3);
	tw_batch_end(t);
	end_gen(t);
}

static void valid_traces(void)
{
	static const int versions[] = {22, 23, 25, 26};
	size_t i;

	for (i = 0; i < sizeof versions / sizeof versions[0]; i++) {
		tw_trace t;
		char name[64];

		tw_init(&t, versions[i]);
		simple_generation(&t, 1, 1000, 1);
		end_gen(&t);
		simple_generation(&t, 2, 2000, 1);
		end_gen(&t);
		snprintf(name, sizeof name, "valid_two_generations_1%d", versions[i]);
		save(&t, name);
	}
}

/*
 * Table IDs as the reader indexes them: far apart (hash lookups) or dense
 * with a hole (direct lookups), with events naming an ID that is absent:
 * past a sparse table's small IDs, in a dense table's hole, just past a
 * dense table's end.
 */
static void table_id_traces(void)
{
	enum { NONE, LABEL, CREATE_STACK };
	static const uint64_t sparse[] = {1, 2, 3, 1ull << 40, 5000,
	                                  0x7fffffffffffffffull};
	static const uint64_t dense[] = {1, 2, 3, 5, 6, 7};
	static const char *const names[] = {"main.main", "/src/main.go", "sleep",
	                                    "far away", "reason", "key"};
	static const uint64_t frames[2][4] = {{0x401000, 1, 2, 10},
	                                      {0x401100, 3, 2, 20}};
	static const struct {
		const char *name;
		int sparse;       /* tables: sparse IDs, else dense with holes */
		int bad;          /* what names an absent ID */
		uint64_t bad_id;
	} cases[] = {
		{"sparse_table_ids", 1, NONE, 0},
		{"sparse_table_ids_missing_string", 1, LABEL, 6},
		{"sparse_table_ids_missing_stack", 1, CREATE_STACK, 1ull << 34},
		{"dense_table_ids", 0, NONE, 0},
		{"dense_table_ids_hole_string", 0, LABEL, 4},
		{"dense_table_ids_past_end_stack", 0, CREATE_STACK, 4},
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const uint64_t *ids = cases[i].sparse ? sparse : dense;
		/* stacks: sparse 1, 1<<33 and 9000; dense 1 and 2 */
		const uint64_t stk_a = cases[i].sparse ? 1ull << 33 : 2;
		const uint64_t stk_b = cases[i].sparse ? 9000 : 2;
		const uint64_t base = 1000, g = 1;
		tw_trace t;

		tw_init(&t, 26);
		tw_strings(&t, 1, 6, ids, names);
		tw_stacks_begin(&t, 1);
		tw_stack(&t, 1, 1, frames);
		tw_stack(&t, stk_a, 2, frames);
		if (cases[i].sparse)
			tw_stack(&t, stk_b, 1, frames + 1);
		tw_batch_end(&t);
		tw_batch_begin(&t, 1, 1, base);
		TW_EV(&t, EV_PROC_STATUS, base + 1, 0, 1);
		TW_EV(&t, EV_GO_STATUS, base + 2, g, 1, 2);
		TW_EV(&t, EV_GO_CREATE, base + 10, g + 1, stk_a, 1);
		TW_EV(&t, EV_GO_LABEL, base + 11, ids[5]);
		if (cases[i].bad == LABEL)
			TW_EV(&t, EV_GO_LABEL, base + 12, cases[i].bad_id);
		else if (cases[i].bad == CREATE_STACK)
			TW_EV(&t, EV_GO_CREATE, base + 12, g + 2, cases[i].bad_id, 1);
		TW_EV(&t, EV_GO_BLOCK, base + 20, ids[4], stk_b);
		TW_EV(&t, EV_GO_START, base + 30, g + 1, 1);
		TW_EV0(&t, EV_GO_DESTROY, base + 40);
		tw_batch_end(&t);
		sync_batch(&t, 1, base);
		end_gen(&t);
		save(&t, cases[i].name);
	}
}

static void header_cases(void)
{
	static const struct {
		const char *name;
		const char *hdr;
		size_t len;
	} cases[] = {
		{"header_loose_spaces", "go \t 1. 026  trace\0\0\0", 21},
		{"header_no_space_before_trace", "go 1.26trace\0\0\0", 15},
		{"header_newline", "go\n1.26 trace\0\0\0", 16},
		{"header_unknown_version", "go 1.24 trace\0\0\0", 16},
		{"header_huge_version", "go 1.99999999999 trace\0\0\0", 25},
		{"header_short", "go 1.26 tra", 11},
		{"header_not_a_trace", "\x89PNG\r\n\x1a\n\0\0\0\0IHDR", 16},
		{"header_v1_go119", "go 1.19 trace\0\0\0\x00\x01\x02", 19},
		{"header_only_126", "go 1.26 trace\0\0\0", 16},
		{"header_only_122", "go 1.22 trace\0\0\0", 16},
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tw_trace t;

		tw_init_header(&t, 26, cases[i].hdr, cases[i].len);
		if (strcmp(cases[i].name, "header_loose_spaces") == 0) {
			simple_generation(&t, 1, 1000, 1);
			end_gen(&t);
		}
		save(&t, cases[i].name);
	}
}

/* Cuts of a valid two-generation trace at interesting places. */
static void truncations(void)
{
	static const int versions[] = {22, 26};
	size_t v;

	for (v = 0; v < 2; v++) {
		tw_trace full;
		size_t cuts[6], i;

		tw_init(&full, versions[v]);
		simple_generation(&full, 1, 1000, 1);
		end_gen(&full);
		cuts[0] = full.len;              /* whole first generation */
		simple_generation(&full, 2, 2000, 1);
		end_gen(&full);
		cuts[1] = full.len - 1;          /* last byte missing */
		cuts[2] = cuts[0] + 1;           /* one byte into the second */
		cuts[3] = cuts[0] + 5;           /* inside a batch header */
		cuts[4] = cuts[0] + 40;          /* inside a table batch */
		cuts[5] = 16 + 3;                /* inside the first batch header */
		for (i = 0; i < 6; i++) {
			tw_trace t;
			char name[64];

			tw_init_header(&t, versions[v], full.buf, cuts[i]);
			snprintf(name, sizeof name, "truncated_1%d_cut%zu", versions[v], i);
			save(&t, name);
		}
		tw_free(&full);
	}
}

static void damaged_batches(void)
{
	tw_trace t;
	int k;

	/* A varint argument that overflows 64 bits. */
	tw_init(&t, 26);
	tables(&t, 1);
	tw_batch_begin(&t, 1, 1, 1000);
	tw_byte(&t, EV_HEAP_ALLOC);
	tw_bytes(&t, "\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11);
	tw_batch_end(&t);
	sync_batch(&t, 1, 1000);
	end_gen(&t);
	save(&t, "varint_overflow");

	/* The same, with enough events after it in the batch that the reader
	 * takes its unchecked decoding path there. */
	tw_init(&t, 26);
	tables(&t, 1);
	tw_batch_begin(&t, 1, 1, 1000);
	tw_byte(&t, EV_HEAP_ALLOC);
	tw_bytes(&t, "\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11);
	for (k = 0; k < 40; k++) {
		tw_byte(&t, EV_HEAP_ALLOC);
		tw_uvarint(&t, 1);
		tw_uvarint(&t, 4096);
	}
	tw_batch_end(&t);
	sync_batch(&t, 1, 1000);
	end_gen(&t);
	save(&t, "varint_overflow_mid_batch");

	/* Event type codes no version defines, and the unnamed ones of 1.26. */
	tw_init(&t, 26);
	tw_batch_begin(&t, 1, 1, 1000);
	tw_byte(&t, 60);
	tw_byte(&t, 200);
	tw_batch_end(&t);
	save(&t, "unknown_event_types_126");
	tw_init(&t, 22);
	tw_batch_begin(&t, 1, 1, 1000);
	tw_byte(&t, 45); /* GoSwitch: 1.23+ only */
	tw_batch_end(&t);
	save(&t, "event_from_newer_version_122");

	/* Batch size over the 64 KiB limit, and past the end of the input. */
	tw_init(&t, 26);
	tw_batch_begin(&t, 1, 1, 1000);
	TW_EV(&t, EV_HEAP_ALLOC, 1001, 1);
	tw_batch_end(&t);
	tw_batch_patch_size(&t, 70000);
	save(&t, "batch_too_large");
	tw_init(&t, 26);
	tw_batch_begin(&t, 1, 1, 1000);
	TW_EV(&t, EV_HEAP_ALLOC, 1001, 1);
	tw_batch_end(&t);
	tw_batch_patch_size(&t, 500);
	save(&t, "batch_past_end");

	/* Not a batch where one must start. */
	tw_init(&t, 26);
	tw_byte(&t, EV_GO_START);
	save(&t, "not_a_batch");

	/* Stack with a frame count whose top bit is set, and an oversized
	 * string length, as the raw layer sees them. */
	tw_init(&t, 26);
	tw_batch_begin(&t, 1, 0, 0);
	tw_byte(&t, 2);      /* Stacks */
	tw_byte(&t, 3);      /* Stack */
	tw_uvarint(&t, 7);
	tw_uvarint(&t, 0x8000000000000001ull);
	tw_byte(&t, 5);      /* String */
	tw_uvarint(&t, 9);
	tw_uvarint(&t, 0x8000000000000000ull);
	tw_batch_end(&t);
	save(&t, "negative_counts");

	/* A stack with more than 128 frames. */
	{
		uint64_t frames[130][4];
		size_t i;

		for (i = 0; i < 130; i++) {
			frames[i][0] = 0x1000 + i;
			frames[i][1] = 1;
			frames[i][2] = 2;
			frames[i][3] = i;
		}
		tw_init(&t, 26);
		tw_strings(&t, 1, 5, str_ids, strs);
		tw_stacks_begin(&t, 1);
		tw_stack(&t, 1, 130, (const uint64_t(*)[4])frames);
		tw_batch_end(&t);
		sync_batch(&t, 1, 1000);
		end_gen(&t);
		save(&t, "stack_too_deep");
	}
}

static void table_errors(void)
{
	static const uint64_t dup_ids[] = {1, 1};
	static const uint64_t zero_ids[] = {0};
	static const char *const two[] = {"a", "b"};
	static const uint64_t bad_frame[1][4] = {{0x500000, 99, 2, 1}};
	static const uint64_t f1[1][4] = {{0x401000, 1, 2, 10}};
	tw_trace t;

	tw_init(&t, 26);
	tw_strings(&t, 1, 2, dup_ids, two);
	sync_batch(&t, 1, 1000);
	end_gen(&t);
	save(&t, "duplicate_string_id");

	tw_init(&t, 26);
	tw_strings(&t, 1, 1, zero_ids, two);
	sync_batch(&t, 1, 1000);
	end_gen(&t);
	save(&t, "string_id_zero");

	tw_init(&t, 26);
	tw_strings(&t, 1, 5, str_ids, strs);
	tw_stacks_begin(&t, 1);
	tw_stack(&t, 4, 1, f1);
	tw_stack(&t, 4, 1, f1);
	tw_batch_end(&t);
	sync_batch(&t, 1, 1000);
	end_gen(&t);
	save(&t, "duplicate_stack_id");

	tw_init(&t, 26);
	tw_strings(&t, 1, 5, str_ids, strs);
	tw_stacks_begin(&t, 1);
	tw_stack(&t, 3, 1, bad_frame);
	tw_batch_end(&t);
	sync_batch(&t, 1, 1000);
	end_gen(&t);
	save(&t, "stack_bad_func_string");

	/* A string longer than the 1 KiB limit. */
	{
		char big[1100];
		const char *one[1] = {big};
		static const uint64_t id7[] = {7};

		memset(big, 'x', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		tw_init(&t, 26);
		tw_strings(&t, 1, 1, id7, one);
		sync_batch(&t, 1, 1000);
		end_gen(&t);
		save(&t, "string_too_long");
	}
}

static void generation_errors(void)
{
	tw_trace t;

	tw_init(&t, 26);
	simple_generation(&t, 1, 1000, 1);
	tw_batch_begin(&t, 1, 1, 1000);
	TW_EV(&t, EV_HEAP_ALLOC, 1001, 1);
	tw_batch_end(&t);
	end_gen(&t);
	/* No frequency: only tables and an event batch. */
	tables(&t, 2);
	tw_batch_begin(&t, 2, 1, 2000);
	TW_EV(&t, EV_HEAP_ALLOC, 2001, 1);
	tw_batch_end(&t);
	end_gen(&t);
	save(&t, "missing_frequency_126");

	tw_init(&t, 25);
	tables(&t, 1);
	tw_batch_begin(&t, 1, 0, 1000);
	tw_byte(&t, 50);
	tw_byte(&t, EV_FREQUENCY);
	tw_uvarint(&t, 1000000000);
	tw_batch_end(&t);
	save(&t, "missing_clock_snapshot_125");

	tw_init(&t, 22);
	simple_generation(&t, 1, 1000, 1);
	tw_sync(&t, 1, 1000, 1000000000, 0, 0, 0, 0);
	save(&t, "multiple_frequency_122");

	tw_init(&t, 26);
	tw_batch_begin(&t, 0, 1, 1000);
	tw_batch_end(&t);
	save(&t, "generation_zero");

	tw_init(&t, 26);
	simple_generation(&t, 1, 1000, 1);
	simple_generation(&t, 2, 2000, 1);
	end_gen(&t);
	save(&t, "interleaved_generations_126");

	tw_init(&t, 22);
	simple_generation(&t, 1, 1000, 1);
	simple_generation(&t, 3, 3000, 1);
	save(&t, "generations_out_of_order_122");

	tw_init(&t, 22);
	simple_generation(&t, 1, 1000, 1);
	simple_generation(&t, 2, 2000, 1);
	tw_byte(&t, 1);
	tw_uvarint(&t, 3);
	save(&t, "spill_error_after_generation_122");

	/* An event batch whose payload begins with the end-of-generation byte. */
	tw_init(&t, 26);
	simple_generation(&t, 1, 1000, 1);
	tw_batch_begin(&t, 1, 1, 1000);
	tw_byte(&t, 52);
	tw_batch_end(&t);
	save(&t, "batch_payload_end_marker_126");

	/* Experimental batches: a real one, and one cut after its type byte. */
	tw_init(&t, 26);
	generation_with_exp(&t, 1, 1000, 1);
	save(&t, "experimental_batch_126");
	tw_init(&t, 26);
	simple_generation(&t, 1, 1000, 1);
	end_gen(&t);
	tw_byte(&t, 49);
	save(&t, "experimental_batch_cut_126");

	/* CPU samples, out of time order in the batch. */
	tw_init(&t, 26);
	simple_generation(&t, 1, 1000, 1);
	tw_batch_begin(&t, 1, 0, 0);
	tw_byte(&t, EV_CPU_SAMPLES);
	tw_byte(&t, EV_CPU_SAMPLE);
	tw_uvarint(&t, 1025); tw_uvarint(&t, 1); tw_uvarint(&t, 0);
	tw_uvarint(&t, 2); tw_uvarint(&t, 1);
	tw_byte(&t, EV_CPU_SAMPLE);
	tw_uvarint(&t, 1015); tw_uvarint(&t, 1); tw_uvarint(&t, 0);
	tw_uvarint(&t, 1); tw_uvarint(&t, 2);
	tw_batch_end(&t);
	end_gen(&t);
	save(&t, "cpu_samples_126");
}

/* Ends a generation: its sync batch, then (1.26) the marker. */
static void close_gen(tw_trace *t, uint64_t gen, uint64_t base)
{
	sync_batch(t, gen, base);
	end_gen(t);
}

/* Opens M 1's batch of generation gen at time base: P 0 is running. */
static void p0_running(tw_trace *t, uint64_t gen, uint64_t base)
{
	tw_batch_begin(t, gen, 1, base);
	TW_EV(t, EV_PROC_STATUS, base + 1, 0, P_RUNNING);
}

/* The same, with goroutine 1 running on it. */
static void g1_running(tw_trace *t, uint64_t gen, uint64_t base)
{
	p0_running(t, gen, base);
	TW_EV(t, EV_GO_STATUS, base + 2, 1, 1, G_RUNNING);
}

/*
 * Ordering scenarios. Each is a small trace exercising one rule of how
 * per-M batches interleave; Go's parser decides what the result is.
 */
static void ordering_cases(void)
{
	static const int vers[] = {22, 26};
	size_t v;
	tw_trace t;

	for (v = 0; v < 2; v++) {
		int ver = vers[v];
		char name[96];

		/* A P stolen from a goroutine in a syscall, by another M, with
		 * the stealing M's batch first in the file. */
		tw_init(&t, ver);
		tables(&t, 1);
		tw_batch_begin(&t, 1, 2, 1000);
		TW_EV(&t, EV_PROC_STATUS, 1001, 1, P_IDLE);
		TW_EV(&t, EV_PROC_START, 1050, 1, 1);
		TW_EV(&t, EV_PROC_STEAL, 1060, 0, 2, 1);
		TW_EV0(&t, EV_PROC_STOP, 1070);
		tw_batch_end(&t);
		tw_batch_begin(&t, 1, 1, 1000);
		TW_EV(&t, EV_PROC_STATUS, 1002, 0, P_RUNNING);
		TW_EV(&t, EV_GO_STATUS, 1003, 1, 1, G_RUNNING);
		TW_EV(&t, EV_GO_SYSCALL_BEGIN, 1010, 1, 1);
		TW_EV0(&t, EV_GO_SYSCALL_END_BLOCKED, 1040); /* before the steal */
		TW_EV(&t, EV_PROC_START, 1080, 0, 3);
		TW_EV(&t, EV_GO_START, 1090, 1, 1);
		tw_batch_end(&t);
		close_gen(&t, 1, 1000);
		snprintf(name, sizeof name, "order_proc_steal_1%d", ver);
		save(&t, name);

		/* The syscall starts in one generation; the steal happens in the
		 * next, which opens with the P and G in syscall. */
		tw_init(&t, ver);
		tables(&t, 1);
		g1_running(&t, 1, 1000);
		TW_EV(&t, EV_GO_SYSCALL_BEGIN, 1010, 1, 1);
		tw_batch_end(&t);
		close_gen(&t, 1, 1000);
		tables(&t, 2);
		tw_batch_begin(&t, 2, 1, 2000);
		TW_EV0(&t, EV_GO_SYSCALL_END_BLOCKED, 2050);
		TW_EV(&t, EV_PROC_START, 2060, 1, 1);
		TW_EV(&t, EV_GO_START, 2070, 1, 1);
		TW_EV0(&t, EV_GO_DESTROY, 2080);
		tw_batch_end(&t);
		tw_batch_begin(&t, 2, 2, 2000);
		TW_EV(&t, EV_PROC_STATUS, 2001, 0, P_SYSCALL);
		TW_EV(&t, EV_GO_STATUS, 2002, 1, 1, G_SYSCALL);
		TW_EV(&t, EV_PROC_STATUS, 2003, 1, P_IDLE);
		TW_EV(&t, EV_PROC_STEAL, 2020, 0, 1, 1);
		tw_batch_end(&t);
		close_gen(&t, 2, 2000);
		snprintf(name, sizeof name, "order_steal_across_generations_1%d", ver);
		save(&t, name);

		/* A cgo callback: a goroutine appears in a syscall on a bare M,
		 * then leaves while holding a P (an implied self-steal). */
		tw_init(&t, ver);
		tables(&t, 1);
		tw_batch_begin(&t, 1, 7, 1000);
		TW_EV(&t, EV_PROC_STATUS, 1001, 0, P_IDLE);
		TW_EV(&t, EV_GO_CREATE_SYSCALL, 1010, 9);
		TW_EV0(&t, EV_GO_SYSCALL_END_BLOCKED, 1015);
		TW_EV(&t, EV_PROC_START, 1020, 0, 1);
		TW_EV(&t, EV_GO_START, 1030, 9, 1);
		TW_EV(&t, EV_GO_SYSCALL_BEGIN, 1040, 2, 1);
		TW_EV0(&t, EV_GO_DESTROY_SYSCALL, 1050);
		tw_batch_end(&t);
		close_gen(&t, 1, 1000);
		snprintf(name, sizeof name, "order_cgo_callback_1%d", ver);
		save(&t, name);

		/* A task that begins in one generation and ends in the next,
		 * regions and a label; GC and STW ranges open across the
		 * boundary, announced as active in the second generation. */
		tw_init(&t, ver);
		tables(&t, 1);
		g1_running(&t, 1, 1000);
		TW_EV(&t, EV_TASK_BEGIN, 1010, 5, 0, 3, 1);
		TW_EV(&t, EV_REGION_BEGIN, 1011, 5, 4, 1);
		TW_EV(&t, EV_GO_LABEL, 1012, 3);
		TW_EV(&t, EV_GC_BEGIN, 1020, 1, 2);
		TW_EV(&t, EV_GC_SWEEP_BEGIN, 1021, 0);
		TW_EV(&t, EV_GC_MARK_ASSIST_BEGIN, 1022, 0);
		TW_EV(&t, EV_PROCS_CHANGE, 1023, 4, 0);
		TW_EV(&t, EV_HEAP_GOAL, 1024, 1 << 20);
		tw_batch_end(&t);
		close_gen(&t, 1, 1000);
		{
			static const uint64_t ids2[] = {11, 12, 13};
			static const char *const strs2[] = {"other", "x.go", "key"};

			tw_strings(&t, 2, 3, ids2, strs2);
		}
		g1_running(&t, 2, 2000);
		TW_EV(&t, EV_GC_ACTIVE, 2003, 2);
		TW_EV(&t, EV_GC_SWEEP_ACTIVE, 2004, 0);
		TW_EV(&t, EV_GC_MARK_ASSIST_ACTIVE, 2005, 1);
		TW_EV0(&t, EV_GC_MARK_ASSIST_END, 2010);
		TW_EV(&t, EV_GC_SWEEP_END, 2011, 4096, 1024);
		TW_EV(&t, EV_GC_END, 2012, 3);
		TW_EV(&t, EV_REGION_END, 2013, 5, 13, 0);
		TW_EV(&t, EV_TASK_END, 2020, 5, 0);
		TW_EV(&t, EV_TASK_END, 2021, 77, 0);
		tw_batch_end(&t);
		close_gen(&t, 2, 2000);
		snprintf(name, sizeof name, "order_tasks_and_ranges_1%d", ver);
		save(&t, name);

		/* Timestamps that go backwards: the second M's batch starts
		 * earlier than the first ends, and events share timestamps. */
		tw_init(&t, ver);
		tables(&t, 1);
		g1_running(&t, 1, 1000);
		TW_EV(&t, EV_GO_CREATE, 1100, 2, 0, 0);
		TW_EV(&t, EV_GO_STOP, 1100, 3, 0);
		tw_batch_end(&t);
		tw_batch_begin(&t, 1, 2, 500);
		TW_EV(&t, EV_PROC_STATUS, 501, 1, P_RUNNING);
		TW_EV(&t, EV_GO_START, 600, 2, 1); /* must wait for the create */
		TW_EV(&t, EV_HEAP_ALLOC, 600, 1);
		TW_EV0(&t, EV_GO_DESTROY, 601);
		TW_EV(&t, EV_GO_START, 602, 1, 1);
		tw_batch_end(&t);
		close_gen(&t, 1, 500);
		snprintf(name, sizeof name, "order_time_goes_backwards_1%d", ver);
		save(&t, name);
	}

	/* Coroutine switches (Go 1.23+). */
	tw_init(&t, 23);
	tables(&t, 1);
	p0_running(&t, 1, 1000);
	TW_EV(&t, EV_GO_STATUS_STACK, 1002, 1, 1, G_RUNNING, 1);
	TW_EV(&t, EV_GO_CREATE_BLOCKED, 1010, 2, 2, 1);
	TW_EV(&t, EV_GO_SWITCH, 1020, 2, 1);
	TW_EV(&t, EV_GO_SWITCH, 1030, 1, 1);
	TW_EV(&t, EV_GO_SWITCH_DESTROY, 1040, 2, 2);
	TW_EV0(&t, EV_GO_DESTROY, 1050);
	tw_batch_end(&t);
	close_gen(&t, 1, 1000);
	save(&t, "order_coroutine_switch_123");
}

/* Traces Go's parser rejects for breaking a scheduling rule. */
static void validation_cases(void)
{
	static const struct {
		const char *name;
		uint8_t type;
		uint64_t args[4];
		size_t nargs;
	} bad[] = {
		{"invalid_destroy_without_goroutine", EV_GO_DESTROY, {0}, 0},
		{"invalid_create_existing_goroutine", EV_GO_CREATE, {1, 0, 0}, 3},
		{"invalid_inconsistent_proc_status", EV_PROC_STATUS, {0, P_IDLE}, 2},
		{"invalid_goroutine_status_value", EV_GO_STATUS, {3, 1, 9}, 3},
		{"invalid_region_end_mismatch", EV_REGION_END, {0, 4, 0}, 3},
		{"invalid_gc_end_undetermined", EV_GC_END, {1}, 1},
		{"invalid_syscall_seq", EV_GO_SYSCALL_BEGIN, {7, 0}, 2},
		{"invalid_start_never_runnable", EV_GO_START, {42, 1}, 2},
		{"invalid_unknown_stack_id", EV_GO_BLOCK, {3, 99}, 2},
		{"invalid_unknown_string_id", EV_GO_LABEL, {99}, 1},
		{"invalid_sweep_end_not_begun", EV_GC_SWEEP_END, {1, 1}, 2},
		{"invalid_steal_from_unknown_thread", EV_PROC_STEAL, {0, 1, 55}, 3},
		{"invalid_clock_snapshot_in_batch", 51, {1, 2, 3}, 3},
		{"invalid_string_event_in_batch", 5, {0}, 0},
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		tw_trace t;

		tw_init(&t, 26);
		tables(&t, 1);
		if (strcmp(bad[i].name, "invalid_destroy_without_goroutine") != 0)
			g1_running(&t, 1, 1000);
		else
			p0_running(&t, 1, 1000);
		if (strcmp(bad[i].name, "invalid_region_end_mismatch") == 0)
			TW_EV(&t, EV_REGION_BEGIN, 1003, 0, 3, 0);
		if (strcmp(bad[i].name, "invalid_steal_from_unknown_thread") == 0) {
			TW_EV(&t, EV_GO_SYSCALL_BEGIN, 1003, 1, 0);
			tw_batch_end(&t);
			tw_batch_begin(&t, 1, 2, 1000);
		}
		tw_event(&t, bad[i].type, 1010, bad[i].nargs, bad[i].args);
		tw_batch_end(&t);
		close_gen(&t, 1, 1000);
		save(&t, bad[i].name);
	}
}

/* A generation where P 0 goes from idle to running and back, and whose
 * clock snapshot says sec, nsec. */
static void clock_generation(tw_trace *t, uint64_t gen, uint64_t base,
                             uint64_t sec, uint64_t nsec)
{
	tw_batch_begin(t, gen, 1, base);
	TW_EV(t, EV_PROC_STATUS, base + 1, 0, P_IDLE);
	TW_EV(t, EV_PROC_START, base + 2, 0, 1);
	TW_EV(t, EV_HEAP_ALLOC, base + 3, 4096 * gen);
	TW_EV0(t, EV_PROC_STOP, base + 4);
	tw_batch_end(t);
	tw_sync(t, gen, base, 1000000000, base + 5, 123456789, sec, nsec);
	end_gen(t);
}

/*
 * Values Go's parser lets through but its event accessors index fixed
 * tables with, or print verbatim; and times at the edges of Go's
 * arithmetic. Go panics on the first two: gotrace fails with the
 * panic's message after the same output.
 */
static void accessor_cases(void)
{
	static const uint64_t nul_ids[] = {1, 2, 3, 6, 7, 6};
	static const char *const nul_strs[] = {"main.main", "/src/main.go",
	                                       "sleep", "re\0gion", "\0other\0",
	                                       "a\0b"};
	static const size_t nul_lens[] = {9, 12, 5, 7, 7, 3};
	/* (sec, nsec) pairs Go dates with int64 arithmetic that wraps:
	 * before its calendar's origin, the last second C's struct tm
	 * holds and the next, and nsec carries that overflow sec. */
	static const uint64_t clocks[][2] = {
		{UINT64_C(9223372036854775808), 774428214},
		{UINT64_C(67767976233532799), UINT64_C(9223372036854775807)},
		{UINT64_C(67767976233532800), 0},
		{UINT64_C(9223372036854862209), UINT64_C(9223372036854775808)},
		{UINT64_C(9223372036854689407), UINT64_C(9223372036854775807)},
		{UINT64_C(18446744073709551615), UINT64_C(18446744073709551615)},
	};
	tw_trace t;
	size_t i;

	/* An experiment ID Go has no name for, in the second generation. */
	tw_init(&t, 26);
	generation_with_exp(&t, 1, 1000, 1);
	generation_with_exp(&t, 2, 2000, 7);
	save(&t, "experiment_id_unnamed");

	/* ProcStatus whose status is past the table but whose low byte is
	 * a valid status (ordering reads only that byte). */
	tw_init(&t, 26);
	tables(&t, 1);
	g1_running(&t, 1, 1000);
	TW_EV(&t, EV_HEAP_ALLOC, 1003, 4096);
	TW_EV(&t, EV_PROC_STATUS, 1004, 1, 256 + P_IDLE);
	tw_batch_end(&t);
	close_gen(&t, 1, 1000);
	save(&t, "proc_status_wide");

	/* The same for an abandoned P restated: ordering rewrites the
	 * status, so there is nothing to fail on. */
	tw_init(&t, 26);
	tables(&t, 1);
	tw_batch_begin(&t, 1, 1, 1000);
	TW_EV(&t, EV_PROC_STATUS, 1001, 0, P_ABANDONED);
	TW_EV(&t, EV_PROC_STATUS, 1002, 0, 256 + P_ABANDONED);
	TW_EV(&t, EV_PROC_STATUS, 1003, 1, P_IDLE);
	tw_batch_end(&t);
	close_gen(&t, 1, 1000);
	save(&t, "proc_status_wide_abandoned");

	/* Go's cursor takes a running time of 0 for "not started" and
	 * starts again from the batch's time. Batches at 2^63 ticks (which
	 * Go's float conversion makes INT64_MIN ns) and a first event 2^63
	 * ticks later: times wrap to exactly 0, so from the second event on
	 * Go counts from the batch's time again. One M, so no two events tie
	 * across threads; then the same with a frequency of 0. */
	for (i = 0; i < 3; i++) {
		int ver = i == 1 ? 22 : 26;
		uint64_t base = i < 2 ? UINT64_C(1) << 63 : 1000;
		char name[64];

		tw_init(&t, ver);
		tables(&t, 1);
		tw_batch_begin(&t, 1, 1, base);
		TW_EV(&t, EV_PROC_STATUS, base + base, 0, P_RUNNING);
		TW_EV(&t, EV_GO_STATUS, base + base + 5, 1, 1, G_RUNNING);
		TW_EV(&t, EV_GO_CREATE, base + base + 10, 2, 2, 1);
		TW_EV(&t, EV_GO_BLOCK, base + base + 20, 3, 1);
		TW_EV(&t, EV_GO_START, base + base + 30, 2, 1);
		TW_EV(&t, EV_HEAP_ALLOC, base + base + 35, 8192);
		TW_EV0(&t, EV_GO_DESTROY, base + base + 40);
		tw_batch_end(&t);
		tw_sync(&t, 1, base, i < 2 ? 1000000000 : 0, base + 5, 123456789,
		        1700000000, 42);
		end_gen(&t);
		if (i < 2)
			snprintf(name, sizeof name, "time_wraps_to_zero_1%d", ver);
		else
			snprintf(name, sizeof name, "frequency_zero_1%d", ver);
		save(&t, name);
	}

	/* More than 12 threads behind a refused earliest event, at five
	 * times with many ties: Go tries them in the order its (unstable)
	 * sort leaves them, so that decides which tied thread goes first,
	 * each time. M 1's GoStart waits for a goroutine that never comes,
	 * so the trace ends stuck. */
	tw_init(&t, 26);
	tables(&t, 1);
	tw_batch_begin(&t, 1, 1, 1000);
	TW_EV(&t, EV_GO_START, 1001, 100, 1);
	tw_batch_end(&t);
	for (i = 2; i <= 20; i++) {
		tw_batch_begin(&t, 1, i, 1000);
		TW_EV(&t, EV_PROC_STATUS, 1005 + (uint64_t)(i * 3 % 5), i,
		      P_IDLE);
		if (i % 3 == 0)
			TW_EV(&t, EV_PROC_START, 1009, i, 1);
		tw_batch_end(&t);
	}
	close_gen(&t, 1, 1000);
	save(&t, "frontier_sort_ties");

	tw_init(&t, 26);
	for (i = 0; i < sizeof clocks / sizeof clocks[0]; i++)
		clock_generation(&t, i + 1, 1000 * (i + 1), clocks[i][0],
		                 clocks[i][1]);
	save(&t, "clock_wall_extremes");

	/* Trace strings with NULs, quoted by Go's error messages. */
	tw_init(&t, 26);
	tw_strings_len(&t, 1, 6, nul_ids, nul_strs, nul_lens);
	sync_batch(&t, 1, 1000);
	end_gen(&t);
	save(&t, "duplicate_string_id_nul");

	tw_init(&t, 26);
	tw_strings_len(&t, 1, 5, nul_ids, nul_strs, nul_lens);
	g1_running(&t, 1, 1000);
	TW_EV(&t, EV_REGION_BEGIN, 1003, 0, 6, 0);
	TW_EV(&t, EV_REGION_END, 1004, 0, 7, 0);
	tw_batch_end(&t);
	close_gen(&t, 1, 1000);
	save(&t, "region_end_mismatch_nul");
}

/*
 * The reader's common-case path (gt_order_advance_common) takes the most
 * frequent events when every rule passes; each trace here breaks one of
 * the rules it checks, or passes them in an unusual way, so that Go's
 * verdict is compared with the general rules' on the same event.
 */
static void common_path_cases(void)
{
	enum { SAME_M, OTHER_M_WITH_P, OTHER_M_BARE, OTHER_M_G_NO_P };
	static const struct {
		const char *name;
		int syscall;      /* G 1 enters a syscall first */
		int create;       /* G 1 creates G 2 first */
		int block;        /* G 1 blocks first */
		int where;        /* which M has the event */
		uint8_t type;
		uint64_t args[3];
		size_t nargs;
	} cases[] = {
		{"common_create_in_syscall", 1, 0, 0, SAME_M, EV_GO_CREATE,
		 {2, 0, 0}, 3},
		{"common_create_blocked_in_syscall", 1, 0, 0, SAME_M,
		 EV_GO_CREATE_BLOCKED, {2, 0, 0}, 3},
		{"common_create_without_proc", 0, 0, 0, OTHER_M_BARE, EV_GO_CREATE,
		 {2, 0, 0}, 3},
		{"common_create_without_goroutine", 0, 0, 0, OTHER_M_WITH_P,
		 EV_GO_CREATE, {2, 0, 0}, 3},
		{"common_block_in_syscall", 1, 0, 0, SAME_M, EV_GO_BLOCK, {3, 0}, 2},
		{"common_stop_in_syscall", 1, 0, 0, SAME_M, EV_GO_STOP, {3, 0}, 2},
		{"common_destroy_in_syscall", 1, 0, 0, SAME_M, EV_GO_DESTROY, {0}, 0},
		{"common_block_without_goroutine", 0, 0, 0, OTHER_M_WITH_P,
		 EV_GO_BLOCK, {3, 0}, 2},
		{"common_stop_without_proc", 0, 0, 0, OTHER_M_G_NO_P, EV_GO_STOP,
		 {3, 0}, 2},
		{"common_block_without_proc", 0, 0, 0, OTHER_M_G_NO_P, EV_GO_BLOCK,
		 {3, 0}, 2},
		{"common_destroy_without_proc", 0, 0, 0, OTHER_M_G_NO_P,
		 EV_GO_DESTROY, {0}, 0},
		{"common_create_running_without_proc", 0, 0, 0, OTHER_M_G_NO_P,
		 EV_GO_CREATE, {2, 0, 0}, 3},
		{"common_start_with_goroutine", 0, 1, 0, SAME_M, EV_GO_START,
		 {2, 1}, 2},
		{"common_start_without_proc", 0, 1, 0, OTHER_M_BARE, EV_GO_START,
		 {2, 1}, 2},
		{"common_start_wrong_seq", 0, 1, 0, OTHER_M_WITH_P, EV_GO_START,
		 {2, 2}, 2},
		{"common_start_waiting", 0, 0, 1, OTHER_M_WITH_P, EV_GO_START,
		 {1, 1}, 2},
		{"common_unblock_running", 0, 0, 0, OTHER_M_WITH_P, EV_GO_UNBLOCK,
		 {1, 1, 0}, 3},
		{"common_unblock_runnable", 0, 1, 0, OTHER_M_WITH_P, EV_GO_UNBLOCK,
		 {2, 1, 0}, 3},
		{"common_unblock_wrong_seq", 0, 0, 1, OTHER_M_WITH_P, EV_GO_UNBLOCK,
		 {1, 2, 0}, 3},
		{"common_unblock_without_proc", 0, 0, 1, OTHER_M_BARE, EV_GO_UNBLOCK,
		 {1, 1, 0}, 3},
		{"common_heap_alloc_without_proc", 0, 0, 0, OTHER_M_BARE,
		 EV_HEAP_ALLOC, {4096}, 1},
		{"common_heap_goal_in_syscall", 1, 0, 0, SAME_M, EV_HEAP_GOAL,
		 {8192}, 1},
		{"common_syscall_begin_in_syscall", 1, 0, 0, SAME_M,
		 EV_GO_SYSCALL_BEGIN, {2, 0}, 2},
		{"common_syscall_begin_wrong_seq", 0, 0, 0, SAME_M,
		 EV_GO_SYSCALL_BEGIN, {3, 0}, 2},
		{"common_syscall_begin_without_proc", 0, 0, 0, OTHER_M_G_NO_P,
		 EV_GO_SYSCALL_BEGIN, {1, 0}, 2},
		{"common_syscall_begin_without_goroutine", 0, 0, 0,
		 OTHER_M_WITH_P, EV_GO_SYSCALL_BEGIN, {1, 0}, 2},
		{"common_syscall_begin_blocked", 0, 0, 1, SAME_M,
		 EV_GO_SYSCALL_BEGIN, {1, 0}, 2},
		{"common_syscall_end_running", 0, 0, 0, SAME_M,
		 EV_GO_SYSCALL_END, {0}, 0},
		{"common_syscall_end_without_proc", 1, 0, 0, OTHER_M_G_NO_P,
		 EV_GO_SYSCALL_END, {0}, 0},
		{"common_syscall_end_without_goroutine", 1, 0, 0,
		 OTHER_M_WITH_P, EV_GO_SYSCALL_END, {0}, 0},
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tw_trace t;

		tw_init(&t, 26);
		tables(&t, 1);
		g1_running(&t, 1, 1000);
		if (cases[i].syscall)
			TW_EV(&t, EV_GO_SYSCALL_BEGIN, 1003, 1, 0);
		if (cases[i].create)
			TW_EV(&t, EV_GO_CREATE, 1004, 2, 0, 0);
		if (cases[i].block)
			TW_EV(&t, EV_GO_BLOCK, 1005, 3, 0);
		if (cases[i].where != SAME_M) {
			tw_batch_end(&t);
			tw_batch_begin(&t, 1, 2, 1000);
			/* Whichever way, the engine knows the M before the
			 * event (the common path only takes known Ms). */
			if (cases[i].where == OTHER_M_G_NO_P)
				TW_EV(&t, EV_GO_STATUS, 1006, 5, 2, G_RUNNING);
			else
				TW_EV(&t, EV_PROC_STATUS, 1006, 1,
				      cases[i].where == OTHER_M_WITH_P ? P_RUNNING
				                                       : P_IDLE);
		}
		tw_event(&t, cases[i].type, 1010, cases[i].nargs, cases[i].args);
		tw_batch_end(&t);
		close_gen(&t, 1, 1000);
		save(&t, cases[i].name);
	}

	/* A goroutine stated in a syscall on an M whose P is stated running:
	 * leaving the syscall finds the P in the wrong state. */
	{
		tw_trace t;

		tw_init(&t, 26);
		tables(&t, 1);
		p0_running(&t, 1, 1000);
		TW_EV(&t, EV_GO_STATUS, 1002, 1, 1, G_SYSCALL);
		TW_EV0(&t, EV_GO_SYSCALL_END, 1010);
		tw_batch_end(&t);
		close_gen(&t, 1, 1000);
		save(&t, "common_syscall_end_proc_running");
	}

	/* Sequence numbers belong to their generation: a goroutine left
	 * runnable (or waiting) in one generation and started (or unblocked)
	 * in the next without a status event there cannot go on; with one,
	 * its count starts again. */
	{
		static const struct {
			const char *name;
			int status;       /* a GoStatus in generation 2 */
			int waiting;      /* G 2 waits instead of being runnable */
		} next_gen[] = {
			{"common_start_next_generation_no_status", 0, 0},
			{"common_start_next_generation_status", 1, 0},
			{"common_unblock_next_generation_no_status", 0, 1},
			{"common_unblock_next_generation_status", 1, 1},
		};

		for (i = 0; i < sizeof next_gen / sizeof next_gen[0]; i++) {
			int w = next_gen[i].waiting;
			tw_trace t;

			tw_init(&t, 26);
			tables(&t, 1);
			g1_running(&t, 1, 1000);
			TW_EV(&t, w ? EV_GO_CREATE_BLOCKED : EV_GO_CREATE, 1003,
			      2, 0, 0);
			tw_batch_end(&t);
			close_gen(&t, 1, 1000);
			tables(&t, 2);
			g1_running(&t, 2, 2000);
			if (next_gen[i].status)
				TW_EV(&t, EV_GO_STATUS, 2003, 2, (uint64_t)-1,
				      w ? G_WAITING : G_RUNNABLE);
			if (w) {
				TW_EV(&t, EV_GO_UNBLOCK, 2010, 2, 1, 0);
				TW_EV0(&t, EV_GO_DESTROY, 2020);
			} else {
				TW_EV(&t, EV_GO_STOP, 2010, 3, 0);
				TW_EV(&t, EV_GO_START, 2020, 2, 1);
			}
			tw_batch_end(&t);
			close_gen(&t, 2, 2000);
			save(&t, next_gen[i].name);
		}
	}
}

/* v1 event types used below. */
enum {
	V1_FREQ = 2, V1_GOMAXPROCS = 4, V1_PROC_START = 5, V1_PROC_STOP = 6,
	V1_GC_START = 7, V1_GC_DONE = 8, V1_STW_START = 9, V1_STW_DONE = 10,
	V1_SWEEP_START = 11, V1_SWEEP_DONE = 12, V1_GO_CREATE = 13,
	V1_GO_START = 14, V1_GO_END = 15, V1_GO_SCHED = 17, V1_GO_UNBLOCK = 21,
	V1_GO_BLOCK_SEND = 22, V1_GO_BLOCK_NET = 27, V1_GO_SYS_CALL = 28,
	V1_GO_SYS_EXIT = 29, V1_GO_SYS_BLOCK = 30, V1_GO_WAITING = 31,
	V1_HEAP_ALLOC = 33, V1_HEAP_GOAL = 34, V1_GO_START_LOCAL = 38,
	V1_GO_START_LABEL = 41, V1_ASSIST_START = 43, V1_ASSIST_DONE = 44,
	V1_TASK_CREATE = 45, V1_TASK_END = 46, V1_REGION = 47, V1_CPU_SAMPLE = 49,
};

/* The tables batch of a v1 trace: strings, stacks, frequency. */
static void v1_tables(tw_trace *t)
{
	static const uint64_t f1[1][4] = {{0x1000, 1, 2, 10}};
	static const uint64_t f2[2][4] = {{0x1100, 1, 2, 20}, {0x1000, 1, 2, 10}};
	uint64_t freq = 1000000000;

	tw_v1_batch(t, V1_FAKE_P_ID, 0);
	tw_v1_string(t, 1, "main.main");
	tw_v1_string(t, 2, "/src/main.go");
	tw_v1_string(t, 3, "task");
	tw_v1_string(t, 4, "region");
	tw_v1_string(t, 5, "label");
	tw_v1_stack(t, 1, 1, f1);
	tw_v1_stack(t, 2, 2, f2);
	tw_v1_raw(t, V1_FREQ, 1, &freq);
}

/* A small program's life in the v1 format: goroutines that existed before
 * tracing, creation, start (by sequence number, locally, with a label),
 * blocking and non-blocking syscalls, a syscall exit on another P, GC with
 * STW, sweep and mark assist, heap metrics, a task with a region and a log,
 * and (from Go 1.19) a CPU sample. */
static void v1_program(int version, int cut_at_end)
{
	tw_trace t;
	char name[64];
	size_t full;

	tw_init(&t, version);
	tw_v1_batch(&t, 0, 1000);
	TW_V1(&t, V1_GO_CREATE, 1001, 1, 1, 2);
	TW_V1(&t, V1_GO_CREATE, 1002, 2, 1, 2);
	TW_V1(&t, V1_GO_WAITING, 1003, 2);
	TW_V1(&t, V1_PROC_START, 1004, 5);
	TW_V1(&t, V1_GOMAXPROCS, 1005, 2, 2);
	TW_V1(&t, V1_GO_START, 1006, 1, 1);
	TW_V1(&t, V1_GO_CREATE, 1010, 3, 1, 2);
	TW_V1(&t, V1_TASK_CREATE, 1011, 1, 0, 3, 2);
	TW_V1(&t, V1_REGION, 1012, 1, 0, 4, 2);
	tw_v1_log(&t, 1013, 1, 4, 2, "hello \"v1\"");
	TW_V1(&t, V1_REGION, 1014, 1, 1, 4, 2);
	TW_V1(&t, V1_TASK_END, 1015, 1, 2);
	TW_V1(&t, V1_GC_START, 1016, 0, 2);
	TW_V1(&t, V1_STW_START, 1017, 0);
	TW_V1_0(&t, V1_STW_DONE, 1018);
	TW_V1(&t, V1_SWEEP_START, 1019, 2);
	TW_V1(&t, V1_SWEEP_DONE, 1020, 10, 5);
	TW_V1(&t, V1_ASSIST_START, 1021, 2);
	TW_V1_0(&t, V1_ASSIST_DONE, 1022);
	TW_V1_0(&t, V1_GC_DONE, 1023);
	TW_V1(&t, V1_HEAP_ALLOC, 1024, 4096);
	TW_V1(&t, V1_HEAP_GOAL, 1025, 8192);
	TW_V1(&t, V1_GO_UNBLOCK, 1026, 2, 2, 2);
	TW_V1(&t, V1_GO_SYS_CALL, 1027, 2);
	TW_V1_0(&t, V1_GO_SYS_BLOCK, 1028);
	TW_V1(&t, V1_GO_START, 1029, 2, 3);
	TW_V1(&t, V1_GO_BLOCK_SEND, 1030, 2);
	if (version >= 19)
		TW_V1(&t, V1_CPU_SAMPLE, 1030, 1030, 0, 1, 2);
	TW_V1(&t, V1_GO_START_LABEL, 1031, 3, 1, 5);
	TW_V1(&t, V1_GO_SYS_CALL, 1032, 2);
	TW_V1(&t, V1_GO_SCHED, 1033, 2);
	TW_V1(&t, V1_GO_START_LOCAL, 1034, 3);
	TW_V1_0(&t, V1_GO_END, 1035);
	TW_V1_0(&t, V1_PROC_STOP, 1036);
	tw_v1_batch(&t, 1, 1000);
	TW_V1(&t, V1_PROC_START, 1040, 6);
	TW_V1(&t, V1_GO_SYS_EXIT, 1041, 1, 2, 1039);
	TW_V1(&t, V1_GO_START, 1042, 1, 3);
	TW_V1_0(&t, V1_GO_END, 1043);
	TW_V1_0(&t, V1_PROC_STOP, 1044);
	full = t.len;
	v1_tables(&t);
	if (cut_at_end) {
		/* Lose the tables: the trace stops before its frequency. */
		t.len = full + 9;
		snprintf(name, sizeof name, "v1_truncated_1%d", version);
	} else {
		snprintf(name, sizeof name, "v1_program_1%d", version);
	}
	save(&t, name);
}

static void v1_cases(void)
{
	tw_trace t;

	v1_program(11, 0);
	v1_program(19, 0);
	v1_program(21, 0);
	v1_program(21, 1);

	/* CPU samples do not exist before Go 1.19. */
	tw_init(&t, 11);
	tw_v1_batch(&t, 0, 1000);
	TW_V1(&t, V1_CPU_SAMPLE, 1001, 1001, 0, 1, 0);
	v1_tables(&t);
	save(&t, "v1_event_from_newer_version_111");

	/* An event before any batch. */
	tw_init(&t, 19);
	TW_V1(&t, V1_HEAP_ALLOC, 1, 1);
	v1_tables(&t);
	save(&t, "v1_event_before_batch");

	/* A goroutine started with a sequence number it never reaches. */
	tw_init(&t, 19);
	tw_v1_batch(&t, 0, 1000);
	TW_V1(&t, V1_PROC_START, 1001, 5);
	TW_V1(&t, V1_GO_CREATE, 1002, 7, 1, 2);
	TW_V1(&t, V1_GO_START, 1003, 7, 5);
	v1_tables(&t);
	save(&t, "v1_no_consistent_order");

	/* A timestamp that goes backwards within a P. */
	tw_init(&t, 19);
	tw_v1_batch(&t, 0, 1000);
	TW_V1(&t, V1_PROC_START, 1001, 5);
	TW_V1(&t, V1_HEAP_ALLOC, 999, 1);
	v1_tables(&t);
	save(&t, "v1_time_goes_backwards");

	/* No frequency anywhere. */
	tw_init(&t, 19);
	tw_v1_batch(&t, 0, 1000);
	TW_V1(&t, V1_PROC_START, 1001, 5);
	save(&t, "v1_no_frequency");

	/* A goroutine blocks on the network and the poller unblocks it. */
	tw_init(&t, 21);
	tw_v1_batch(&t, 0, 1000);
	TW_V1(&t, V1_PROC_START, 1001, 5);
	TW_V1(&t, V1_GOMAXPROCS, 1002, 1, 0);
	TW_V1(&t, V1_GO_CREATE, 1003, 8, 1, 2);
	TW_V1(&t, V1_GO_START, 1004, 8, 1);
	TW_V1(&t, V1_GO_BLOCK_NET, 1005, 2);
	TW_V1(&t, V1_GO_CREATE, 1006, 9, 1, 0);
	TW_V1(&t, V1_GO_START, 1007, 9, 1);
	TW_V1(&t, V1_GO_UNBLOCK, 1008, 8, 2, 0);
	TW_V1_0(&t, V1_GO_END, 1009);
	TW_V1(&t, V1_STW_START, 1010, 9);
	TW_V1_0(&t, V1_STW_DONE, 1011);
	v1_tables(&t);
	save(&t, "v1_network_unblock_121");

	/* A goroutine that was never started ends: Go's checks reject it. */
	tw_init(&t, 19);
	tw_v1_batch(&t, 0, 1000);
	TW_V1(&t, V1_PROC_START, 1001, 5);
	TW_V1_0(&t, V1_GO_END, 1002);
	v1_tables(&t);
	save(&t, "v1_end_without_goroutine");
}

/*
 * Chains: n threads whose events can only happen one after another, in the
 * reverse of their time order, so each accepted event needs every other
 * thread's next event tried first. Go's retry loop costs n^2 here; the
 * reader's parking keeps it linear. Valid traces: everything is accepted.
 */
/* Chain thread i's (1..n) event time: thread n's comes first. */
static uint64_t chain_time(int n, int i)
{
	return 1000000 + (uint64_t)(n - i) * 10;
}

static void save_suffixed(tw_trace *t, const char *name, const char *suffix)
{
	char full[128];

	snprintf(full, sizeof full, "%s%s", name, suffix);
	save(t, full);
}

static void chain_cases(int n, const char *suffix)
{
	tw_trace t;
	int i;

	/* The GC cycle passes from thread to thread: GCBegin, GCEnd, ... */
	tw_init(&t, 23);
	tables(&t, 1);
	tw_batch_begin(&t, 1, 0, 100);
	TW_EV(&t, EV_PROC_STATUS, 101, 0, P_RUNNING);
	TW_EV(&t, EV_GO_STATUS, 102, 1, 0, G_RUNNING);
	TW_EV(&t, EV_GC_BEGIN, 103, 1, 1);
	tw_batch_end(&t);
	for (i = 1; i <= n; i++) {
		uint64_t ts = chain_time(n, i);

		tw_batch_begin(&t, 1, (uint64_t)i, 200);
		TW_EV(&t, EV_PROC_STATUS, 201, (uint64_t)i, P_RUNNING);
		TW_EV(&t, EV_GO_STATUS, 202, (uint64_t)i + 1, (uint64_t)i, G_RUNNING);
		if (i % 2)
			TW_EV(&t, EV_GC_END, ts, (uint64_t)i + 1);
		else
			TW_EV(&t, EV_GC_BEGIN, ts, (uint64_t)i + 1, 1);
		tw_batch_end(&t);
	}
	close_gen(&t, 1, 100);
	save_suffixed(&t, "order_gc_chain", suffix);

	/* One goroutine runs on each thread in turn, latest thread first. */
	tw_init(&t, 23);
	tables(&t, 1);
	tw_batch_begin(&t, 1, 0, 100);
	TW_EV(&t, EV_GO_STATUS, 101, 1, (uint64_t)-1, G_RUNNABLE);
	tw_batch_end(&t);
	for (i = 1; i <= n; i++) {
		uint64_t ts = chain_time(n, i);

		tw_batch_begin(&t, 1, (uint64_t)i, 200);
		TW_EV(&t, EV_PROC_STATUS, 201, (uint64_t)i, P_RUNNING);
		TW_EV(&t, EV_GO_START, ts, 1, (uint64_t)i);
		TW_EV(&t, EV_GO_STOP, ts + 1, 3, 2);
		tw_batch_end(&t);
	}
	close_gen(&t, 1, 100);
	save_suffixed(&t, "order_goroutine_chain", suffix);

	/* Each thread unblocks the goroutine the next one (in time order, the
	 * previous one) blocks; and the last wait can never be met. */
	tw_init(&t, 26);
	tables(&t, 1);
	tw_batch_begin(&t, 1, 0, 100);
	TW_EV(&t, EV_GO_STATUS, 101, 1, (uint64_t)-1, G_WAITING);
	tw_batch_end(&t);
	for (i = 1; i <= n; i++) {
		uint64_t ts = chain_time(n, i);

		tw_batch_begin(&t, 1, (uint64_t)i, 200);
		TW_EV(&t, EV_PROC_STATUS, 201, (uint64_t)i, P_RUNNING);
		TW_EV(&t, EV_GO_UNBLOCK, ts, 1, (uint64_t)(2 * i - 1), 1);
		TW_EV(&t, EV_GO_START, ts + 1, 1, (uint64_t)(2 * i));
		TW_EV(&t, EV_GO_BLOCK, ts + 2, 3, 2);
		tw_batch_end(&t);
	}
	tw_batch_begin(&t, 1, (uint64_t)n + 1, 200);
	TW_EV(&t, EV_PROC_STATUS, 201, (uint64_t)n + 1, P_RUNNING);
	TW_EV(&t, EV_GO_UNBLOCK, chain_time(n, n) - 5, 1, (uint64_t)(2 * n + 5), 1);
	tw_batch_end(&t);
	close_gen(&t, 1, 100);
	save_suffixed(&t, "order_unblock_chain_stuck", suffix);

	/* A P in a syscall, restated as abandoned over and over, among n
	 * threads: each restatement looks up the thread that holds it. */
	tw_init(&t, 23);
	tables(&t, 1);
	tw_batch_begin(&t, 1, 0, 100);
	TW_EV(&t, EV_PROC_STATUS, 101, 0, P_SYSCALL);
	for (i = 0; i < n; i++) {
		/* Runtime batches stay under 64 KiB; so do these. */
		if (i % 1000 == 999) {
			tw_batch_end(&t);
			tw_batch_begin(&t, 1, 0, 200 + (uint64_t)i);
		}
		TW_EV(&t, EV_PROC_STATUS, 200 + (uint64_t)i, 0, P_ABANDONED);
	}
	tw_batch_end(&t);
	for (i = 1; i <= n; i++) {
		tw_batch_begin(&t, 1, (uint64_t)i, 150);
		TW_EV(&t, EV_PROC_STATUS, 151, (uint64_t)i, P_IDLE);
		tw_batch_end(&t);
	}
	close_gen(&t, 1, 100);
	save_suffixed(&t, "order_abandoned_restated", suffix);

	/* v1: a goroutine started on each P in turn, latest P first. The
	 * merge by sequence succeeds; Go's checks on the time-sorted result
	 * decide the rest. */
	tw_init(&t, 21);
	tw_v1_batch(&t, 0, 100);
	TW_V1(&t, V1_PROC_START, 101, 5);
	TW_V1(&t, V1_GO_CREATE, 102, 1, 1, 2);
	for (i = 1; i <= n; i++) {
		uint64_t ts = chain_time(n, i);

		tw_v1_batch(&t, i, 200);
		TW_V1(&t, V1_PROC_START, 201, (uint64_t)i + 10);
		TW_V1(&t, V1_GO_START, ts, 1, (uint64_t)i);
		TW_V1(&t, V1_GO_SCHED, ts + 1, 2);
	}
	v1_tables(&t);
	save_suffixed(&t, "v1_goroutine_chain", suffix);
}

/*
 * Names the analyses print as JSON keys or group by, from the trace's
 * strings: two block reasons equal up to a NUL byte and a stop-the-world
 * reason holding one (Go's JSON keys keep every byte), and two regions of
 * one type begun at one PC whose frame names another file in the second
 * generation (frames are per generation; cmd/trace groups by the whole
 * frame, and the groups sort by file there, not by first appearance). Go's Summarizer and cmd/trace's pages decide the figures
 * (testdata/analysisref).
 */
static void analysis_tables(tw_trace *t, uint64_t gen,
                            const uint64_t (*frame)[4])
{
	static const uint64_t ids[] = {1, 2, 3, 4, 5, 6, 7};
	static const char *const names[] = {
		"main.main", "/src/main.go", "chan\0receive", "chan\0send",
		"/src/other.go", "work", "stw\0why"};
	static const size_t lens[] = {9, 12, 12, 9, 13, 4, 7};

	tw_strings_len(t, gen, 7, ids, names, lens);
	tw_stacks_begin(t, gen);
	tw_stack(t, 1, 1, frame);
	tw_batch_end(t);
}

static void analysis_cases(void)
{
	static const uint64_t frames[2][4] = {{0x401000, 1, 2, 10},
	                                      {0x401000, 1, 5, 10}};
	tw_trace t;

	tw_init(&t, 26);
	analysis_tables(&t, 1, frames + 1);
	/* Generation 1: g1 creates g2, runs a region and stops the world;
	 * each blocks once, with reasons that differ after a NUL. */
	g1_running(&t, 1, 1000);
	TW_EV(&t, EV_GO_CREATE, 1010, 2, 1, 1);
	TW_EV(&t, EV_REGION_BEGIN, 1020, 0, 6, 1);
	TW_EV(&t, EV_REGION_END, 1030, 0, 6, 1);
	TW_EV(&t, EV_STW_BEGIN, 1040, 7, 1);
	TW_EV0(&t, EV_STW_END, 1050);
	TW_EV(&t, EV_GO_BLOCK, 1060, 3, 1);
	TW_EV(&t, EV_GO_START, 1070, 2, 1);
	TW_EV(&t, EV_GO_UNBLOCK, 1080, 1, 1, 1);
	TW_EV(&t, EV_GO_BLOCK, 1090, 4, 1);
	TW_EV(&t, EV_GO_START, 1100, 1, 2);
	tw_batch_end(&t);
	close_gen(&t, 1, 900);
	/* Generation 2: the same region type at the same PC, now in
	 * /src/main.go (sorting after the first); g1 exits, g2 waits on. */
	analysis_tables(&t, 2, frames);
	g1_running(&t, 2, 2000);
	TW_EV(&t, EV_GO_STATUS, 2003, 2, (uint64_t)-1, G_WAITING);
	TW_EV(&t, EV_REGION_BEGIN, 2010, 0, 6, 1);
	TW_EV(&t, EV_REGION_END, 2030, 0, 6, 1);
	TW_EV0(&t, EV_GO_DESTROY, 2040);
	tw_batch_end(&t);
	close_gen(&t, 2, 1900);
	save(&t, "analysis_names_126");

	/*
	 * One goroutine ID created twice, as the runtime does for the
	 * goroutine of a cgo callback's M: Go's summary keeps only the second
	 * goroutine, so cmd/trace's region page has its region and not the
	 * first one's. g1 on M 1 creates g2 twice; g2 runs on M 2.
	 */
	tw_init(&t, 26);
	tables(&t, 1);
	g1_running(&t, 1, 1000);
	TW_EV(&t, EV_GO_CREATE, 1010, 2, 1, 1);
	TW_EV(&t, EV_GO_CREATE, 1100, 2, 1, 1);
	tw_batch_end(&t);
	tw_batch_begin(&t, 1, 2, 1000);
	TW_EV(&t, EV_PROC_STATUS, 1001, 1, P_RUNNING);
	TW_EV(&t, EV_GO_START, 1020, 2, 1);
	TW_EV(&t, EV_REGION_BEGIN, 1030, 0, 3, 1);  /* "sleep": the first */
	TW_EV(&t, EV_REGION_END, 1040, 0, 3, 1);
	TW_EV0(&t, EV_GO_DESTROY, 1050);
	TW_EV(&t, EV_GO_START, 1110, 2, 1);
	TW_EV(&t, EV_REGION_BEGIN, 1120, 0, 4, 1);  /* "key": the second */
	TW_EV(&t, EV_REGION_END, 1140, 0, 4, 1);
	TW_EV0(&t, EV_GO_DESTROY, 1150);
	tw_batch_end(&t);
	close_gen(&t, 1, 900);
	save(&t, "analysis_goid_reused_126");

	/*
	 * A goroutine whose first transition stack is one frame with no
	 * function (as the runtime writes for some preempted goroutines),
	 * and a later one whose outermost frame is named: Go's summary names
	 * it after the later one, while cmd/trace's views take the first
	 * (so "G2 "). g1 creates g2 with the unnamed stack; g2 runs, then
	 * blocks in main.worker.
	 */
	{
		static const uint64_t ids[] = {1, 2, 3, 4};
		static const char *const names[] = {
			"main.main", "/src/main.go", "chan receive",
			"main.worker"};
		static const size_t lens[] = {9, 12, 12, 11};
		static const uint64_t unnamed[2][4] = {{0, 0, 0, 0},
		                                       {0x401000, 4, 2, 10}};

		tw_init(&t, 26);
		tw_strings_len(&t, 1, 4, ids, names, lens);
		tw_stacks_begin(&t, 1);
		tw_stack(&t, 1, 1, unnamed);
		tw_stack(&t, 2, 1, unnamed + 1);
		tw_batch_end(&t);
		g1_running(&t, 1, 1000);
		TW_EV(&t, EV_GO_CREATE, 1010, 2, 1, 2);
		TW_EV(&t, EV_GO_BLOCK, 1020, 3, 2);
		TW_EV(&t, EV_GO_START, 1030, 2, 1);
		TW_EV(&t, EV_GO_BLOCK, 1040, 3, 2);
		tw_batch_end(&t);
		close_gen(&t, 1, 900);
		save(&t, "analysis_unnamed_frame_126");
	}
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--chains") == 0) {
		outdir = argv[3];
		chain_cases(atoi(argv[2]), "");
		return failures != 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: gen_synthetic DIR\n"
		                "       gen_synthetic --chains N DIR\n");
		return 2;
	}
	outdir = argv[1];
	valid_traces();
	table_id_traces();
	header_cases();
	truncations();
	damaged_batches();
	table_errors();
	generation_errors();
	ordering_cases();
	chain_cases(40, "_40");
	validation_cases();
	accessor_cases();
	common_path_cases();
	v1_cases();
	analysis_cases();
	return failures != 0;
}
