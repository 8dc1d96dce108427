/* The _gotrace extension module: its exceptions and its parts. */
#include "gtpy.h"

static struct PyModuleDef gtpy_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "gotrace._gotrace",
	.m_doc = "Go execution traces, read by libgotrace.",
	.m_size = -1,
};

PyMODINIT_FUNC PyInit__gotrace(void);

static const char trace_error_doc[] =
	"The trace is not one, is damaged, or breaks the rules.\n\n"
	"Raised after every event before the problem has been delivered.\n"
	"Attributes: offset (byte offset of the problem), generation (the\n"
	"generation of the last event delivered before it, 0 if none),\n"
	"go_message (the message Go's parser gives, as `go tool trace`\n"
	"prints it), message (libgotrace's message), code (libgotrace's\n"
	"status), valid_bytes (input bytes whose events were all delivered).";

static const char unsupported_doc[] =
	"What was asked needs something this trace or input does not have:\n"
	"generations on a v1 trace (Go 1.11-1.21), seeking a pipe, wall-clock\n"
	"times without clock snapshots (before Go 1.25).";

/* The exceptions, each type made once per process (see gtpy.h). */
static int add_exceptions(PyObject *m)
{
	static const char *const attrs[] = {
		"code", "message", "offset", "generation", "go_message",
		"valid_bytes",
	};
	PyObject *dict;
	size_t i;

	if (gtpy_TraceError == NULL) {
		dict = PyDict_New();
		if (dict == NULL)
			return -1;
		for (i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
			if (PyDict_SetItemString(dict, attrs[i], Py_None) < 0) {
				Py_DECREF(dict);
				return -1;
			}
		gtpy_TraceError = PyErr_NewExceptionWithDoc(
			"gotrace.TraceError", trace_error_doc, PyExc_Exception, dict);
		Py_DECREF(dict);
		if (gtpy_TraceError == NULL)
			return -1;
	}
	if (gtpy_UnsupportedError == NULL) {
		gtpy_UnsupportedError = PyErr_NewExceptionWithDoc(
			"gotrace.UnsupportedError", unsupported_doc, PyExc_ValueError,
			NULL);
		if (gtpy_UnsupportedError == NULL)
			return -1;
	}
	if (PyModule_AddObjectRef(m, "TraceError", gtpy_TraceError) < 0 ||
	    PyModule_AddObjectRef(m, "UnsupportedError", gtpy_UnsupportedError) < 0)
		return -1;
	return 0;
}

PyMODINIT_FUNC
PyInit__gotrace(void)
{
	PyObject *m = PyModule_Create(&gtpy_module);

	if (m == NULL)
		return NULL;
	if (add_exceptions(m) < 0 ||
	    PyModule_AddStringConstant(m, "library_version",
	                               gotrace_library_version()) < 0 ||
	    gtpy_reader_add(m) < 0 ||
	    gtpy_columns_add(m) < 0 ||
	    gtpy_source_add(m) < 0 ||
	    gtpy_analyses_add(m) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
