/*
 * The ordered reader: generation by generation, merge the per-M batches
 * into one stream through the ordering engine, interleave CPU samples,
 * and frame each generation with Sync events, as Go's parser does.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "gen/generation.h"
#include "base/grow.h"
#include "wire/header.h"
#include "order/order.h"
#include "reader/reader_internal.h"
#include "reader/resolve.h"
#include "wire/spec.h"
#include "io/stream.h"
#include "wire/varint.h"
#include "gotrace/reader.h"
#include "gotrace/wire.h"

/* ---- batch cursors: one per M, walking its batches in order ------------- */

/* Points c at batch b, or past the end of its M's batches. */
static void cursor_enter(gt_cursor *c, const gt_generation *g, size_t b)
{
	c->batch = b;
	if (b >= g->nbatches) {
		c->p = c->end = c->base = NULL;
		return;
	}
	c->base = c->p = g->batches[b].data;
	c->end = c->base + g->batches[b].len;
	c->base_offset = g->batches[b].data_offset;
	c->last_ts = 0; /* cursor_next starts from the batch's time */
}

static void cursor_init(gt_cursor *c, const gt_generation *g, uint32_t m_slot,
                        size_t first_batch)
{
	memset(c, 0, sizeof *c);
	c->m = (int64_t)g->ms[m_slot];
	c->m_hint = UINT32_MAX;
	c->ev = &c->evs[0];
	cursor_enter(c, g, first_batch);
}

/* The checked decode, for an event near its batch's end or a damaged one:
 * the same result as the fast path, or the error Go's parser gives. */
static int cursor_decode_checked(gt_cursor *c, const gt_spec *spec,
                                 gt_event *e, struct gotrace_error *err,
                                 uint64_t *dt)
{
	const uint8_t *p = c->ev_at + 1;
	uint64_t v;
	size_t len, i;

	if (gt_varint_decode(p, (size_t)(c->end - p), dt, &len) != GT_VARINT_OK) {
		gt_error_set(err, GOTRACE_ERR_CORRUPT,
		             c->base_offset + (uint64_t)(p - c->base), NULL,
		             "found invalid uvarint for timestamp");
		return GOTRACE_ERR_CORRUPT;
	}
	p += len;
	for (i = 0; i + 1 < spec->nargs; i++) {
		if (gt_varint_decode(p, (size_t)(c->end - p), &v, &len) !=
		    GT_VARINT_OK) {
			gt_error_set(err, GOTRACE_ERR_CORRUPT,
			             c->base_offset + (uint64_t)(p - c->base), NULL,
			             "found invalid uvarint");
			return GOTRACE_ERR_CORRUPT;
		}
		e->args[i] = v;
		p += len;
	}
	c->p = p;
	return 1;
}

/* Bytes that always hold a whole timed event: type, dt and 4 arguments. */
#define MAX_TIMED_EVENT (1 + 5 * GT_VARINT_MAX)

/* cursor_next's error for a type that cannot appear in a batch. */
static GT_COLD int untimed_event(const gt_cursor *c, uint8_t type,
                                 struct gotrace_error *err)
{
	if (type >= GT_SPEC_TABLE_SIZE)
		gt_error_set(err, GOTRACE_ERR_CORRUPT, gt_cursor_offset(c), NULL,
		             "found invalid event type: %u", type);
	else
		gt_error_set(err, GOTRACE_ERR_CORRUPT, gt_cursor_offset(c), NULL,
		             "found event without a timestamp: type=%u", type);
	return GOTRACE_ERR_CORRUPT;
}

/*
 * Decodes the cursor's next timed event. Returns 1 with c->ev pointing to
 * it (in the slot c->ev did not point to), 0 if
 * the M has no more events, or an error (err set).
 */
static GT_ALWAYS_INLINE int cursor_next(gt_cursor *c, const gt_generation *g,
                       const gotrace_reader *r, struct gotrace_error *err)
{
	gt_event *e = c->ev == &c->evs[0] ? &c->evs[1] : &c->evs[0];
	const uint8_t *p;
	uint64_t dt = 0;
	uint8_t type, nargs;
	int rc;

	while (c->p == c->end) {
		if (c->batch >= g->nbatches)
			return 0;
		cursor_enter(c, g, r->batch_next[c->batch]);
	}
	p = c->ev_at = c->p;
	type = *p;
	nargs = r->timed_nargs[type];
	if (nargs == 0)
		return untimed_event(c, type, err);
	memset(e->args, 0, sizeof e->args);
	e->gslot = GT_NO_SLOT;
	if ((size_t)(c->end - p) >= MAX_TIMED_EVENT) {
		uint64_t *a = e->args;

		/* Unrolled: nargs counts dt, and is 1 to 5. */
		p = gt_varint_decode_fast(p + 1, &dt);
		switch (nargs) {
		case 5: if (p) p = gt_varint_decode_fast(p, a++); /* fall through */
		case 4: if (p) p = gt_varint_decode_fast(p, a++); /* fall through */
		case 3: if (p) p = gt_varint_decode_fast(p, a++); /* fall through */
		case 2: if (p) p = gt_varint_decode_fast(p, a++); /* fall through */
		default: break;
		}
	} else {
		p = NULL;
	}
	if (p != NULL) {
		c->p = p;
	} else {
		/* Near the batch's end, or an overlong varint. */
		rc = cursor_decode_checked(c, &gt_specs[type], e, err, &dt);
		if (rc != 1)
			return rc;
	}
	e->type = type;
	/* As in Go's cursor, a running time of 0 means "not started": count
	 * from the batch's time. That is each batch's first event, and any
	 * event after one whose time came to exactly 0 (a zero frequency,
	 * times that wrap). */
	if (c->last_ts == 0)
		c->last_ts = gt_ticks_to_ns(g->ns_per_tick,
		                            g->batches[c->batch].time);
	e->time = (int64_t)((uint64_t)gt_generation_ticks_to_ns(g, dt) +
	                    (uint64_t)c->last_ts);
	c->last_ts = e->time;
	c->ev = e;
	return 1;
}

/* ---- the frontier: a binary min-heap of cursors by next event time ------ */

static int64_t ftime(const gotrace_reader *r, size_t i)
{
	return r->frontier[i].time;
}

static void fswap(gotrace_reader *r, size_t i, size_t j)
{
	struct gt_front t = r->frontier[i];

	r->frontier[i] = r->frontier[j];
	r->frontier[j] = t;
}

/* Both sifts move a hole instead of swapping; the comparisons are those
 * of Go's heap, so equal times come out in the same order. */
static size_t sift_up(gotrace_reader *r, size_t i)
{
	struct gt_front *f = r->frontier, x = f[i];

	while (i > 0 && f[(i - 1) / 2].time > x.time) {
		f[i] = f[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	f[i] = x;
	return i;
}

/*
 * Past the heap's end the frontier holds sentinels, INT64_MAX, far enough
 * for any node's children: no child is ever earlier than a sentinel, and
 * no sentinel earlier than anything, so the walk down needs no bounds
 * checks and still stops where the bounded one would.
 */
static GT_ALWAYS_INLINE void sift_down(gotrace_reader *r, size_t i)
{
	struct gt_front *f = r->frontier, x;

	x = f[i];
	for (;;) {
		size_t c = 2 * i + 1;

		c += f[c + 1].time < f[c].time; /* the earlier child */
		if (!(f[c].time < x.time))
			break;
		f[i] = f[c];
		i = c;
	}
	f[i] = x;
}

static void heap_insert(gotrace_reader *r, uint32_t cursor)
{
	r->frontier[r->nfrontier].time = r->cursors[cursor].ev->time;
	r->frontier[r->nfrontier++].c = cursor;
	sift_up(r, r->nfrontier - 1);
}

static void heap_update(gotrace_reader *r, size_t i)
{
	if (sift_up(r, i) != i)
		return;
	sift_down(r, i);
}

static void heap_remove(gotrace_reader *r, size_t i)
{
	while (i > 0) {
		fswap(r, (i - 1) / 2, i);
		i = (i - 1) / 2;
	}
	fswap(r, 0, r->nfrontier - 1);
	r->nfrontier--;
	r->frontier[r->nfrontier].time = INT64_MAX;
	sift_down(r, 0);
}

/* Orders the frontier by time, tied entries as Go's sort leaves them. A
 * sorted array is still a valid heap. */
static void sort_frontier(gotrace_reader *r)
{
	gt_frontier_sort(r->frontier, r->nfrontier);
}

/* ---- lifecycle ----------------------------------------------------------- */

static void make_sync(gotrace_reader *r, gt_event *ev, const gt_generation *g,
                      int64_t ts);

/*
 * v1 traces cannot be streamed (tables may come last, and order depends on
 * the whole file), so the reader takes all of the input, as Go's does.
 * Memory inputs are used in place.
 */
static int open_v1(gotrace_reader *r)
{
	const uint8_t *data;
	size_t len;
	int rc;

	r->is_v1 = 1;
	/* Go's v1 conversion is not checked against the state rules and can
	 * break them on damaged traces that Go still accepts; follow along
	 * and count the violations instead of failing. */
	r->st.lenient = 1;
	gt_v1_trace_init(&r->v1);
	if (r->in->kind == GT_SOURCE_MEMORY) {
		data = r->s.pos;
		len = gt_stream_avail(&r->s);
	} else {
		size_t cap = gt_stream_avail(&r->s) + 65536;

		r->v1_bytes = malloc(cap);
		if (r->v1_bytes == NULL)
			goto nomem;
		len = gt_stream_avail(&r->s);
		if (len > 0)
			memcpy(r->v1_bytes, r->s.pos, len);
		for (;;) {
			long got;

			if (len == cap) {
				uint8_t *nb;

				if (cap > SIZE_MAX / 2)
					goto nomem;
				nb = realloc(r->v1_bytes, cap * 2);
				if (nb == NULL)
					goto nomem;
				r->v1_bytes = nb;
				cap *= 2;
			}
			got = gt_source_read(r->in, r->v1_bytes + len, cap - len);
			if (got < 0) {
				gt_error_set(&r->err, GOTRACE_ERR_IO, r->s.offset + len,
				             "reading input", "read error");
				return GOTRACE_ERR_IO;
			}
			if (got == 0)
				break;
			len += (size_t)got;
			if (r->opts.max_memory != 0 && len > r->opts.max_memory)
				break; /* reported below */
		}
		data = r->v1_bytes;
	}
	gt_stream_skip(&r->s, gt_stream_avail(&r->s));
	if (r->opts.max_memory != 0 && len > r->opts.max_memory) {
		gt_error_set_detail(&r->err, GOTRACE_ERR_LIMIT, r->s.offset,
		                    "memory limit exceeded",
		                    "v1 trace of %zu bytes exceeds the memory limit of "
		                    "%llu bytes", len,
		                    (unsigned long long)r->opts.max_memory);
		return GOTRACE_ERR_LIMIT;
	}
	rc = gt_v1_parse(&r->v1, data, len, (int)r->version, r->opts.ordering,
	                 &r->err);
	if (rc != GOTRACE_OK)
		return rc;
	if (r->opts.max_memory != 0 &&
	    len + r->v1.nevents * sizeof(gt_v1_event) > r->opts.max_memory) {
		gt_error_set_detail(&r->err, GOTRACE_ERR_LIMIT, r->s.offset,
		                    "memory limit exceeded",
		                    "v1 trace of %zu bytes and %zu events exceeds the "
		                    "memory limit of %llu bytes", len, r->v1.nevents,
		                    (unsigned long long)r->opts.max_memory);
		return GOTRACE_ERR_LIMIT;
	}
	return gt_v1_converter_init(&r->v1c, &r->v1, &r->order, &r->err);
nomem:
	gt_error_set(&r->err, GOTRACE_ERR_NOMEM, r->s.offset, "reading v1 trace",
	             "out of memory");
	return GOTRACE_ERR_NOMEM;
}

/* v1 events come from the converter, framed by one Sync at each end. */
static int next_v1(gotrace_reader *r, gt_event *ev)
{
	int64_t first;
	int rc;

	if (r->syncs == 0 && gt_v1_converter_peek_ts(&r->v1c, &first)) {
		make_sync(r, ev, &r->v1c.table, first - 1);
		return GOTRACE_OK;
	}
	rc = gt_v1_converter_next(&r->v1c, ev, &r->perr);
	if (rc == 1)
		return GOTRACE_OK;
	if (rc == 0) {
		r->done = 1;
		r->valid_bytes = r->s.offset;
		make_sync(r, ev, NULL, r->v1c.last_ts + 1);
		return GOTRACE_OK;
	}
	return rc;
}

int gotrace_reader_new(gotrace_reader **out, gotrace_input *in)
{
	return gotrace_reader_new_opts(out, in, NULL);
}

/*
 * The end of the last field of the first gotrace_reader_options with a
 * struct_size: the smallest struct a caller can have. Fields added later
 * are read only when the caller's struct_size covers them.
 */
#define READER_OPTIONS_MIN_SIZE                                              \
	(offsetof(gotrace_reader_options, threads) + sizeof(int))

/* Copies the part of the caller's options that its struct_size covers;
 * the rest keeps the defaults (zero). */
static int copy_options(gotrace_reader_options *dst,
                        const gotrace_reader_options *opts)
{
	memset(dst, 0, sizeof *dst);
	if (opts != NULL) {
		if (opts->struct_size < READER_OPTIONS_MIN_SIZE)
			return GOTRACE_ERR_ARG;
		memcpy(dst, opts, opts->struct_size < sizeof *dst
		                      ? opts->struct_size : sizeof *dst);
	}
	dst->struct_size = sizeof *dst;
	if (dst->ordering < GOTRACE_ORDERING_AUTO ||
	    dst->ordering > GOTRACE_ORDERING_PARKING)
		return GOTRACE_ERR_ARG;
	return GOTRACE_OK;
}

int gotrace_reader_new_opts(gotrace_reader **out, gotrace_input *in,
                            const gotrace_reader_options *opts)
{
	gotrace_reader_options o;
	gotrace_reader *r;
	size_t i;
	int rc;

	if (out == NULL || in == NULL)
		return GOTRACE_ERR_ARG;
	*out = NULL;
	if ((rc = copy_options(&o, opts)) != GOTRACE_OK)
		return rc;
	r = calloc(1, sizeof *r);
	if (r == NULL)
		return GOTRACE_ERR_NOMEM;
	gt_park_init(&r->park);
	r->in = in;
	r->opts = o;
	gt_stream_init(&r->s, in);
	gt_error_clear(&r->err);
	gt_error_clear(&r->perr);
	gt_generation_init(&r->gens[0]);
	gt_generation_init(&r->gens[1]);
	r->gen = &r->gens[0];
	*out = r;
	rc = gt_header_read(&r->s, &r->version, &r->err);
	r->pub_offset = r->s.offset;
	if (rc != GOTRACE_OK) {
		r->state = rc;
		return rc;
	}
	gt_order_init(&r->order, r->version);
	gt_state_init(&r->st);
	if (!gotrace_version_is_v2(r->version)) {
		rc = open_v1(r);
		r->pub_offset = r->s.offset;
		if (rc != GOTRACE_OK)
			r->state = rc;
		return rc;
	}
	gt_genreader_init(&r->gr, &r->s, r->version);
	r->gr.limit = r->opts.max_memory;
	r->last_ts = 0;
	for (i = 0; i < GT_SPEC_SLOTS; i++)
		r->timed_nargs[i] = gt_specs[i].timed ? gt_specs[i].nargs : 0;
	return GOTRACE_OK;
}

void gotrace_reader_free(gotrace_reader *r)
{
	if (r == NULL)
		return;
	/* First: the worker may be using everything below. */
	gt_pipe_stop(r->pipe);
	gt_reader_free_random_access(r);
	gt_genreader_free(&r->gr);
	gt_generation_free(&r->gens[0]);
	gt_generation_free(&r->gens[1]);
	if (r->is_v1) {
		gt_v1_converter_free(&r->v1c);
		gt_v1_trace_free(&r->v1);
		free(r->v1_bytes);
	}
	gt_order_free(&r->order);
	gt_state_free(&r->st);
	gt_stream_destroy(&r->s);
	gotrace_input_free(r->in);
	free(r->cursors);
	free(r->frontier);
	free(r->batch_next);
	gt_park_free(&r->park);
	free(r);
}

gotrace_version gotrace_reader_version(const gotrace_reader *r)
{
	return r != NULL ? r->version : GOTRACE_VERSION_UNKNOWN;
}

const gotrace_error *gotrace_reader_error(const gotrace_reader *r)
{
	return r != NULL ? &r->err : NULL;
}

uint64_t gotrace_reader_generation(const gotrace_reader *r)
{
	return r != NULL ? r->pub_gen : 0;
}

uint64_t gotrace_reader_valid_bytes(const gotrace_reader *r)
{
	return r != NULL ? r->pub_valid_bytes : 0;
}

uint64_t gotrace_reader_parked_generations(const gotrace_reader *r)
{
	if (r == NULL)
		return 0;
	return r->is_v1 ? (uint64_t)r->v1.merge_parked : r->pub_parked;
}

int gotrace_reader_incomplete(const gotrace_reader *r)
{
	return r != NULL && r->pub_incomplete;
}

uint64_t gotrace_reader_offset(const gotrace_reader *r)
{
	return r != NULL ? r->pub_offset : 0;
}

/* ---- producing events ---------------------------------------------------- */

/* A Sync also carries the producer's progress to the consumer's getters:
 * the generation, the valid bytes and the input offset, in args[1..3]. */
static void make_sync(gotrace_reader *r, gt_event *ev, const gt_generation *g,
                      int64_t ts)
{
	memset(ev, 0, sizeof *ev);
	ev->gslot = GT_NO_SLOT;
	ev->type = GT_EV_SYNC;
	ev->time = ts;
	ev->m = ev->p = ev->g = GT_NO_ID;
	ev->gen = g;
	r->syncs++;
	ev->args[0] = r->syncs;
	ev->args[1] = r->cur_gen;
	ev->args[2] = r->valid_bytes;
	ev->args[3] = r->s.offset;
}

static int fail_with(gotrace_reader *r, int rc)
{
	r->state = rc;
	return rc;
}

/*
 * Chains each M's batches: batch_next[b] is the index of the next batch of
 * b's M (nbatches if none), batch_next[nbatches + m] the first of M slot m.
 */
static int link_batches(gotrace_reader *r)
{
	const gt_generation *g = r->gen;
	size_t need = g->nbatches + g->nms, i;
	uint32_t end;

	if (g->nbatches >= UINT32_MAX)
		return -1;
	if (GT_GROW(r->batch_next, r->batch_next_cap, need) != 0)
		return -1;
	end = (uint32_t)g->nbatches;
	for (i = 0; i < g->nms; i++)
		r->batch_next[g->nbatches + i] = end;
	/* Walk backwards so each M's list ends up in file order. */
	for (i = g->nbatches; i-- > 0;) {
		uint32_t *head = &r->batch_next[g->nbatches + g->batches[i].m_slot];

		r->batch_next[i] = *head;
		*head = (uint32_t)i;
	}
	return 0;
}

/* Sets up cursors and the frontier for a freshly read generation. */
static int install_generation(gotrace_reader *r, gt_event *ev)
{
	const gt_generation *g = r->gen;
	size_t i;

	if (link_batches(r) != 0)
		goto nomem;
	r->parking = r->opts.ordering == GOTRACE_ORDERING_PARKING;
	r->parked_gens += (uint64_t)r->parking;
	gt_order_track(&r->order, r->parking);
	r->retry_work = 0;
	r->accepted = 0;
	if (gt_park_reset(&r->park, g->nms) != 0)
		goto nomem;
	if (g->nms > r->cursors_cap) {
		gt_cursor *nc = realloc(r->cursors, g->nms * sizeof *nc);
		struct gt_front *nf;

		if (nc == NULL)
			goto nomem;
		r->cursors = nc;
		/* Room for the sentinels past the heap (sift_down). */
		if (g->nms > SIZE_MAX / 2 / sizeof *nf - 1)
			goto nomem;
		nf = realloc(r->frontier, (2 * g->nms + 2) * sizeof *nf);
		if (nf == NULL)
			goto nomem;
		r->frontier = nf;
		r->cursors_cap = g->nms;
	}
	for (i = 0; r->frontier != NULL && i < 2 * r->cursors_cap + 2; i++)
		r->frontier[i].time = INT64_MAX;
	r->nfrontier = 0;
	r->next_sample = 0;
	r->cur_gen = g->gen;
	/* Before Go 1.26 the next generation's first batch was read too. */
	r->gen_end = r->gr.has_spill ? r->gr.spill.offset : g->end_offset;
	for (i = 0; i < g->nms; i++) {
		int rc;

		cursor_init(&r->cursors[i], g, (uint32_t)i, r->batch_next[g->nbatches + i]);
		rc = cursor_next(&r->cursors[i], g, r, &r->perr);
		if (rc < 0) {
			gt_error_locate(&r->perr, gt_cursor_offset(&r->cursors[i]),
			                "generation %" PRIu64 ", M %" PRId64
			                ", decoding event", g->gen, r->cursors[i].m);
			return rc;
		}
		if (rc == 1)
			heap_insert(r, (uint32_t)i);
	}
	make_sync(r, ev, g, gt_ticks_to_ns(g->ns_per_tick, g->min_ts));
	return GOTRACE_OK;
nomem:
	gt_error_set(&r->perr, GOTRACE_ERR_NOMEM, r->s.offset, NULL, "out of memory");
	return GOTRACE_ERR_NOMEM;
}

/* next_raw's result when the worker thread is told to stop. */
#define GT_STOPPED (-1000)

/*
 * Reads the next generation into a free buffer and makes it current. With
 * a consumer thread, the buffer read into last time but one may still be
 * in use: wait until the consumer has moved past its events.
 */
static int read_generation(gotrace_reader *r)
{
	uint64_t serial = r->gen->serial + 1;
	gt_generation *next = &r->gens[0];
	int rc;

	if (r->pipe != NULL) {
		next = &r->gens[serial & 1];
		if (serial > 2 && gt_pipe_wait_released(r->pipe, serial - 1) != 0)
			return GT_STOPPED;
	}
	/* The generation next held is done with (its arena is about to be
	 * reused): a mapped input gives its pages back. With a consumer
	 * thread, the current generation, read before, is still in use. */
	gt_source_release(r->in, r->pipe != NULL
	                         ? r->gen->start_offset
	                         : gt_genreader_next_start(&r->gr));
	rc = gt_genreader_next(&r->gr, next, &r->pending_err);
	if (rc != GOTRACE_OK)
		return rc;
	r->gen = next;
	next->serial = serial;
	next->read_offset = r->s.offset;
	return GOTRACE_OK;
}

/* Moves on to the next generation; yields its opening Sync (or the final
 * one, or the Sync that precedes an error). */
static int next_generation(gotrace_reader *r, gt_event *ev)
{
	int rc;

	/* Everything before this point has been delivered. */
	if (r->gen_end > r->valid_bytes)
		r->valid_bytes = r->gen_end;
	if (r->gen_error) {
		r->perr = r->pending_err;
		if (r->perr.go_eof) {
			/* Go's parser stops here as if the trace ended. */
			r->incomplete = 1;
			return GOTRACE_EOF;
		}
		return r->pending_err.code;
	}
	rc = read_generation(r);
	if (rc == GOTRACE_OK)
		return install_generation(r, ev);
	if (rc == GT_STOPPED)
		return rc;
	r->have_gen = 0;
	if (rc == GOTRACE_EOF) {
		r->done = 1;
		if (!r->incomplete)
			r->valid_bytes = r->s.offset;
		make_sync(r, ev, NULL, r->last_ts);
		return GOTRACE_OK;
	}
	/* Go emits a Sync for what came before, then the error. */
	r->gen_error = 1;
	make_sync(r, ev, NULL, r->last_ts);
	return GOTRACE_OK;
}

/* try_advance's error: where the engine or the decoder failed. */
static GT_COLD int advance_failed(gotrace_reader *r, const gt_cursor *c,
                                  int rc, int decoding)
{
	gt_error_locate(&r->perr, gt_cursor_offset(c),
	                "generation %" PRIu64 ", M %" PRId64 ", %s event",
	                r->gen->gen, c->m,
	                decoding ? "decoding" : gt_specs[c->ev->type].name);
	return rc;
}

/*
 * Offers the event of the cursor at frontier[i] to the ordering engine.
 * Returns 1 if it was accepted (and the cursor has moved on), 0 if it
 * cannot happen yet, or an error.
 */
static GT_ALWAYS_INLINE int try_advance(gotrace_reader *r, size_t i)
{
	gt_cursor *c = &r->cursors[r->frontier[i].c];
	int rc;

	rc = gt_order_advance_common(&r->order, c->ev, r->gen, c->m, c->m_hint);
	if (rc < 0)
		rc = gt_order_advance(&r->order, c->ev, r->gen, c->m, &c->m_hint,
		                      &r->perr);
	if (rc <= 0)
		return rc < 0 ? advance_failed(r, c, rc, 0) : 0;
	/* Decoding the next event leaves the accepted one in its slot. */
	r->in_place = c->ev;
	rc = cursor_next(c, r->gen, r, &r->perr);
	if (rc < 0)
		return advance_failed(r, c, rc, 1);
	if (rc == 0) {
		heap_remove(r, i);
	} else {
		r->frontier[i].time = c->ev->time;
		if (i == 0)
			sift_down(r, 0);
		else
			heap_update(r, i);
	}
	return 1;
}

static void describe_stuck(gotrace_reader *r)
{
	char buf[GT_ERROR_MSG_MAX];
	size_t len = 0, i;

	len += (size_t)snprintf(buf, sizeof buf,
	                        "broken trace: failed to advance: frontier:\n"
	                        "[gen=%" PRIu64 "]\n\n", r->gen->gen);
	for (i = 0; i < r->nfrontier && len < sizeof buf; i++) {
		const gt_cursor *c = &r->cursors[r->frontier[i].c];
		const gt_spec *spec = &gt_specs[c->ev->type];
		size_t k;

		len += (size_t)snprintf(buf + len, sizeof buf - len,
		                        "M %" PRId64 " [%s time=%" PRId64, c->m,
		                        spec->name, c->ev->time);
		for (k = 1; k < spec->nargs && len < sizeof buf; k++)
			len += (size_t)snprintf(buf + len, sizeof buf - len,
			                        " %s=%" PRIu64, spec->args[k],
			                        c->ev->args[k - 1]);
		if (len < sizeof buf)
			len += (size_t)snprintf(buf + len, sizeof buf - len, "]\n");
	}
	if (len < sizeof buf) {
		len += (size_t)snprintf(buf + len, sizeof buf - len, "\n");
		len = gt_order_dump(&r->order, buf, len, sizeof buf);
		if (len + 1 < sizeof buf) {
			buf[len++] = '\n';
			buf[len] = '\0';
		}
	}
	gt_error_set(&r->perr, GOTRACE_ERR_INVALID,
	             r->nfrontier ? gt_cursor_offset(&r->cursors[r->frontier[0].c])
	                          : r->s.offset,
	             NULL, "%s", buf);
	if (r->nfrontier)
		gt_error_locate(&r->perr, r->perr.offset,
		                "generation %" PRIu64 ", no M can go on (first: M %"
		                PRId64 ", %s event)", r->gen->gen,
		                r->cursors[r->frontier[0].c].m,
		                gt_specs[r->cursors[r->frontier[0].c].ev->type].name);
}

/* After an acceptance while parking: back into the frontier with every
 * cursor the accepted event may have unblocked. */
static int wake_parked(gotrace_reader *r)
{
	size_t i;

	if (gt_park_wake(&r->park, &r->order) != 0)
		return GOTRACE_ERR_NOMEM;
	for (i = 0; i < r->park.nwoken; i++)
		heap_insert(r, r->park.woken[i]);
	return GOTRACE_OK;
}

static int nomem_error(gotrace_reader *r)
{
	gt_error_set(&r->perr, GOTRACE_ERR_NOMEM, r->s.offset, NULL,
	             "out of memory");
	return GOTRACE_ERR_NOMEM;
}

/* No M can go on: Go's error, with every cursor, parked or not. */
static int stuck(gotrace_reader *r)
{
	if (r->park.nparked > 0) {
		size_t i;

		if (gt_park_wake_all(&r->park) != 0)
			return nomem_error(r);
		for (i = 0; i < r->park.nwoken; i++)
			heap_insert(r, r->park.woken[i]);
	}
	sort_frontier(r);
	describe_stuck(r);
	return GOTRACE_ERR_INVALID;
}

/*
 * Parking mode: try the earliest unparked cursor; park it if refused, and
 * go on with the next, until one is accepted.
 */
static int advance_parking(gotrace_reader *r)
{
	for (;;) {
		uint32_t ci;
		int rc;

		if (r->nfrontier == 0)
			return stuck(r);
		ci = r->frontier[0].c;
		rc = try_advance(r, 0);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			rc = wake_parked(r);
			return rc == GOTRACE_OK ? rc : nomem_error(r);
		}
		heap_remove(r, 0);
		if (gt_park_add(&r->park, ci, r->cursors[ci].ev->time,
		                r->order.waits_unknown ? NULL : r->order.waits,
		                r->order.waits_unknown ? 0 : r->order.nwaits) != 0)
			return nomem_error(r);
	}
}

/*
 * Go's way, once the earliest cursor was refused: every other in time
 * order; or, in AUTO mode past the generation's retry budget, parking
 * from here on. Returns GOTRACE_OK with an event accepted, or an error.
 */
static int advance_others(gotrace_reader *r)
{
	size_t i;
	int rc;

	if (r->opts.ordering == GOTRACE_ORDERING_AUTO &&
	    r->retry_work > 16 * r->accepted + 65536) {
		r->parking = 1;
		r->parked_gens++;
		gt_order_track(&r->order, 1);
		return advance_parking(r);
	}
	sort_frontier(r);
	r->retry_work += r->nfrontier;
	for (i = 1; i < r->nfrontier; i++) {
		r->retry_work++;
		rc = try_advance(r, i);
		if (rc < 0)
			return rc;
		if (rc == 1)
			return GOTRACE_OK;
	}
	describe_stuck(r);
	return GOTRACE_ERR_INVALID;
}

/* An event was accepted: it is the one left in place, or first in the
 * engine's queue. */
static GT_ALWAYS_INLINE int accepted(gotrace_reader *r, gt_event **out)
{
	r->accepted++;
	if (r->order.in_place)
		*out = r->in_place;
	else if ((*out = gt_order_pop(&r->order)) == NULL) {
		gt_error_set(&r->perr, GOTRACE_ERR_INVALID, r->s.offset, NULL,
		             "internal error: advanced without an event");
		return GOTRACE_ERR_INVALID;
	}
	return GOTRACE_OK;
}

/* Go's way: the earliest cursor's event, else (advance_others) the rest. */
static GT_ALWAYS_INLINE int advance_exact(gotrace_reader *r, gt_event **out)
{
	int rc = try_advance(r, 0);

	if (rc < 0)
		return rc;
	if (rc == 0 && (rc = advance_others(r)) != GOTRACE_OK)
		return rc;
	return accepted(r, out);
}

/* Notes that the CPU sample next_sample is next (or that none is left). */
static void set_sample_time(gotrace_reader *r)
{
	r->sample_time = r->next_sample < r->gen->nsamples
	                 ? r->gen->samples[r->next_sample].time : INT64_MAX;
}

/* next_raw in every case: queued events, generation boundaries, CPU
 * samples, parking. */
static int next_raw_slow(gotrace_reader *r, gt_event **out)
{
	gt_event *ev = &r->scratch;
	int64_t first;
	int rc;

	if ((*out = gt_order_pop(&r->order)) != NULL)
		return GOTRACE_OK;
	if (r->done)
		return GOTRACE_EOF;
	*out = ev;
	if (!r->have_gen || (r->nfrontier == 0 && r->park.nparked == 0 &&
	                     r->next_sample == r->gen->nsamples)) {
		/* None yet, or this one is exhausted. */
		rc = next_generation(r, ev);
		r->have_gen = rc == GOTRACE_OK && !r->done && !r->gen_error;
		if (r->have_gen)
			set_sample_time(r);
		return rc;
	}
	/* The earliest next event of any M, parked or not, as in Go. */
	first = r->nfrontier ? ftime(r, 0) : INT64_MAX;
	if (r->park.nparked > 0) {
		int64_t pt = gt_park_min_time(&r->park);

		if (pt < first)
			first = pt;
	}
	/* Go's parser takes a sample first when no M has an event left. */
	if (r->next_sample < r->gen->nsamples &&
	    (r->sample_time < first ||
	     (r->nfrontier == 0 && r->park.nparked == 0))) {
		const gt_cpu_sample *s = &r->gen->samples[r->next_sample++];

		set_sample_time(r);
		memset(ev, 0, sizeof *ev);
		ev->gslot = GT_NO_SLOT;
		ev->type = GOTRACE_WIRE_CPU_SAMPLE;
		ev->time = s->time;
		ev->m = (int64_t)s->m;
		ev->p = (int64_t)s->p;
		ev->g = s->g == 0 ? GT_NO_ID : (int64_t)s->g;
		ev->args[0] = s->stack;
		ev->gen = r->gen;
		return GOTRACE_OK;
	}
	if (r->parking) {
		rc = advance_parking(r);
		if (rc != GOTRACE_OK)
			return rc;
		return accepted(r, out);
	}
	return advance_exact(r, out);
}

/*
 * Finds the next event in Go's order; *out is valid until the next call.
 * Inline, the common case: nothing queued or parked, and the earliest
 * cursor comes before the next CPU sample and is accepted.
 */
static GT_ALWAYS_INLINE int next_raw(gotrace_reader *r, gt_event **out)
{
	/* A frontier means a current generation (it is emptied before
	 * the next is read); not parking means nothing is parked. */
	if (r->order.qlen != 0 || r->nfrontier == 0 || r->parking ||
	    r->sample_time < ftime(r, 0))
		return next_raw_slow(r, out);
	return advance_exact(r, out);
}

/* An ID missing from ev's generation; the offset is where reading that
 * generation ended (the input offset then, in a reader without threads). */
static GT_COLD int invalid_id(gotrace_reader *r, const gt_event *ev,
                              const char *what, uint64_t id,
                              const gt_spec *spec)
{
	gt_error_set(&r->err, GOTRACE_ERR_INVALID, ev->gen->read_offset, NULL,
	             "found invalid %s ID %" PRIu64 " for event %s", what, id,
	             spec->name);
	return GOTRACE_ERR_INVALID;
}

/* Nonzero if ID id is named but missing from index (ID 0 always exists). */
static inline int id_missing(const gt_idmap *index, uint64_t id)
{
	uint32_t v;

	return id != 0 && !gt_idmap_get(index, id, &v);
}

/* Every stack and string an event names must exist in its generation.
 * Spec argument indexes are 1-based; 0 or -1 mean none (a Sync's entry is
 * all zero). */
static GT_ALWAYS_INLINE int validate_ids(gotrace_reader *r, const gt_event *ev)
{
	const gt_spec *spec = &gt_specs[ev->type];
	const int8_t *sa = spec->stack_args, *ta = spec->string_args;
	const uint64_t *a = ev->args;

	if (sa[0] >= 1 && ev->gen != NULL) {
		if (id_missing(&ev->gen->stack_index, a[sa[0] - 1]))
			return invalid_id(r, ev, "stack", a[sa[0] - 1], spec);
		if (sa[1] >= 1 && id_missing(&ev->gen->stack_index, a[sa[1] - 1]))
			return invalid_id(r, ev, "stack", a[sa[1] - 1], spec);
	}
	if (ta[0] >= 1 && ev->gen != NULL) {
		if (id_missing(&ev->gen->string_index, a[ta[0] - 1]))
			return invalid_id(r, ev, "string", a[ta[0] - 1], spec);
		if (ta[1] >= 1 && id_missing(&ev->gen->string_index, a[ta[1] - 1]))
			return invalid_id(r, ev, "string", a[ta[1] - 1], spec);
	}
	return GOTRACE_OK;
}

/*
 * The producer's whole job: the next event in Go's order, with what the
 * consumer needs to know about the producer's progress folded into it
 * (Syncs carry the generation, valid bytes and input offset, make_sync;
 * every event, whether a generation started parking). Returns GOTRACE_OK,
 * GOTRACE_EOF after the final Sync, or an error described in r->perr.
 * *out is valid until the next call.
 */
static GT_ALWAYS_INLINE int produce(gotrace_reader *r, int is_v1,
                                    gt_event **out)
{
	gt_event *ev;
	int rc;

	if (is_v1) {
		if (r->done)
			return GOTRACE_EOF;
		/* The converter orders and fixes up times itself. */
		ev = &r->scratch;
		rc = next_v1(r, ev);
	} else {
		/* After the final Sync, next_raw's slow path says EOF. */
		rc = next_raw(r, &ev);
		if (rc == GOTRACE_OK) {
			/* Go's parser makes time strictly increasing. */
			if (ev->time <= r->last_ts)
				ev->time = r->last_ts + 1;
			r->last_ts = ev->time;
		}
	}
	if (rc != GOTRACE_OK)
		return rc;
	ev->parked = (uint8_t)(r->parked_gens - r->parked_sent);
	r->parked_sent = r->parked_gens;
	*out = ev;
	return GOTRACE_OK;
}

/* The worker thread: produce into the pipe until the end or an error. */
static void *produce_loop(void *arg)
{
	gotrace_reader *r = arg;

	for (;;) {
		gt_event *ev = NULL, *slot;
		int rc;

		/* About to read input (maybe blocking): hand over what is done. */
		if (!r->have_gen)
			gt_pipe_publish(r->pipe);
		/* Only v2 traces are read on a thread of their own. */
		rc = produce(r, 0, &ev);
		if (rc == GT_STOPPED || (slot = gt_pipe_slot(r->pipe)) == NULL)
			return NULL;
		if (rc != GOTRACE_OK) {
			/* The consumer reads the error and the final counters
			 * from the reader once it reaches this item. */
			memset(slot, 0, sizeof *slot);
			slot->type = GT_EV_END;
			slot->args[0] = (uint64_t)(int64_t)rc;
			gt_pipe_commit(r->pipe);
			gt_pipe_publish(r->pipe);
			return NULL;
		}
		gt_pipe_store(slot, ev);
		gt_pipe_commit(r->pipe);
	}
}

/* The producer has ended with rc: take over its error and counters. */
static int finish(gotrace_reader *r, int rc)
{
	if (rc != GOTRACE_EOF || r->incomplete)
		r->err = r->perr;
	r->pub_valid_bytes = r->valid_bytes;
	r->pub_offset = r->s.offset;
	r->pub_incomplete = r->incomplete;
	r->pub_gen = r->cur_gen;
	return fail_with(r, rc);
}

/* The consumer's half: one ordered event, resolved, checked and applied. */
static GT_ALWAYS_INLINE int deliver(gotrace_reader *r, const gt_event *ev,
                                    gotrace_event *out)
{
	int rc, plain;

	r->pub_parked += ev->parked;
	if (ev->type == GT_EV_SYNC) {
		r->pub_gen = ev->args[1];
		r->pub_valid_bytes = ev->args[2];
		r->pub_offset = ev->args[3];
	} else if (!r->is_v1) {
		rc = validate_ids(r, ev);
		if (rc != GOTRACE_OK)
			return fail_with(r, rc);
	}
	plain = gt_resolve_plain(ev, out);
	if (!plain) {
		rc = gt_check_event_values(ev, &r->err);
		if (rc != GOTRACE_OK)
			return fail_with(r, rc);
		gt_resolve_event(r, ev, out);
	}
	/* v2 events had their IDs checked above and their tables checked
	 * whole; left are v1 events, CPU samples' stacks, and the STW kind an
	 * STWEnd carries over from its begin (maybe from another generation). */
	if (r->is_v1 || (!plain && (ev->type == GOTRACE_WIRE_CPU_SAMPLE ||
	                            ev->type == GOTRACE_WIRE_STW_END))) {
		rc = gt_check_event_refs(ev, out, &r->err);
		if (rc != GOTRACE_OK)
			return fail_with(r, rc);
	}
	/* Known per generation: one store, not a lookup per event. */
	out->generation = r->pub_gen;
	if (!r->opts.no_state_tracking) {
		rc = gt_state_apply_hinted(&r->st, out, ev->gslot, &r->err);
		if (rc != GOTRACE_OK)
			return fail_with(r, rc);
	}
	return GOTRACE_OK;
}

/* gotrace_reader_next with the producer on its own thread. */
static int next_threaded(gotrace_reader *r, gotrace_event *out)
{
	const gt_event *item;

	if (r->pipe == NULL && gt_pipe_start(&r->pipe, produce_loop, r) != 0) {
		/* No thread to be had: carry on without. */
		r->opts.threads = 1;
		return gotrace_reader_next(r, out);
	}
	item = gt_pipe_next(r->pipe);
	if (item->type == GT_EV_END)
		return finish(r, (int)(int64_t)item->args[0]);
	if (item->gen != NULL)
		gt_pipe_release(r->pipe, item->gen->serial);
	return deliver(r, item, out);
}

int gotrace_reader_next(gotrace_reader *r, gotrace_event *out)
{
	gt_event *ev;
	int rc;

	if (r == NULL || out == NULL)
		return GOTRACE_ERR_ARG;
	if (r->state != GOTRACE_OK)
		return r->state;
	if (r->opts.threads >= 2 && !r->is_v1)
		return next_threaded(r, out);
	/* A constant is_v1 in each call: each inlines only its own half. */
	rc = r->is_v1 ? produce(r, 1, &ev) : produce(r, 0, &ev);
	if (rc != GOTRACE_OK)
		return finish(r, rc);
	return deliver(r, ev, out);
}
