/*
 * Generations: per-M batches grouped by generation, with their string and
 * stack tables, CPU samples and sync data decoded.
 *
 * Error texts follow Go 1.27's parser word for word (gotrace dump prints
 * them); the full messages add the byte offset.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "gen/generation.h"
#include "gotrace/wire.h"
#include "wire/varint.h"

#define MAX_BATCH_SIZE 65536u
#define MAX_FRAMES_PER_STACK 128u

/* Go's NoThread (-1) as stored in an unsigned M ID. */
#define NO_THREAD UINT64_MAX

static const uint8_t end_of_generation_byte = GOTRACE_WIRE_END_OF_GENERATION;

/* ---- lifecycle ----------------------------------------------------------- */

void gt_generation_init(gt_generation *g)
{
	memset(g, 0, sizeof *g);
	gt_idmap_init(&g->m_index);
	gt_idmap_init(&g->string_index);
	gt_idmap_init(&g->stack_index);
	gt_idmap_init(&g->pc_index);
}

void gt_generation_free(gt_generation *g)
{
	free(g->batches);
	free(g->ms);
	gt_idmap_free(&g->m_index);
	free(g->strings);
	gt_idmap_free(&g->string_index);
	free(g->stacks);
	gt_idmap_free(&g->stack_index);
	free(g->stack_pcs);
	free(g->frames);
	gt_idmap_free(&g->pc_index);
	free(g->samples);
	free(g->exp_batches);
	gt_arena_free(&g->arena);
	memset(g, 0, sizeof *g);
}

void gt_generation_reset(gt_generation *g)
{
	g->gen = 0;
	g->min_ts = 0;
	g->nbatches = 0;
	g->nms = 0;
	gt_idmap_clear(&g->m_index);
	g->nstrings = 0;
	gt_idmap_clear(&g->string_index);
	g->nstacks = 0;
	gt_idmap_clear(&g->stack_index);
	g->nstack_pcs = 0;
	g->nframes = 0;
	gt_idmap_clear(&g->pc_index);
	g->nsamples = 0;
	g->freq_raw = 0;
	g->has_freq = 0;
	g->ns_per_tick = 0;
	g->tick_ns = 0;
	g->tick_exact_below = 0;
	g->has_clock = 0;
	g->clock_ts = g->clock_mono = g->clock_sec = g->clock_nsec = 0;
	g->nexp = 0;
	g->start_offset = 0;
	g->end_offset = 0;
	g->data_bytes = 0;
	gt_arena_reset(&g->arena);
}

void gt_generation_set_frequency(gt_generation *g, uint64_t freq)
{
	g->freq_raw = freq;
	g->ns_per_tick = 1.0 / ((double)freq / 1e9);
	g->tick_ns = 0;
	g->tick_exact_below = 0;
	/* A whole k in [1, 2^20]: (double)t * k is exact while t * k < 2^53. */
	if (g->ns_per_tick >= 1.0 && g->ns_per_tick <= 1048576.0 &&
	    g->ns_per_tick == (double)(uint64_t)g->ns_per_tick) {
		g->tick_ns = (uint64_t)g->ns_per_tick;
		g->tick_exact_below = ((uint64_t)1 << 53) / g->tick_ns;
	}
}

int gt_generation_frame(const gt_generation *g, uint64_t pc, gt_frame *out)
{
	uint32_t i;

	if (!gt_idmap_get(&g->pc_index, pc, &i))
		return 0;
	*out = g->frames[i];
	return 1;
}

/* ---- decoding inside a batch ------------------------------------------- */

/* A cursor over one batch's payload, for error offsets. */
typedef struct cursor {
	const gt_batch *b;
	size_t pos;
} cursor;

static uint64_t cur_offset(const cursor *c)
{
	return c->b->data_offset + c->pos;
}

/*
 * Reads a varint from an in-memory payload. Go reports a varint that
 * starts at the end of the payload as "EOF" and one cut short as
 * "unexpected EOF". Returns 0 or the error code, with *msg set.
 */
static int cur_varint(cursor *c, uint64_t *v, const char **msg)
{
	size_t len;

	if (c->pos >= c->b->len) {
		*msg = "EOF";
		return GOTRACE_ERR_TRUNCATED;
	}
	switch (gt_varint_decode(c->b->data + c->pos, c->b->len - c->pos, v,
	                         &len)) {
	case GT_VARINT_OK:
		c->pos += len;
		return 0;
	case GT_VARINT_SHORT:
		c->pos += len;
		*msg = "unexpected EOF";
		return GOTRACE_ERR_TRUNCATED;
	default:
		c->pos += len;
		*msg = "binary: varint overflows a 64-bit integer";
		return GOTRACE_ERR_CORRUPT;
	}
}

/* Reads varints for a table entry, failing with Go's bare error text. */
#define READ_OR_FAIL(c, v, err, what)                                        \
	do {                                                                 \
		const char *m_;                                              \
		uint64_t at_ = cur_offset(c);                                \
		int rc_ = cur_varint((c), (v), &m_);                         \
		if (rc_ != 0) {                                              \
			gt_error_set((err), rc_, at_, (what), "%s", m_);     \
			(err)->go_eof = at_ == (c)->b->data_offset + (c)->b->len; \
			return rc_;                                          \
		}                                                            \
	} while (0)

static int add_strings(gt_generation *g, const gt_batch *b,
                       struct gotrace_error *err)
{
	cursor c = {b, 1};

	while (c.pos < b->len) {
		uint64_t at = cur_offset(&c), id, len;
		uint8_t type = b->data[c.pos++];
		gt_string existing;
		size_t have;

		if (type != GOTRACE_WIRE_STRING) {
			gt_error_set(err, GOTRACE_ERR_CORRUPT, at, "string table",
			             "expected string event, got %u", type);
			return GOTRACE_ERR_CORRUPT;
		}
		READ_OR_FAIL(&c, &id, err, "string table: string ID");
		READ_OR_FAIL(&c, &len, err, "string table: string length");
		if (len > GT_MAX_STRING_SIZE) {
			gt_error_set(err, GOTRACE_ERR_CORRUPT, at, "string table",
			             "invalid string size %" PRIu64 ", maximum is %u",
			             len, GT_MAX_STRING_SIZE);
			return GOTRACE_ERR_CORRUPT;
		}
		have = b->len - c.pos;
		if (have < len) {
			gt_error_set(err, GOTRACE_ERR_TRUNCATED, at, "string table",
			             "failed to read full string: read %zu but wanted %"
			             PRIu64, have, len);
			return GOTRACE_ERR_TRUNCATED;
		}
		if (gt_generation_string(g, id, &existing)) {
			/* Both strings verbatim, NULs and all. */
			gt_error_set(err, GOTRACE_ERR_INVALID, at, "string table",
			             "multiple strings with the same ID: id=%" PRIu64
			             ", new=", id);
			gt_error_append(err, b->data + c.pos, (size_t)len);
			gt_error_appendf(err, ", existing=");
			gt_error_append(err, existing.data, existing.len);
			return GOTRACE_ERR_INVALID;
		}
		if (GT_GROW(g->strings, g->strings_cap, g->nstrings + 1) != 0)
			goto nomem;
		if (gt_idmap_put(&g->string_index, id, (uint32_t)g->nstrings) != 0)
			goto nomem;
		g->strings[g->nstrings].data = b->data + c.pos;
		g->strings[g->nstrings].len = (size_t)len;
		g->strings[g->nstrings].id = id;
		g->nstrings++;
		c.pos += (size_t)len;
	}
	return GOTRACE_OK;
nomem:
	gt_error_set(err, GOTRACE_ERR_NOMEM, cur_offset(&c), "string table",
	             "out of memory");
	return GOTRACE_ERR_NOMEM;
}

/* Go prints a stack as one "\t0x<pc>\n" line per PC. */
static void format_stack_pcs(char *buf, size_t cap, const uint64_t *pcs,
                             size_t n)
{
	size_t len = 0, i;

	buf[0] = '\0';
	for (i = 0; i < n && len < cap; i++) {
		int w = snprintf(buf + len, cap - len, "\t0x%" PRIx64 "\n", pcs[i]);

		if (w < 0)
			break;
		len += (size_t)w;
	}
}

static int add_stacks(gt_generation *g, const gt_batch *b,
                      struct gotrace_error *err)
{
	cursor c = {b, 1};

	while (c.pos < b->len) {
		uint64_t at = cur_offset(&c), id, nframes, i;
		uint8_t type = b->data[c.pos++];
		size_t first = g->nstack_pcs;
		gt_stack existing;

		if (type != GOTRACE_WIRE_STACK) {
			gt_error_set(err, GOTRACE_ERR_CORRUPT, at, "stack table",
			             "expected stack event, got %u", type);
			return GOTRACE_ERR_CORRUPT;
		}
		READ_OR_FAIL(&c, &id, err, "stack table: stack ID");
		READ_OR_FAIL(&c, &nframes, err, "stack table: frame count");
		if (nframes > MAX_FRAMES_PER_STACK) {
			gt_error_set(err, GOTRACE_ERR_CORRUPT, at, "stack table",
			             "invalid stack size %" PRIu64 ", maximum is %u",
			             nframes, MAX_FRAMES_PER_STACK);
			return GOTRACE_ERR_CORRUPT;
		}
		if (GT_GROW(g->stack_pcs, g->stack_pcs_cap,
		         g->nstack_pcs + (size_t)nframes) != 0)
			goto nomem;
		for (i = 0; i < nframes; i++) {
			static const char *const field[4] = {"PC", "funcID", "fileID",
			                                     "line"};
			uint64_t v[4];
			uint32_t known;
			int k;

			for (k = 0; k < 4; k++) {
				const char *m;
				uint64_t vat = cur_offset(&c);
				int rc = cur_varint(&c, &v[k], &m);

				if (rc != 0) {
					gt_error_set(err, rc, vat, "stack table",
					             "reading frame %" PRIu64
					             "'s %s for stack %" PRIu64 ": %s",
					             i + 1, field[k], id, m);
					return rc;
				}
			}
			g->stack_pcs[g->nstack_pcs++] = v[0];
			if (!gt_idmap_get(&g->pc_index, v[0], &known)) {
				if (GT_GROW(g->frames, g->frames_cap, g->nframes + 1) != 0 ||
				    gt_idmap_put(&g->pc_index, v[0],
				                 (uint32_t)g->nframes) != 0)
					goto nomem;
				g->frames[g->nframes].pc = v[0];
				g->frames[g->nframes].func_id = v[1];
				g->frames[g->nframes].file_id = v[2];
				g->frames[g->nframes].line = v[3];
				g->nframes++;
			}
		}
		if (gt_generation_stack(g, id, &existing)) {
			char snew[2048], sold[2048];

			format_stack_pcs(snew, sizeof snew,
			                 nframes ? g->stack_pcs + first : NULL,
			                 (size_t)nframes);
			format_stack_pcs(sold, sizeof sold,
			                 existing.n ? g->stack_pcs + existing.first : NULL,
			                 existing.n);
			gt_error_set(err, GOTRACE_ERR_INVALID, at, "stack table",
			             "multiple trace.stacks with the same ID: id=%" PRIu64
			             ", new=%s, existing=%s", id, snew, sold);
			return GOTRACE_ERR_INVALID;
		}
		if (GT_GROW(g->stacks, g->stacks_cap, g->nstacks + 1) != 0)
			goto nomem;
		if (gt_idmap_put(&g->stack_index, id, (uint32_t)g->nstacks) != 0)
			goto nomem;
		g->stacks[g->nstacks].first = (uint32_t)first;
		g->stacks[g->nstacks].n = (uint32_t)nframes;
		g->stacks[g->nstacks].id = id;
		g->stacks[g->nstacks].missing = 0; /* v2 tables are checked whole */
		g->nstacks++;
	}
	return GOTRACE_OK;
nomem:
	gt_error_set(err, GOTRACE_ERR_NOMEM, cur_offset(&c), "stack table",
	             "out of memory");
	return GOTRACE_ERR_NOMEM;
}

static int add_cpu_samples(gt_generation *g, const gt_batch *b,
                           struct gotrace_error *err)
{
	cursor c = {b, 1};

	while (c.pos < b->len) {
		uint64_t at = cur_offset(&c), v[5];
		uint8_t type = b->data[c.pos++];
		gt_cpu_sample *s;
		int k;

		if (type != GOTRACE_WIRE_CPU_SAMPLE) {
			gt_error_set(err, GOTRACE_ERR_CORRUPT, at, "CPU samples",
			             "expected CPU sample event, got %u", type);
			return GOTRACE_ERR_CORRUPT;
		}
		for (k = 0; k < 5; k++)
			READ_OR_FAIL(&c, &v[k], err, "CPU sample");
		if (GT_GROW(g->samples, g->samples_cap, g->nsamples + 1) != 0) {
			gt_error_set(err, GOTRACE_ERR_NOMEM, at, "CPU samples",
			             "out of memory");
			return GOTRACE_ERR_NOMEM;
		}
		s = &g->samples[g->nsamples++];
		s->time = (int64_t)v[0]; /* ticks until the frequency is known */
		s->m = v[1];
		s->p = v[2];
		s->g = v[3];
		s->stack = v[4];
	}
	return GOTRACE_OK;
}

static int set_sync(gt_generation *g, const gt_batch *b, gotrace_version version,
                    struct gotrace_error *err)
{
	/* Before Go 1.25 the batch is a lone Frequency event. */
	cursor c = {b, version >= GOTRACE_GO125 ? 1u : 0u};
	uint64_t last_ts = b->time;

	while (c.pos < b->len) {
		uint64_t at = cur_offset(&c), v;
		uint8_t type = b->data[c.pos++];

		if (type == GOTRACE_WIRE_FREQUENCY) {
			if (g->has_freq) {
				gt_error_set(err, GOTRACE_ERR_INVALID, at, "sync batch",
				             "found multiple frequency events");
				return GOTRACE_ERR_INVALID;
			}
			READ_OR_FAIL(&c, &v, err, "sync batch: frequency");
			g->has_freq = 1;
			gt_generation_set_frequency(g, v);
		} else if (type == GOTRACE_WIRE_CLOCK_SNAPSHOT &&
		           version >= GOTRACE_GO125) {
			uint64_t dt;

			if (g->has_clock) {
				gt_error_set(err, GOTRACE_ERR_INVALID, at, "sync batch",
				             "found multiple clock snapshot events");
				return GOTRACE_ERR_INVALID;
			}
			g->has_clock = 1;
			READ_OR_FAIL(&c, &dt, err, "clock snapshot");
			last_ts += dt;
			g->clock_ts = last_ts;
			READ_OR_FAIL(&c, &g->clock_mono, err, "clock snapshot");
			READ_OR_FAIL(&c, &g->clock_sec, err, "clock snapshot");
			READ_OR_FAIL(&c, &g->clock_nsec, err, "clock snapshot");
		} else {
			gt_error_set(err, GOTRACE_ERR_CORRUPT, at, "sync batch",
			             "expected frequency or clock snapshot event, got %u",
			             type);
			return GOTRACE_ERR_CORRUPT;
		}
	}
	return GOTRACE_OK;
}

static int add_event_batch(gt_generation *g, const gt_batch *b,
                           struct gotrace_error *err)
{
	uint32_t mi;

	if (!gt_idmap_get(&g->m_index, b->m, &mi)) {
		mi = (uint32_t)g->nms;
		if (GT_GROW(g->ms, g->ms_cap, g->nms + 1) != 0 ||
		    gt_idmap_put(&g->m_index, b->m, mi) != 0)
			goto nomem;
		g->ms[g->nms++] = b->m;
	}
	if (GT_GROW(g->batches, g->batches_cap, g->nbatches + 1) != 0)
		goto nomem;
	g->batches[g->nbatches] = *b;
	g->batches[g->nbatches].m_slot = mi;
	g->nbatches++;
	return GOTRACE_OK;
nomem:
	gt_error_set(err, GOTRACE_ERR_NOMEM, b->offset, "event batch",
	             "out of memory");
	return GOTRACE_ERR_NOMEM;
}

static int process_batch(gt_generation *g, const gt_batch *b, gotrace_version version,
                         struct gotrace_error *err)
{
	uint8_t kind = b->len > 0 ? b->data[0] : 0;

	g->data_bytes += b->len;

	if (b->exp != 0) {
		if (GT_GROW(g->exp_batches, g->exp_cap, g->nexp + 1) != 0) {
			gt_error_set(err, GOTRACE_ERR_NOMEM, b->offset,
			             "experimental batch", "out of memory");
			return GOTRACE_ERR_NOMEM;
		}
		g->exp_batches[g->nexp++] = *b;
		return GOTRACE_OK;
	}
	if (b->len == 0)
		return add_event_batch(g, b, err);
	switch (kind) {
	case GOTRACE_WIRE_STRINGS:
		return add_strings(g, b, err);
	case GOTRACE_WIRE_STACKS:
		return add_stacks(g, b, err);
	case GOTRACE_WIRE_CPU_SAMPLES:
		return add_cpu_samples(g, b, err);
	case GOTRACE_WIRE_FREQUENCY:
		if (version < GOTRACE_GO125)
			return set_sync(g, b, version, err);
		break;
	case GOTRACE_WIRE_SYNC:
		if (version >= GOTRACE_GO125)
			return set_sync(g, b, version, err);
		break;
	case GOTRACE_WIRE_END_OF_GENERATION:
		gt_error_set(err, GOTRACE_ERR_CORRUPT, b->offset, NULL,
		             "internal error: unexpectedly processing "
		             "EndOfGeneration; broken trace?");
		return GOTRACE_ERR_CORRUPT;
	default:
		break;
	}
	return add_event_batch(g, b, err);
}

/* ---- reading batches from the stream ----------------------------------- */

void gt_genreader_init(gt_genreader *gr, gt_stream *s, gotrace_version version)
{
	memset(gr, 0, sizeof *gr);
	gr->s = s;
	gr->version = version;
	gr->zero_copy = s->in->kind == GT_SOURCE_MEMORY;
	gt_error_clear(&gr->deferred_err);
}

void gt_genreader_free(gt_genreader *gr)
{
	free(gr->spill_buf);
	gr->spill_buf = NULL;
}

static int fill_error(gt_genreader *gr, int rc, size_t off,
                      struct gotrace_error *err)
{
	if (rc == GOTRACE_ERR_IO)
		gt_error_set(err, rc, gr->s->offset + off, "reading input",
		             "read error");
	else
		gt_error_set(err, rc, gr->s->offset + off, "buffering batch",
		             "out of memory");
	return rc;
}

enum { BATCH_OK = 0, BATCH_EOF = 1 };

/*
 * Reads one batch header and payload. The payload is left in the stream
 * window (valid until the next stream call); the caller copies it.
 * Returns BATCH_OK, BATCH_EOF (Go's bare io.EOF: no byte of a batch, or
 * an experimental batch cut right after its type byte) or an error.
 */
static int read_batch(gt_genreader *gr, gt_batch *b, uint64_t *gen,
                      size_t *consumed, struct gotrace_error *err)
{
	static const char *const what[4] = {
		"error reading batch gen", "error reading batch M ID",
		"error reading batch timestamp", "error reading batch size"};
	gt_stream *s = gr->s;
	uint64_t hdr[4];
	size_t off = 1, avail;
	uint8_t type;
	int rc, k;

	memset(b, 0, sizeof *b);
	*gen = 0;
	rc = gt_stream_need(s, 2);
	if (rc != GOTRACE_OK)
		return fill_error(gr, rc, 0, err);
	if (gt_stream_avail(s) == 0)
		return BATCH_EOF;
	b->offset = s->offset;
	type = s->pos[0];
	if (type == GOTRACE_WIRE_END_OF_GENERATION) {
		b->m = NO_THREAD;
		b->data = &end_of_generation_byte;
		b->len = 1;
		b->data_offset = s->offset;
		*consumed = 1;
		return BATCH_OK;
	}
	if (type != GOTRACE_WIRE_EVENT_BATCH &&
	    type != GOTRACE_WIRE_EXPERIMENTAL_BATCH) {
		gt_error_set(err, GOTRACE_ERR_CORRUPT, s->offset, NULL,
		             "expected batch event, got event %u", type);
		return GOTRACE_ERR_CORRUPT;
	}
	if (type == GOTRACE_WIRE_EXPERIMENTAL_BATCH) {
		if (gt_stream_avail(s) < 2)
			return BATCH_EOF;
		b->exp = s->pos[1];
		off = 2;
	}
	for (k = 0; k < 4; k++) {
		size_t len;
		const char *m;
		int vrc;

		rc = gt_stream_need(s, off + 10);
		if (rc != GOTRACE_OK)
			return fill_error(gr, rc, off, err);
		avail = gt_stream_avail(s) - off;
		if (avail == 0) {
			m = "EOF";
			vrc = GOTRACE_ERR_TRUNCATED;
		} else {
			switch (gt_varint_decode(s->pos + off, avail, &hdr[k], &len)) {
			case GT_VARINT_OK:
				off += len;
				continue;
			case GT_VARINT_SHORT:
				m = "unexpected EOF";
				vrc = GOTRACE_ERR_TRUNCATED;
				break;
			default:
				m = "binary: varint overflows a 64-bit integer";
				vrc = GOTRACE_ERR_CORRUPT;
				break;
			}
		}
		gt_error_set(err, vrc, s->offset + off, "batch header", "%s: %s",
		             what[k], m);
		return vrc;
	}
	*gen = hdr[0];
	b->m = hdr[1];
	b->time = hdr[2];
	if (hdr[3] > MAX_BATCH_SIZE) {
		gt_error_set(err, GOTRACE_ERR_CORRUPT, b->offset, "batch header",
		             "invalid batch size %" PRIu64 ", maximum is %u", hdr[3],
		             MAX_BATCH_SIZE);
		return GOTRACE_ERR_CORRUPT;
	}
	rc = gt_stream_need(s, off + (size_t)hdr[3]);
	if (rc != GOTRACE_OK)
		return fill_error(gr, rc, off, err);
	avail = gt_stream_avail(s) - off;
	if (avail < hdr[3]) {
		gt_error_set(err, GOTRACE_ERR_TRUNCATED, s->offset + off + avail,
		             "batch payload",
		             "failed to read full batch: read %zu but wanted %" PRIu64,
		             avail, hdr[3]);
		return GOTRACE_ERR_TRUNCATED;
	}
	b->data = s->pos + off;
	b->len = (size_t)hdr[3];
	b->data_offset = s->offset + off;
	*consumed = off + b->len;
	return BATCH_OK;
}

/* Moves a batch's payload out of the stream window into dst (or keeps it
 * in place for memory inputs), then consumes it from the stream. */
static int keep_batch(gt_genreader *gr, gt_batch *b, size_t consumed,
                      uint8_t *dst)
{
	int rc = 0;

	if (!gr->zero_copy && b->data != &end_of_generation_byte) {
		if (b->len == 0)
			b->data = NULL;
		else if (dst == NULL)
			rc = -1;
		else {
			memcpy(dst, b->data, b->len);
			b->data = dst;
		}
	}
	gt_stream_skip(gr->s, consumed);
	return rc;
}

static int read_into_generation(gt_genreader *gr, gt_generation *g,
                                gt_batch *b, uint64_t *gen,
                                struct gotrace_error *err)
{
	size_t consumed = 0;
	int rc = read_batch(gr, b, gen, &consumed, err);
	uint8_t *dst = NULL;

	if (rc != BATCH_OK)
		return rc;
	if (!gr->zero_copy && b->len > 0 && b->data != &end_of_generation_byte) {
		dst = gt_arena_alloc(&g->arena, b->len);
		if (dst == NULL) {
			gt_error_set(err, GOTRACE_ERR_NOMEM, b->offset, "batch",
			             "out of memory");
			return GOTRACE_ERR_NOMEM;
		}
	}
	if (keep_batch(gr, b, consumed, dst) != 0) {
		gt_error_set(err, GOTRACE_ERR_NOMEM, b->offset, "batch",
		             "out of memory");
		return GOTRACE_ERR_NOMEM;
	}
	return BATCH_OK;
}

static int finish_generation(gt_generation *g, gotrace_version version,
                             struct gotrace_error *err);

/* The reader's memory limit: a generation may hold at most this many
 * bytes of batches (its tables and per-event state scale with them). */
static int check_limit(const gt_genreader *gr, const gt_generation *g,
                       const gt_batch *b, struct gotrace_error *err)
{
	if (gr->limit == 0 || g->data_bytes <= gr->limit)
		return GOTRACE_OK;
	gt_error_set_detail(err, GOTRACE_ERR_LIMIT, b->offset,
	                    "memory limit exceeded",
	                    "generation %llu holds more than the memory limit of "
	                    "%llu bytes", (unsigned long long)g->gen,
	                    (unsigned long long)gr->limit);
	return GOTRACE_ERR_LIMIT;
}

/* Go 1.26+: generations end with an explicit EndOfGeneration batch. */
static int next_with_marker(gt_genreader *gr, gt_generation *g,
                            struct gotrace_error *err)
{
	for (;;) {
		gt_batch b;
		uint64_t gen;
		int rc = read_into_generation(gr, g, &b, &gen, err);

		if (rc == BATCH_EOF) {
			if (g->nbatches != 0) {
				gt_error_set(err, GOTRACE_ERR_TRUNCATED, gr->s->offset,
				             NULL, "incomplete generation found; "
				             "trace likely truncated");
				return GOTRACE_ERR_TRUNCATED;
			}
			return GOTRACE_EOF;
		}
		if (rc != BATCH_OK)
			return rc;
		if (g->gen == 0)
			g->gen = gen;
		if (b.exp == 0 && b.len > 0 &&
		    b.data[0] == GOTRACE_WIRE_END_OF_GENERATION)
			break;
		if (gen == 0) {
			gt_error_set(err, GOTRACE_ERR_CORRUPT, b.offset, NULL,
			             "invalid generation number %" PRIu64, gen);
			return GOTRACE_ERR_CORRUPT;
		}
		if (gen != g->gen) {
			gt_error_set(err, GOTRACE_ERR_INVALID, b.offset, NULL,
			             "broken trace: missing end-of-generation event, "
			             "or generations are interleaved");
			return GOTRACE_ERR_INVALID;
		}
		if (g->min_ts == 0 || b.time < g->min_ts)
			g->min_ts = b.time;
		rc = process_batch(g, &b, gr->version, err);
		if (rc != GOTRACE_OK)
			return rc;
		if ((rc = check_limit(gr, g, &b, err)) != GOTRACE_OK)
			return rc;
	}
	g->end_offset = gr->s->offset;
	return finish_generation(g, gr->version, err);
}

/* Before Go 1.26: a generation ends where a batch of the next one starts. */
static int next_with_spill(gt_genreader *gr, gt_generation *g,
                           struct gotrace_error *err)
{
	int rc;

	/* Without a spilled batch, the last generation was the final one. The
	 * first call always reads: an empty trace fails like Go's, with "no
	 * frequency event found". */
	if (gr->started && !gr->has_spill)
		return GOTRACE_EOF;
	gr->started = 1;
	if (gr->has_spill) {
		gt_batch b = gr->spill;

		if (!gr->zero_copy && b.len > 0) {
			uint8_t *dst = gt_arena_alloc(&g->arena, b.len);

			if (dst == NULL) {
				gt_error_set(err, GOTRACE_ERR_NOMEM, b.offset, "batch",
				             "out of memory");
				return GOTRACE_ERR_NOMEM;
			}
			memcpy(dst, b.data, b.len);
			b.data = dst;
		}
		gr->has_spill = 0;
		g->gen = gr->spill_gen;
		g->min_ts = b.time;
		rc = process_batch(g, &b, gr->version, err);
		if (rc != GOTRACE_OK)
			return rc;
	}
	for (;;) {
		gt_batch b;
		uint64_t gen;
		size_t consumed = 0;

		rc = read_batch(gr, &b, &gen, &consumed, err);
		if (rc == BATCH_EOF)
			break;
		if (rc != BATCH_OK) {
			if (g->gen != 0) {
				/* Perhaps the next generation's first batch is bad;
				 * what we have so far is returned first. */
				gr->deferred = 1;
				gr->deferred_err = *err;
				gt_error_clear(err);
				break;
			}
			return rc;
		}
		if (gen == 0) {
			gt_error_set(err, GOTRACE_ERR_CORRUPT, b.offset, NULL,
			             "invalid generation number %" PRIu64, gen);
			return GOTRACE_ERR_CORRUPT;
		}
		if (g->gen == 0)
			g->gen = gen;
		if (gen == g->gen + 1) {
			uint8_t *dst = NULL;

			if (!gr->zero_copy) {
				if (gr->spill_buf == NULL)
					gr->spill_buf = malloc(MAX_BATCH_SIZE);
				dst = gr->spill_buf;
			}
			if (keep_batch(gr, &b, consumed, dst) != 0) {
				gt_error_set(err, GOTRACE_ERR_NOMEM, b.offset, "batch",
				             "out of memory");
				return GOTRACE_ERR_NOMEM;
			}
			gr->spill = b;
			gr->spill_gen = gen;
			gr->has_spill = 1;
			break;
		}
		if (gen != g->gen) {
			gt_error_set(err, GOTRACE_ERR_INVALID, b.offset, NULL,
			             "generations out of order");
			return GOTRACE_ERR_INVALID;
		}
		{
			uint8_t *dst = NULL;

			if (!gr->zero_copy && b.len > 0 &&
			    b.data != &end_of_generation_byte) {
				dst = gt_arena_alloc(&g->arena, b.len);
				if (dst == NULL) {
					gt_error_set(err, GOTRACE_ERR_NOMEM, b.offset,
					             "batch", "out of memory");
					return GOTRACE_ERR_NOMEM;
				}
			}
			if (keep_batch(gr, &b, consumed, dst) != 0) {
				gt_error_set(err, GOTRACE_ERR_NOMEM, b.offset, "batch",
				             "out of memory");
				return GOTRACE_ERR_NOMEM;
			}
		}
		if (g->min_ts == 0 || b.time < g->min_ts)
			g->min_ts = b.time;
		rc = process_batch(g, &b, gr->version, err);
		if (rc != GOTRACE_OK)
			return rc;
		if ((rc = check_limit(gr, g, &b, err)) != GOTRACE_OK)
			return rc;
	}
	g->end_offset = gr->s->offset;
	return finish_generation(g, gr->version, err);
}

static int cmp_sample_time(const void *pa, const void *pb)
{
	const gt_cpu_sample *a = pa, *b = pb;

	return (a->time > b->time) - (a->time < b->time);
}

static int finish_generation(gt_generation *g, gotrace_version version,
                             struct gotrace_error *err)
{
	uint64_t bad_stack = 0, bad_id = 0;
	int bad = 0, bad_is_file = 0;
	size_t i, j;

	if (!g->has_freq) {
		gt_error_set(err, GOTRACE_ERR_INVALID, g->end_offset, NULL,
		             "no frequency event found");
		return GOTRACE_ERR_INVALID;
	}
	if (version >= GOTRACE_GO125 && !g->has_clock) {
		gt_error_set(err, GOTRACE_ERR_INVALID, g->end_offset, NULL,
		             "no clock snapshot event found");
		return GOTRACE_ERR_INVALID;
	}
	/* Every frame's strings must exist; report the lowest bad stack ID,
	 * which is the one Go's parser finds first. */
	for (i = 0; i < g->nstacks; i++) {
		const gt_stack *st = &g->stacks[i];

		if (bad && g->stacks[i].id >= bad_stack)
			continue;
		for (j = 0; j < st->n; j++) {
			gt_frame f;
			gt_string s;

			if (!gt_generation_frame(g, g->stack_pcs[st->first + j], &f))
				continue;
			if (!gt_generation_string(g, f.func_id, &s)) {
				bad = 1, bad_is_file = 0;
				bad_stack = g->stacks[i].id, bad_id = f.func_id;
				break;
			}
			if (!gt_generation_string(g, f.file_id, &s)) {
				bad = 1, bad_is_file = 1;
				bad_stack = g->stacks[i].id, bad_id = f.file_id;
				break;
			}
		}
	}
	if (bad) {
		gt_error_set(err, GOTRACE_ERR_INVALID, g->end_offset, NULL,
		             "found invalid %s string ID %" PRIu64
		             " for stack %" PRIu64,
		             bad_is_file ? "file" : "func", bad_id, bad_stack);
		return GOTRACE_ERR_INVALID;
	}
	for (i = 0; i < g->nsamples; i++)
		g->samples[i].time =
			gt_ticks_to_ns(g->ns_per_tick, (uint64_t)g->samples[i].time);
	if (gt_stable_sort(g->samples, g->nsamples, sizeof *g->samples,
	                   cmp_sample_time) != 0) {
		gt_error_set(err, GOTRACE_ERR_NOMEM, g->end_offset, "CPU samples",
		             "out of memory");
		return GOTRACE_ERR_NOMEM;
	}
	return GOTRACE_OK;
}

int gt_genreader_next(gt_genreader *gr, gt_generation *g,
                      struct gotrace_error *err)
{
	int rc;

	gt_generation_reset(g);
	g->start_offset = gt_genreader_next_start(gr);
	if (gr->deferred) {
		gr->deferred = 0;
		gr->done = 1;
		*err = gr->deferred_err;
		return err->code;
	}
	if (gr->done)
		return GOTRACE_EOF;
	if (gr->version >= GOTRACE_GO126)
		rc = next_with_marker(gr, g, err);
	else
		rc = next_with_spill(gr, g, err);
	if (rc == GOTRACE_OK) {
		/* The tables are complete; events look IDs up from here on. */
		gt_idmap_densify(&g->string_index);
		gt_idmap_densify(&g->stack_index);
	}
	if (rc != GOTRACE_OK) {
		gr->done = 1;
		gr->deferred = 0;
	}
	return rc;
}
