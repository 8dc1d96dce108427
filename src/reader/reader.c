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
#include "reader/parallel.h"
#include "reader/reader_internal.h"
#include "reader/resolve.h"
#include "wire/spec.h"
#include "io/stream.h"
#include "wire/varint.h"
#include "gotrace/reader.h"
#include "gotrace/wire.h"

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
	int rc;

	if (out == NULL || in == NULL)
		return GOTRACE_ERR_ARG;
	*out = NULL;
	if ((rc = copy_options(&o, opts)) != GOTRACE_OK)
		return rc;
	r = calloc(1, sizeof *r);
	if (r == NULL)
		return GOTRACE_ERR_NOMEM;
	r->in = in;
	r->opts = o;
	gt_producer_init(&r->prod, &r->order, o.ordering, &r->perr);
	gt_stream_init(&r->s, in);
	gt_error_clear(&r->err);
	gt_error_clear(&r->perr);
	gt_generation_init(&r->gens[0]);
	gt_generation_init(&r->gens[1]);
	r->gen = &r->gens[0];
	*out = r;
	r->slow = 1; /* until the header is read */
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
	gt_reader_update_slow(r);
	return GOTRACE_OK;
}

void gotrace_reader_free(gotrace_reader *r)
{
	if (r == NULL)
		return;
	/* First: the workers may be using everything below. */
	gt_pipe_stop(r->pipe);
	gt_par_stop(r->par);
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
	gt_producer_free(&r->prod);
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
	r->slow = 1;
	return rc;
}

/* next_raw's result when the worker thread is told to stop. */
#define GT_STOPPED (-1000)
/* produce's result when a batch is to end before the next generation. */
#define GT_BATCH_END (-1001)

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
	if (rc == GOTRACE_OK) {
		const gt_generation *g = r->gen;

		r->cur_gen = g->gen;
		/* Before Go 1.26 the next generation's first batch was read
		 * too. */
		r->gen_end = r->gr.has_spill ? r->gr.spill.offset
		                             : g->end_offset;
		rc = gt_producer_start(&r->prod, g, &r->order);
		if (rc != GOTRACE_OK)
			return rc;
		make_sync(r, ev, g, gt_ticks_to_ns(g->ns_per_tick, g->min_ts));
		return GOTRACE_OK;
	}
	if (rc == GT_STOPPED)
		return rc;
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
 * threaded, every event, whether a generation started parking; without
 * threads, the count is the caller's at once).
 * Returns GOTRACE_OK,
 * GOTRACE_EOF after the final Sync, or an error described in r->perr.
 * *out is valid until the next call.
 */
static GT_ALWAYS_INLINE int produce(gotrace_reader *r, int is_v1,
                                    int threaded, int stop_at_gen,
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
		rc = gt_producer_next(&r->prod, &r->order, &ev);
		if (rc != GOTRACE_OK) {
			if (rc == GT_PRODUCER_PARKED) {
				rc = GOTRACE_OK;
			} else {
				if (rc != GT_GEN_EXHAUSTED)
					return rc;
				/* The generation's tables stay until the
				 * next is read: a batch ends here. */
				if (stop_at_gen)
					return GT_BATCH_END;
				/* Between generations (or after the final
				 * Sync). */
				if (r->done)
					return GOTRACE_EOF;
				ev = &r->scratch;
				rc = next_generation(r, ev);
				if (rc != GOTRACE_OK)
					return rc;
			}
			/* Generations that started parking reach the
			 * caller with the first event after: on one thread,
			 * right away. They start only here (a generation
			 * installed, or GT_PRODUCER_PARKED). */
			if (!threaded && r->prod.parked_gens != r->parked_sent) {
				r->pub_parked += r->prod.parked_gens -
				                 r->parked_sent;
				r->parked_sent = r->prod.parked_gens;
			}
		}
		/* Go's parser makes time strictly increasing. */
		if (ev->time <= r->last_ts)
			ev->time = r->last_ts + 1;
		r->last_ts = ev->time;
	}
	if (rc != GOTRACE_OK)
		return rc;
	if (threaded) {
		ev->parked = (uint8_t)(r->prod.parked_gens - r->parked_sent);
		r->parked_sent = r->prod.parked_gens;
	}
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
		if (!r->prod.active)
			gt_pipe_publish(r->pipe);
		/* Only v2 traces are read on a thread of their own. */
		rc = produce(r, 0, 1, 0, &ev);
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
	/* (With workers the stream is theirs and may be further on.) */
	r->pub_offset = r->par != NULL ? r->par_offset : r->s.offset;
	r->pub_incomplete = r->incomplete;
	r->pub_gen = r->cur_gen;
	return fail_with(r, rc);
}

/* deliver for a goroutine's plain transition of a v2 trace, its shape
 * (GT_PLAIN_GO_TRANSITIONS) passed as constants: validate_ids with the
 * spec's arguments known, then resolved and applied. */
static GT_ALWAYS_INLINE int deliver_go(gotrace_reader *r, const gt_event *ev,
                                       gotrace_event *out, int id_from,
                                       int from, int to, int reason,
                                       int stack, int sa0, int sa1, int ta0)
{
	const uint64_t *a = ev->args;
	gotrace_string str = {"", 0};
	int64_t id;
	int rc;

	if (sa0 >= 1 && ev->gen != NULL) {
		if (id_missing(&ev->gen->stack_index, a[sa0 - 1]))
			return fail_with(r, invalid_id(r, ev, "stack", a[sa0 - 1],
			                               &gt_specs[ev->type]));
		if (sa1 >= 1 && id_missing(&ev->gen->stack_index, a[sa1 - 1]))
			return fail_with(r, invalid_id(r, ev, "stack", a[sa1 - 1],
			                               &gt_specs[ev->type]));
	}
	/* The string, looked up once: checked, and kept for the reason. */
	if (ta0 >= 1 && ev->gen != NULL && a[ta0 - 1] != 0) {
		uint32_t i;

		if (!gt_idmap_get(&ev->gen->string_index, a[ta0 - 1], &i))
			return fail_with(r, invalid_id(r, ev, "string",
			                               a[ta0 - 1],
			                               &gt_specs[ev->type]));
		str.data = (const char *)ev->gen->strings[i].data;
		str.len = ev->gen->strings[i].len;
	}
	id = gt_resolve_plain_go(ev, out, id_from, from, to, reason, stack,
	                         sa0, ta0 == 1 && ev->gen != NULL ? &str
	                                                          : NULL);

	out->generation = r->pub_gen;
	if (!r->opts.no_state_tracking) {
		rc = gt_state_step_g(&r->st, id, from, to, ev->time, ev->m,
		                     ev->p, ev->gslot, &r->err);
		if (rc != GOTRACE_OK)
			return fail_with(r, rc);
	}
	return GOTRACE_OK;
}

/* The consumer's half: one ordered event, resolved, checked and applied.
 * is_v1 and threaded are constants in each caller, so that each inlines
 * only its own checks. */
static GT_ALWAYS_INLINE int deliver(gotrace_reader *r, const gt_event *ev,
                                    gotrace_event *out, int is_v1,
                                    int threaded)
{
	int rc;

	if (threaded)
		r->pub_parked += ev->parked;
	/* (A Sync names no IDs: its spec is all zero.) */
	if (!is_v1) {
		switch (ev->type) {
#define DELIVER_GO(type, id, from, to, reason, stack, sa0, sa1, ta0)       \
		case GOTRACE_WIRE_##type:                                    \
			return deliver_go(r, ev, out, GT_ID_##id,            \
			                  GOTRACE_GO_##from, GOTRACE_GO_##to,\
			                  reason, GT_TSTACK_##stack, sa0, sa1,\
			                  ta0);
		GT_PLAIN_GO_TRANSITIONS(DELIVER_GO)
#undef DELIVER_GO
		default:
			break;
		}
		rc = validate_ids(r, ev);
		if (rc != GOTRACE_OK)
			return fail_with(r, rc);
	}
	/* v2 events had their IDs checked above and their tables checked
	 * whole; left are v1 events, CPU samples' stacks, and the STW kind an
	 * STWEnd carries over from its begin (maybe from another generation). */
	if (!gt_resolve_plain(ev, out)) {
		if (ev->type == GT_EV_SYNC) {
			r->pub_gen = ev->args[1];
			r->pub_valid_bytes = ev->args[2];
			r->pub_offset = ev->args[3];
		}
		rc = gt_check_event_values(ev, &r->err);
		if (rc != GOTRACE_OK)
			return fail_with(r, rc);
		gt_resolve_event(r, ev, out);
		if (is_v1 || ev->type == GOTRACE_WIRE_CPU_SAMPLE ||
		    ev->type == GOTRACE_WIRE_STW_END) {
			rc = gt_check_event_refs(ev, out, &r->err);
			if (rc != GOTRACE_OK)
				return fail_with(r, rc);
		}
	} else if (is_v1) {
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
		gt_reader_update_slow(r);
		return gotrace_reader_next(r, out);
	}
	item = gt_pipe_next(r->pipe);
	if (item->type == GT_EV_END)
		return finish(r, (int)(int64_t)item->args[0]);
	if (item->gen != NULL)
		gt_pipe_release(r->pipe, item->gen->serial);
	return deliver(r, item, out, 0, 1);
}

int gt_reader_deliver(gotrace_reader *r, const gt_event *ev,
                      gotrace_event *out)
{
	return deliver(r, ev, out, 0, 1);
}

int gt_reader_finish(gotrace_reader *r, int rc)
{
	return finish(r, rc);
}

/* gotrace_reader_next with generations ordered by workers (parallel.h). */
static int next_parallel(gotrace_reader *r, gotrace_event *out)
{
	if (r->par == NULL && gt_par_start(r, r->opts.threads - 1) != 0) {
		/* No thread to be had: carry on without. */
		r->opts.threads = 1;
		gt_reader_update_slow(r);
		return gotrace_reader_next(r, out);
	}
	return gt_par_next(r, out);
}

void gt_reader_update_slow(gotrace_reader *r)
{
	r->slow = r->state != GOTRACE_OK || r->held != GOTRACE_OK ||
	          r->is_v1 || r->opts.threads >= 2;
	/* On the caller's thread the engine is never ahead of delivery, so
	 * the state machine can keep its goroutines at the engine's slots
	 * (state.h). Only an empty table turns slotted: not one that a
	 * worker's read has filled. */
	if (!r->is_v1 && r->opts.threads <= 1)
		gt_state_slot(&r->st, &r->order);
}

/* gotrace_reader_next but for a v2 trace read on the caller's thread
 * without error so far. */
static int next_other(gotrace_reader *r, gotrace_event *out)
{
	gt_event *ev;
	int rc;

	if (r->state != GOTRACE_OK)
		return r->state;
	if (r->held != GOTRACE_OK) {
		rc = r->held;
		r->held = GOTRACE_OK;
		return finish(r, rc);
	}
	if (r->opts.threads >= 2 && !r->is_v1) {
		/* Parking's order depends on what each refusal waits for,
		 * which a speculative engine cannot say: parking reads keep
		 * the pipe. */
		if (r->opts.threads >= 3 &&
		    r->opts.ordering != GOTRACE_ORDERING_PARKING)
			return next_parallel(r, out);
		return next_threaded(r, out);
	}
	if (!r->is_v1) {
		/* The test was stale (a seek, a thread not had): renew it. */
		gt_reader_update_slow(r);
		return gotrace_reader_next(r, out);
	}
	rc = produce(r, 1, 0, 0, &ev);
	if (rc != GOTRACE_OK)
		return finish(r, rc);
	return deliver(r, ev, out, 1, 0);
}

int gotrace_reader_next(gotrace_reader *r, gotrace_event *out)
{
	gt_event *ev;
	int rc;

	if (r == NULL || out == NULL)
		return GOTRACE_ERR_ARG;
	if (r->slow)
		return next_other(r, out);
	rc = produce(r, 0, 0, 0, &ev);
	if (rc != GOTRACE_OK)
		return finish(r, rc);
	return deliver(r, ev, out, 0, 0);
}

/* Hands the stop-the-world names' buffers to a batch (gt_resolve_event
 * takes one each while r->batching is set). */
static void batch_begin(gotrace_reader *r)
{
	r->batch_names = 0;
	r->batching = 1;
}

/*
 * gotrace_reader_next_batch on any other path: its first event from
 * gotrace_reader_next. With the ordering on a worker, events that follow
 * in the ring, ready without waiting, join it up to the next Sync: a
 * generation's first item is its Sync, and taking it would let the worker
 * replace the tables the batch's events point into.
 */
static int next_batch_other(gotrace_reader *r, gotrace_event *ev, size_t n,
                            size_t *got)
{
	const gt_event *item;
	size_t i = 1;
	int rc;

	batch_begin(r);
	rc = gotrace_reader_next(r, ev);
	if (rc != GOTRACE_OK) {
		r->batching = 0;
		return rc;
	}
	if (r->pipe != NULL && r->par == NULL) {
		while (i < n && r->batch_names < GT_BATCH_NAMES &&
		       (item = gt_pipe_peek(r->pipe)) != NULL &&
		       item->type != GT_EV_END && item->type != GT_EV_SYNC) {
			gt_pipe_skip(r->pipe);
			/* An error is sticky: the next call's. */
			if (deliver(r, item, &ev[i], 0, 1) != GOTRACE_OK)
				break;
			i++;
		}
	}
	r->batching = 0;
	*got = i;
	return GOTRACE_OK;
}

int gotrace_reader_next_batch(gotrace_reader *r, gotrace_event *ev, size_t n,
                              size_t *got)
{
	gt_event *e;
	size_t i = 0;
	int rc;

	if (got != NULL)
		*got = 0;
	if (r == NULL || ev == NULL || got == NULL || n == 0)
		return GOTRACE_ERR_ARG;
	if (r->slow)
		return next_batch_other(r, ev, n, got);
	/* A v2 trace on the caller's thread: gotrace_reader_next's loop,
	 * entered once. A batch holds events of one generation, whose
	 * tables reading the next one would replace: it ends before the
	 * Sync that opens the next. Stop-the-world ranges' names, made
	 * up per event, each get a buffer of their own (gt_resolve_event)
	 * while it lasts. */
	batch_begin(r);
	do {
		rc = produce(r, 0, 0, i > 0, &e);
		if (rc == GT_BATCH_END)
			break;
		if (rc != GOTRACE_OK) {
			r->batching = 0;
			if (i == 0)
				return finish(r, rc);
			/* The end or the error comes with the next call,
			 * which finds the reader as the last event left it. */
			r->held = rc;
			r->slow = 1;
			break;
		}
		rc = deliver(r, e, &ev[i], 0, 0);
		if (rc != GOTRACE_OK) {
			r->batching = 0;
			if (i == 0)
				return rc;
			/* deliver made the error sticky: the next call's. */
			break;
		}
	} while (++i < n && r->batch_names < GT_BATCH_NAMES);
	r->batching = 0;
	*got = i;
	return GOTRACE_OK;
}
