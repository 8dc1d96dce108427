/*
 * The generation layer, checked against Go's reference output:
 *  - on every trace the reference accepts, the batches, strings, stacks,
 *    CPU samples and experimental batches we group by generation are the
 *    ones Go's raw dump (-d=wire) lists;
 *  - on synthetic traces whose damage is structural, we fail with the very
 *    message Go's parser prints (-d=parsed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen/generation.h"
#include "wire/header.h"
#include "base/gidmap.h"
#include "base/idmap.h"
#include "testutil.h"

typedef struct counts {
	size_t generations, event_batches, strings, stacks, samples, exp;
} counts;

/* Counts what the reference raw dump shows. */
static counts from_reference(const char *dump)
{
	counts c = {0};
	uint64_t last_gen = 0;
	const char *line = dump;
	const char *pending_batch = NULL;

	while (*line != '\0') {
		const char *nl = strchr(line, '\n');
		size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		unsigned long long gen;

#define IS(word) (len >= sizeof(word) - 1 && memcmp(line, word, sizeof(word) - 1) == 0)
		if (pending_batch != NULL) {
			/* The line after a batch header tells what the batch is. */
			if (!IS("Strings") && !IS("Stacks") && !IS("CPUSamples") &&
			    !IS("Sync") && !IS("Frequency") && !IS("EndOfGeneration"))
				c.event_batches++;
			pending_batch = NULL;
		}
		if (IS("EventBatch ")) {
			sscanf(line, "EventBatch gen=%llu", &gen);
			if (gen != last_gen)
				c.generations++;
			last_gen = gen;
			pending_batch = line;
		} else if (IS("ExperimentalBatch ")) {
			c.exp++;
		} else if (IS("String ")) {
			c.strings++;
		} else if (IS("Stack ")) {
			c.stacks++;
		} else if (IS("CPUSample ")) {
			c.samples++;
		}
#undef IS
		line += len;
		if (*line == '\n')
			line++;
	}
	if (pending_batch != NULL)
		c.event_batches++;
	return c;
}

static int read_generations(const char *path, counts *c, char *msg,
                            size_t msglen)
{
	gotrace_input *in;
	gt_stream s;
	gt_genreader gr;
	gt_generation g;
	struct gotrace_error err;
	gotrace_version v;
	int rc;

	memset(c, 0, sizeof *c);
	msg[0] = '\0';
	assert_int_equal(gotrace_input_open_path(&in, path), GOTRACE_OK);
	gt_stream_init(&s, in);
	gt_error_clear(&err);
	rc = gt_header_read(&s, &v, &err);
	if (rc == GOTRACE_OK && !gotrace_version_is_v2(v))
		rc = GOTRACE_ERR_UNSUPPORTED;
	if (rc == GOTRACE_OK) {
		gt_genreader_init(&gr, &s, v);
		gt_generation_init(&g);
		while ((rc = gt_genreader_next(&gr, &g, &err)) == GOTRACE_OK) {
			size_t i;

			c->generations++;
			c->event_batches += g.nbatches;
			c->strings += g.nstrings;
			c->stacks += g.nstacks;
			c->samples += g.nsamples;
			c->exp += g.nexp;
			/* CPU samples come out sorted by time. */
			for (i = 1; i < g.nsamples; i++)
				assert_true(g.samples[i - 1].time <= g.samples[i].time);
			/* Every event batch's M is listed. */
			for (i = 0; i < g.nbatches; i++)
				assert_true(g.ms[g.batches[i].m_slot] == g.batches[i].m);
		}
		gt_generation_free(&g);
		gt_genreader_free(&gr);
	}
	if (rc < 0)
		snprintf(msg, msglen, "%s", err.go_message);
	gt_stream_destroy(&s);
	gotrace_input_free(in);
	return rc;
}

static void test_accepted_traces_match_reference(void **state)
{
	size_t n, i, checked = 0;
	char **traces = tu_list_traces(TESTDATA_DIR "/traces", &n);

	(void)state;
	for (i = 0; i < n; i++) {
		char ref[8192], msg[4096], *err_text = NULL;
		size_t len;
		char *dump;
		counts want, got;
		int parsed_exit = tu_read_status(traces[i], "parsed", &err_text);
		int wire_exit;

		free(err_text);
		err_text = NULL;
		wire_exit = tu_read_status(traces[i], "wire", &err_text);
		free(err_text);
		if (parsed_exit != 0 || wire_exit != 0)
			continue;
		snprintf(ref, sizeof ref, "%s.wire.xz", traces[i]);
		dump = tu_read_xz(ref, &len);
		assert_non_null(dump);
		want = from_reference(dump);
		free(dump);
		if (read_generations(traces[i], &got, msg, sizeof msg) ==
		    GOTRACE_ERR_UNSUPPORTED)
			continue; /* v1: no wire layer to compare */
		if (memcmp(&want, &got, sizeof want) != 0)
			print_error("%s: want gens=%zu batches=%zu strings=%zu "
			            "stacks=%zu samples=%zu exp=%zu, got %zu %zu %zu "
			            "%zu %zu %zu (%s)\n", traces[i], want.generations,
			            want.event_batches, want.strings, want.stacks,
			            want.samples, want.exp, got.generations,
			            got.event_batches, got.strings, got.stacks,
			            got.samples, got.exp, msg);
		assert_memory_equal(&want, &got, sizeof want);
		checked++;
	}
	tu_free_list(traces, n);
	assert_true(checked > 0);
}

/* Synthetic traces whose reference verdict comes from the generation
 * layer (tables, batch framing, sync data). */
static const char *const structural[] = {
	"duplicate_string_id", "string_id_zero", "duplicate_stack_id",
	"stack_bad_func_string", "string_too_long", "stack_too_deep",
	"missing_frequency_126", "missing_clock_snapshot_125",
	"multiple_frequency_122", "generation_zero",
	"interleaved_generations_126", "generations_out_of_order_122",
	"batch_too_large", "batch_past_end", "not_a_batch",
};

static void test_structural_errors_match_reference(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof structural / sizeof structural[0]; i++) {
		char path[4096], msg[4096], want[4200], *err_text = NULL;
		counts c;
		int rc, exit_code;

		snprintf(path, sizeof path, "%s/traces/synthetic/%s.trace",
		         TESTDATA_DIR, structural[i]);
		exit_code = tu_read_status(path, "parsed", &err_text);
		assert_int_not_equal(exit_code, -1);
		assert_int_not_equal(exit_code, 0);
		rc = read_generations(path, &c, msg, sizeof msg);
		snprintf(want, sizeof want, "%s", err_text);
		if (strlen(want) > 0 && want[strlen(want) - 1] == '\n')
			want[strlen(want) - 1] = '\0';
		if (rc >= 0 || strcmp(msg, want) != 0)
			print_error("%s: want error \"%s\", got rc=%d \"%s\"\n",
			            structural[i], want, rc, msg);
		assert_true(rc < 0);
		assert_string_equal(msg, want);
		free(err_text);
	}
}

/*
 * The ID index's direct array (gt_idmap_densify) answers exactly as the
 * hash does, through puts and deletes after it is built, for dense keys
 * (where it is built) and sparse ones (where it is not): checked against
 * a plain array of every key's current value.
 */
static void test_idmap_direct_array_agrees(void **state)
{
	enum { KEYS = 3000 };
	static uint32_t model[KEYS]; /* value + 1; 0: absent */
	uint64_t stride;
	(void)state;

	for (stride = 1; stride <= 1000; stride *= 1000) {
		gt_idmap m;
		uint64_t rng = 12345;
		size_t i, round;

		gt_idmap_init(&m);
		memset(model, 0, sizeof model);
		for (i = 1; i < KEYS; i += 2) {
			assert_int_equal(gt_idmap_put(&m, i * stride, (uint32_t)i), 0);
			model[i] = (uint32_t)i + 1;
		}
		gt_idmap_densify(&m);
		/* Dense keys get the array; keys 1000 apart do not. */
		assert_true(stride == 1 ? m.ndense > 0 : m.ndense == 0);
		for (round = 0; round < 4 * KEYS; round++) {
			uint32_t v;
			size_t k;

			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			k = (size_t)(rng >> 33) % KEYS;
			switch ((rng >> 20) % 3) {
			case 0:
				assert_int_equal(gt_idmap_put(&m, k * stride,
				                              (uint32_t)round), 0);
				model[k] = (uint32_t)round + 1;
				break;
			case 1:
				assert_int_equal(gt_idmap_del(&m, k * stride),
				                 model[k] != 0);
				model[k] = 0;
				break;
			default:
				break;
			}
			for (i = 0; i < 8; i++) {
				size_t q = (k + i * 397) % KEYS;
				int found = gt_idmap_get(&m, q * stride, &v);

				assert_int_equal(found, model[q] != 0);
				if (found)
					assert_int_equal(v + 1, model[q]);
			}
		}
		gt_idmap_clear(&m);
		assert_int_equal(m.ndense, 0);
		gt_idmap_free(&m);
	}
}

/*
 * The goroutine ID map answers as a plain model of every key's value
 * does, through puts and deletes: for IDs that share pages, IDs far
 * apart (a page each), IDs past the paged range and "negative" ones
 * (the hash behind it), with pages emptied and made again.
 */
static void test_gidmap_agrees(void **state)
{
	enum { KEYS = 3000 };
	static uint32_t model[KEYS]; /* value + 1; 0: absent */
	static const uint64_t bases[] = {0, GT_GIDMAP_LIMIT - 1000,
	                                 (uint64_t)-(int64_t)KEYS * 1000};
	uint64_t stride;
	size_t b;
	(void)state;

	for (b = 0; b < sizeof bases / sizeof bases[0]; b++) {
		for (stride = 1; stride <= 1000; stride *= 1000) {
			gt_gidmap m;
			uint64_t rng = 12345, base = bases[b];
			size_t i, round, live = 0;

			gt_gidmap_init(&m);
			memset(model, 0, sizeof model);
			for (round = 0; round < 8 * KEYS; round++) {
				uint32_t v;
				size_t k;

				rng = rng * 6364136223846793005ull +
				      1442695040888963407ull;
				/* Keys drift upward, as goroutine IDs do. */
				k = ((size_t)(rng >> 33) % 600 + round / 16) %
				    KEYS;
				if ((rng >> 20) % 2 == 0) {
					assert_int_equal(gt_gidmap_put(&m,
					        base + k * stride,
					        (uint32_t)round), 0);
					live += model[k] == 0;
					model[k] = (uint32_t)round + 1;
				} else {
					assert_int_equal(gt_gidmap_del(&m,
					        base + k * stride),
					        model[k] != 0);
					live -= model[k] != 0;
					model[k] = 0;
				}
				assert_int_equal(m.len, live);
				for (i = 0; i < 8; i++) {
					size_t q = (k + i * 397) % KEYS;
					int found = gt_gidmap_get(&m,
					        base + q * stride, &v);

					assert_int_equal(found, model[q] != 0);
					if (found)
						assert_int_equal(v + 1, model[q]);
				}
			}
			gt_gidmap_free(&m);
		}
	}
}

/*
 * The integer shortcut for tick conversion gives exactly what Go's float
 * conversion (gt_ticks_to_ns) gives: for frequencies with a whole number
 * of nanoseconds per tick (where it applies) and others (where it must
 * not), at the edges of its range and at random tick counts.
 */
static void test_tick_conversion_matches_float(void **state)
{
	static const uint64_t freqs[] = {
		15625000,   /* Go on amd64: 64 ns per tick */
		62500000,   /* 16 ns */
		1000000000, /* 1 ns */
		1000,       /* 10^6 ns: whole, within the shortcut's range */
		1,          /* 10^9 ns: whole, beyond it */
		333333333, 2400000000u, 3000000000u, 7, 0};
	size_t f;
	(void)state;

	for (f = 0; f < sizeof freqs / sizeof freqs[0]; f++) {
		gt_generation g;
		uint64_t rng = 99 + f, edges[12];
		size_t i;

		gt_generation_init(&g);
		gt_generation_set_frequency(&g, freqs[f]);
		if (freqs[f] == 15625000 || freqs[f] == 62500000 ||
		    freqs[f] == 1000000000 || freqs[f] == 1000)
			assert_true(g.tick_exact_below > 0);
		else
			assert_true(g.tick_exact_below == 0);
		edges[0] = 0;
		edges[1] = 1;
		edges[2] = g.tick_exact_below - 1;
		edges[3] = g.tick_exact_below;
		edges[4] = g.tick_exact_below + 1;
		edges[5] = ((uint64_t)1 << 53) - 1;
		edges[6] = (uint64_t)1 << 53;
		edges[7] = ((uint64_t)1 << 53) + 1;
		edges[8] = (uint64_t)1 << 60;
		edges[9] = UINT64_MAX;
		edges[10] = UINT64_MAX / 64;
		edges[11] = 123456789;
		for (i = 0; i < 12 + 10000; i++) {
			uint64_t t;

			if (i < 12) {
				t = edges[i];
			} else {
				rng = rng * 6364136223846793005ull +
				      1442695040888963407ull;
				t = rng >> (rng % 64); /* all magnitudes */
			}
			assert_true(gt_generation_ticks_to_ns(&g, t) ==
			            gt_ticks_to_ns(g.ns_per_tick, t));
		}
		gt_generation_free(&g);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted_traces_match_reference),
		cmocka_unit_test(test_structural_errors_match_reference),
		cmocka_unit_test(test_idmap_direct_array_agrees),
		cmocka_unit_test(test_gidmap_agrees),
		cmocka_unit_test(test_tick_conversion_matches_float),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
