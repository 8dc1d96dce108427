/*
 * Sinks: where an export's bytes go (gotrace/export.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <gotrace/export.h>

enum { SINK_FD, SINK_PATH, SINK_CALLBACK };

struct gotrace_sink {
	int kind;
	int fd;
	gotrace_sink_write_fn fn;
	void *ctx;
	int error;      /* first error, sticky */
	int saved_errno;
	uint64_t bytes;
};

static int sink_alloc(gotrace_sink **out, int kind)
{
	gotrace_sink *s;

	*out = NULL;
	if ((s = calloc(1, sizeof *s)) == NULL)
		return GOTRACE_ERR_NOMEM;
	s->kind = kind;
	s->fd = -1;
	*out = s;
	return GOTRACE_OK;
}

int gotrace_sink_open_path(gotrace_sink **out, const char *path)
{
	int fd, rc;

	if (out == NULL)
		return GOTRACE_ERR_ARG;
	*out = NULL;
	if (path == NULL)
		return GOTRACE_ERR_ARG;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return GOTRACE_ERR_IO;
	if ((rc = sink_alloc(out, SINK_PATH)) != GOTRACE_OK) {
		close(fd);
		return rc;
	}
	(*out)->fd = fd;
	return GOTRACE_OK;
}

int gotrace_sink_open_fd(gotrace_sink **out, int fd)
{
	int rc;

	if (out == NULL)
		return GOTRACE_ERR_ARG;
	*out = NULL;
	if (fd < 0)
		return GOTRACE_ERR_ARG;
	if ((rc = sink_alloc(out, SINK_FD)) != GOTRACE_OK)
		return rc;
	(*out)->fd = fd;
	return GOTRACE_OK;
}

int gotrace_sink_open_callback(gotrace_sink **out,
                               gotrace_sink_write_fn write_fn, void *ctx)
{
	int rc;

	if (out == NULL)
		return GOTRACE_ERR_ARG;
	*out = NULL;
	if (write_fn == NULL)
		return GOTRACE_ERR_ARG;
	if ((rc = sink_alloc(out, SINK_CALLBACK)) != GOTRACE_OK)
		return rc;
	(*out)->fn = write_fn;
	(*out)->ctx = ctx;
	return GOTRACE_OK;
}

int gotrace_sink_write(gotrace_sink *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	if (s == NULL || (data == NULL && len > 0))
		return GOTRACE_ERR_ARG;
	if (s->error != GOTRACE_OK)
		return s->error;
	while (len > 0) {
		ptrdiff_t n;

		if (s->kind == SINK_CALLBACK) {
			n = s->fn(s->ctx, p, len);
		} else {
			n = write(s->fd, p, len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				s->saved_errno = errno;
		}
		if (n <= 0 || (size_t)n > len) {
			s->error = GOTRACE_ERR_IO;
			return s->error;
		}
		p += n;
		len -= (size_t)n;
		s->bytes += (uint64_t)n;
	}
	return GOTRACE_OK;
}

uint64_t gotrace_sink_bytes(const gotrace_sink *s)
{
	return s != NULL ? s->bytes : 0;
}

int gotrace_sink_error(const gotrace_sink *s)
{
	return s != NULL ? s->error : GOTRACE_ERR_ARG;
}

int gotrace_sink_errno(const gotrace_sink *s)
{
	return s != NULL ? s->saved_errno : 0;
}

int gotrace_sink_close(gotrace_sink *s)
{
	int rc;

	if (s == NULL)
		return GOTRACE_OK;
	rc = s->error;
	if (s->kind == SINK_PATH && close(s->fd) != 0 && rc == GOTRACE_OK)
		rc = GOTRACE_ERR_IO;
	s->fd = -1;
	free(s);
	return rc;
}

void gotrace_sink_free(gotrace_sink *s)
{
	if (s == NULL)
		return;
	if (s->kind == SINK_PATH)
		close(s->fd);
	free(s);
}
