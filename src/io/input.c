/* Input sources: path, mapped file, file descriptor, memory buffer, read
 * callback. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/source.h"

static int new_input(gotrace_input **out, enum gt_source_kind kind)
{
	gotrace_input *in = calloc(1, sizeof *in);

	if (in == NULL)
		return GOTRACE_ERR_NOMEM;
	in->kind = kind;
	in->fd = -1;
	in->base = -1;
	*out = in;
	return GOTRACE_OK;
}

int gotrace_input_open_path(gotrace_input **out, const char *path)
{
	int fd, rc;

	if (out == NULL || path == NULL)
		return GOTRACE_ERR_ARG;
	*out = NULL;
	do
		fd = open(path, O_RDONLY);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return GOTRACE_ERR_IO;
	rc = gotrace_input_open_fd(out, fd, 1);
	if (rc != GOTRACE_OK)
		close(fd);
	return rc;
}

int gotrace_input_open_fd(gotrace_input **out, int fd, int take_ownership)
{
	int rc;

	if (out == NULL || fd < 0)
		return GOTRACE_ERR_ARG;
	*out = NULL;
	rc = new_input(out, GT_SOURCE_FD);
	if (rc != GOTRACE_OK)
		return rc;
	(*out)->fd = fd;
	(*out)->own_fd = take_ownership != 0;
	/* Only looked at: where offset 0 is, should the input be read again
	 * (random access). Pipes and sockets say ESPIPE. */
	{
		off_t at = lseek(fd, 0, SEEK_CUR);

		(*out)->base = at >= 0 ? (int64_t)at : -1;
	}
	return GOTRACE_OK;
}

int gotrace_input_open_memory(gotrace_input **out, const void *data,
                              size_t size)
{
	int rc;

	if (out == NULL || (data == NULL && size != 0))
		return GOTRACE_ERR_ARG;
	*out = NULL;
	rc = new_input(out, GT_SOURCE_MEMORY);
	if (rc != GOTRACE_OK)
		return rc;
	(*out)->data = data;
	(*out)->size = size;
	return GOTRACE_OK;
}

/* Closes fd without losing the errno of the failure that made us close
 * it. */
static void close_keeping_errno(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

int gotrace_input_open_mmap(gotrace_input **out, const char *path)
{
	static const uint8_t empty[1];
	struct stat st;
	void *map = NULL;
	long page;
	size_t size;
	int fd, rc;

	if (out == NULL || path == NULL)
		return GOTRACE_ERR_ARG;
	*out = NULL;
	/* Pipes, terminals and devices cannot be mapped. Look before opening:
	 * opening a named pipe would wait for its writer, and closing it
	 * again would cut the writer off before the caller reads it. */
	if (stat(path, &st) != 0)
		return GOTRACE_ERR_IO;
	if (!S_ISREG(st.st_mode)) {
		errno = ENODEV;
		return GOTRACE_ERR_UNSUPPORTED;
	}
	do
		fd = open(path, O_RDONLY);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return GOTRACE_ERR_IO;
	if (fstat(fd, &st) != 0) {
		close_keeping_errno(fd);
		return GOTRACE_ERR_IO;
	}
	/* The path may have changed in between; files larger than the
	 * address space (32-bit hosts) cannot be mapped whole. */
	page = sysconf(_SC_PAGESIZE);
	if (!S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (uintmax_t)st.st_size > SIZE_MAX || page <= 0) {
		close(fd);
		errno = ENODEV;
		return GOTRACE_ERR_UNSUPPORTED;
	}
	size = (size_t)st.st_size;
	if (size > 0) {
		map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			close_keeping_errno(fd);
			return GOTRACE_ERR_UNSUPPORTED;
		}
	}
	rc = new_input(out, GT_SOURCE_MEMORY);
	if (rc != GOTRACE_OK) {
		if (map != NULL)
			munmap(map, size);
		close(fd);
		return rc;
	}
	(*out)->data = map != NULL ? map : empty;
	(*out)->size = size;
	(*out)->mapped = map != NULL;
	(*out)->page_size = (size_t)page;
	/* The mapping alone keeps the file, but the descriptor is kept too:
	 * random access maps pages given back again (gt_source_restore),
	 * and reads a second view through it (gt_source_view). */
	(*out)->fd = fd;
	(*out)->own_fd = 1;
	(*out)->base = 0;
	return GOTRACE_OK;
}

void gt_source_release(struct gotrace_input *in, uint64_t upto)
{
	size_t end;

	if (!in->mapped)
		return;
	if (upto > in->size)
		upto = in->size;
	/* The mapping starts on a page boundary; only whole pages go. */
	end = (size_t)upto - (size_t)upto % in->page_size;
	if (end <= in->released)
		return;
	/* If munmap fails the pages just stay until the input is freed. */
	if (munmap((void *)(uintptr_t)(in->data + in->released),
	           end - in->released) == 0)
		in->released = end;
}

int gotrace_input_open_callback(gotrace_input **out, gotrace_read_fn read_fn,
                                gotrace_close_fn close_fn, void *ctx)
{
	int rc;

	if (out == NULL || read_fn == NULL)
		return GOTRACE_ERR_ARG;
	*out = NULL;
	rc = new_input(out, GT_SOURCE_CALLBACK);
	if (rc != GOTRACE_OK)
		return rc;
	(*out)->read_fn = read_fn;
	(*out)->close_fn = close_fn;
	(*out)->ctx = ctx;
	return GOTRACE_OK;
}

void gotrace_input_free(gotrace_input *in)
{
	if (in == NULL)
		return;
	if (in->mapped && in->size > in->released)
		munmap((void *)(uintptr_t)(in->data + in->released),
		       in->size - in->released);
	if (in->own_fd && in->fd >= 0)
		close(in->fd);
	if (in->kind == GT_SOURCE_CALLBACK && in->close_fn != NULL)
		in->close_fn(in->ctx);
	free(in);
}

long gt_source_read(struct gotrace_input *in, void *buf, size_t len)
{
	switch (in->kind) {
	case GT_SOURCE_FD:
		if (in->positional) {
			long n = gt_source_pread(in, buf, len, in->pos);

			if (n > 0)
				in->pos += (uint64_t)n;
			return n;
		}
		for (;;) {
			ssize_t n = read(in->fd, buf, len);

			if (n >= 0)
				return (long)n;
			if (errno != EINTR)
				return -1;
		}
	case GT_SOURCE_CALLBACK: {
		long n = in->read_fn(in->ctx, buf, len);

		if (n < 0)
			return -1;
		if ((size_t)n > len) {
			errno = EINVAL;
			return -1;
		}
		return n;
	}
	case GT_SOURCE_MEMORY:
		break;
	}
	return 0;
}

/* ---- random access ------------------------------------------------------- */

int gt_source_seekable(const struct gotrace_input *in)
{
	switch (in->kind) {
	case GT_SOURCE_MEMORY:
		return 1;
	case GT_SOURCE_FD:
		return in->base >= 0;
	case GT_SOURCE_CALLBACK:
		break;
	}
	return 0;
}

int gt_source_seek(struct gotrace_input *in, uint64_t off)
{
	if (!gt_source_seekable(in))
		return GOTRACE_ERR_UNSUPPORTED;
	if (in->kind != GT_SOURCE_FD)
		return GOTRACE_OK;
	if (off > (uint64_t)INT64_MAX - (uint64_t)in->base) {
		errno = EOVERFLOW;
		return GOTRACE_ERR_IO;
	}
	if (in->positional) {
		in->pos = off;
		return GOTRACE_OK;
	}
	if (lseek(in->fd, (off_t)((uint64_t)in->base + off), SEEK_SET) < 0)
		return GOTRACE_ERR_IO;
	return GOTRACE_OK;
}

long gt_source_pread(const struct gotrace_input *in, void *buf, size_t len,
                     uint64_t off)
{
	if (in->fd < 0 || in->base < 0) {
		errno = ESPIPE;
		return -1;
	}
	if (off > (uint64_t)INT64_MAX - (uint64_t)in->base) {
		errno = EOVERFLOW;
		return -1;
	}
	if (len > (size_t)LONG_MAX)
		len = (size_t)LONG_MAX;
	for (;;) {
		ssize_t n = pread(in->fd, buf, len,
		                  (off_t)((uint64_t)in->base + off));

		if (n >= 0)
			return (long)n;
		if (errno != EINTR)
			return -1;
	}
}

int gt_source_restore(struct gotrace_input *in, uint64_t upto)
{
	void *map;

	if (!in->mapped || in->released == 0 || upto >= in->released)
		return GOTRACE_OK;
	if (in->fd < 0) {
		errno = EBADF;
		return GOTRACE_ERR_IO;
	}
	/* A fresh mapping rather than the old range again: that range may
	 * hold something else by now. */
	map = mmap(NULL, in->size, PROT_READ, MAP_PRIVATE, in->fd, 0);
	if (map == MAP_FAILED)
		return GOTRACE_ERR_IO;
	if (in->size > in->released)
		munmap((void *)(uintptr_t)(in->data + in->released),
		       in->size - in->released);
	in->data = map;
	in->released = 0;
	return GOTRACE_OK;
}

int gt_source_view(const struct gotrace_input *in, struct gotrace_input **out)
{
	int rc;

	*out = NULL;
	if (in->kind == GT_SOURCE_MEMORY && !in->mapped)
		return gotrace_input_open_memory(out, in->data, in->size);
	if (in->kind == GT_SOURCE_CALLBACK ||
	    (in->kind == GT_SOURCE_FD && in->base < 0) || in->fd < 0)
		return GOTRACE_ERR_UNSUPPORTED;
	/* A mapped file's reader unmaps pages as it goes; reading its
	 * descriptor needs no coordination with it. */
	rc = new_input(out, GT_SOURCE_FD);
	if (rc != GOTRACE_OK)
		return rc;
	(*out)->fd = in->fd;
	(*out)->own_fd = 0;
	(*out)->base = in->base;
	(*out)->positional = 1;
	return GOTRACE_OK;
}
