/*
 * The raw wire layer: the trace's bytes as a flat sequence of wire events,
 * decoded with the same framing rules as Go's raw reader (which is what
 * `go tool trace -d=wire` prints): batch headers are events like any other
 * and batch sizes are not used to skip ahead.
 */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "wire/header.h"
#include "wire/spec.h"
#include "io/stream.h"
#include "base/textbuf.h"
#include "wire/varint.h"
#include "gotrace/wire.h"

struct gotrace_wire_reader {
	gotrace_input *in;
	gt_stream s;
	gotrace_version version;
	size_t nspecs;
	int state;                 /* GOTRACE_OK, GOTRACE_EOF or an error */
	int truncated;
	uint64_t args[GT_MAX_SPEC_ARGS];
	gotrace_wire_frame *frames;
	size_t frames_cap;
	struct gotrace_error err;
};

/* Outcomes of reading one piece of an event. */
enum { PIECE_OK = 0, PIECE_END = 1, PIECE_ERR = -1 };

int gotrace_wire_reader_new(gotrace_wire_reader **out, gotrace_input *in)
{
	gotrace_wire_reader *r;
	int rc;

	if (out == NULL || in == NULL)
		return GOTRACE_ERR_ARG;
	*out = NULL;
	r = calloc(1, sizeof *r);
	if (r == NULL)
		return GOTRACE_ERR_NOMEM;
	r->in = in;
	gt_stream_init(&r->s, in);
	gt_error_clear(&r->err);
	*out = r;
	rc = gt_header_read(&r->s, &r->version, &r->err);
	if (rc != GOTRACE_OK) {
		r->state = rc;
		return rc;
	}
	r->nspecs = gt_spec_count(r->version);
	return GOTRACE_OK;
}

gotrace_version gotrace_wire_reader_version(const gotrace_wire_reader *r)
{
	return r != NULL ? r->version : GOTRACE_VERSION_UNKNOWN;
}

int gotrace_wire_reader_truncated(const gotrace_wire_reader *r)
{
	return r != NULL && r->truncated;
}

uint64_t gotrace_wire_reader_offset(const gotrace_wire_reader *r)
{
	return r != NULL ? r->s.offset : 0;
}

const gotrace_error *gotrace_wire_reader_error(const gotrace_wire_reader *r)
{
	return r != NULL ? &r->err : NULL;
}

void gotrace_wire_reader_free(gotrace_wire_reader *r)
{
	if (r == NULL)
		return;
	gt_stream_destroy(&r->s);
	gotrace_input_free(r->in);
	free(r->frames);
	free(r);
}

static int fail(gotrace_wire_reader *r, int code, uint64_t offset,
                const char *context, const char *go_msg)
{
	gt_error_set(&r->err, code, offset, context, "%s", go_msg);
	r->state = code;
	return PIECE_ERR;
}

static int fill_failed(gotrace_wire_reader *r, int rc, size_t off)
{
	if (rc == GOTRACE_ERR_IO)
		return fail(r, rc, r->s.offset + off, "reading input", "read error");
	return fail(r, rc, r->s.offset + off, "buffering event", "out of memory");
}

/*
 * Reads a varint at *off (relative to the stream position). Input that ends
 * before the varint's first byte is the silent end Go's raw reader has;
 * input that ends inside it is "unexpected EOF".
 */
static int read_varint(gotrace_wire_reader *r, size_t *off, uint64_t *val,
                       const char *what)
{
	size_t avail, len;
	int rc = gt_stream_need(&r->s, *off + 10);

	if (rc != GOTRACE_OK)
		return fill_failed(r, rc, *off);
	avail = gt_stream_avail(&r->s) - *off;
	if (avail == 0)
		return PIECE_END;
	switch (gt_varint_decode(r->s.pos + *off, avail, val, &len)) {
	case GT_VARINT_OK:
		*off += len;
		return PIECE_OK;
	case GT_VARINT_SHORT:
		return fail(r, GOTRACE_ERR_TRUNCATED, r->s.offset + *off + len,
		            what, "unexpected EOF");
	default:
		return fail(r, GOTRACE_ERR_CORRUPT, r->s.offset + *off, what,
		            "binary: varint overflows a 64-bit integer");
	}
}

static int read_frames(gotrace_wire_reader *r, size_t *off, uint64_t n,
                       size_t *nframes)
{
	uint64_t i;

	*nframes = 0;
	/* Go converts the count to int: a count with the top bit set is negative
	 * there and no frames are read. */
	if ((int64_t)n <= 0)
		return PIECE_OK;
	for (i = 0; i < n; i++) {
		gotrace_wire_frame *f;
		uint64_t vals[4];
		int k, rc;

		for (k = 0; k < 4; k++) {
			rc = read_varint(r, off, &vals[k], "stack frame");
			if (rc != PIECE_OK)
				return rc;
		}
		if (i == r->frames_cap) {
			size_t ncap = r->frames_cap ? r->frames_cap * 2 : 64;
			gotrace_wire_frame *nf = realloc(r->frames, ncap * sizeof *nf);

			if (nf == NULL)
				return fail(r, GOTRACE_ERR_NOMEM, r->s.offset + *off,
				            "stack frames", "out of memory");
			r->frames = nf;
			r->frames_cap = ncap;
		}
		f = &r->frames[i];
		f->pc = vals[0];
		f->func = vals[1];
		f->file = vals[2];
		f->line = vals[3];
		*nframes = (size_t)i + 1;
	}
	return PIECE_OK;
}

/* Makes len payload bytes at off available, growing with the input. */
static int read_payload(gotrace_wire_reader *r, size_t off, uint64_t len)
{
	for (;;) {
		size_t have = gt_stream_avail(&r->s) - off;
		size_t want;
		int rc;

		if (have >= len)
			return PIECE_OK;
		if (r->s.eof)
			return PIECE_END;
		want = have < 65536 ? 65536 : have * 2;
		if ((uint64_t)want > len)
			want = (size_t)len;
		rc = gt_stream_need(&r->s, off + want);
		if (rc != GOTRACE_OK)
			return fill_failed(r, rc, off);
	}
}

static int end_inside_event(gotrace_wire_reader *r)
{
	r->truncated = 1;
	r->state = GOTRACE_EOF;
	return GOTRACE_EOF;
}

int gotrace_wire_reader_next(gotrace_wire_reader *r, gotrace_wire_event *ev)
{
	const gt_spec *spec;
	size_t off = 1, nframes = 0, data_off = 0;
	uint64_t data_len = 0;
	uint8_t type;
	int rc;
	size_t i;

	if (r == NULL || ev == NULL)
		return GOTRACE_ERR_ARG;
	if (r->state != GOTRACE_OK)
		return r->state;
	/* The previous event, the only one the caller may still hold, has
	 * expired. */
	gt_stream_release_behind(&r->s);
	rc = gt_stream_need(&r->s, 1);
	if (rc != GOTRACE_OK) {
		fill_failed(r, rc, 0);
		return r->state;
	}
	if (gt_stream_avail(&r->s) == 0) {
		r->state = GOTRACE_EOF;
		return GOTRACE_EOF;
	}
	type = r->s.pos[0];
	if (r->nspecs == 0) {
		char go[32];

		/* What Go's -d=wire says when it meets a v1 event. */
		snprintf(go, sizeof go, "invalid event type: %u", type);
		gt_error_set_detail(&r->err, GOTRACE_ERR_UNSUPPORTED, r->s.offset,
		                    go, "go 1.%d trace: the v1 format has no v2 wire layer",
		                    (int)r->version);
		r->state = GOTRACE_ERR_UNSUPPORTED;
		return r->state;
	}
	if (type == 0 || type >= r->nspecs) {
		gt_error_set(&r->err, GOTRACE_ERR_CORRUPT, r->s.offset, NULL,
		             "invalid event type: %u", type);
		r->state = GOTRACE_ERR_CORRUPT;
		return r->state;
	}
	spec = &gt_specs[type];
	for (i = 0; i < spec->nargs; i++) {
		rc = read_varint(r, &off, &r->args[i], spec->name);
		if (rc == PIECE_END)
			return end_inside_event(r);
		if (rc != PIECE_OK)
			return r->state;
	}
	if (spec->is_stack) {
		rc = read_frames(r, &off, r->args[1], &nframes);
		if (rc == PIECE_END)
			return end_inside_event(r);
		if (rc != PIECE_OK)
			return r->state;
	}
	if (spec->has_data) {
		rc = read_varint(r, &off, &data_len, spec->name);
		if (rc == PIECE_END)
			return end_inside_event(r);
		if (rc != PIECE_OK)
			return r->state;
		if ((int64_t)data_len < 0)
			data_len = 0;
		data_off = off;
		rc = read_payload(r, off, data_len);
		if (rc == PIECE_END)
			return end_inside_event(r);
		if (rc != PIECE_OK)
			return r->state;
		off += (size_t)data_len;
	}
	ev->type = type;
	ev->name = spec->name;
	ev->offset = r->s.offset;
	ev->size = off;
	ev->nargs = spec->nargs;
	ev->args = r->args;
	ev->arg_names = spec->args;
	ev->nframes = nframes;
	ev->frames = nframes ? r->frames : NULL;
	ev->has_data = spec->has_data;
	ev->data = spec->has_data ? r->s.pos + data_off : NULL;
	ev->data_len = (size_t)data_len;
	gt_stream_skip(&r->s, off);
	return GOTRACE_OK;
}

static void format_event(gt_textbuf *b, const gotrace_wire_event *ev)
{
	size_t i;

	gt_textbuf_puts(b, ev->name);
	for (i = 0; i < ev->nargs; i++) {
		gt_textbuf_putc(b, ' ');
		gt_textbuf_puts(b, ev->arg_names[i]);
		gt_textbuf_putc(b, '=');
		gt_textbuf_u64(b, ev->args[i]);
	}
	for (i = 0; i < ev->nframes; i++) {
		const gotrace_wire_frame *f = &ev->frames[i];

		gt_textbuf_lit(b, "\n\tpc=");
		gt_textbuf_u64(b, f->pc);
		gt_textbuf_lit(b, " func=");
		gt_textbuf_u64(b, f->func);
		gt_textbuf_lit(b, " file=");
		gt_textbuf_u64(b, f->file);
		gt_textbuf_lit(b, " line=");
		gt_textbuf_u64(b, f->line);
	}
	/* Go prints the payload only when it holds at least one byte. */
	if (ev->has_data && ev->data_len > 0) {
		gt_textbuf_lit(b, "\n\tdata=");
		gt_textbuf_quote(b, ev->data, ev->data_len);
	}
	gt_textbuf_putc(b, '\n');
}

int gotrace_wire_event_write(const gotrace_wire_event *ev, FILE *f)
{
	char local[1024];
	gt_textbuf b;

	if (ev == NULL || f == NULL)
		return -1;
	gt_textbuf_init_local(&b, local, sizeof local);
	format_event(&b, ev);
	return gt_textbuf_flush(&b, f);
}
