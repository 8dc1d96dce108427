/*
 * What the extension's C files share: the module state, the exception
 * type, and how a trace source given from Python becomes a reader.
 */
#ifndef GTPY_H
#define GTPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <gotrace/gotrace.h>

/* Adds the analyses and exports (analyses.c) to the module. 0 or -1. */
int gtpy_analyses_add(PyObject *module);

#endif
