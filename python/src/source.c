/*
 * From what Python hands us to a reader: paths, buffers and file objects
 * as inputs, the generation range, and the library's errors as Python
 * exceptions.
 */
#include "gtpy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

PyObject *gtpy_TraceError;
PyObject *gtpy_UnsupportedError;

/* ---- strings and errors ------------------------------------------------ */

PyObject *gtpy_string(const char *data, size_t len)
{
	if (len > (size_t)PY_SSIZE_T_MAX) {
		PyErr_NoMemory();
		return NULL;
	}
	return PyUnicode_DecodeUTF8(data, (Py_ssize_t)len, "surrogateescape");
}

static int set_attr_u64(PyObject *obj, const char *name, uint64_t v)
{
	PyObject *o = PyLong_FromUnsignedLongLong(v);
	int rc;

	if (o == NULL)
		return -1;
	rc = PyObject_SetAttrString(obj, name, o);
	Py_DECREF(o);
	return rc;
}

static int set_attr_obj(PyObject *obj, const char *name, PyObject *v)
{
	int rc;

	if (v == NULL)
		return -1;
	rc = PyObject_SetAttrString(obj, name, v);
	Py_DECREF(v);
	return rc;
}

PyObject *gtpy_raise_status(int status, const char *what)
{
	const char *s = gotrace_status_string(status);

	switch (status) {
	case GOTRACE_ERR_NOMEM:
		return PyErr_NoMemory();
	case GOTRACE_ERR_IO:
		if (errno == 0)
			errno = EIO;
		return PyErr_SetFromErrno(PyExc_OSError);
	case GOTRACE_ERR_ARG:
		return what != NULL ? PyErr_Format(PyExc_ValueError, "%s: %s", what, s)
		                    : PyErr_Format(PyExc_ValueError, "%s", s);
	case GOTRACE_ERR_UNSUPPORTED:
		return what != NULL
		       ? PyErr_Format(gtpy_UnsupportedError, "%s: %s", what, s)
		       : PyErr_Format(gtpy_UnsupportedError, "%s", s);
	default:
		return what != NULL ? PyErr_Format(gtpy_TraceError, "%s: %s", what, s)
		                    : PyErr_Format(gtpy_TraceError, "%s", s);
	}
}

PyObject *gtpy_raise_error(const gotrace_error *err, uint64_t generation,
                           uint64_t valid_bytes)
{
	int code = err != NULL ? gotrace_error_code(err) : GOTRACE_ERR_ARG;
	const char *go, *nl;
	size_t go_len, first_len;
	uint64_t offset;
	PyObject *exc, *text;

	if (err == NULL || code >= 0)
		return gtpy_raise_status(code < 0 ? code : GOTRACE_ERR_ARG, NULL);
	if (code == GOTRACE_ERR_NOMEM)
		return PyErr_NoMemory();
	go = gotrace_error_go_message(err);
	go_len = gotrace_error_go_message_len(err);
	offset = gotrace_error_offset(err);
	if (code == GOTRACE_ERR_IO) {
		/* errno is long gone: the library's message says what failed. */
		PyObject *args = Py_BuildValue("(is)", EIO,
		                               gotrace_error_message(err));

		if (args != NULL) {
			PyErr_SetObject(PyExc_OSError, args);
			Py_DECREF(args);
		}
		return NULL;
	}
	/* str(e) is the CLI's line: the offset and Go's first line (Go's
	 * "failed to advance" goes on with a dump of its state). */
	nl = memchr(go, '\n', go_len);
	first_len = nl != NULL ? (size_t)(nl - go) : go_len;
	text = PyUnicode_FromFormat("offset %llu: ", (unsigned long long)offset);
	if (text == NULL)
		return NULL;
	{
		PyObject *line = gtpy_string(go, first_len);
		PyObject *joined;

		if (line == NULL) {
			Py_DECREF(text);
			return NULL;
		}
		joined = PyUnicode_Concat(text, line);
		Py_DECREF(line);
		Py_DECREF(text);
		if (joined == NULL)
			return NULL;
		text = joined;
	}
	exc = PyObject_CallOneArg(gtpy_TraceError, text);
	Py_DECREF(text);
	if (exc == NULL)
		return NULL;
	if (set_attr_obj(exc, "code", PyLong_FromLong(code)) < 0 ||
	    set_attr_obj(exc, "message",
	                 gtpy_string(gotrace_error_message(err),
	                             strlen(gotrace_error_message(err)))) < 0 ||
	    set_attr_u64(exc, "offset", offset) < 0 ||
	    set_attr_u64(exc, "generation", generation) < 0 ||
	    set_attr_obj(exc, "go_message", gtpy_string(go, go_len)) < 0 ||
	    set_attr_u64(exc, "valid_bytes", valid_bytes) < 0) {
		Py_DECREF(exc);
		return NULL;
	}
	PyErr_SetObject(gtpy_TraceError, exc);
	Py_DECREF(exc);
	return NULL;
}

PyObject *gtpy_raise_trace_error(gotrace_reader *r)
{
	if (PyErr_Occurred())
		return NULL;
	return gtpy_raise_error(gotrace_reader_error(r),
	                        gotrace_reader_generation(r),
	                        gotrace_reader_valid_bytes(r));
}

/* ---- inputs ------------------------------------------------------------ */

/* An anonymous file holding len bytes of data, positioned at 0; -1 with
 * errno set if there is none. */
static int anonymous_file(const void *data, size_t len)
{
	const char *p = data;
	int fd = -1;

#if defined(MFD_CLOEXEC)
	fd = memfd_create("gotrace-buffer", MFD_CLOEXEC);
#endif
	if (fd < 0) {
		const char *dir = getenv("TMPDIR");
		char tmpl[4096];

		if (dir == NULL || *dir == '\0')
			dir = "/tmp";
		if ((size_t)snprintf(tmpl, sizeof tmpl, "%s/gotrace-XXXXXX", dir) >=
		    sizeof tmpl) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = mkstemp(tmpl);
		if (fd < 0)
			return -1;
		unlink(tmpl);
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len > ((size_t)1 << 30) ? (size_t)1 << 30
		                                                  : len);

		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			close(fd);
			errno = e;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/*
 * An input on descriptor fd (which it takes over), mapped where it can
 * be: a regular file read from its start (the mapping starts at 0).
 */
static int input_from_fd(gotrace_input **in, int fd, int from_start)
{
	struct stat st;
	int rc;

#if defined(__linux__)
	if (from_start && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		char path[64];

		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		if (gotrace_input_open_mmap(in, path) == GOTRACE_OK) {
			close(fd);
			return GOTRACE_OK;
		}
	}
#else
	(void)st;
	(void)from_start;
#endif
	rc = gotrace_input_open_fd(in, fd, 1);
	if (rc != GOTRACE_OK) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return rc;
}

static int open_buffer(PyObject *source, gotrace_input **in)
{
	Py_buffer view;
	int fd, rc, e = 0;

	if (PyObject_GetBuffer(source, &view, PyBUF_SIMPLE) < 0)
		return -1;
	Py_BEGIN_ALLOW_THREADS
	errno = 0;
	fd = anonymous_file(view.buf, (size_t)view.len);
	if (fd < 0)
		e = errno;
	rc = fd >= 0 ? input_from_fd(in, fd, 1) : GOTRACE_ERR_IO;
	if (rc != GOTRACE_OK && e == 0)
		e = errno;
	Py_END_ALLOW_THREADS
	PyBuffer_Release(&view);
	if (rc != GOTRACE_OK) {
		errno = e;
		gtpy_raise_status(rc, "copying the buffer");
		return -1;
	}
	return 0;
}

static int open_path(PyObject *source, gotrace_input **in, int *stream)
{
	PyObject *fspath = NULL, *encoded = NULL;
	struct stat st;
	const char *path;
	int rc = GOTRACE_OK, serr = 0;

	fspath = PyOS_FSPath(source);
	if (fspath == NULL)
		return -1;
	if (!PyUnicode_FSConverter(fspath, &encoded)) {
		Py_DECREF(fspath);
		return -1;
	}
	path = PyBytes_AS_STRING(encoded);
	Py_BEGIN_ALLOW_THREADS
	if (stat(path, &st) != 0)
		serr = errno;
	else if (S_ISDIR(st.st_mode))
		serr = EISDIR;
	else {
		rc = S_ISREG(st.st_mode) ? gotrace_input_open_mmap(in, path)
		                         : GOTRACE_ERR_UNSUPPORTED;
		/* A named pipe or a device is read as a stream. */
		if (rc == GOTRACE_ERR_UNSUPPORTED) {
			*stream = !S_ISREG(st.st_mode);
			rc = gotrace_input_open_path(in, path);
		}
		if (rc == GOTRACE_ERR_IO)
			serr = errno;
	}
	Py_END_ALLOW_THREADS
	Py_DECREF(encoded);
	if (serr != 0) {
		errno = serr;
		PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, fspath);
		Py_DECREF(fspath);
		return -1;
	}
	Py_DECREF(fspath);
	if (rc != GOTRACE_OK) {
		gtpy_raise_status(rc, NULL);
		return -1;
	}
	return 0;
}

/* A bool from calling source.name(); -1 with an exception set. */
static int call_bool(PyObject *source, const char *name)
{
	PyObject *v = PyObject_CallMethod(source, name, NULL);
	int b;

	if (v == NULL)
		return -1;
	b = PyObject_IsTrue(v);
	Py_DECREF(v);
	return b;
}

/* The object's fileno(), or -1 with no exception if it has none that
 * works (io.BytesIO, a wrapper), or -2 with an exception set. */
static int file_descriptor(PyObject *source)
{
	PyObject *v = PyObject_CallMethod(source, "fileno", NULL);
	long fd;

	if (v == NULL) {
		if (PyErr_ExceptionMatches(PyExc_AttributeError) ||
		    PyErr_ExceptionMatches(PyExc_OSError) ||
		    PyErr_ExceptionMatches(PyExc_ValueError)) {
			/* io.UnsupportedOperation is both of the last two. */
			PyErr_Clear();
			return -1;
		}
		return -2;
	}
	fd = PyLong_AsLong(v);
	Py_DECREF(v);
	if (fd == -1 && PyErr_Occurred())
		return -2;
	if (fd < 0 || fd > INT32_MAX) {
		PyErr_SetString(PyExc_ValueError, "fileno() is not a descriptor");
		return -2;
	}
	return (int)fd;
}

static int open_file_object(PyObject *source, gotrace_input **in,
                            int *stream)
{
	int fd = file_descriptor(source), newfd, seekable, rc;
	long long pos = 0;

	if (fd == -2)
		return -1;
	if (fd == -1) {
		/* No descriptor: its bytes, all of them. */
		PyObject *data = PyObject_CallMethod(source, "read", NULL);
		int r;

		if (data == NULL)
			return -1;
		if (!PyObject_CheckBuffer(data) || PyUnicode_Check(data)) {
			PyErr_Format(PyExc_TypeError, "gotrace needs a binary file: "
			             "read() returned %.100s", Py_TYPE(data)->tp_name);
			Py_DECREF(data);
			return -1;
		}
		r = open_buffer(data, in);
		Py_DECREF(data);
		return r;
	}
	seekable = call_bool(source, "seekable");
	if (seekable < 0) {
		if (!PyErr_ExceptionMatches(PyExc_AttributeError))
			return -1;
		PyErr_Clear();
		seekable = 0;
	}
	if (seekable) {
		PyObject *t = PyObject_CallMethod(source, "tell", NULL);

		if (t == NULL)
			return -1;
		pos = PyLong_AsLongLong(t);
		Py_DECREF(t);
		if (pos == -1 && PyErr_Occurred())
			return -1;
	}
	*stream = !seekable;
	Py_BEGIN_ALLOW_THREADS
	newfd = -1;
#if defined(__linux__)
	/* A description of our own: the object's position stays its own. */
	if (seekable) {
		char path[64];

		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		newfd = open(path, O_RDONLY | O_CLOEXEC);
	}
#endif
	if (newfd < 0)
		newfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	rc = GOTRACE_ERR_IO;
	if (newfd >= 0) {
		if (seekable && lseek(newfd, (off_t)pos, SEEK_SET) < 0) {
			int e = errno;

			close(newfd);
			errno = e;
		} else
			rc = input_from_fd(in, newfd, seekable && pos == 0);
	}
	Py_END_ALLOW_THREADS
	if (rc != GOTRACE_OK) {
		gtpy_raise_status(rc, NULL);
		return -1;
	}
	return 0;
}

static int open_input(PyObject *source, gotrace_input **in, int *stream)
{
	*stream = 0;
	if (PyUnicode_Check(source) ||
	    PyObject_HasAttrString(source, "__fspath__"))
		return open_path(source, in, stream);
	if (PyObject_HasAttrString(source, "read"))
		return open_file_object(source, in, stream);
	if (PyObject_CheckBuffer(source))
		return open_buffer(source, in);
	PyErr_Format(PyExc_TypeError, "a trace is a path, bytes or a binary "
	             "file object, not %.100s", Py_TYPE(source)->tp_name);
	return -1;
}

/* ---- generation ranges ------------------------------------------------- */

static int optional_u64(PyObject *o, int *has, uint64_t *v)
{
	*has = o != Py_None;
	if (!*has)
		return 0;
	*v = PyLong_AsUnsignedLongLong(o);
	return *v == (uint64_t)-1 && PyErr_Occurred() ? -1 : 0;
}

static int optional_time(PyObject *o, int *has, gotrace_clock_kind *clock,
                         int64_t *t)
{
	int c;
	long long v;

	*has = o != Py_None;
	if (!*has)
		return 0;
	if (!PyArg_ParseTuple(o, "iL;a time is (clock, ns)", &c, &v))
		return -1;
	*clock = (gotrace_clock_kind)c;
	*t = (int64_t)v;
	return 0;
}

/*
 * The selectors, checked and normalized by gotrace._selectors (the
 * CLI's syntax through the library's parsers, timedelta, datetime):
 * None, or ("gen", A or None, B or None), or ("time", (clock, t) or
 * None, ...), into rs.
 */
static int parse_range(PyObject *gen, PyObject *from_, PyObject *to,
                       gotrace_range *rs)
{
	gotrace_range all = GOTRACE_RANGE_INIT;
	PyObject *mod, *spec;
	const char *kind;
	PyObject *a, *b;
	int rc = -1;

	*rs = all;
	if ((gen == NULL || gen == Py_None) && (from_ == NULL || from_ == Py_None) &&
	    (to == NULL || to == Py_None))
		return 0;
	mod = PyImport_ImportModule("gotrace._selectors");
	if (mod == NULL)
		return -1;
	spec = PyObject_CallMethod(mod, "range_spec", "OOO",
	                           gen != NULL ? gen : Py_None,
	                           from_ != NULL ? from_ : Py_None,
	                           to != NULL ? to : Py_None);
	Py_DECREF(mod);
	if (spec == NULL)
		return -1;
	if (spec == Py_None) {
		Py_DECREF(spec);
		return 0;
	}
	if (!PyArg_ParseTuple(spec, "sOO", &kind, &a, &b))
		goto out;
	if (strcmp(kind, "gen") == 0) {
		rs->kind = GOTRACE_RANGE_GENERATIONS;
		if (optional_u64(a, &rs->has_first, &rs->first_gen) < 0 ||
		    optional_u64(b, &rs->has_last, &rs->last_gen) < 0)
			goto out;
	} else {
		rs->kind = GOTRACE_RANGE_TIMES;
		if (optional_time(a, &rs->has_first, &rs->from_clock, &rs->from) < 0 ||
		    optional_time(b, &rs->has_last, &rs->to_clock, &rs->to) < 0)
			goto out;
	}
	rc = 0;
out:
	Py_DECREF(spec);
	return rc;
}

/*
 * Seeks r to the range's first generation and stops it after its last
 * (gotrace_reader_select), raising what the library reports as
 * exceptions. 0 or -1 with an exception set.
 */
static int apply_range(gotrace_reader *r, const gotrace_range *rs)
{
	gotrace_selection sel;
	const gotrace_index *idx;
	gotrace_version v;
	int rc;

	Py_BEGIN_ALLOW_THREADS
	rc = gotrace_reader_select(r, rs, &sel);
	Py_END_ALLOW_THREADS
	if (rc == GOTRACE_OK)
		return 0;
	if (sel.failed_end == (GOTRACE_RANGE_FIRST | GOTRACE_RANGE_LAST)) {
		if (rs->kind == GOTRACE_RANGE_TIMES)
			PyErr_Format(PyExc_ValueError, "from_ comes after to (the "
			             "trace's generations %zu and %zu)",
			             sel.first + 1, sel.last + 1);
		else
			PyErr_SetString(PyExc_ValueError, sel.message);
		return -1;
	}
	if (sel.failed_end != 0) {
		if (rs->kind == GOTRACE_RANGE_GENERATIONS)
			PyErr_SetString(PyExc_ValueError, sel.message);
		else
			PyErr_Format(rc == GOTRACE_ERR_UNSUPPORTED
			             ? gtpy_UnsupportedError : PyExc_ValueError,
			             "%s: %s", sel.failed_end == GOTRACE_RANGE_FIRST
			             ? "from_" : "to", sel.message);
		return -1;
	}
	/* The trace is the reason: no generations, or none intact. The
	 * index, if there is one, was made by the call. */
	idx = gotrace_reader_index(r, NULL);
	v = gotrace_reader_version(r);
	if (idx != NULL && gotrace_index_count(idx) == 0 &&
	    gotrace_index_error(idx) != NULL &&
	    gotrace_error_code(gotrace_index_error(idx)) != 0)
		/* Damaged in its first generation: that is the news. */
		gtpy_raise_error(gotrace_index_error(idx), 0, 0);
	else if (rc == GOTRACE_ERR_UNSUPPORTED && v != GOTRACE_VERSION_UNKNOWN &&
	         !gotrace_version_is_v2(v))
		PyErr_SetString(gtpy_UnsupportedError, sel.message);
	else if (rc == GOTRACE_ERR_ARG && idx != NULL &&
	         gotrace_index_count(idx) == 0)
		PyErr_SetString(PyExc_ValueError, sel.message);
	else
		gtpy_raise_status(rc, "generation range");
	return -1;
}

/* ---- the selectors' textual forms, parsed by the library ---------------- */

/* The UTF-8 of a str argument, or NULL with ValueError(why) set for one
 * holding a NUL (which the C parsers would stop at). */
static const char *parser_text(PyObject *arg)
{
	Py_ssize_t len;
	const char *s;

	if (!PyUnicode_Check(arg)) {
		PyErr_Format(PyExc_TypeError, "a str, not %.100s",
		             Py_TYPE(arg)->tp_name);
		return NULL;
	}
	s = PyUnicode_AsUTF8AndSize(arg, &len);
	if (s != NULL && strlen(s) != (size_t)len) {
		PyErr_SetString(PyExc_ValueError, "not a number");
		return NULL;
	}
	return s;
}

static PyObject *optional_number(int has, uint64_t v)
{
	if (!has)
		Py_RETURN_NONE;
	return PyLong_FromUnsignedLongLong(v);
}

static PyObject *parse_generations_text(PyObject *self, PyObject *arg)
{
	gotrace_range rs = GOTRACE_RANGE_INIT;
	const char *s = parser_text(arg), *why = NULL;
	PyObject *a, *b, *t;

	(void)self;
	if (s == NULL)
		return NULL;
	if (gotrace_range_parse_generations(&rs, s, &why) != GOTRACE_OK) {
		PyErr_SetString(PyExc_ValueError, why);
		return NULL;
	}
	a = optional_number(rs.has_first, rs.first_gen);
	b = a != NULL ? optional_number(rs.has_last, rs.last_gen) : NULL;
	t = b != NULL ? PyTuple_Pack(2, a, b) : NULL;
	Py_XDECREF(a);
	Py_XDECREF(b);
	return t;
}

static PyObject *parse_time_text(PyObject *self, PyObject *arg)
{
	gotrace_range rs = GOTRACE_RANGE_INIT;
	const char *s = parser_text(arg), *why = NULL;

	(void)self;
	if (s == NULL)
		return NULL;
	if (gotrace_range_parse_time(&rs, GOTRACE_RANGE_FIRST, s, &why) !=
	    GOTRACE_OK) {
		PyErr_SetString(PyExc_ValueError, why);
		return NULL;
	}
	return Py_BuildValue("(iL)", (int)rs.from_clock, (long long)rs.from);
}

static PyObject *parse_duration_text(PyObject *self, PyObject *arg)
{
	const char *s = parser_text(arg), *why = NULL;
	int64_t ns;

	(void)self;
	if (s == NULL)
		return NULL;
	if (gotrace_parse_duration(s, &ns, &why) != GOTRACE_OK) {
		PyErr_SetString(PyExc_ValueError, why);
		return NULL;
	}
	return PyLong_FromLongLong((long long)ns);
}

static PyMethodDef parser_methods[] = {
	{"_parse_generations", parse_generations_text, METH_O,
	 "(A or None, B or None) of 'A:B', 'A:', ':B' or 'A' "
	 "(gotrace_range_parse_generations); ValueError(reason)."},
	{"_parse_time", parse_time_text, METH_O,
	 "(clock, ns) of a --from/--to time (gotrace_range_parse_time); "
	 "ValueError(reason)."},
	{"_parse_duration", parse_duration_text, METH_O,
	 "ns of a duration (gotrace_parse_duration); ValueError(reason)."},
	{NULL, NULL, 0, NULL},
};

int gtpy_source_add(PyObject *module)
{
	return PyModule_AddFunctions(module, parser_methods);
}

/* ---- the reader -------------------------------------------------------- */

int gtpy_open_reader(PyObject *source, PyObject *gen, PyObject *from_,
                     PyObject *to, int threads, gotrace_reader **out)
{
	return gtpy_open_reader_ex(source, gen, from_, to, threads, out, NULL);
}

int gtpy_open_reader_ex(PyObject *source, PyObject *gen, PyObject *from_,
                        PyObject *to, int threads, gotrace_reader **out,
                        int *stream)
{
	gotrace_reader_options ro = GOTRACE_READER_OPTIONS_INIT;
	gotrace_input *in = NULL;
	gotrace_reader *r = NULL;
	gotrace_range rs;
	int rc, is_stream;

	*out = NULL;
	if (stream != NULL)
		*stream = 0;
	/* The selectors first: a bad one is the caller's mistake whatever
	 * the file holds. */
	if (parse_range(gen, from_, to, &rs) < 0)
		return -1;
	if (open_input(source, &in, &is_stream) < 0)
		return -1;
	ro.threads = threads > 0 ? threads : gotrace_default_threads();
	Py_BEGIN_ALLOW_THREADS
	rc = gotrace_reader_new_opts(&r, in, &ro);
	Py_END_ALLOW_THREADS
	if (r == NULL) {
		gotrace_input_free(in);
		gtpy_raise_status(rc, NULL);
		return -1;
	}
	if (rc != GOTRACE_OK) {
		gtpy_raise_trace_error(r);
		gotrace_reader_free(r);
		return -1;
	}
	if (rs.kind != GOTRACE_RANGE_ALL && apply_range(r, &rs) < 0) {
		gotrace_reader_free(r);
		return -1;
	}
	*out = r;
	if (stream != NULL)
		*stream = is_stream;
	return 0;
}
