/*
 * libgotrace — common definitions: status codes, trace versions, errors.
 *
 * Every fallible libgotrace function returns an int status. Zero
 * (GOTRACE_OK) is success, GOTRACE_EOF (positive) marks the clean end of a
 * stream, and negative values are errors. After an error, the handle that
 * failed describes it through a gotrace_error (see the handle's *_error()
 * accessor): the code, the input byte offset where the problem was found,
 * a human-readable message naming that offset, and the message Go's own
 * parser gives for the same input.
 *
 * Copyright (c) 2026 The libgotrace Authors. BSD-3-Clause.
 */
#ifndef GOTRACE_COMMON_H
#define GOTRACE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(GOTRACE_SHARED_BUILD)
#define GOTRACE_API __declspec(dllexport)
#elif defined(__GNUC__)
#define GOTRACE_API __attribute__((visibility("default")))
#else
#define GOTRACE_API
#endif

/* Status codes. */
enum {
	GOTRACE_OK = 0,               /* success; an event was produced */
	GOTRACE_EOF = 1,              /* clean end of the trace */
	GOTRACE_ERR_IO = -1,          /* the input source failed (errno kept) */
	GOTRACE_ERR_NOMEM = -2,       /* out of memory */
	GOTRACE_ERR_FORMAT = -3,      /* not a Go execution trace (bad header) */
	GOTRACE_ERR_VERSION = -4,     /* unknown or unsupported trace version */
	GOTRACE_ERR_TRUNCATED = -5,   /* input ended inside an event or batch */
	GOTRACE_ERR_CORRUPT = -6,     /* malformed bytes: bad type, varint, size */
	GOTRACE_ERR_INVALID = -7,     /* well-formed but inconsistent trace */
	GOTRACE_ERR_LIMIT = -8,       /* a configured resource limit was hit */
	GOTRACE_ERR_ARG = -9,         /* API misuse: bad argument or state */
	GOTRACE_ERR_UNSUPPORTED = -10 /* valid input this build cannot read yet */
};

/*
 * gotrace_status_string returns a static, human-readable name for a status
 * code ("ok", "end of trace", "truncated input", ...). Never NULL.
 */
GOTRACE_API const char *gotrace_status_string(int status);

/*
 * Trace format versions, as written in the trace header ("go 1.NN trace").
 * The value is the Go minor version that introduced the format. Go 1.24
 * writes GOTRACE_GO123, Go 1.27 writes GOTRACE_GO126.
 */
typedef enum gotrace_version {
	GOTRACE_VERSION_UNKNOWN = 0,
	GOTRACE_GO111 = 11, /* v1 format, Go 1.11-1.18 */
	GOTRACE_GO119 = 19, /* v1 format, Go 1.19-1.20 */
	GOTRACE_GO121 = 21, /* v1 format, Go 1.21 */
	GOTRACE_GO122 = 22, /* v2 format */
	GOTRACE_GO123 = 23, /* v2 + coroutines, experimental batches */
	GOTRACE_GO125 = 25, /* v2 + sync batches with clock snapshots */
	GOTRACE_GO126 = 26  /* v2 + in-band end-of-generation markers */
} gotrace_version;

/* gotrace_version_is_v2 is nonzero for the v2 (Go 1.22+) formats. */
GOTRACE_API int gotrace_version_is_v2(gotrace_version v);

/*
 * gotrace_error describes the last error of a handle. It is owned by that
 * handle and stays valid, unchanged, until the handle is freed: once a
 * reader has failed it keeps failing with the same error.
 */
typedef struct gotrace_error gotrace_error;

/* The status code of the error (one of the negative GOTRACE_ERR_*). */
GOTRACE_API int gotrace_error_code(const gotrace_error *err);

/*
 * The input byte offset the error refers to: the first byte of the event,
 * batch or header that could not be decoded, or the offset where the input
 * ended. Offsets count from the first byte of the trace (the header).
 */
GOTRACE_API uint64_t gotrace_error_offset(const gotrace_error *err);

/*
 * A complete, human-readable message, e.g.
 * "byte offset 1234: event batch: unexpected EOF". Never NULL.
 */
GOTRACE_API const char *gotrace_error_message(const gotrace_error *err);

/*
 * The message Go 1.27's reference tools print for the same failure, e.g.
 * "unexpected EOF". `gotrace dump` prints this one so that its output is
 * byte-identical to `go tool trace -d=...`. Never NULL.
 */
GOTRACE_API const char *gotrace_error_go_message(const gotrace_error *err);

/*
 * The length in bytes of gotrace_error_go_message(err). Go's messages
 * quote trace strings verbatim (a duplicate string's two values, a
 * mismatched region's names), and those may hold NUL bytes: print
 * exactly this many bytes to reproduce Go's output. The message is still
 * NUL-terminated after them. (gotrace_error_message spells such NULs
 * \x00 instead.)
 */
GOTRACE_API size_t gotrace_error_go_message_len(const gotrace_error *err);

/*
 * The library's version string, "MAJOR.MINOR.PATCH": the project version
 * of meson.build, the one place it is written.
 */
GOTRACE_API const char *gotrace_library_version(void);

#ifdef __cplusplus
}
#endif

#endif /* GOTRACE_COMMON_H */
