/* gotrace.read_columns: batches of events as numpy arrays. */
#include "gtpy.h"

int gtpy_columns_add(PyObject *module)
{
	(void)module;
	return 0;
}
