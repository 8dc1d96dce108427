/* Error records and status names. */
#include <stdio.h>
#include <string.h>

#include "base/error.h"

void gt_error_clear(struct gotrace_error *err)
{
	err->code = GOTRACE_OK;
	err->go_eof = 0;
	err->offset = 0;
	err->message[0] = '\0';
	err->go_message[0] = '\0';
	err->go_len = 0;
}

/* Appends src to dst (of size cap), truncating; returns the new length. */
static size_t append(char *dst, size_t len, size_t cap, const char *src)
{
	while (*src != '\0' && len + 1 < cap)
		dst[len++] = *src++;
	dst[len] = '\0';
	return len;
}

/* Appends n bytes of a Go message to the C-string message dst, NULs (from
 * quoted trace strings) spelled \x00 so that they do not end it. */
static size_t append_go(char *dst, size_t len, size_t cap, const char *src,
                        size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (src[i] != '\0') {
			if (len + 1 >= cap)
				break;
			dst[len++] = src[i];
		} else {
			if (len + 4 >= cap)
				break;
			memcpy(dst + len, "\\x00", 4);
			len += 4;
		}
	}
	dst[len] = '\0';
	return len;
}

/* The length of what vsnprintf wrote into a buffer of cap bytes. */
static size_t written(int n, size_t cap)
{
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}

void gt_error_set(struct gotrace_error *err, int code, uint64_t offset,
                  const char *context, const char *go_fmt, ...)
{
	va_list ap;
	size_t len;
	int n;

	err->code = code;
	err->offset = offset;
	err->go_eof = 0;
	va_start(ap, go_fmt);
	n = vsnprintf(err->go_message, sizeof err->go_message, go_fmt, ap);
	va_end(ap);
	err->go_len = written(n, sizeof err->go_message);
	n = snprintf(err->message, sizeof err->message, "byte offset %llu: ",
	             (unsigned long long)offset);
	len = n > 0 ? (size_t)n : 0;
	if (context != NULL && context[0] != '\0') {
		len = append(err->message, len, sizeof err->message, context);
		len = append(err->message, len, sizeof err->message, ": ");
	}
	append_go(err->message, len, sizeof err->message, err->go_message,
	          err->go_len);
}

void gt_error_appendf(struct gotrace_error *err, const char *fmt, ...)
{
	char piece[GT_ERROR_MSG_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(piece, sizeof piece, fmt, ap);
	va_end(ap);
	gt_error_append(err, piece, written(n, sizeof piece));
}

void gt_error_append(struct gotrace_error *err, const void *bytes, size_t n)
{
	size_t room = sizeof err->go_message - 1 - err->go_len;

	if (n > room)
		n = room;
	memcpy(err->go_message + err->go_len, bytes, n);
	append_go(err->message, strlen(err->message), sizeof err->message,
	          err->go_message + err->go_len, n);
	err->go_len += n;
	err->go_message[err->go_len] = '\0';
}

void gt_error_set_detail(struct gotrace_error *err, int code, uint64_t offset,
                         const char *go_message, const char *detail_fmt, ...)
{
	va_list ap;
	int n;

	err->code = code;
	err->offset = offset;
	err->go_eof = 0;
	n = snprintf(err->go_message, sizeof err->go_message, "%s", go_message);
	err->go_len = written(n, sizeof err->go_message);
	n = snprintf(err->message, sizeof err->message, "byte offset %llu: ",
	             (unsigned long long)offset);
	if (n < 0 || (size_t)n >= sizeof err->message)
		return;
	va_start(ap, detail_fmt);
	vsnprintf(err->message + n, sizeof err->message - (size_t)n, detail_fmt,
	          ap);
	va_end(ap);
}

int gotrace_error_code(const gotrace_error *err)
{
	return err != NULL ? err->code : GOTRACE_ERR_ARG;
}

uint64_t gotrace_error_offset(const gotrace_error *err)
{
	return err != NULL ? err->offset : 0;
}

const char *gotrace_error_message(const gotrace_error *err)
{
	return err != NULL ? err->message : "no error record";
}

const char *gotrace_error_go_message(const gotrace_error *err)
{
	return err != NULL ? err->go_message : "no error record";
}

size_t gotrace_error_go_message_len(const gotrace_error *err)
{
	return err != NULL ? err->go_len : strlen("no error record");
}

const char *gotrace_status_string(int status)
{
	switch (status) {
	case GOTRACE_OK: return "ok";
	case GOTRACE_EOF: return "end of trace";
	case GOTRACE_ERR_IO: return "input/output error";
	case GOTRACE_ERR_NOMEM: return "out of memory";
	case GOTRACE_ERR_FORMAT: return "not a Go execution trace";
	case GOTRACE_ERR_VERSION: return "unknown or unsupported trace version";
	case GOTRACE_ERR_TRUNCATED: return "truncated input";
	case GOTRACE_ERR_CORRUPT: return "corrupt input";
	case GOTRACE_ERR_INVALID: return "invalid trace";
	case GOTRACE_ERR_LIMIT: return "resource limit exceeded";
	case GOTRACE_ERR_ARG: return "invalid argument";
	case GOTRACE_ERR_UNSUPPORTED: return "not supported";
	default: return "unknown status";
	}
}

const char *gotrace_library_version(void)
{
	return GOTRACE_VERSION_STRING;
}

int gotrace_version_is_v2(gotrace_version v)
{
	return v == GOTRACE_GO122 || v == GOTRACE_GO123 || v == GOTRACE_GO125 ||
	       v == GOTRACE_GO126;
}

void gt_error_locate(struct gotrace_error *err, uint64_t offset,
                     const char *context_fmt, ...)
{
	char context[512];
	va_list ap;
	size_t len;
	int n;

	va_start(ap, context_fmt);
	vsnprintf(context, sizeof context, context_fmt, ap);
	va_end(ap);
	err->offset = offset;
	n = snprintf(err->message, sizeof err->message, "byte offset %llu: ",
	             (unsigned long long)offset);
	len = n > 0 ? (size_t)n : 0;
	len = append(err->message, len, sizeof err->message, context);
	len = append(err->message, len, sizeof err->message, ": ");
	append_go(err->message, len, sizeof err->message, err->go_message,
	          err->go_len);
}
