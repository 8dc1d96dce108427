/* Input sources: path, file descriptor, memory buffer, read callback. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "source.h"

static int new_input(gotrace_input **out, enum gt_source_kind kind)
{
	gotrace_input *in = calloc(1, sizeof *in);

	if (in == NULL)
		return GOTRACE_ERR_NOMEM;
	in->kind = kind;
	in->fd = -1;
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
	if (in->kind == GT_SOURCE_FD && in->own_fd)
		close(in->fd);
	else if (in->kind == GT_SOURCE_CALLBACK && in->close_fn != NULL)
		in->close_fn(in->ctx);
	free(in);
}

long gt_source_read(struct gotrace_input *in, void *buf, size_t len)
{
	switch (in->kind) {
	case GT_SOURCE_FD:
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
