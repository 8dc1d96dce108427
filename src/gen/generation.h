/*
 * Internal: one generation of a v2 trace, decoded structurally.
 *
 * Reading a generation means buffering all of its batches (a generation
 * is the unit the runtime makes self-contained: its own string and stack
 * tables, its own frequency and clock snapshot), classifying each batch,
 * and decoding the tables, CPU samples and sync data. The per-M event
 * batches are kept as bytes for the ordering layer to walk.
 *
 * A generation owns everything it points to, except batch bytes read from
 * a memory input, which point into the caller's buffer.
 */
#ifndef GT_GENERATION_H
#define GT_GENERATION_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/error.h"
#include "base/idmap.h"
#include "io/stream.h"

/* The longest string a table may hold (Go's limit). */
#define GT_MAX_STRING_SIZE 1024u

/* One batch as stored: its header and undecoded payload. */
typedef struct gt_batch {
	uint64_t m;           /* M (thread) ID that wrote it */
	uint64_t time;        /* base timestamp, in ticks */
	const uint8_t *data;  /* payload; data[0] tells the kind of batch */
	size_t len;
	uint64_t offset;      /* input offset of the batch header */
	uint64_t data_offset; /* input offset of data[0] */
	uint8_t exp;          /* experiment ID, 0 for ordinary batches */
	uint32_t m_slot;      /* event batches: index of m in gt_generation.ms */
} gt_batch;

typedef struct gt_string {
	const uint8_t *data;
	size_t len;
	uint64_t id;
} gt_string;

typedef struct gt_frame {
	uint64_t pc;
	uint64_t func_id;     /* string ID */
	uint64_t file_id;     /* string ID */
	uint64_t line;
} gt_frame;

typedef struct gt_stack {
	uint32_t first;       /* index of the first PC in gt_generation.stack_pcs */
	uint32_t n;
	uint64_t id;
	uint64_t missing;     /* first frame string ID not in the table, or 0 */
} gt_stack;

typedef struct gt_cpu_sample {
	int64_t time;         /* nanoseconds (converted with the frequency) */
	uint64_t m, p, g;     /* g is 0 when no goroutine was running */
	uint64_t stack;       /* stack ID */
} gt_cpu_sample;

typedef struct gt_generation {
	uint64_t gen;
	uint64_t min_ts;      /* smallest batch timestamp, ticks */

	/* Event batches in file order, and the Ms in first-seen order. */
	gt_batch *batches;
	size_t nbatches, batches_cap;
	uint64_t *ms;
	size_t nms, ms_cap;
	gt_idmap m_index;     /* M ID -> index in ms */

	/* String table: ID -> string. ID 0 is always the empty string. */
	gt_string *strings;
	size_t nstrings, strings_cap;
	gt_idmap string_index;

	/* Stack table: ID -> PCs; PC -> frame (the first frame seen wins). */
	gt_stack *stacks;
	size_t nstacks, stacks_cap;
	gt_idmap stack_index;
	uint64_t *stack_pcs;
	size_t nstack_pcs, stack_pcs_cap;
	gt_frame *frames;
	size_t nframes, frames_cap;
	gt_idmap pc_index;

	gt_cpu_sample *samples;
	size_t nsamples, samples_cap;

	/* Sync data. */
	uint64_t freq_raw;    /* ticks per second, as stored */
	int has_freq;
	double ns_per_tick;
	/* When ns_per_tick is a whole number k (Go's clocks tick every 64 ns
	 * on amd64, 16 elsewhere): k, and the tick count below which ticks * k
	 * is exact in a double, so the conversion is an integer multiply.
	 * Otherwise 0 and 0. */
	uint64_t tick_ns;
	uint64_t tick_exact_below;
	int has_clock;
	uint64_t clock_ts;    /* ticks */
	uint64_t clock_mono;
	uint64_t clock_sec, clock_nsec;

	/* Experimental batches, in file order. */
	gt_batch *exp_batches;
	size_t nexp, exp_cap;

	gt_arena arena;
	uint64_t start_offset;/* input offset of its first batch */
	uint64_t end_offset;  /* input offset just past the generation */
	uint64_t read_offset; /* reader: input consumed once it was read */
	uint64_t serial;      /* reader: 1 for the first generation read, ... */
	uint64_t data_bytes;  /* batch bytes held (for the memory limit) */
} gt_generation;

void gt_generation_init(gt_generation *g);
void gt_generation_free(gt_generation *g);
/* Empties g for reuse, keeping its memory. */
void gt_generation_reset(gt_generation *g);

/* Converts a tick count to nanoseconds the way Go does (float64). */
static inline int64_t gt_ticks_to_ns(double ns_per_tick, uint64_t ticks)
{
	double ns = (double)ticks * ns_per_tick;

	/* Go converts with CVTTSD2SQ on amd64: NaN and out-of-range values
	 * become the "integer indefinite" value, INT64_MIN. */
	if (!(ns >= -9223372036854775808.0 && ns < 9223372036854775808.0))
		return INT64_MIN;
	return (int64_t)ns;
}

/* Sets the frequency (ticks per second) and what depends on it. */
void gt_generation_set_frequency(gt_generation *g, uint64_t freq);

/* gt_ticks_to_ns with g's frequency, exact same result, faster for the
 * per-event time deltas. */
static inline int64_t gt_generation_ticks_to_ns(const gt_generation *g,
                                                uint64_t ticks)
{
	if (ticks < g->tick_exact_below)
		return (int64_t)(ticks * g->tick_ns);
	return gt_ticks_to_ns(g->ns_per_tick, ticks);
}

/* Looks a string up; ID 0 is the empty string. Returns 0 if absent. */
static inline int gt_generation_string(const gt_generation *g, uint64_t id,
                                       gt_string *out)
{
	uint32_t i;

	if (id == 0) {
		out->data = (const uint8_t *)"";
		out->len = 0;
		return 1;
	}
	if (!gt_idmap_get(&g->string_index, id, &i))
		return 0;
	*out = g->strings[i];
	return 1;
}

/* Looks a stack up; ID 0 is the empty stack. Returns 0 if absent. */
static inline int gt_generation_stack(const gt_generation *g, uint64_t id,
                                      gt_stack *out)
{
	uint32_t i;

	if (id == 0) {
		out->first = 0;
		out->n = 0;
		return 1;
	}
	if (!gt_idmap_get(&g->stack_index, id, &i))
		return 0;
	*out = g->stacks[i];
	return 1;
}

/* The frame recorded for pc. Returns 0 if absent. */
int gt_generation_frame(const gt_generation *g, uint64_t pc, gt_frame *out);

/*
 * Reads generations from a v2 stream one at a time.
 *
 * Go 1.26 traces end each generation with an explicit marker. Older ones
 * do not: the first batch of the next generation is read ("spilled") and
 * carried over. An error met while reading that next batch is deferred:
 * the generation read so far is returned first, and the error afterwards,
 * which is how Go's parser yields every complete generation of a
 * truncated trace.
 */
typedef struct gt_genreader {
	gt_stream *s;
	gotrace_version version;
	int zero_copy;        /* batch bytes may point into the input */
	/* The spilled first batch of the next generation (pre-1.26). */
	int has_spill;
	uint64_t spill_gen;
	gt_batch spill;
	uint8_t *spill_buf;
	int deferred;         /* an error waits after the last generation */
	struct gotrace_error deferred_err;
	int started;
	int done;
	uint64_t limit;       /* max batch bytes per generation, 0: none */
} gt_genreader;

void gt_genreader_init(gt_genreader *gr, gt_stream *s, gotrace_version version);
void gt_genreader_free(gt_genreader *gr);

/*
 * Reads the next generation into g (which is reset first).
 * Returns GOTRACE_OK, GOTRACE_EOF when there are no more generations, or
 * an error (described in err). After an error, every call returns
 * GOTRACE_EOF.
 */
int gt_genreader_next(gt_genreader *gr, gt_generation *g,
                      struct gotrace_error *err);

/* The input offset where the next generation's first batch starts (or
 * where reading goes on, if none is left). */
static inline uint64_t gt_genreader_next_start(const gt_genreader *gr)
{
	return gr->has_spill ? gr->spill.offset : gr->s->offset;
}

#endif
