/* The forward-only window over an input. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io/stream.h"

#define GT_STREAM_MIN_CAP (256u * 1024u)

void gt_stream_init(gt_stream *s, struct gotrace_input *in)
{
	memset(s, 0, sizeof *s);
	s->in = in;
	s->release_at = in->mapped ? GT_STREAM_RELEASE_STEP : UINT64_MAX;
	s->limit = UINT64_MAX;
	if (in->kind == GT_SOURCE_MEMORY) {
		s->pos = in->data;
		s->end = in->data + in->size;
		s->eof = 1;
	}
}

void gt_stream_destroy(gt_stream *s)
{
	free(s->buf);
	s->buf = NULL;
	s->cap = 0;
	s->pos = s->end = NULL;
}

int gt_stream_fill(gt_stream *s, size_t n)
{
	size_t have = gt_stream_avail(s);

	if (s->io_errno != 0)
		return GOTRACE_ERR_IO;
	if (have > 0 && s->pos != s->buf)
		memmove(s->buf, s->pos, have);
	s->pos = s->buf;
	s->end = s->buf + have;
	if (n > s->cap) {
		size_t ncap = s->cap < GT_STREAM_MIN_CAP ? GT_STREAM_MIN_CAP : s->cap;
		uint8_t *nbuf;

		while (ncap < n) {
			if (ncap > SIZE_MAX / 2)
				return GOTRACE_ERR_NOMEM;
			ncap *= 2;
		}
		nbuf = realloc(s->buf, ncap);
		if (nbuf == NULL)
			return GOTRACE_ERR_NOMEM;
		s->buf = nbuf;
		s->cap = ncap;
		s->pos = nbuf;
		s->end = nbuf + have;
	}
	/* Fill the whole buffer when we can: fewer read calls on pipes. */
	while (have < n) {
		size_t want = s->cap - have;
		long got;

		if (s->read_hint != 0 && want > s->read_hint &&
		    want > n - have)
			want = n - have > s->read_hint ? n - have : s->read_hint;
		if (s->limit != UINT64_MAX) {
			uint64_t left = s->limit > s->offset + have
			                ? s->limit - (s->offset + have) : 0;

			if (want > left)
				want = (size_t)left;
			if (want == 0) {
				s->eof = 1;
				break;
			}
		}
		got = gt_source_read(s->in, s->buf + have, want);

		if (got < 0) {
			s->io_errno = errno != 0 ? errno : EIO;
			return GOTRACE_ERR_IO;
		}
		if (got == 0) {
			s->eof = 1;
			break;
		}
		have += (size_t)got;
		s->end = s->buf + have;
	}
	return GOTRACE_OK;
}

/* The end of a memory input's bytes, at the limit. */
static const uint8_t *memory_end(const gt_stream *s)
{
	uint64_t end = s->in->size;

	if (s->limit < end)
		end = s->limit < s->offset ? s->offset : s->limit;
	return s->in->data + end;
}

int gt_stream_seek(gt_stream *s, uint64_t off)
{
	struct gotrace_input *in = s->in;
	int rc;

	if (in->kind == GT_SOURCE_MEMORY) {
		if (off > in->size)
			off = in->size;
		if (gt_source_restore(in, off) != GOTRACE_OK) {
			s->io_errno = errno != 0 ? errno : EIO;
			return GOTRACE_ERR_IO;
		}
		s->pos = in->data + off;
		s->offset = off;
		s->end = memory_end(s);
		if (in->mapped)
			s->release_at = off + GT_STREAM_RELEASE_STEP;
		return GOTRACE_OK;
	}
	rc = gt_source_seek(in, off);
	if (rc == GOTRACE_ERR_IO) {
		s->io_errno = errno != 0 ? errno : EIO;
		return rc;
	}
	if (rc != GOTRACE_OK)
		return rc;
	s->pos = s->end = s->buf;
	s->offset = off;
	s->eof = 0;
	s->io_errno = 0;
	return GOTRACE_OK;
}

int gt_stream_set_limit(gt_stream *s, uint64_t limit)
{
	uint64_t old = s->limit;

	s->limit = limit;
	if (s->in->kind == GT_SOURCE_MEMORY) {
		s->end = memory_end(s);
		return GOTRACE_OK;
	}
	if (limit > old && old != UINT64_MAX &&
	    s->offset + gt_stream_avail(s) >= old)
		/* Bytes past the old limit were never read or were dropped;
		 * read on from the stream's position. */
		return gt_stream_seek(s, s->offset);
	if (limit != UINT64_MAX && s->offset + gt_stream_avail(s) > limit) {
		s->end = limit > s->offset ? s->pos + (limit - s->offset) : s->pos;
		s->eof = 1;
	}
	return GOTRACE_OK;
}
