/*
 * libgotrace — input sources.
 *
 * A gotrace_input is where trace bytes come from: a file path (read or
 * mapped), a file descriptor, a memory buffer or a read callback. Readers
 * consume an input strictly front to back and never seek, so pipes,
 * sockets and live traces work as well as files. Only random access
 * (gotrace/index.h: the generation index, seeking, cutting) reads an
 * input again, and only one that can be: memory, a mapped file, a file or
 * a descriptor that can be seeked.
 *
 * Ownership: a reader constructor (gotrace_wire_reader_new, ...) takes
 * ownership of the input on success and frees it with the reader. On
 * failure the input still belongs to the caller. An input may be given to
 * one reader only.
 *
 * Copyright (c) 2026 The libgotrace Authors. BSD-3-Clause.
 */
#ifndef GOTRACE_INPUT_H
#define GOTRACE_INPUT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gotrace_input gotrace_input;

/*
 * Read callback: fill buf with up to len bytes and return how many were
 * stored, 0 at end of input, or a negative value on error (errno may be
 * set; it is kept for the caller). Short reads are fine; the library calls
 * again until it has what it needs.
 */
typedef long (*gotrace_read_fn)(void *ctx, void *buf, size_t len);

/* Close callback, called once when the input is freed. May be NULL. */
typedef void (*gotrace_close_fn)(void *ctx);

/*
 * gotrace_input_open_path opens a file for reading. "-" is not special
 * here (use gotrace_input_open_fd(0, 0, ...) for standard input).
 * Returns GOTRACE_OK, GOTRACE_ERR_IO (errno set by open(2)),
 * GOTRACE_ERR_NOMEM or GOTRACE_ERR_ARG.
 */
GOTRACE_API int gotrace_input_open_path(gotrace_input **out, const char *path);

/*
 * gotrace_input_open_fd reads from an open file descriptor with read(2):
 * a file, pipe, socket or terminal. The descriptor is only read, from its
 * current position on (which counts as offset 0), and never seeked,
 * unless random access is asked for (gotrace/index.h): a seek then moves
 * it with lseek(2), and an index reads it with pread(2). If
 * take_ownership is nonzero, the input closes fd when freed.
 */
GOTRACE_API int gotrace_input_open_fd(gotrace_input **out, int fd,
                                      int take_ownership);

/*
 * gotrace_input_open_mmap maps a regular file into memory and reads it in
 * place, like gotrace_input_open_memory: no read(2) calls and no copy of
 * the batches, the fastest way to read a trace file. Readers give the
 * pages they have finished with back as they go (at each generation, or
 * every few MB for the wire reader), so the resident set stays that of
 * the generations in use, not of the file.
 *
 * The file stays open (one descriptor) until the input is freed: random
 * access maps pages that were given back again, and reads the file.
 *
 * The file's size is taken when it is opened: bytes appended later are
 * not read (a trace still being written reads as truncated there). The
 * file must not shrink while it is read: on POSIX systems touching a
 * mapped page past the new end raises SIGBUS. To follow a file that is
 * still being written, or to be safe from other processes truncating it,
 * use gotrace_input_open_path.
 *
 * Returns GOTRACE_OK; GOTRACE_ERR_IO if the file cannot be examined or
 * opened (errno set by stat(2), open(2) or fstat(2)); GOTRACE_ERR_UNSUPPORTED
 * if it is not a regular file or cannot be mapped (errno ENODEV, or set by
 * mmap(2)) — gotrace_input_open_path reads any of those, and a named pipe
 * is not opened here, so it is still whole for that; GOTRACE_ERR_NOMEM or
 * GOTRACE_ERR_ARG. An empty file gives an empty input.
 */
GOTRACE_API int gotrace_input_open_mmap(gotrace_input **out, const char *path);

/*
 * gotrace_input_open_memory reads from a caller's buffer without copying
 * it. The buffer must stay valid and unchanged until the reader that owns
 * the input is freed.
 */
GOTRACE_API int gotrace_input_open_memory(gotrace_input **out,
                                          const void *data, size_t size);

/*
 * gotrace_input_open_callback reads through the caller's read function.
 * close_fn (may be NULL) is called with ctx when the input is freed.
 */
GOTRACE_API int gotrace_input_open_callback(gotrace_input **out,
                                            gotrace_read_fn read_fn,
                                            gotrace_close_fn close_fn,
                                            void *ctx);

/*
 * gotrace_input_free releases an input that was never handed to a reader.
 * NULL is allowed.
 */
GOTRACE_API void gotrace_input_free(gotrace_input *in);

#ifdef __cplusplus
}
#endif

#endif /* GOTRACE_INPUT_H */
