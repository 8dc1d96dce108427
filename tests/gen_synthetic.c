/*
 * gen_synthetic: writes the synthetic traces of testdata/traces/synthetic/.
 *
 *   gen_synthetic DIR
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
	EV_PROC_START = 10, EV_PROC_STOP = 11, EV_PROC_STATUS = 13,
	EV_GO_CREATE = 14, EV_GO_START = 16, EV_GO_DESTROY = 17,
	EV_GO_STOP = 19, EV_GO_BLOCK = 20, EV_GO_UNBLOCK = 21,
	EV_GO_STATUS = 25, EV_HEAP_ALLOC = 37, EV_USER_LOG = 44,
	EV_SPAN_ALLOC = 129,
};

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
	simple_generation(&t, 1, 1000, 1);
	tw_exp_batch_begin(&t, 1, 1, 1, 1000);
	TW_EV(&t, EV_SPAN_ALLOC, 1005, 0x100, 1, 3);
	tw_batch_end(&t);
	end_gen(&t);
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

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_synthetic DIR\n");
		return 2;
	}
	outdir = argv[1];
	valid_traces();
	header_cases();
	truncations();
	damaged_batches();
	table_errors();
	generation_errors();
	return failures != 0;
}
