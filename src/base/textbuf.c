/* Growable text buffer, and Go-compatible string quoting. */
#include <stdlib.h>
#include <string.h>

#include "base/textbuf.h"
#include "base/printable_table.h"
#include "base/utf8.h"

void gt_textbuf_init(gt_textbuf *b)
{
	memset(b, 0, sizeof *b);
}

void gt_textbuf_init_local(gt_textbuf *b, char *buf, size_t cap)
{
	memset(b, 0, sizeof *b);
	b->data = buf;
	b->cap = cap;
	b->borrowed = 1;
}

int gt_textbuf_flush(gt_textbuf *b, FILE *f)
{
	int rc = 0;

	if (b->failed || (b->len > 0 && fwrite(b->data, 1, b->len, f) != b->len))
		rc = -1;
	gt_textbuf_free(b);
	return rc;
}

void gt_textbuf_free(gt_textbuf *b)
{
	if (!b->borrowed)
		free(b->data);
	memset(b, 0, sizeof *b);
}

static int reserve(gt_textbuf *b, size_t extra)
{
	size_t ncap;
	char *nd;

	if (b->failed)
		return 0;
	if (b->cap - b->len >= extra)
		return 1;
	ncap = b->cap ? b->cap : 256;
	while (ncap - b->len < extra) {
		if (ncap > SIZE_MAX / 2) {
			b->failed = 1;
			return 0;
		}
		ncap *= 2;
	}
	if (b->borrowed) {
		nd = malloc(ncap);
		if (nd != NULL && b->len > 0)
			memcpy(nd, b->data, b->len);
	} else {
		nd = realloc(b->data, ncap);
	}
	if (nd == NULL) {
		b->failed = 1;
		return 0;
	}
	b->borrowed = 0;
	b->data = nd;
	b->cap = ncap;
	return 1;
}

void gt_textbuf_append(gt_textbuf *b, const char *s, size_t n)
{
	if (n == 0 || !reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

void gt_textbuf_puts(gt_textbuf *b, const char *s)
{
	gt_textbuf_append(b, s, strlen(s));
}

void gt_textbuf_putc(gt_textbuf *b, char c)
{
	if (!reserve(b, 1))
		return;
	b->data[b->len++] = c;
}

void gt_textbuf_u64(gt_textbuf *b, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof tmp;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	gt_textbuf_append(b, tmp + i, sizeof tmp - i);
}

void gt_textbuf_hex(gt_textbuf *b, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	size_t i = sizeof tmp;

	do {
		tmp[--i] = digits[v & 0xF];
		v >>= 4;
	} while (v != 0);
	gt_textbuf_append(b, tmp + i, sizeof tmp - i);
}

void gt_textbuf_i64(gt_textbuf *b, int64_t v)
{
	if (v < 0) {
		gt_textbuf_putc(b, '-');
		gt_textbuf_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		gt_textbuf_u64(b, (uint64_t)v);
	}
}

static int is_printable(uint32_t r)
{
	size_t lo = 0, hi = GT_PRINTABLE_RANGES;

	if (r >= 0x20 && r < 0x7f)
		return 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r < gt_printable_ranges[mid][0])
			hi = mid;
		else if (r > gt_printable_ranges[mid][1])
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

static const char hexdigits[] = "0123456789abcdef";

static void put_hex(gt_textbuf *b, const char *prefix, uint32_t v, int ndigits)
{
	int i;

	gt_textbuf_puts(b, prefix);
	for (i = ndigits - 1; i >= 0; i--)
		gt_textbuf_putc(b, hexdigits[(v >> (4 * i)) & 0xF]);
}

void gt_textbuf_quote(gt_textbuf *b, const uint8_t *s, size_t n)
{
	size_t i = 0;

	gt_textbuf_putc(b, '"');
	while (i < n) {
		size_t w;
		uint32_t r = gt_utf8_decode(s + i, n - i, &w);

		if (w == 1 && r == GT_RUNE_ERROR) {
			put_hex(b, "\\x", s[i], 2);
			i++;
			continue;
		}
		if (r == '"' || r == '\\') {
			gt_textbuf_putc(b, '\\');
			gt_textbuf_putc(b, (char)r);
		} else if (is_printable(r)) {
			gt_textbuf_append(b, (const char *)s + i, w);
		} else {
			switch (r) {
			case '\a': gt_textbuf_puts(b, "\\a"); break;
			case '\b': gt_textbuf_puts(b, "\\b"); break;
			case '\f': gt_textbuf_puts(b, "\\f"); break;
			case '\n': gt_textbuf_puts(b, "\\n"); break;
			case '\r': gt_textbuf_puts(b, "\\r"); break;
			case '\t': gt_textbuf_puts(b, "\\t"); break;
			case '\v': gt_textbuf_puts(b, "\\v"); break;
			default:
				if (r < ' ' || r == 0x7f)
					put_hex(b, "\\x", r, 2);
				else if (r < 0x10000)
					put_hex(b, "\\u", r, 4);
				else
					put_hex(b, "\\U", r, 8);
			}
		}
		i += w;
	}
	gt_textbuf_putc(b, '"');
}
