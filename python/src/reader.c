/* gotrace.open: the Reader and its Event objects. */
#include "gtpy.h"

int gtpy_reader_add(PyObject *module)
{
	(void)module;
	return 0;
}
