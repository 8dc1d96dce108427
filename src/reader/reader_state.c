/*
 * The reader's answers about the scheduler state (gotrace/state.h): the
 * public queries, read from the state machine the reader keeps.
 */
#include <stddef.h>
#include <stdint.h>

#include "reader/reader_internal.h"
#include "state/state.h"

/* ---- queries --------------------------------------------------------------- */

int gotrace_reader_goroutine(const gotrace_reader *r, int64_t id,
                             gotrace_goroutine_info *out)
{
	const gotrace_goroutine_info *g;

	if (r == NULL || out == NULL || (g = gt_state_query_g(&r->st, id)) == NULL)
		return 0;
	*out = *g;
	return 1;
}

int gotrace_reader_proc(const gotrace_reader *r, int64_t id,
                        gotrace_proc_info *out)
{
	const gotrace_proc_info *p;

	if (r == NULL || out == NULL || (p = gt_state_query_p(&r->st, id)) == NULL)
		return 0;
	*out = *p;
	return 1;
}

int gotrace_reader_thread(const gotrace_reader *r, int64_t id,
                          gotrace_thread_info *out)
{
	const gotrace_thread_info *m;

	if (r == NULL || out == NULL || (m = gt_state_query_m(&r->st, id)) == NULL)
		return 0;
	*out = *m;
	return 1;
}

size_t gotrace_reader_goroutine_count(const gotrace_reader *r)
{
	return r != NULL ? r->st.ngs : 0;
}

size_t gotrace_reader_proc_count(const gotrace_reader *r)
{
	return r != NULL ? r->st.nps : 0;
}

size_t gotrace_reader_thread_count(const gotrace_reader *r)
{
	return r != NULL ? r->st.nms : 0;
}

int gotrace_reader_goroutine_at(const gotrace_reader *r, size_t i,
                                gotrace_goroutine_info *out)
{
	if (r == NULL || out == NULL || i >= r->st.ngs)
		return -1;
	*out = r->st.gs[r->st.glive[i]].info;
	return 0;
}

int gotrace_reader_proc_at(const gotrace_reader *r, size_t i,
                           gotrace_proc_info *out)
{
	if (r == NULL || out == NULL || i >= r->st.nps)
		return -1;
	*out = r->st.ps[i];
	return 0;
}

int gotrace_reader_thread_at(const gotrace_reader *r, size_t i,
                             gotrace_thread_info *out)
{
	if (r == NULL || out == NULL || i >= r->st.nms)
		return -1;
	*out = r->st.ms[i];
	return 0;
}

uint64_t gotrace_reader_state_violations(const gotrace_reader *r)
{
	return r != NULL ? r->st.violations : 0;
}

uint64_t gotrace_reader_transition_count(const gotrace_reader *r,
                                         int resource, int from, int to)
{
	int k = resource == GOTRACE_RESOURCE_GOROUTINE ? 0
	        : resource == GOTRACE_RESOURCE_PROC     ? 1 : -1;

	if (r == NULL || k < 0 || from < 0 || from > 5 || to < 0 || to > 5)
		return 0;
	return r->st.transitions[k][from][to];
}
