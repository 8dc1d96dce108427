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
	/* GT_SOURCE_FD */
	int fd;
	int own_fd;
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

#endif
