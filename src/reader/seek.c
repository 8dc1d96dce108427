/*
 * Random access on a reader: its index, seeking to a generation, and
 * stopping after one.
 *
 * A seek does what opening the trace cut at that generation would do:
 * the stream is moved to the generation's first byte (and ends at the
 * stop generation's last, as if the file ended there), and everything
 * the reader derived from what it read before is thrown away and started
 * again, as the constructor left it. The events are then those of a
 * fresh reader on the cut trace; only byte offsets (errors, getters)
 * stay those of the original file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/index.h"
#include "gotrace/index.h"
#include "io/source.h"
#include "io/stream.h"
#include "reader/parallel.h"
#include "reader/reader_internal.h"

void gt_reader_free_random_access(gotrace_reader *r)
{
	gotrace_index_free(r->index);
	r->index = NULL;
}

/*
 * The reader's index, made on first use and scanned no further than it
 * was asked (gen/index.h); NULL with *rc set for a reader that cannot
 * have one.
 */
static gotrace_index *open_index(gotrace_reader *r, int *rc)
{
	gotrace_input *view;
	gotrace_index *idx;
	int res;

	if (r->index != NULL) {
		*rc = GOTRACE_OK;
		return r->index;
	}
	if (r->version == GOTRACE_VERSION_UNKNOWN) {
		/* The header could not be read: the reader's own error. */
		*rc = r->err.code != GOTRACE_OK ? r->err.code : GOTRACE_ERR_FORMAT;
		return NULL;
	}
	if (r->is_v1) {
		*rc = GOTRACE_ERR_UNSUPPORTED;
		return NULL;
	}
	/* The worker thread, if any, may be reading r->in: the view reads
	 * the same bytes without touching anything it uses. */
	res = gt_source_view(r->in, &view);
	if (res != GOTRACE_OK) {
		*rc = res;
		return NULL;
	}
	res = gt_index_open(&idx, view);
	if (idx == NULL) {
		gotrace_input_free(view);
		*rc = res;
		return NULL;
	}
	r->index = idx;
	*rc = GOTRACE_OK;
	return idx;
}

const gotrace_index *gotrace_reader_index(gotrace_reader *r, int *rc)
{
	gotrace_index *idx;
	int dummy;

	if (rc == NULL)
		rc = &dummy;
	if (r == NULL) {
		*rc = GOTRACE_ERR_ARG;
		return NULL;
	}
	idx = open_index(r, rc);
	if (idx != NULL)
		*rc = gt_index_finish(idx);
	return idx;
}

/* The index, or an error for a reader that cannot have one, scanned
 * until generation *gen is listed (its position in *pos, or -1 once the
 * whole trace was scanned without it); gen NULL: to the end. A damaged
 * trace's intact generations can still be read. */
static gotrace_index *need_index(gotrace_reader *r, const uint64_t *gen,
                                 long *pos, int *rc)
{
	gotrace_index *idx = open_index(r, rc);

	if (idx == NULL)
		return NULL;
	*pos = -1;
	if (gen != NULL)
		*pos = gt_index_scan_to_generation(idx, *gen);
	else
		gt_index_finish(idx);
	return idx;
}

/*
 * Starts the reader over, reading input bytes [start, limit) after the
 * header: every field the constructor and the first generation set,
 * back to where they were. The worker thread, if any, is stopped first
 * (the next gotrace_reader_next starts another).
 */
static int gt_reader_restart(gotrace_reader *r, uint64_t start,
                             uint64_t limit)
{
	size_t i;
	int rc;

	gt_pipe_stop(r->pipe);
	r->pipe = NULL;
	gt_par_stop(r->par);
	r->par = NULL;
	r->par_offset = 0;

	/* The producer. */
	r->s.limit = limit;
	rc = gt_stream_seek(&r->s, start);
	gt_error_clear(&r->perr);
	gt_genreader_free(&r->gr);
	gt_genreader_init(&r->gr, &r->s, r->version);
	r->gr.limit = r->opts.max_memory;
	for (i = 0; i < 2; i++) {
		gt_generation_reset(&r->gens[i]);
		r->gens[i].serial = 0;
		r->gens[i].read_offset = 0;
	}
	r->gen = &r->gens[0];
	r->gen_error = 0;
	gt_error_clear(&r->pending_err);
	r->done = 0;
	r->incomplete = 0;
	r->gen_end = 0;
	/* Nothing after start has been delivered; nothing before it is
	 * counted as lost. */
	r->valid_bytes = start;
	r->cur_gen = 0;
	r->parked_sent = 0;
	gt_producer_free(&r->prod);
	gt_producer_init(&r->prod, &r->order, r->opts.ordering, &r->perr);
	memset(&r->scratch, 0, sizeof r->scratch);
	gt_order_free(&r->order);
	gt_order_init(&r->order, r->version);
	r->syncs = 0;
	r->last_ts = 0;

	/* The consumer. */
	r->state = GOTRACE_OK;
	r->held = GOTRACE_OK;        /* an end a batch stopped short of */
	gt_error_clear(&r->err);
	gt_state_free(&r->st);
	gt_state_init(&r->st);
	r->pub_gen = 0;
	r->pub_valid_bytes = start;
	r->pub_offset = start;
	r->pub_parked = 0;
	r->pub_incomplete = 0;
	gt_reader_update_slow(r);

	if (rc != GOTRACE_OK) {
		/* The stream is nowhere: the reader fails from here on. */
		gt_error_set(&r->err, rc, start, "seeking input", "%s",
		             rc == GOTRACE_ERR_IO ? "seek error"
		                                  : "input cannot be seeked");
		r->state = rc;
		r->slow = 1;
	}
	return rc;
}

/* The end of the generation at stop_pos, if a stop is set. */
static uint64_t stop_limit(const gotrace_reader *r, const gotrace_index *idx)
{
	gotrace_generation_info g;

	if (!r->has_stop || gotrace_index_at(idx, r->stop_pos, &g) != 0)
		return UINT64_MAX;
	return g.end_offset;
}

static int seek_pos(gotrace_reader *r, const gotrace_index *idx, size_t pos)
{
	gotrace_generation_info g;

	if (gotrace_index_at(idx, pos, &g) != 0)
		return GOTRACE_ERR_ARG;
	/* Cutting from after the stop would leave no generation. */
	if (r->has_stop && r->stop_pos < pos)
		return GOTRACE_ERR_ARG;
	r->start_pos = pos;
	return gt_reader_restart(r, g.start_offset, stop_limit(r, idx));
}

int gotrace_reader_seek_generation(gotrace_reader *r, uint64_t gen)
{
	const gotrace_index *idx;
	long pos;
	int rc;

	if (r == NULL)
		return GOTRACE_ERR_ARG;
	idx = need_index(r, &gen, &pos, &rc);
	if (idx == NULL)
		return rc;
	if (pos < 0)
		return GOTRACE_ERR_ARG;
	return seek_pos(r, idx, (size_t)pos);
}

int gotrace_reader_seek_time(gotrace_reader *r, gotrace_clock_kind clock,
                             int64_t t)
{
	const gotrace_index *idx;
	long pos;
	int rc;

	if (r == NULL || (clock != GOTRACE_CLOCK_TRACE &&
	                  clock != GOTRACE_CLOCK_START &&
	                  clock != GOTRACE_CLOCK_WALL))
		return GOTRACE_ERR_ARG;
	idx = need_index(r, NULL, &pos, &rc);
	if (idx == NULL)
		return rc;
	if (gotrace_index_count(idx) == 0)
		return GOTRACE_ERR_ARG;
	pos = gotrace_index_find_time(idx, clock, t);
	if (pos < 0)
		return clock == GOTRACE_CLOCK_WALL ? GOTRACE_ERR_UNSUPPORTED
		                                   : GOTRACE_ERR_ARG;
	return seek_pos(r, idx, (size_t)pos);
}

/* Stops r after the generation at pos of idx (see gotrace_reader_set_stop). */
static int stop_at(gotrace_reader *r, const gotrace_index *idx, size_t pos)
{
	/* Only before anything was read (since the start or a seek): the
	 * producer has not read past the header or the seek point, and no
	 * thread runs. After an error or the end, it is too late as well. */
	if (r->state != GOTRACE_OK || r->pipe != NULL || r->par != NULL ||
	    r->syncs != 0 || pos < r->start_pos)
		return GOTRACE_ERR_ARG;
	r->has_stop = 1;
	r->stop_pos = pos;
	return gt_stream_set_limit(&r->s, stop_limit(r, idx));
}

int gotrace_reader_set_stop(gotrace_reader *r, uint64_t last)
{
	const gotrace_index *idx;
	long pos;
	int rc;

	if (r == NULL)
		return GOTRACE_ERR_ARG;
	if (last == UINT64_MAX) {
		if (open_index(r, &rc) == NULL)
			return rc;
		if (r->state != GOTRACE_OK || r->pipe != NULL ||
		    r->par != NULL || r->syncs != 0)
			return GOTRACE_ERR_ARG;
		r->has_stop = 0;
		return gt_stream_set_limit(&r->s, UINT64_MAX);
	}
	idx = need_index(r, &last, &pos, &rc);
	if (idx == NULL)
		return rc;
	if (pos < 0)
		return GOTRACE_ERR_ARG;
	return stop_at(r, idx, (size_t)pos);
}

int gotrace_reader_select(gotrace_reader *r, const gotrace_range *range,
                          gotrace_selection *sel)
{
	gotrace_selection own;
	const gotrace_index *idx;
	int rc;

	if (sel == NULL)
		sel = &own;
	if (r == NULL || range == NULL)
		return GOTRACE_ERR_ARG;
	memset(sel, 0, sizeof *sel);
	/* (As gotrace_index_select checks it, before kind is read here.) */
	if (range->struct_size < sizeof(gotrace_range)) {
		snprintf(sel->message, sizeof sel->message,
		         "struct_size too small for a gotrace_range");
		return GOTRACE_ERR_ARG;
	}
	if (range->kind == GOTRACE_RANGE_ALL) {
		sel->to_end = 1;
		return GOTRACE_OK;
	}
	if (range->kind == GOTRACE_RANGE_GENERATIONS && range->has_last) {
		/* Both ends are generation numbers: the index is scanned only
		 * as far as they are (all of it if one is not there), so that
		 * a range near the start does not wait for the whole trace. */
		long pos = -1;

		gotrace_index *scan = need_index(r, &range->last_gen, &pos, &rc);

		if (scan != NULL && pos >= 0 && range->has_first)
			gt_index_scan_to_generation(scan, range->first_gen);
		idx = scan;
	} else {
		idx = gotrace_reader_index(r, &rc);
	}
	if (idx == NULL) {
		if (rc == GOTRACE_ERR_UNSUPPORTED && r->is_v1)
			snprintf(sel->message, sizeof sel->message,
			         "a go 1.%d trace (the v1 format of Go 1.11 to "
			         "1.21) has no generations", (int)r->version);
		else
			snprintf(sel->message, sizeof sel->message, "%s",
			         gotrace_status_string(rc));
		return rc;
	}
	rc = gotrace_index_select(idx, range, sel);
	if (rc != GOTRACE_OK)
		return rc;
	/* The old stop goes: it might come before the new start. */
	r->has_stop = 0;
	rc = seek_pos(r, idx, sel->first);
	if (rc == GOTRACE_OK && !sel->to_end)
		rc = stop_at(r, idx, sel->last);
	if (rc != GOTRACE_OK)
		snprintf(sel->message, sizeof sel->message, "%s",
		         gotrace_status_string(rc));
	return rc;
}
