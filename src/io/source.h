/* Internal: the input source behind every reader. */
#ifndef GT_SOURCE_H
#define GT_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "gotrace/input.h"

enum gt_source_kind {
	GT_SOURCE_MEMORY,
	GT_SOURCE_FD,
	GT_SOURCE_CALLBACK,
};

struct gotrace_input {
	enum gt_source_kind kind;
	/* GT_SOURCE_MEMORY */
	const uint8_t *data;
	size_t size;
	/* A memory input that is a file mapped by gotrace_input_open_mmap:
	 * the mapping is ours, and the pages below data + released have
	 * been unmapped (gt_source_release). */
	int mapped;
	size_t released;
	size_t page_size;
	/* GT_SOURCE_FD, and the file behind a mapped input (kept open so
	 * that released pages can be mapped again: gt_source_restore) */
	int fd;
	int own_fd;
	/* GT_SOURCE_FD: the descriptor's file position when the input was
	 * made, where input offset 0 lies; -1 if it cannot be seeked (a
	 * pipe, socket or terminal). */
	int64_t base;
	/* A second view of a descriptor (gt_source_view): reads with
	 * pread(2) at pos, leaving the descriptor's own position alone. */
	int positional;
	uint64_t pos;
	/* GT_SOURCE_CALLBACK */
	gotrace_read_fn read_fn;
	gotrace_close_fn close_fn;
	void *ctx;
};

/*
 * Reads up to len bytes from a streaming source (fd or callback).
 * Returns the count, 0 at end of input, or -1 on error (errno kept).
 */
long gt_source_read(struct gotrace_input *in, void *buf, size_t len);

/*
 * Says that no byte before offset upto will be looked at again. A mapped
 * file gives those whole pages back (they leave the process's resident
 * set); any other source ignores the call.
 */
void gt_source_release(struct gotrace_input *in, uint64_t upto);

/*
 * Random access (the index, seeking, cutting). An input can be read
 * again if it is in memory or a descriptor that can be seeked; a pipe or
 * a read callback cannot.
 */
int gt_source_seekable(const struct gotrace_input *in);

/*
 * Makes the next gt_source_read of a descriptor input start at input
 * offset off. Returns GOTRACE_OK, GOTRACE_ERR_UNSUPPORTED or
 * GOTRACE_ERR_IO (errno kept). Memory inputs have nothing to do.
 */
int gt_source_seek(struct gotrace_input *in, uint64_t off);

/*
 * Reads up to len bytes at input offset off of a seekable descriptor
 * input, without moving its position. Returns the count, 0 at the end,
 * or -1 (errno kept).
 */
long gt_source_pread(const struct gotrace_input *in, void *buf, size_t len,
                     uint64_t off);

/*
 * A mapped input whose pages below offset upto were given back maps the
 * file again, whole, so that every byte can be read (data moves: no
 * pointer into the old mapping stays valid). Returns GOTRACE_OK or
 * GOTRACE_ERR_IO.
 */
int gt_source_restore(struct gotrace_input *in, uint64_t upto);

/*
 * Makes *out a second, independent view of in's bytes, for reading them
 * again while in's reader goes on: the same buffer for a memory input;
 * the same descriptor read with pread(2) for a seekable descriptor or a
 * mapped file (whose reader gives pages back). The view owns nothing of
 * in and must be freed (gotrace_input_free) before in. Returns
 * GOTRACE_OK, GOTRACE_ERR_UNSUPPORTED (pipes, callbacks) or
 * GOTRACE_ERR_NOMEM.
 */
int gt_source_view(const struct gotrace_input *in, struct gotrace_input **out);

#endif
