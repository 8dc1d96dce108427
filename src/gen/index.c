/*
 * The generation index: one pass over the batch headers of a v2 trace,
 * skipping payloads, finding where each generation's bytes begin and end
 * by the rules gt_genreader follows (generation.c), and decoding only the
 * small sync batches (frequency, clock snapshot). Also cutting a trace
 * down to some generations.
 *
 * Error texts are those of generation.c (Go 1.27's parser), so that an
 * index's error says what a reader will say at the same place.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/grow.h"
#include "gen/generation.h"
#include "gen/index.h"
#include "gotrace/index.h"
#include "gotrace/wire.h"
#include "io/source.h"
#include "io/stream.h"
#include "wire/header.h"
#include "wire/varint.h"

#define MAX_BATCH_SIZE 65536u

/* Descriptor inputs are read a little at a time: a header and what
 * follows it, then a seek past the payload (batches are mostly 64 KB). */
#define INDEX_READ_HINT 1024u

/* A generation being scanned. */
typedef struct scan_gen {
	int open;             /* at least one batch (or its marker) seen */
	uint64_t gen;
	uint64_t start;
	uint64_t batches, event_batches;
	uint64_t min_ts, max_ts;
	int has_freq;
	uint64_t freq;
	int has_clock;
	uint64_t clock_ts, clock_mono, clock_sec, clock_nsec;
} scan_gen;

struct gotrace_index {
	gotrace_input *in;
	gotrace_version version;
	uint64_t header_size;
	gotrace_generation_info *gens;
	size_t n, cap;
	struct gotrace_error err;
	/* The scan, which a reader's index runs only as far as a seek needs
	 * (gt_index_open): while scanning, its stream, the input it reads
	 * (a view of in, or in) and the generation it is in. */
	int scanning;
	int scan_rc;          /* the scan's result, once it ended */
	gotrace_input *view;
	gt_stream s;
	scan_gen g;
};

/* One batch header, decoded. */
typedef struct batch_hdr {
	int marker;           /* Go 1.26's EndOfGeneration */
	uint8_t exp;          /* experiment ID, 0 for ordinary batches */
	uint64_t offset;      /* of the header */
	uint64_t gen, time, size;
	size_t hdr_len;       /* bytes before the payload */
	int have_gen;         /* gen was decoded (even if the rest failed) */
} batch_hdr;

enum { HDR_OK = 0, HDR_EOF = 1 };

static int io_error(gt_stream *s, int rc, uint64_t off,
                    struct gotrace_error *err)
{
	if (rc == GOTRACE_ERR_IO) {
		errno = s->io_errno;
		gt_error_set(err, rc, off, "reading input", "read error");
	} else if (rc == GOTRACE_ERR_NOMEM) {
		gt_error_set(err, rc, off, "indexing", "out of memory");
	} else {
		gt_error_set(err, rc, off, "reading input", "cannot seek");
	}
	return rc;
}

/* Reads a batch header at the stream's position (read_batch in
 * generation.c, without the payload). */
static int read_header(gt_stream *s, batch_hdr *h, struct gotrace_error *err)
{
	static const char *const what[4] = {
		"error reading batch gen", "error reading batch M ID",
		"error reading batch timestamp", "error reading batch size"};
	uint64_t v[4];
	size_t off = 1;
	uint8_t type;
	int rc, k;

	memset(h, 0, sizeof *h);
	/* The header and the payload's first byte, which tells its kind. */
	rc = gt_stream_need(s, 2 + 4 * GT_VARINT_MAX + 1);
	if (rc != GOTRACE_OK)
		return io_error(s, rc, s->offset, err);
	if (gt_stream_avail(s) == 0)
		return HDR_EOF;
	h->offset = s->offset;
	type = s->pos[0];
	if (type == GOTRACE_WIRE_END_OF_GENERATION) {
		h->marker = 1;
		h->hdr_len = 1;
		return HDR_OK;
	}
	if (type != GOTRACE_WIRE_EVENT_BATCH &&
	    type != GOTRACE_WIRE_EXPERIMENTAL_BATCH) {
		gt_error_set(err, GOTRACE_ERR_CORRUPT, s->offset, NULL,
		             "expected batch event, got event %u", type);
		return GOTRACE_ERR_CORRUPT;
	}
	if (type == GOTRACE_WIRE_EXPERIMENTAL_BATCH) {
		/* Go reads a lone type byte at the end as the end of input. */
		if (gt_stream_avail(s) < 2)
			return HDR_EOF;
		h->exp = s->pos[1];
		off = 2;
	}
	for (k = 0; k < 4; k++) {
		size_t avail = gt_stream_avail(s) - off, len;
		const char *m;
		int vrc;

		if (avail == 0) {
			m = "EOF";
			vrc = GOTRACE_ERR_TRUNCATED;
		} else {
			switch (gt_varint_decode(s->pos + off, avail, &v[k], &len)) {
			case GT_VARINT_OK:
				off += len;
				if (k == 0) {
					h->gen = v[0];
					h->have_gen = 1;
				}
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
	h->time = v[2];
	h->size = v[3];
	h->hdr_len = off;
	if (h->size > MAX_BATCH_SIZE) {
		gt_error_set(err, GOTRACE_ERR_CORRUPT, h->offset, "batch header",
		             "invalid batch size %" PRIu64 ", maximum is %u", h->size,
		             MAX_BATCH_SIZE);
		return GOTRACE_ERR_CORRUPT;
	}
	return HDR_OK;
}

/* The payload is short: Go's error, with the bytes that are there. */
static int short_payload(gt_stream *s, const batch_hdr *h,
                         struct gotrace_error *err)
{
	size_t avail = gt_stream_avail(s) - h->hdr_len;

	gt_error_set(err, GOTRACE_ERR_TRUNCATED,
	             s->offset + h->hdr_len + avail, "batch payload",
	             "failed to read full batch: read %zu but wanted %" PRIu64,
	             avail, h->size);
	return GOTRACE_ERR_TRUNCATED;
}

/* Makes the whole batch available at the stream's position. */
static int need_batch(gt_stream *s, const batch_hdr *h,
                      struct gotrace_error *err)
{
	size_t total = h->hdr_len + (size_t)h->size;
	int rc = gt_stream_need(s, total);

	if (rc != GOTRACE_OK)
		return io_error(s, rc, s->offset, err);
	if (gt_stream_avail(s) < total)
		return short_payload(s, h, err);
	return GOTRACE_OK;
}

/*
 * Moves past the batch at the stream's position, checking that all of
 * its payload is there. A descriptor that can be seeked goes straight to
 * the payload's last byte (which must exist), reading what follows it.
 */
static int skip_batch(gt_stream *s, const batch_hdr *h,
                      struct gotrace_error *err)
{
	size_t total = h->hdr_len + (size_t)h->size;
	int rc;

	if (gt_stream_avail(s) >= total) {
		gt_stream_skip(s, total);
		return GOTRACE_OK;
	}
	if (s->in->kind != GT_SOURCE_MEMORY && gt_source_seekable(s->in)) {
		uint64_t at = h->offset;

		rc = gt_stream_seek(s, at + total - 1);
		if (rc != GOTRACE_OK)
			return io_error(s, rc, at, err);
		rc = gt_stream_need(s, 1 + 2 + 4 * GT_VARINT_MAX + 1);
		if (rc != GOTRACE_OK)
			return io_error(s, rc, s->offset, err);
		if (gt_stream_avail(s) >= 1) {
			gt_stream_skip(s, 1);
			return GOTRACE_OK;
		}
		/* Cut short: read it all again for the exact count. */
		rc = gt_stream_seek(s, at);
		if (rc != GOTRACE_OK)
			return io_error(s, rc, at, err);
	}
	rc = need_batch(s, h, err);
	if (rc != GOTRACE_OK)
		return rc;
	gt_stream_skip(s, total);
	return GOTRACE_OK;
}

/* Reads a varint of a sync batch (READ_OR_FAIL in generation.c). */
static int sync_varint(const uint8_t *p, size_t len, size_t *pos,
                       uint64_t base, uint64_t *v, const char *what,
                       struct gotrace_error *err)
{
	size_t n;
	uint64_t at = base + *pos;

	if (*pos >= len) {
		gt_error_set(err, GOTRACE_ERR_TRUNCATED, at, what, "EOF");
		err->go_eof = 1;
		return GOTRACE_ERR_TRUNCATED;
	}
	switch (gt_varint_decode(p + *pos, len - *pos, v, &n)) {
	case GT_VARINT_OK:
		*pos += n;
		return GOTRACE_OK;
	case GT_VARINT_SHORT:
		gt_error_set(err, GOTRACE_ERR_TRUNCATED, at, what,
		             "unexpected EOF");
		err->go_eof = 1;
		return GOTRACE_ERR_TRUNCATED;
	default:
		gt_error_set(err, GOTRACE_ERR_CORRUPT, at, what,
		             "binary: varint overflows a 64-bit integer");
		return GOTRACE_ERR_CORRUPT;
	}
}

/* Decodes a sync batch's frequency and clock snapshot (set_sync in
 * generation.c). */
static int decode_sync(scan_gen *g, const uint8_t *p, size_t len,
                       uint64_t base, uint64_t time, gotrace_version version,
                       struct gotrace_error *err)
{
	size_t pos = version >= GOTRACE_GO125 ? 1u : 0u;
	int rc;

	while (pos < len) {
		uint64_t at = base + pos;
		uint8_t type = p[pos++];

		if (type == GOTRACE_WIRE_FREQUENCY) {
			if (g->has_freq) {
				gt_error_set(err, GOTRACE_ERR_INVALID, at, "sync batch",
				             "found multiple frequency events");
				return GOTRACE_ERR_INVALID;
			}
			rc = sync_varint(p, len, &pos, base, &g->freq,
			                 "sync batch: frequency", err);
			if (rc != GOTRACE_OK)
				return rc;
			g->has_freq = 1;
		} else if (type == GOTRACE_WIRE_CLOCK_SNAPSHOT &&
		           version >= GOTRACE_GO125) {
			uint64_t dt;

			if (g->has_clock) {
				gt_error_set(err, GOTRACE_ERR_INVALID, at, "sync batch",
				             "found multiple clock snapshot events");
				return GOTRACE_ERR_INVALID;
			}
			g->has_clock = 1;
			if ((rc = sync_varint(p, len, &pos, base, &dt,
			                      "clock snapshot", err)) != GOTRACE_OK ||
			    (rc = sync_varint(p, len, &pos, base, &g->clock_mono,
			                      "clock snapshot", err)) != GOTRACE_OK ||
			    (rc = sync_varint(p, len, &pos, base, &g->clock_sec,
			                      "clock snapshot", err)) != GOTRACE_OK ||
			    (rc = sync_varint(p, len, &pos, base, &g->clock_nsec,
			                      "clock snapshot", err)) != GOTRACE_OK)
				return rc;
			g->clock_ts = time + dt;
		} else {
			gt_error_set(err, GOTRACE_ERR_CORRUPT, at, "sync batch",
			             "expected frequency or clock snapshot event, got %u",
			             type);
			return GOTRACE_ERR_CORRUPT;
		}
	}
	return GOTRACE_OK;
}

/* Ends the generation being scanned at offset end, and lists it. */
static int close_gen(gotrace_index *idx, scan_gen *g, uint64_t end)
{
	gotrace_generation_info *out;
	gt_generation conv;

	if (!g->has_freq) {
		gt_error_set(&idx->err, GOTRACE_ERR_INVALID, end, NULL,
		             "no frequency event found");
		return GOTRACE_ERR_INVALID;
	}
	if (idx->version >= GOTRACE_GO125 && !g->has_clock) {
		gt_error_set(&idx->err, GOTRACE_ERR_INVALID, end, NULL,
		             "no clock snapshot event found");
		return GOTRACE_ERR_INVALID;
	}
	if (GT_GROW(idx->gens, idx->cap, idx->n + 1) != 0) {
		gt_error_set(&idx->err, GOTRACE_ERR_NOMEM, end, "indexing",
		             "out of memory");
		return GOTRACE_ERR_NOMEM;
	}
	/* The reader's conversion, exactly (gt_generation_set_frequency). */
	memset(&conv, 0, sizeof conv);
	gt_generation_set_frequency(&conv, g->freq);
	out = &idx->gens[idx->n];
	memset(out, 0, sizeof *out);
	out->number = g->gen;
	out->serial = idx->n + 1;
	out->start_offset = g->start;
	out->end_offset = end;
	out->batches = g->batches;
	out->event_batches = g->event_batches;
	out->first_time = gt_ticks_to_ns(conv.ns_per_tick, g->min_ts);
	out->last_batch_time = gt_ticks_to_ns(conv.ns_per_tick, g->max_ts);
	out->has_frequency = 1;
	out->frequency = g->freq;
	if (g->has_clock) {
		int64_t sec = (int64_t)g->clock_sec;
		int64_t nsec = (int64_t)g->clock_nsec;

		/* As the reader's Sync event (event.c): time.Unix's
		 * normalization, wrapping as Go's int64 arithmetic does. */
		if (nsec < 0 || nsec >= 1000000000) {
			sec = (int64_t)((uint64_t)sec + (uint64_t)(nsec / 1000000000));
			nsec %= 1000000000;
			if (nsec < 0) {
				nsec += 1000000000;
				sec = (int64_t)((uint64_t)sec - 1);
			}
		}
		out->has_clock = 1;
		out->clock_trace = gt_ticks_to_ns(conv.ns_per_tick, g->clock_ts);
		out->clock_mono = g->clock_mono;
		out->wall_sec = sec;
		out->wall_nsec = nsec;
	}
	idx->n++;
	memset(g, 0, sizeof *g);
	return GOTRACE_OK;
}

/* Counts one batch into the generation (process_batch's classification
 * in generation.c), decoding it if it is the sync batch. */
static int add_batch(gotrace_index *idx, gt_stream *s, scan_gen *g,
                     const batch_hdr *h)
{
	uint8_t kind = 0;
	int is_sync = 0, rc;

	/* Go's rule: a timestamp of 0 so far does not count as one. */
	if (g->batches == 0 || g->min_ts == 0 || h->time < g->min_ts)
		g->min_ts = h->time;
	if (g->batches == 0 || h->time > g->max_ts)
		g->max_ts = h->time;
	g->batches++;
	if (h->size > 0) {
		if (gt_stream_avail(s) <= h->hdr_len)
			return short_payload(s, h, &idx->err);
		kind = s->pos[h->hdr_len];
	}
	if (h->exp == 0) {
		if (h->size > 0 && kind == GOTRACE_WIRE_FREQUENCY &&
		    idx->version < GOTRACE_GO125)
			is_sync = 1;
		else if (h->size > 0 && kind == GOTRACE_WIRE_SYNC &&
		         idx->version >= GOTRACE_GO125)
			is_sync = 1;
		else if (h->size == 0 || (kind != GOTRACE_WIRE_STRINGS &&
		                          kind != GOTRACE_WIRE_STACKS &&
		                          kind != GOTRACE_WIRE_CPU_SAMPLES))
			g->event_batches++;
	}
	if (!is_sync)
		return skip_batch(s, h, &idx->err);
	rc = need_batch(s, h, &idx->err);
	if (rc != GOTRACE_OK)
		return rc;
	rc = decode_sync(g, s->pos + h->hdr_len, (size_t)h->size,
	                 h->offset + h->hdr_len, h->time, idx->version,
	                 &idx->err);
	if (rc != GOTRACE_OK)
		return rc;
	gt_stream_skip(s, h->hdr_len + (size_t)h->size);
	return GOTRACE_OK;
}

static void start_gen(scan_gen *g, const batch_hdr *h)
{
	memset(g, 0, sizeof *g);
	g->open = 1;
	g->gen = h->gen;
	g->start = h->offset;
}

/* A scan step's result when the scan goes on. */
enum { SCAN_MORE = 2 };

/* Go 1.26+: a generation ends at its EndOfGeneration marker. One batch
 * (or marker) per call: SCAN_MORE, or the scan's result. */
static int step_with_marker(gotrace_index *idx)
{
	gt_stream *s = &idx->s;
	scan_gen *g = &idx->g;
	batch_hdr h;
	int rc;

	rc = read_header(s, &h, &idx->err);
	if (rc == HDR_EOF) {
		if (g->open && g->batches != 0) {
			gt_error_set(&idx->err, GOTRACE_ERR_TRUNCATED, s->offset,
			             NULL, "incomplete generation found; "
			             "trace likely truncated");
			return GOTRACE_ERR_TRUNCATED;
		}
		return GOTRACE_OK;
	}
	if (rc != HDR_OK)
		return rc;
	if (!g->open) {
		start_gen(g, &h);
		if (h.marker)
			g->gen = 0;
	}
	if (h.marker) {
		gt_stream_skip(s, 1);
		rc = close_gen(idx, g, s->offset);
		return rc != GOTRACE_OK ? rc : SCAN_MORE;
	}
	if (h.gen == 0) {
		gt_error_set(&idx->err, GOTRACE_ERR_CORRUPT, h.offset, NULL,
		             "invalid generation number %" PRIu64, h.gen);
		return GOTRACE_ERR_CORRUPT;
	}
	if (h.gen != g->gen) {
		gt_error_set(&idx->err, GOTRACE_ERR_INVALID, h.offset, NULL,
		             "broken trace: missing end-of-generation event, "
		             "or generations are interleaved");
		return GOTRACE_ERR_INVALID;
	}
	rc = add_batch(idx, s, g, &h);
	return rc != GOTRACE_OK ? rc : SCAN_MORE;
}

/* Before Go 1.26: a generation ends where a batch of the next begins.
 * As step_with_marker. */
static int step_with_spill(gotrace_index *idx)
{
	gt_stream *s = &idx->s;
	scan_gen *g = &idx->g;
	batch_hdr h;
	int rc;

	rc = read_header(s, &h, &idx->err);
	/* The end of the input ends the last generation; an empty trace is
	 * a generation without a frequency, as in Go. */
	if (rc == HDR_EOF)
		return close_gen(idx, g, s->offset);
	if (rc != HDR_OK) {
		/* A batch of the next generation begins, though it is damaged:
		 * this one is whole (Go yields it). */
		if (g->open && h.have_gen && h.gen == g->gen + 1) {
			struct gotrace_error keep = idx->err;

			if (close_gen(idx, g, h.offset) == GOTRACE_OK)
				idx->err = keep;
		}
		return rc;
	}
	if (h.marker) {
		/* Not a batch before Go 1.26: as Go's reader, read it as a
		 * batch header and fail. */
		gt_error_set(&idx->err, GOTRACE_ERR_CORRUPT, h.offset, NULL,
		             "expected batch event, got event %u",
		             GOTRACE_WIRE_END_OF_GENERATION);
		return GOTRACE_ERR_CORRUPT;
	}
	if (h.gen == 0) {
		gt_error_set(&idx->err, GOTRACE_ERR_CORRUPT, h.offset, NULL,
		             "invalid generation number %" PRIu64, h.gen);
		return GOTRACE_ERR_CORRUPT;
	}
	if (!g->open) {
		start_gen(g, &h);
	} else if (h.gen == g->gen + 1) {
		rc = close_gen(idx, g, h.offset);
		if (rc != GOTRACE_OK)
			return rc;
		start_gen(g, &h);
	} else if (h.gen != g->gen) {
		gt_error_set(&idx->err, GOTRACE_ERR_INVALID, h.offset, NULL,
		             "generations out of order");
		return GOTRACE_ERR_INVALID;
	}
	rc = add_batch(idx, s, g, &h);
	return rc != GOTRACE_OK ? rc : SCAN_MORE;
}

/* Ends the scan with result rc, letting go of what only it used. */
static void end_scan(gotrace_index *idx, int rc)
{
	idx->scanning = 0;
	idx->scan_rc = rc;
	gt_stream_destroy(&idx->s);
	gotrace_input_free(idx->view);
	idx->view = NULL;
}

/* Scans until one more generation is listed or the scan ends. */
static void scan_one_generation(gotrace_index *idx)
{
	size_t n = idx->n;

	while (idx->scanning && idx->n == n) {
		int rc = idx->version >= GOTRACE_GO126 ? step_with_marker(idx)
		                                       : step_with_spill(idx);

		if (rc != SCAN_MORE)
			end_scan(idx, rc);
	}
}

int gt_index_open(gotrace_index **out, gotrace_input *in)
{
	gotrace_index *idx;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (out == NULL || in == NULL)
		return GOTRACE_ERR_ARG;
	idx = calloc(1, sizeof *idx);
	if (idx == NULL)
		return GOTRACE_ERR_NOMEM;
	idx->in = in;
	gt_error_clear(&idx->err);
	*out = idx;
	/* Files are read with pread(2), one call per batch header rather
	 * than a seek and a read; a mapped one through its descriptor too: a
	 * page fault per batch header costs more, and leaves pages mapped. */
	if ((in->kind == GT_SOURCE_FD || in->mapped) &&
	    gt_source_view(in, &idx->view) != GOTRACE_OK)
		idx->view = NULL;
	gt_stream_init(&idx->s, idx->view != NULL ? idx->view : in);
	if (idx->s.in->kind != GT_SOURCE_MEMORY &&
	    gt_source_seekable(idx->s.in))
		idx->s.read_hint = INDEX_READ_HINT;
	idx->scanning = 1;
	rc = gt_header_read(&idx->s, &idx->version, &idx->err);
	idx->header_size = idx->s.offset;
	if (rc == GOTRACE_OK && !gotrace_version_is_v2(idx->version)) {
		gt_error_set_detail(&idx->err, GOTRACE_ERR_UNSUPPORTED,
		                    idx->s.offset, "unsupported", "a Go 1.%d trace "
		                    "has no generations to index",
		                    (int)idx->version);
		rc = GOTRACE_ERR_UNSUPPORTED;
	}
	if (rc != GOTRACE_OK)
		end_scan(idx, rc);
	return rc;
}

int gt_index_finish(gotrace_index *idx)
{
	while (idx->scanning)
		scan_one_generation(idx);
	return idx->scan_rc;
}

long gt_index_scan_to_generation(gotrace_index *idx, uint64_t gen)
{
	size_t i = 0;

	for (;;) {
		for (; i < idx->n; i++)
			if (idx->gens[i].number == gen)
				return (long)i;
		if (!idx->scanning)
			return -1;
		scan_one_generation(idx);
	}
}

int gt_index_scanning(const gotrace_index *idx)
{
	return idx->scanning;
}

int gotrace_index_new(gotrace_index **out, gotrace_input *in)
{
	int rc = gt_index_open(out, in);

	if (rc != GOTRACE_OK)
		return rc;
	return gt_index_finish(*out);
}

const gotrace_error *gotrace_index_error(const gotrace_index *idx)
{
	return idx != NULL ? &idx->err : NULL;
}

gotrace_version gotrace_index_version(const gotrace_index *idx)
{
	return idx != NULL ? idx->version : GOTRACE_VERSION_UNKNOWN;
}

uint64_t gotrace_index_header_size(const gotrace_index *idx)
{
	return idx != NULL ? idx->header_size : 0;
}

uint64_t gotrace_index_valid_bytes(const gotrace_index *idx)
{
	/* As the reader counts them: up to the end of the last generation
	 * read whole, and nothing before the first. */
	if (idx == NULL || idx->n == 0)
		return 0;
	return idx->gens[idx->n - 1].end_offset;
}

size_t gotrace_index_count(const gotrace_index *idx)
{
	return idx != NULL ? idx->n : 0;
}

int gotrace_index_at(const gotrace_index *idx, size_t i,
                     gotrace_generation_info *out)
{
	if (idx == NULL || out == NULL || i >= idx->n)
		return -1;
	*out = idx->gens[i];
	return 0;
}

long gotrace_index_find_generation(const gotrace_index *idx, uint64_t gen)
{
	size_t i;

	if (idx == NULL)
		return -1;
	for (i = 0; i < idx->n; i++)
		if (idx->gens[i].number == gen)
			return (long)i;
	return -1;
}

static int64_t sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

static int64_t sat_sub(int64_t a, int64_t b)
{
	if (b == INT64_MIN)
		return a >= 0 ? INT64_MAX : a - INT64_MIN;
	return sat_add(a, -b);
}

/* A snapshot's wall time in ns since 1970, saturated. */
static int64_t wall_ns(const gotrace_generation_info *g)
{
	if (g->wall_sec > INT64_MAX / 1000000000)
		return INT64_MAX;
	if (g->wall_sec < INT64_MIN / 1000000000 + 1)
		return INT64_MIN;
	return sat_add(g->wall_sec * 1000000000, g->wall_nsec);
}

long gotrace_index_find_time(const gotrace_index *idx,
                             gotrace_clock_kind clock, int64_t t)
{
	size_t i, found = 0;

	if (idx == NULL || idx->n == 0)
		return -1;
	switch (clock) {
	case GOTRACE_CLOCK_TRACE:
		break;
	case GOTRACE_CLOCK_START:
		t = sat_add(idx->gens[0].first_time, t);
		break;
	case GOTRACE_CLOCK_WALL: {
		/* gotrace_clock_from_wall's rule: the latest snapshot at or
		 * before t on the wall clock, else the first. */
		const gotrace_generation_info *snap = &idx->gens[0];

		for (i = 0; i < idx->n; i++) {
			if (!idx->gens[i].has_clock)
				return -1;
			if (wall_ns(&idx->gens[i]) <= t)
				snap = &idx->gens[i];
		}
		t = sat_add(snap->clock_trace, sat_sub(t, wall_ns(snap)));
		break;
	}
	default:
		return -1;
	}
	for (i = 0; i < idx->n; i++)
		if (idx->gens[i].first_time <= t)
			found = i;
	return (long)found;
}

void gotrace_index_free(gotrace_index *idx)
{
	if (idx == NULL)
		return;
	if (idx->scanning)
		end_scan(idx, GOTRACE_OK);
	gotrace_input_free(idx->in);
	free(idx->gens);
	free(idx);
}

/* Writes bytes [off, off + len) of the index's input. */
static int cut_range(const gotrace_index *idx, uint64_t off, uint64_t len,
                     gotrace_cut_write_fn write_fn, void *ctx, uint8_t *buf,
                     size_t cap)
{
	const gotrace_input *in = idx->in;

	if (in->kind == GT_SOURCE_MEMORY && !in->mapped) {
		if (off > in->size || len > in->size - off)
			return GOTRACE_ERR_IO;
		while (len > 0) {
			size_t n = len > (1u << 30) ? (1u << 30) : (size_t)len;

			if (write_fn(ctx, in->data + off, n) != 0)
				return GOTRACE_ERR_IO;
			off += n;
			len -= n;
		}
		return GOTRACE_OK;
	}
	while (len > 0) {
		size_t want = len > cap ? cap : (size_t)len;
		long got = gt_source_pread(in, buf, want, off);

		if (got <= 0) {
			if (got == 0)
				errno = EIO; /* the file shrank */
			return GOTRACE_ERR_IO;
		}
		if (write_fn(ctx, buf, (size_t)got) != 0)
			return GOTRACE_ERR_IO;
		off += (uint64_t)got;
		len -= (uint64_t)got;
	}
	return GOTRACE_OK;
}

int gotrace_cut_write(const gotrace_index *idx, size_t first, size_t last,
                      gotrace_cut_write_fn write_fn, void *ctx)
{
	enum { CUT_BUF = 1u << 20 };
	const gotrace_input *in;
	uint64_t start, end;
	uint8_t *buf = NULL;
	int rc;

	if (idx == NULL || write_fn == NULL)
		return GOTRACE_ERR_ARG;
	if (!gotrace_version_is_v2(idx->version))
		return GOTRACE_ERR_UNSUPPORTED;
	if (first > last || last >= idx->n)
		return GOTRACE_ERR_ARG;
	in = idx->in;
	if (!(in->kind == GT_SOURCE_MEMORY && !in->mapped) &&
	    (in->fd < 0 || in->base < 0))
		return GOTRACE_ERR_UNSUPPORTED;
	if (!(in->kind == GT_SOURCE_MEMORY && !in->mapped)) {
		buf = malloc(CUT_BUF);
		if (buf == NULL)
			return GOTRACE_ERR_NOMEM;
	}
	start = idx->gens[first].start_offset;
	end = idx->gens[last].end_offset;
	rc = cut_range(idx, 0, idx->header_size, write_fn, ctx, buf, CUT_BUF);
	if (rc == GOTRACE_OK)
		rc = cut_range(idx, start, end - start, write_fn, ctx, buf, CUT_BUF);
	free(buf);
	return rc;
}
