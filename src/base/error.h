/* Internal: the error record every handle carries. */
#ifndef GT_ERROR_H
#define GT_ERROR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "gotrace/common.h"

#define GT_ERROR_MSG_MAX 4096

#if defined(__GNUC__)
#define GT_PRINTF(f, a) __attribute__((format(printf, f, a)))
/* For the per-event path: small functions the compiler would otherwise
 * leave as calls, and error paths kept out of its way. */
#define GT_ALWAYS_INLINE inline __attribute__((always_inline))
#define GT_COLD __attribute__((cold, noinline))
#else
#define GT_PRINTF(f, a)
#define GT_ALWAYS_INLINE inline
#define GT_COLD
#endif

struct gotrace_error {
	int code;
	uint64_t offset;
	char message[GT_ERROR_MSG_MAX];
	char go_message[GT_ERROR_MSG_MAX];
	size_t go_len;           /* its length: it may hold NULs */
	/* Go's parser returns this error as a bare io.EOF, which its tools
	 * take for the clean end of the trace. */
	int go_eof;
};

/* Resets err to "no error". */
void gt_error_clear(struct gotrace_error *err);

/*
 * Records an error. go_fmt formats the message Go's reference tools print;
 * the full message becomes "byte offset N: [context: ]<go message>".
 * context may be NULL.
 */
GT_PRINTF(5, 6)
void gt_error_set(struct gotrace_error *err, int code, uint64_t offset,
                  const char *context, const char *go_fmt, ...);

/* Appends n bytes verbatim to the Go message of the error just set, and to
 * its full message (with NULs spelled \x00): for trace strings, which may
 * hold NULs that printf's %.*s would stop at. */
void gt_error_append(struct gotrace_error *err, const void *bytes, size_t n);
/* gt_error_append of a formatted piece (no trace strings in it). */
GT_PRINTF(2, 3)
void gt_error_appendf(struct gotrace_error *err, const char *fmt, ...);

/* Like gt_error_set, but the full message is given separately. */
GT_PRINTF(5, 6)
void gt_error_set_detail(struct gotrace_error *err, int code, uint64_t offset,
                         const char *go_message, const char *detail_fmt, ...);

/* Replaces the offset and context of a recorded error, keeping its code
 * and Go message: "byte offset N: <context>: <go message>". */
GT_PRINTF(3, 4)
void gt_error_locate(struct gotrace_error *err, uint64_t offset,
                     const char *context_fmt, ...);

#endif
