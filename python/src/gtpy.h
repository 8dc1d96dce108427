/*
 * What the extension's C files share: the exception types, how a trace
 * source given from Python becomes a reader, how the library's errors
 * become Python exceptions, and how trace strings become str.
 *
 * Module-level objects (the exception types, the Event and Reader types)
 * are created once when the module is imported and never change after;
 * everything per call lives in the objects the calls create.
 */
#ifndef GTPY_H
#define GTPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <gotrace/gotrace.h>

/*
 * gotrace.TraceError (a subclass of Exception): the trace is not one, is
 * damaged, or breaks the rules. Its attributes: code (the library's
 * negative status), message (the library's full message), offset (the
 * byte offset of the problem), generation (the generation of the last
 * event delivered before it, 0 if none), go_message (the message Go's
 * parser gives), valid_bytes (input bytes whose events were all
 * delivered). Set by the module's init, read-only after.
 */
extern PyObject *gtpy_TraceError;

/*
 * gotrace.UnsupportedError (a subclass of ValueError): what was asked
 * needs something this trace or input does not have: generations and an
 * index on a v1 trace (Go 1.11-1.21), seeking on a pipe, wall-clock times
 * on a trace without clock snapshots.
 */
extern PyObject *gtpy_UnsupportedError;

/*
 * Opens a reader on source:
 *   - a path (str, bytes or os.PathLike): mapped, or read if it cannot be
 *     (a named pipe); OSError if it cannot be opened;
 *   - an object with the buffer protocol (bytes, bytearray, memoryview):
 *     copied once into an anonymous file the reader owns, so the reader
 *     does not depend on the object and can seek;
 *   - a binary file object: with a working fileno(), its file is read
 *     from the object's position on (tell()), through a descriptor of
 *     the reader's own when it is seekable, else (a pipe, a socket) as a
 *     stream; without one, read() to its end and taken as bytes.
 * gen, from_, to select generations as the CLI's --gen, --from, --to
 * (docs/api.md "Generation ranges"); NULL or None when not given:
 *   gen:  (A, B) with None for an open end, an int A (A alone), or a
 *         string "A:B", "A:", ":B", "A";
 *   from_, to: an int (ns since the trace's start), a
 *         datetime.timedelta (since the start), a timezone-aware
 *         datetime.datetime (wall clock), or a string as the CLI takes
 *         ("1.5s", "@NS" on the trace clock, an RFC 3339 time).
 * The reader is seeked to the range's first generation and stopped after
 * its last. threads is gotrace_reader_options.threads; 0 or less means
 * the CLI's default ($GOTRACE_THREADS, else 2 with more than one CPU).
 *
 * Returns 0 with the reader in *out (the caller frees it with
 * gotrace_reader_free, holding the GIL or not), or -1 with a Python
 * exception set: TypeError/ValueError for bad arguments, OSError,
 * gtpy_TraceError (not a trace; damaged before the range's generations),
 * gtpy_UnsupportedError, MemoryError. Call with the GIL held.
 */
int gtpy_open_reader(PyObject *source, PyObject *gen, PyObject *from_,
                     PyObject *to, int threads, gotrace_reader **out);

/*
 * As gtpy_open_reader; *stream (may be NULL) is set to 1 when the input
 * is read as a stream (a pipe, socket, device, named pipe): reading it
 * may then wait for another thread of this process to write, so the
 * caller must not hold the GIL while the reader reads (the Reader gives
 * it up around each event for such inputs).
 */
int gtpy_open_reader_ex(PyObject *source, PyObject *gen, PyObject *from_,
                        PyObject *to, int threads, gotrace_reader **out,
                        int *stream);

/*
 * Raises the reader's error (gotrace_reader_error) and returns NULL:
 * gtpy_TraceError with its attributes for a trace error, MemoryError for
 * GOTRACE_ERR_NOMEM, OSError for GOTRACE_ERR_IO. If a Python exception is
 * already set (one raised while the reader read a Python object), that
 * one is kept.
 */
PyObject *gtpy_raise_trace_error(gotrace_reader *r);

/*
 * As gtpy_raise_trace_error, for any gotrace_error (an index's, say);
 * generation and valid_bytes go into the exception's attributes.
 */
PyObject *gtpy_raise_error(const gotrace_error *err, uint64_t generation,
                           uint64_t valid_bytes);

/*
 * Raises the Python exception for a status that is not a trace error:
 * GOTRACE_ERR_NOMEM -> MemoryError, _ARG -> ValueError, _UNSUPPORTED ->
 * gtpy_UnsupportedError, _IO -> OSError from errno, others ->
 * gtpy_TraceError without position. what (may be NULL) prefixes the
 * message. Returns NULL.
 */
PyObject *gtpy_raise_status(int status, const char *what);

/*
 * A trace string as str. Trace strings are bytes; they are decoded as
 * UTF-8 with the surrogateescape handler, so that bytes that are not
 * UTF-8 survive: s.encode('utf-8', 'surrogateescape') gives them back.
 */
PyObject *gtpy_string(const char *data, size_t len);

/* Adds the analyses and exports (analyses.c) to the module. 0 or -1. */
int gtpy_analyses_add(PyObject *module);

/* Adds the reader, the event type and the columns (their files). 0 or -1. */
int gtpy_reader_add(PyObject *module);
int gtpy_columns_add(PyObject *module);
/* The selectors' parsers (_parse_generations, _parse_time,
 * _parse_duration) for gotrace._selectors: the library's, as the CLI's. */
int gtpy_source_add(PyObject *module);

#endif
