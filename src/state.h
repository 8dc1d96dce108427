/*
 * Internal: the scheduler state machine as the caller sees it.
 *
 * It is driven by the events the reader delivers, one at a time: every
 * StateTransition moves a goroutine or P from its old state to its new
 * one, binding or unbinding it to an M. It checks that each transition
 * starts from the state the resource is in, and answers "what is G/P/M
 * doing now" between events. (The ordering engine keeps its own, wire-level
 * bookkeeping, which runs slightly ahead of delivery.)
 */
#ifndef GT_STATE_H
#define GT_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "idmap.h"
#include "gotrace/reader.h"
#include "gotrace/state.h"

typedef struct gt_state {
	gotrace_goroutine_info *gs;
	size_t ngs, gs_cap;
	gt_idmap g_index;
	gotrace_proc_info *ps;
	size_t nps, ps_cap;
	gt_idmap p_index;
	gotrace_thread_info *ms;
	size_t nms, ms_cap;
	gt_idmap m_index;
	int64_t last_m_id;       /* the M looked up last, and its index: */
	uint32_t last_m;         /* a trace has few Ms, used in runs */
	uint64_t transitions[2][6][6]; /* [resource][old][new] counts */
	int lenient;             /* count violations instead of failing */
	uint64_t violations;
} gt_state;

void gt_state_init(gt_state *st);
void gt_state_free(gt_state *st);

/* Applies a delivered event. Returns GOTRACE_OK or an error. */
int gt_state_apply(gt_state *st, const gotrace_event *ev,
                   struct gotrace_error *err);

#endif
