/* The _gotrace extension module. */
#include "gtpy.h"

static struct PyModuleDef gtpy_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "gotrace._gotrace",
	.m_doc = "Go execution traces, read by libgotrace.",
	.m_size = -1,
};

PyMODINIT_FUNC PyInit__gotrace(void);

PyMODINIT_FUNC
PyInit__gotrace(void)
{
	PyObject *m = PyModule_Create(&gtpy_module);
	if (m == NULL)
		return NULL;
	if (gtpy_analyses_add(m) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
