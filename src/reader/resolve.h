/*
 * Internal: the part of resolving an ordered event into a public one that
 * runs for nearly every event, inline so that the read loop does not pay
 * a call for it. The rest (syncs, metrics, ranges, tasks, status events...)
 * is gt_resolve_event in event.c.
 */
#ifndef GT_RESOLVE_H
#define GT_RESOLVE_H

#include <stdint.h>

#include "gen/generation.h"
#include "order/order.h"
#include "wire/spec.h"
#include "gotrace/reader.h"
#include "gotrace/wire.h"

/* The string id names in generation g; "" if g is NULL or lacks it. */
static inline gotrace_string gt_resolve_string(const gt_generation *g,
                                               uint64_t id)
{
	gotrace_string out = {"", 0};
	gt_string s;

	if (g != NULL && gt_generation_string(g, id, &s)) {
		out.data = (const char *)s.data;
		out.len = s.len;
	}
	return out;
}

/* A public stack handle: resolved only when the caller asks for frames. */
static inline gotrace_stack gt_stack_handle(const gt_generation *g,
                                            uint64_t id)
{
	gotrace_stack s;

	s.table = g;
	s.id = id;
	return s;
}

static const gotrace_stack gt_no_stack = {NULL, 0};

/* The event's own stack, as Go's Event.Stack() defines it. */
static inline gotrace_stack gt_event_stack(const gt_event *ev)
{
	const gt_spec *spec;
	uint64_t id;

	if (ev->type == GOTRACE_WIRE_CPU_SAMPLE)
		return gt_stack_handle(ev->gen, ev->args[0]);
	spec = &gt_specs[ev->type]; /* a Sync's (255) is empty: no stack */
	if (spec->stack_args[0] < 1)
		return gt_no_stack;
	id = ev->args[spec->stack_args[0] - 1];
	return id == 0 ? gt_no_stack : gt_stack_handle(ev->gen, id);
}

/*
 * The transitions whose shape the wire type alone decides (all but the
 * status and steal events): resolved from a table (event.c) rather than
 * by a switch per event, since they are most of any trace.
 */
enum { GT_ID_ARG0 = 1, GT_ID_G, GT_ID_P };
enum { GT_TSTACK_NONE, GT_TSTACK_EVENT, GT_TSTACK_ARG1 };

typedef struct gt_plain_transition {
	uint8_t id_from;   /* GT_ID_*; 0: not a plain transition */
	uint8_t resource;
	uint8_t from, to;
	uint8_t reason;    /* args[0] is the reason string */
	uint8_t stack;     /* GT_TSTACK_* */
} gt_plain_transition;

extern const gt_plain_transition gt_plain_transitions[256];

/*
 * The plain transitions of goroutines, X(wire type, where the ID is, old
 * state, new state, reason, stack, the spec's first and second stack
 * argument and its string argument — 1-based, 0 for none): the table's
 * entries, and the cases the reader checks, resolves and applies with
 * these as constants (reader.c). (test_wire checks the last three
 * against gt_specs.)
 */
#define GT_PLAIN_GO_TRANSITIONS(X)                                      \
	X(GO_CREATE, ARG0, NOT_EXIST, RUNNABLE, 0, ARG1, 3, 2, 0)       \
	X(GO_CREATE_BLOCKED, ARG0, NOT_EXIST, WAITING, 0, ARG1, 3, 2, 0)\
	X(GO_CREATE_SYSCALL, ARG0, NOT_EXIST, SYSCALL, 0, NONE, 0, 0, 0)\
	X(GO_START, ARG0, RUNNABLE, RUNNING, 0, NONE, 0, 0, 0)          \
	X(GO_DESTROY, G, RUNNING, NOT_EXIST, 0, NONE, 0, 0, 0)          \
	X(GO_DESTROY_SYSCALL, G, SYSCALL, NOT_EXIST, 0, NONE, 0, 0, 0)  \
	X(GO_STOP, G, RUNNING, RUNNABLE, 1, EVENT, 2, 0, 1)             \
	X(GO_BLOCK, G, RUNNING, WAITING, 1, EVENT, 2, 0, 1)             \
	X(GO_UNBLOCK, ARG0, WAITING, RUNNABLE, 0, NONE, 3, 0, 0)        \
	X(GO_SWITCH, ARG0, WAITING, RUNNABLE, 0, NONE, 0, 0, 0)         \
	X(GO_SWITCH_DESTROY, ARG0, WAITING, RUNNABLE, 0, NONE, 0, 0, 0) \
	X(GO_SYSCALL_BEGIN, G, RUNNING, SYSCALL, 0, EVENT, 2, 0, 0)     \
	X(GO_SYSCALL_END, G, SYSCALL, RUNNING, 0, NONE, 0, 0, 0)        \
	X(GO_SYSCALL_END_BLOCKED, G, SYSCALL, RUNNABLE, 0, NONE, 0, 0, 0)

/*
 * gt_resolve_plain for a goroutine's plain transition whose shape (its
 * GT_PLAIN_GO_TRANSITIONS entry) the caller passes as constants; returns
 * the goroutine. arg0: args[0]'s string if the caller has looked it up,
 * else NULL.
 */
static GT_ALWAYS_INLINE int64_t gt_resolve_plain_go(const gt_event *ev,
                                                    gotrace_event *out,
                                                    int id_from, int from,
                                                    int to, int reason,
                                                    int stack, int sa0,
                                                    const gotrace_string *arg0)
{
	const uint64_t *a = ev->args;
	int64_t id = id_from == GT_ID_ARG0 ? (int64_t)a[0] : ev->g;

	out->time = ev->time;
	out->thread = ev->m;
	out->proc = ev->p;
	out->goroutine = ev->g;
	/* gt_event_stack */
	out->stack = sa0 < 1 || a[sa0 - 1] == 0
	             ? gt_no_stack : gt_stack_handle(ev->gen, a[sa0 - 1]);
	out->kind = GOTRACE_EVENT_STATE_TRANSITION;
	out->wire_type = ev->type;
	out->u.transition.resource = GOTRACE_RESOURCE_GOROUTINE;
	out->u.transition.id = id;
	out->u.transition.old_state = from;
	out->u.transition.new_state = to;
	if (reason) {
		out->u.transition.reason = arg0 != NULL
		                           ? *arg0
		                           : gt_resolve_string(ev->gen, a[0]);
	} else {
		out->u.transition.reason.data = "";
		out->u.transition.reason.len = 0;
	}
	out->u.transition.stack = stack == GT_TSTACK_EVENT ? out->stack
	                          : stack == GT_TSTACK_ARG1
	                            ? gt_stack_handle(ev->gen, a[1])
	                            : gt_no_stack;
	return id;
}

/*
 * Fills out from ev if ev is a plain transition; returns 1 then, else 0
 * with out untouched.
 */
static inline int gt_resolve_plain(const gt_event *ev, gotrace_event *out)
{
	const gt_plain_transition *pt = &gt_plain_transitions[ev->type];
	const uint64_t *a = ev->args;

	if (pt->id_from == 0)
		return 0;
	out->time = ev->time;
	out->thread = ev->m;
	out->proc = ev->p;
	out->goroutine = ev->g;
	out->stack = gt_event_stack(ev);
	out->kind = GOTRACE_EVENT_STATE_TRANSITION;
	out->wire_type = ev->type;
	out->u.transition.resource = (gotrace_resource_kind)pt->resource;
	out->u.transition.id = pt->id_from == GT_ID_ARG0 ? (int64_t)a[0]
	                       : pt->id_from == GT_ID_G  ? ev->g
	                                                 : ev->p;
	out->u.transition.old_state = pt->from;
	out->u.transition.new_state = pt->to;
	if (pt->reason) {
		out->u.transition.reason = gt_resolve_string(ev->gen, a[0]);
	} else {
		out->u.transition.reason.data = "";
		out->u.transition.reason.len = 0;
	}
	out->u.transition.stack = pt->stack == GT_TSTACK_EVENT ? out->stack
	                          : pt->stack == GT_TSTACK_ARG1
	                            ? gt_stack_handle(ev->gen, a[1])
	                            : gt_no_stack;
	return 1;
}

#endif
