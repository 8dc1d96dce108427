/*
 * Public events: resolving an ordered event's IDs into strings, stacks and
 * state transitions, with the meanings Go's trace API gives them.
 */
#include <string.h>

#include "reader/reader_internal.h"
#include "reader/resolve.h"
#include "wire/spec.h"
#include "gotrace/wire.h"

static const char *const kind_names[] = {
	"Bad", "Sync", "Metric", "Label", "StackSample", "RangeBegin",
	"RangeActive", "RangeEnd", "TaskBegin", "TaskEnd", "RegionBegin",
	"RegionEnd", "Log", "StateTransition", "Experimental"};

const char *gotrace_event_kind_string(gotrace_event_kind kind)
{
	if ((unsigned)kind >= sizeof kind_names / sizeof kind_names[0])
		return kind_names[0];
	return kind_names[kind];
}

const char *gotrace_goroutine_state_string(int state)
{
	static const char *const n[] = {"Undetermined", "NotExist", "Runnable",
	                                 "Running", "Waiting", "Syscall"};

	return state >= 0 && state < 6 ? n[state] : "Bad";
}

const char *gotrace_proc_state_string(int state)
{
	static const char *const n[] = {"Undetermined", "NotExist", "Running",
	                                 "Idle"};

	return state >= 0 && state < 4 ? n[state] : "Bad";
}

const char *gotrace_resource_kind_string(int kind)
{
	static const char *const n[] = {"None", "Goroutine", "Proc", "Thread"};

	return kind >= 0 && kind < 4 ? n[kind] : "Bad";
}

static gotrace_event_kind kind_of(uint8_t type)
{
	switch (type) {
	case GT_EV_SYNC: return GOTRACE_EVENT_SYNC;
	case GOTRACE_WIRE_CPU_SAMPLE: return GOTRACE_EVENT_STACK_SAMPLE;
	case GOTRACE_WIRE_PROCS_CHANGE:
	case GOTRACE_WIRE_HEAP_ALLOC:
	case GOTRACE_WIRE_HEAP_GOAL: return GOTRACE_EVENT_METRIC;
	case GOTRACE_WIRE_STW_BEGIN:
	case GOTRACE_WIRE_GC_BEGIN:
	case GOTRACE_WIRE_GC_SWEEP_BEGIN:
	case GOTRACE_WIRE_GC_MARK_ASSIST_BEGIN: return GOTRACE_EVENT_RANGE_BEGIN;
	case GOTRACE_WIRE_GC_ACTIVE:
	case GOTRACE_WIRE_GC_SWEEP_ACTIVE:
	case GOTRACE_WIRE_GC_MARK_ASSIST_ACTIVE: return GOTRACE_EVENT_RANGE_ACTIVE;
	case GOTRACE_WIRE_STW_END:
	case GOTRACE_WIRE_GC_END:
	case GOTRACE_WIRE_GC_SWEEP_END:
	case GOTRACE_WIRE_GC_MARK_ASSIST_END: return GOTRACE_EVENT_RANGE_END;
	case GOTRACE_WIRE_GO_LABEL: return GOTRACE_EVENT_LABEL;
	case GOTRACE_WIRE_USER_TASK_BEGIN: return GOTRACE_EVENT_TASK_BEGIN;
	case GOTRACE_WIRE_USER_TASK_END: return GOTRACE_EVENT_TASK_END;
	case GOTRACE_WIRE_USER_REGION_BEGIN: return GOTRACE_EVENT_REGION_BEGIN;
	case GOTRACE_WIRE_USER_REGION_END: return GOTRACE_EVENT_REGION_END;
	case GOTRACE_WIRE_USER_LOG: return GOTRACE_EVENT_LOG;
	case GOTRACE_WIRE_PROC_START:
	case GOTRACE_WIRE_PROC_STOP:
	case GOTRACE_WIRE_PROC_STEAL:
	case GOTRACE_WIRE_PROC_STATUS:
	case GOTRACE_WIRE_GO_CREATE:
	case GOTRACE_WIRE_GO_CREATE_SYSCALL:
	case GOTRACE_WIRE_GO_START:
	case GOTRACE_WIRE_GO_DESTROY:
	case GOTRACE_WIRE_GO_DESTROY_SYSCALL:
	case GOTRACE_WIRE_GO_STOP:
	case GOTRACE_WIRE_GO_BLOCK:
	case GOTRACE_WIRE_GO_UNBLOCK:
	case GOTRACE_WIRE_GO_SYSCALL_BEGIN:
	case GOTRACE_WIRE_GO_SYSCALL_END:
	case GOTRACE_WIRE_GO_SYSCALL_END_BLOCKED:
	case GOTRACE_WIRE_GO_STATUS:
	case GOTRACE_WIRE_GO_SWITCH:
	case GOTRACE_WIRE_GO_SWITCH_DESTROY:
	case GOTRACE_WIRE_GO_CREATE_BLOCKED:
	case GOTRACE_WIRE_GO_STATUS_STACK: return GOTRACE_EVENT_STATE_TRANSITION;
	default:
		if (type >= GOTRACE_WIRE_SPAN &&
		    type <= GOTRACE_WIRE_GOROUTINE_STACK_FREE)
			return GOTRACE_EVENT_EXPERIMENTAL;
		return GOTRACE_EVENT_BAD;
	}
}

#define GOT(type, id, from, to, reason, stack)                              \
	[GOTRACE_WIRE_##type] = {GT_ID_##id, GOTRACE_RESOURCE_GOROUTINE,         \
	                         GOTRACE_GO_##from, GOTRACE_GO_##to, reason,  \
	                         GT_TSTACK_##stack}
#define PROCT(type, id, from, to)                                           \
	[GOTRACE_WIRE_##type] = {GT_ID_##id, GOTRACE_RESOURCE_PROC,              \
	                         GOTRACE_PROC_##from, GOTRACE_PROC_##to, 0,   \
	                         GT_TSTACK_NONE}

const gt_plain_transition gt_plain_transitions[256] = {
	PROCT(PROC_START, ARG0, IDLE, RUNNING),
	PROCT(PROC_STOP, P, RUNNING, IDLE),
#define GOT_ENTRY(type, id, from, to, reason, stack, sa0, sa1, ta0)         \
	GOT(type, id, from, to, reason, stack),
	GT_PLAIN_GO_TRANSITIONS(GOT_ENTRY)
};

size_t gotrace_stack_depth(gotrace_stack stk)
{
	gt_stack s;

	if (stk.table == NULL || stk.id == 0 ||
	    !gt_generation_stack(stk.table, stk.id, &s))
		return 0;
	return s.n;
}

int gotrace_stack_frame(gotrace_stack stk, size_t i, gotrace_frame *out)
{
	const gt_generation *g = stk.table;
	gt_stack s;
	gt_frame f;
	uint64_t pc;

	if (g == NULL || stk.id == 0 || out == NULL ||
	    !gt_generation_stack(g, stk.id, &s) || i >= s.n)
		return -1;
	pc = g->stack_pcs[s.first + i];
	if (!gt_generation_frame(g, pc, &f))
		return -1;
	out->pc = f.pc;
	out->func = gt_resolve_string(g, f.func_id);
	out->file = gt_resolve_string(g, f.file_id);
	out->line = f.line;
	return 0;
}

static void transition(gotrace_event *out, gotrace_resource_kind res,
                       int64_t id, int from, int to)
{
	out->u.transition.resource = res;
	out->u.transition.id = id;
	out->u.transition.old_state = from;
	out->u.transition.new_state = to;
	out->u.transition.reason.data = "";
	out->u.transition.reason.len = 0;
	out->u.transition.stack = gt_no_stack;
}

/* The transitions gt_resolve_plain does not take: steals and statuses,
 * whose states depend on their arguments. */
static void resolve_transition(const gt_event *ev, gotrace_event *out)
{
	const uint64_t *a = ev->args;

	switch (ev->type) {
	case GOTRACE_WIRE_PROC_STEAL:
		transition(out, GOTRACE_RESOURCE_PROC, (int64_t)a[0],
		           a[3] == GT_WIRE_PROC_ABANDONED ? GOTRACE_PROC_IDLE
		                                         : GOTRACE_PROC_RUNNING,
		           GOTRACE_PROC_IDLE);
		break;
	case GOTRACE_WIRE_PROC_STATUS:
		/* A status past the table was refused (gt_check_event_values);
		 * the bound only keeps the lookup safe. */
		transition(out, GOTRACE_RESOURCE_PROC, (int64_t)a[0], (int)a[2],
		           gt_wire_proc_state(a[1]));
		break;
	default: /* GoStatus, GoStatusStack: old state << 32 | new state */
		transition(out, GOTRACE_RESOURCE_GOROUTINE, (int64_t)a[0],
		           (int)(a[2] >> 32), (int)(a[2] & 0xffffffffu));
		out->u.transition.stack = out->stack;
		break;
	}
}

static void set_range(gotrace_event *out, const char *name, size_t len,
                      gotrace_resource_kind scope, int64_t id)
{
	out->u.range.name.data = name;
	out->u.range.name.len = len;
	out->u.range.scope = scope;
	out->u.range.scope_id = id;
	out->u.range.nattrs = 0;
}

static void resolve_range(gotrace_reader *r, const gt_event *ev,
                          gotrace_event *out)
{
	static const char gc[] = "GC concurrent mark phase";
	static const char sweep[] = "GC incremental sweep";
	static const char assist[] = "GC mark assist";
	const uint64_t *a = ev->args;

	switch (ev->type) {
	case GOTRACE_WIRE_STW_BEGIN:
	case GOTRACE_WIRE_STW_END: {
		gotrace_string kind = gt_resolve_string(ev->gen, a[0]);
		char *name = r->batching ? r->batch_name[r->batch_names++]
		                         : r->range_name;
		size_t n = 0;

		memcpy(name, "stop-the-world (", 16);
		n = 16;
		memcpy(name + n, kind.data, kind.len);
		n += kind.len;
		name[n++] = ')';
		name[n] = '\0';
		set_range(out, name, n, GOTRACE_RESOURCE_GOROUTINE, ev->g);
		break;
	}
	case GOTRACE_WIRE_GC_BEGIN:
	case GOTRACE_WIRE_GC_ACTIVE:
	case GOTRACE_WIRE_GC_END:
		set_range(out, gc, sizeof gc - 1, GOTRACE_RESOURCE_NONE, 0);
		break;
	case GOTRACE_WIRE_GC_SWEEP_BEGIN:
	case GOTRACE_WIRE_GC_SWEEP_ACTIVE:
	case GOTRACE_WIRE_GC_SWEEP_END:
		set_range(out, sweep, sizeof sweep - 1, GOTRACE_RESOURCE_PROC,
		          ev->type == GOTRACE_WIRE_GC_SWEEP_ACTIVE ? (int64_t)a[0]
		                                                   : ev->p);
		if (ev->type == GOTRACE_WIRE_GC_SWEEP_END) {
			out->u.range.nattrs = 2;
			out->u.range.attr_names[0] = "bytes swept";
			out->u.range.attr_values[0] = a[0];
			out->u.range.attr_names[1] = "bytes reclaimed";
			out->u.range.attr_values[1] = a[1];
		}
		break;
	default:
		set_range(out, assist, sizeof assist - 1, GOTRACE_RESOURCE_GOROUTINE,
		          ev->type == GOTRACE_WIRE_GC_MARK_ASSIST_ACTIVE
		                  ? (int64_t)a[0] : ev->g);
		break;
	}
}

void gt_resolve_event(gotrace_reader *r, const gt_event *ev,
                      gotrace_event *out)
{
	const gt_generation *g = ev->gen;
	const uint64_t *a = ev->args;

	if (gt_resolve_plain(ev, out))
		return;
	out->time = ev->time;
	out->thread = ev->m;
	out->proc = ev->p;
	out->goroutine = ev->g;
	out->stack = gt_event_stack(ev);
	memset(&out->u, 0, sizeof out->u);
	out->kind = kind_of(ev->type);
	out->wire_type = ev->type == GT_EV_SYNC ? 0 : ev->type;
	switch (out->kind) {
	case GOTRACE_EVENT_SYNC:
		out->u.sync.n = a[0];
		if (g != NULL) {
			size_t i;

			out->u.sync.experimental_batches = g->nexp;
			/* Go's reader takes any experiment ID; only its
			 * Sync() accessor needs a name (reader.h). */
			for (i = 0; i < g->nexp; i++) {
				if (g->exp_batches[i].exp >= GT_NUM_EXPERIMENTS) {
					out->u.sync.unnamed_experiment =
						g->exp_batches[i].exp;
					out->u.sync.unnamed_experiment_offset =
						g->exp_batches[i].offset;
					break;
				}
			}
			if (g->has_clock) {
				int64_t sec = (int64_t)g->clock_sec;
				int64_t nsec = (int64_t)g->clock_nsec;

				/* time.Unix normalizes nsec into [0, 1e9),
				 * with int64 arithmetic that wraps. */
				if (nsec < 0 || nsec >= 1000000000) {
					sec = (int64_t)((uint64_t)sec +
					                (uint64_t)(nsec / 1000000000));
					nsec %= 1000000000;
					if (nsec < 0) {
						nsec += 1000000000;
						sec = (int64_t)((uint64_t)sec - 1);
					}
				}
				out->u.sync.has_clock = 1;
				out->u.sync.clock_trace =
					gt_ticks_to_ns(g->ns_per_tick, g->clock_ts);
				out->u.sync.clock_mono = g->clock_mono;
				out->u.sync.wall_sec = sec;
				out->u.sync.wall_nsec = nsec;
			}
		}
		break;
	case GOTRACE_EVENT_METRIC:
		out->u.metric.name =
			ev->type == GOTRACE_WIRE_PROCS_CHANGE
				? "/sched/gomaxprocs:threads"
				: ev->type == GOTRACE_WIRE_HEAP_ALLOC
				          ? "/memory/classes/heap/objects:bytes"
				          : "/gc/heap/goal:bytes";
		out->u.metric.value = a[0];
		break;
	case GOTRACE_EVENT_LABEL:
		out->u.label.label = gt_resolve_string(g, a[0]);
		out->u.label.resource = GOTRACE_RESOURCE_GOROUTINE;
		out->u.label.id = ev->g;
		break;
	case GOTRACE_EVENT_RANGE_BEGIN:
	case GOTRACE_EVENT_RANGE_ACTIVE:
	case GOTRACE_EVENT_RANGE_END:
		resolve_range(r, ev, out);
		break;
	case GOTRACE_EVENT_TASK_BEGIN:
		out->u.task.id = a[0];
		out->u.task.parent = a[1];
		out->u.task.type = gt_resolve_string(g, a[2]);
		break;
	case GOTRACE_EVENT_TASK_END: {
		/* The engine's interned name (gt_event). */
		const gt_interned *name = (const gt_interned *)(uintptr_t)a[3];

		out->u.task.id = a[0];
		out->u.task.parent = a[2];
		out->u.task.type.data = name != NULL ? name->data : "";
		out->u.task.type.len = name != NULL ? name->len : 0;
		break;
	}
	case GOTRACE_EVENT_REGION_BEGIN:
	case GOTRACE_EVENT_REGION_END:
		out->u.region.task = a[0];
		out->u.region.type = gt_resolve_string(g, a[1]);
		break;
	case GOTRACE_EVENT_LOG:
		out->u.log.task = a[0];
		out->u.log.category = gt_resolve_string(g, a[1]);
		out->u.log.message = gt_resolve_string(g, a[2]);
		break;
	case GOTRACE_EVENT_STATE_TRANSITION:
		resolve_transition(ev, out);
		break;
	case GOTRACE_EVENT_EXPERIMENTAL: {
		const gt_spec *spec = &gt_specs[ev->type];

		out->u.experimental.name = spec->name;
		out->u.experimental.experiment = "AllocFree";
		out->u.experimental.nargs = spec->nargs - 1u;
		out->u.experimental.arg_names = spec->args + 1;
		memcpy(out->u.experimental.args, a, sizeof out->u.experimental.args);
		break;
	}
	default:
		break;
	}
}

/* ---- references Go's printer insists on ------------------------------------ */

static int need_string(const gt_generation *g, uint64_t id,
                       struct gotrace_error *err)
{
	gt_string s;

	if (g == NULL || gt_generation_string(g, id, &s))
		return 0;
	/* Where reading the generation ended, as for other missing IDs. */
	gt_error_set(err, GOTRACE_ERR_INVALID, g->read_offset, "resolving event",
	             "expected id %llu in string table", (unsigned long long)id);
	return GOTRACE_ERR_INVALID;
}

static int need_stack(gotrace_stack stk, struct gotrace_error *err)
{
	const gt_generation *g = stk.table;
	gt_stack s;

	if (g == NULL || stk.id == 0)
		return 0;
	if (!gt_generation_stack(g, stk.id, &s)) {
		gt_error_set(err, GOTRACE_ERR_INVALID, g->read_offset,
		             "resolving event",
		             "expected id %llu in trace.stack table",
		             (unsigned long long)stk.id);
		return GOTRACE_ERR_INVALID;
	}
	if (s.missing != 0) {
		gt_error_set(err, GOTRACE_ERR_INVALID, g->read_offset,
		             "resolving event",
		             "expected id %llu in string table",
		             (unsigned long long)s.missing);
		return GOTRACE_ERR_INVALID;
	}
	return 0;
}

/*
 * Go's StateTransition() indexes its table of P states with all 64 bits
 * of a ProcStatus's status, where its ordering checked only the low 8:
 * Go's reader delivers the event, but everything that reads it as a
 * transition panics — cmd/trace's viewer and Summarizer as well as
 * -d=parsed — so the reader fails there, with the panic's message. (An
 * experiment ID Go has no name for is not refused: only Go's Sync()
 * accessor panics on it, and the Sync reports it; reader.h.)
 */
int gt_check_event_values(const gt_event *ev, struct gotrace_error *err)
{
	const gt_generation *g = ev->gen;

	if (ev->type == GOTRACE_WIRE_PROC_STATUS && ev->args[1] >= 5) {
		gt_error_set(err, GOTRACE_ERR_INVALID,
		             g != NULL ? g->read_offset : 0,
		             "ProcStatus event",
		             "runtime error: index out of range [%llu] with length 5",
		             (unsigned long long)ev->args[1]);
		return GOTRACE_ERR_INVALID;
	}
	return 0;
}

int gt_check_event_refs(const gt_event *ev, const gotrace_event *out,
                        struct gotrace_error *err)
{
	const gt_generation *g = ev->gen;
	const uint64_t *a = ev->args;
	int rc = 0;

	switch (ev->type) {
	case GOTRACE_WIRE_GO_LABEL:
	case GOTRACE_WIRE_STW_BEGIN:
	case GOTRACE_WIRE_STW_END:
	case GOTRACE_WIRE_GO_STOP:
	case GOTRACE_WIRE_GO_BLOCK:
		rc = need_string(g, a[0], err);
		break;
	case GOTRACE_WIRE_USER_TASK_BEGIN:
		rc = need_string(g, a[2], err);
		break;
	case GOTRACE_WIRE_USER_REGION_BEGIN:
	case GOTRACE_WIRE_USER_REGION_END:
		rc = need_string(g, a[1], err);
		break;
	case GOTRACE_WIRE_USER_LOG:
		if ((rc = need_string(g, a[1], err)) == 0)
			rc = need_string(g, a[2], err);
		break;
	default:
		break;
	}
	if (rc == 0 && out->kind == GOTRACE_EVENT_STATE_TRANSITION)
		rc = need_stack(out->u.transition.stack, err);
	if (rc == 0)
		rc = need_stack(out->stack, err);
	return rc;
}
