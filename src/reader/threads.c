/*
 * The number of threads to read with when the user has not said
 * (gotrace_default_threads): what the CLI and the Python package use.
 */
#define _DEFAULT_SOURCE 1     /* getloadavg */

#include <stdlib.h>
#include <unistd.h>

#include "gotrace/reader.h"

/* $GOTRACE_THREADS as a number from 1 to 64, else 0. */
static int threads_from_env(void)
{
	const char *env = getenv("GOTRACE_THREADS");
	int v = 0;

	if (env == NULL || *env == '\0')
		return 0;
	for (; *env != '\0'; env++) {
		if (*env < '0' || *env > '9')
			return 0;
		v = v * 10 + (*env - '0');
		if (v > 64)
			return 0;
	}
	return v;
}

int gotrace_default_threads(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double load;
	int env = threads_from_env();

	if (env > 0)
		return env;
	if (ncpu < 2)
		return 1;
	/* The two threads take most of two cores and wait on each other:
	 * where another program keeps a core busy they lose more in
	 * waiting than they gain (docs/performance.md), so read on one
	 * unless about a core and a half is idle. */
	if (getloadavg(&load, 1) == 1 && load > (double)ncpu - 1.5)
		return 1;
	return 2;
}
