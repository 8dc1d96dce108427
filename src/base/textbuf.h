/* Internal: a growable text buffer for formatting events. */
#ifndef GT_TEXTBUF_H
#define GT_TEXTBUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct gt_textbuf {
	char *data;
	size_t len;
	size_t cap;
	int failed; /* an allocation failed; contents are incomplete */
	int borrowed; /* data is the caller's buffer: copy before growing */
} gt_textbuf;

void gt_textbuf_init(gt_textbuf *b);
/* Starts with the caller's buffer (copied to the heap only if outgrown). */
void gt_textbuf_init_local(gt_textbuf *b, char *buf, size_t cap);
/* Writes the contents to f and frees the buffer. Returns 0 or -1. */
int gt_textbuf_flush(gt_textbuf *b, FILE *f);
void gt_textbuf_free(gt_textbuf *b);
static inline void gt_textbuf_reset(gt_textbuf *b) { b->len = 0; b->failed = 0; }

void gt_textbuf_append(gt_textbuf *b, const char *s, size_t n);
void gt_textbuf_puts(gt_textbuf *b, const char *s);
/* Appends a string literal without measuring it at run time. */
#define gt_textbuf_lit(b, lit) gt_textbuf_append((b), (lit), sizeof(lit) - 1)
/* Appends v in lowercase hexadecimal, without a prefix. */
void gt_textbuf_hex(gt_textbuf *b, uint64_t v);
void gt_textbuf_putc(gt_textbuf *b, char c);
void gt_textbuf_u64(gt_textbuf *b, uint64_t v);
void gt_textbuf_i64(gt_textbuf *b, int64_t v);

/* Appends s[0..n) quoted exactly as Go's strconv.Quote does. */
void gt_textbuf_quote(gt_textbuf *b, const uint8_t *s, size_t n);

#endif
