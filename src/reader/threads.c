/*
 * The number of threads to read with when the user has not said
 * (gotrace_default_threads): what the CLI and the Python package use.
 */
#define _DEFAULT_SOURCE 1     /* getloadavg */

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/decimal.h"
#include "gotrace/reader.h"

int gotrace_default_threads(void)
{
	const char *env = getenv("GOTRACE_THREADS");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double load;
	uint64_t v;

	if (env != NULL && gt_parse_u64(env, 1, 64, &v) == NULL)
		return (int)v;
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
