/* The trace header, matched with the same rules as Go's fmt.Fscanf. */
#include "wire/header.h"
#include "wire/spec.h"
#include "base/utf8.h"

#define RUNE_EOF 0xFFFFFFFFu

/* A rune-at-a-time cursor over the stream that can step back once. */
typedef struct rune_cursor {
	gt_stream *s;
	size_t off;       /* bytes looked at, relative to the stream position */
	size_t last_width;
	int rc;           /* first fill error */
} rune_cursor;

static uint32_t next_rune(rune_cursor *c)
{
	size_t w;
	uint32_t r;
	int rc = gt_stream_need(c->s, c->off + 4);

	if (rc != GOTRACE_OK) {
		if (c->rc == GOTRACE_OK)
			c->rc = rc;
		c->last_width = 0;
		return RUNE_EOF;
	}
	if (gt_stream_avail(c->s) <= c->off) {
		c->last_width = 0;
		return RUNE_EOF;
	}
	r = gt_utf8_decode(c->s->pos + c->off, gt_stream_avail(c->s) - c->off, &w);
	c->off += w;
	c->last_width = w;
	return r;
}

static void unread_rune(rune_cursor *c)
{
	c->off -= c->last_width;
	c->last_width = 0;
}

/* fmt's notion of white space. */
static int is_space(uint32_t r)
{
	return (r >= 0x09 && r <= 0x0d) || r == 0x20 || r == 0x85 ||
	       r == 0xa0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200a) ||
	       r == 0x2028 || r == 0x2029 || r == 0x202f || r == 0x205f ||
	       r == 0x3000;
}

/* A space in the format: one or more non-newline spaces, or end of input. */
static int match_space(rune_cursor *c)
{
	uint32_t r = next_rune(c);

	if (r == RUNE_EOF)
		return 1;
	if (!is_space(r) || r == '\n')
		return 0;
	while (r != RUNE_EOF && is_space(r) && r != '\n')
		r = next_rune(c);
	if (r != RUNE_EOF)
		unread_rune(c);
	return 1;
}

static int match_literal(rune_cursor *c, const char *lit, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (next_rune(c) != (uint8_t)lit[i])
			return 0;
	return 1;
}

/* %d into a uint32: optional leading spaces (no newline), then digits. */
static int match_uint32(rune_cursor *c, uint32_t *out)
{
	uint64_t v = 0;
	int overflow = 0, digits = 0;
	uint32_t r;

	for (;;) {
		r = next_rune(c);
		if (r == RUNE_EOF)
			return 0;
		if (r == '\n')
			return 0;
		if (!is_space(r))
			break;
	}
	while (r >= '0' && r <= '9') {
		digits++;
		if (v > (UINT64_MAX - 9) / 10)
			overflow = 1;
		else
			v = v * 10 + (r - '0');
		r = next_rune(c);
	}
	if (r != RUNE_EOF)
		unread_rune(c);
	if (digits == 0 || overflow || v > UINT32_MAX)
		return 0;
	*out = (uint32_t)v;
	return 1;
}

int gt_header_read(gt_stream *s, gotrace_version *version,
                   struct gotrace_error *err)
{
	rune_cursor c = {s, 0, 0, GOTRACE_OK};
	uint32_t v = 0;
	int ok;

	*version = GOTRACE_VERSION_UNKNOWN;
	ok = match_literal(&c, "go", 2) && match_space(&c) &&
	     match_literal(&c, "1.", 2) && match_uint32(&c, &v) &&
	     match_space(&c) && match_literal(&c, "trace\0\0\0", 8);
	if (c.rc != GOTRACE_OK) {
		if (c.rc == GOTRACE_ERR_IO)
			gt_error_set(err, c.rc, s->offset + c.off, "reading header",
			             "read error");
		else
			gt_error_set(err, c.rc, s->offset + c.off, "reading header",
			             "out of memory");
		return c.rc;
	}
	if (!ok) {
		gt_error_set(err, GOTRACE_ERR_FORMAT, s->offset, NULL,
		             "bad file format: not a Go execution trace?");
		return GOTRACE_ERR_FORMAT;
	}
	if (!gt_version_known(v)) {
		gt_error_set(err, GOTRACE_ERR_VERSION, s->offset, NULL,
		             "unknown or unsupported trace version go 1.%u", v);
		return GOTRACE_ERR_VERSION;
	}
	gt_stream_skip(s, c.off);
	*version = (gotrace_version)v;
	return GOTRACE_OK;
}
