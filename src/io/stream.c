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
		long got = gt_source_read(s->in, s->buf + have, s->cap - have);

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
