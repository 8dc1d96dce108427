/*
 * Internal: a forward-only window over an input.
 *
 * Readers look ahead with gt_stream_need() and consume with
 * gt_stream_skip(). Bytes between pos and end stay in place until skipped,
 * but the window may move in memory on the next gt_stream_need() call, so
 * callers keep offsets relative to pos across calls, never pointers.
 * Memory inputs are used in place, without copying.
 */
#ifndef GT_STREAM_H
#define GT_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "io/source.h"

typedef struct gt_stream {
	struct gotrace_input *in;
	const uint8_t *pos;  /* first unconsumed byte */
	const uint8_t *end;  /* end of buffered bytes */
	uint8_t *buf;        /* owned buffer (streaming sources only) */
	size_t cap;
	uint64_t offset;     /* input offset of pos */
	int eof;             /* the source has no more bytes */
	int io_errno;        /* errno of a failed read, 0 if none */
	uint64_t release_at; /* gt_stream_release_behind: next offset to give
	                        pages back at; UINT64_MAX if not mapped */
	uint64_t limit;      /* input offset the stream ends at, as if the
	                        input ended there; UINT64_MAX: none */
	size_t read_hint;    /* streaming sources: read about this much at a
	                        time instead of a whole buffer (for readers
	                        that skip most bytes); 0: a whole buffer */
} gt_stream;

/* How far apart gt_stream_release_behind gives pages back. */
#define GT_STREAM_RELEASE_STEP (4u * 1024u * 1024u)

/* Sets s up to read from in (not owned). */
void gt_stream_init(gt_stream *s, struct gotrace_input *in);

/* Releases the buffer. Does not free the input. */
void gt_stream_destroy(gt_stream *s);

/* Bytes available at pos without reading. */
static inline size_t gt_stream_avail(const gt_stream *s)
{
	return (size_t)(s->end - s->pos);
}

/*
 * Makes at least n bytes available at pos, reading as needed. Returns
 * GOTRACE_OK (gt_stream_avail() may still be below n if the input ended),
 * GOTRACE_ERR_IO (s->io_errno set) or GOTRACE_ERR_NOMEM.
 */
int gt_stream_fill(gt_stream *s, size_t n);

static inline int gt_stream_need(gt_stream *s, size_t n)
{
	if ((size_t)(s->end - s->pos) >= n || s->eof)
		return 0;
	return gt_stream_fill(s, n);
}

/*
 * For readers whose caller holds nothing before pos (the wire reader):
 * a mapped input gives back the pages behind pos every few MB.
 */
static inline void gt_stream_release_behind(gt_stream *s)
{
	if (s->offset >= s->release_at) {
		gt_source_release(s->in, s->offset);
		s->release_at = s->offset + GT_STREAM_RELEASE_STEP;
	}
}

/*
 * Random access. gt_stream_seek moves the stream to input offset off,
 * dropping what it buffered: a memory input just moves (mapping pages
 * given back again), a descriptor is seeked; a pipe or callback gives
 * GOTRACE_ERR_UNSUPPORTED. Returns GOTRACE_OK, that, or GOTRACE_ERR_IO
 * (s->io_errno set). Past the input's end, the stream is at its end.
 */
int gt_stream_seek(gt_stream *s, uint64_t off);

/*
 * Ends the stream at input offset limit (UINT64_MAX: at the input's end),
 * as if the input ended there; bytes past it already buffered are
 * dropped. Raising the limit of a descriptor stream seeks (to read what
 * was dropped again). Returns as gt_stream_seek.
 */
int gt_stream_set_limit(gt_stream *s, uint64_t limit);

/* Consumes n available bytes. */
static inline void gt_stream_skip(gt_stream *s, size_t n)
{
	s->pos += n;
	s->offset += n;
}

#endif
