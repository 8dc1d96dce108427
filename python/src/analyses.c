/* The analyses and exports as module functions. */
#include "gtpy.h"

int
gtpy_analyses_add(PyObject *module)
{
	(void)module;
	return 0;
}
