/*
 * The v1 converter: parsed Go 1.11-1.21 events become events of the v2
 * model (state transitions, ranges, metrics, ...) with the same choices Go's
 * parser makes: goroutines that existed before tracing are announced with
 * status events, blocking reasons become strings, a syscall that did not
 * block becomes a begin/end pair, and so on.
 */
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "wire/spec.h"
#include "v1/v1.h"
#include "gotrace/wire.h"

/* Reason and STW-kind strings v1 traces imply; their order fixes their IDs. */
enum {
	S_FOREVER, S_PREEMPTED, S_GOSCHED, S_SLEEP, S_CHAN_SEND, S_CHAN_RECV,
	S_NETWORK, S_SYNC, S_SYNC_COND, S_SELECT, S_EMPTY, S_MARK_ASSIST_WAIT,
	S_STW_UNKNOWN, S_LAST = S_STW_UNKNOWN + 17
};

static const char *const builtin_strings[S_LAST] = {
	"forever", "preempted", "runtime.Gosched", "sleep", "chan send",
	"chan receive", "network", "sync", "sync.(*Cond).Wait", "select", "",
	"GC mark assist wait for work",
	/* STW reasons, by the runtime's STW kind numbering. */
	"", "GC mark termination", "GC sweep termination", "write heap dump",
	"goroutine profile", "goroutine profile cleanup",
	"all goroutine stack trace", "read mem stats", "AllThreadsSyscall",
	"GOMAXPROCS", "start trace", "stop trace", "CountPagesInUse (test)",
	"ReadMetricsSlow (test)", "ReadMemStatsSlow (test)",
	"PageCachePagesLeaked (test)", "ResetDebugLog (test)",
};


static int table_string(gt_generation *g, uint64_t id, const uint8_t *s,
                        size_t len)
{
	uint32_t i;

	if (gt_idmap_get(&g->string_index, id, &i))
		return 0; /* Go keeps the first and reports (then ignores) a clash */
	if (GT_GROW(g->strings, g->strings_cap, g->nstrings + 1) != 0 ||
	    gt_idmap_put(&g->string_index, id, (uint32_t)g->nstrings) != 0)
		return -1;
	g->strings[g->nstrings].data = s;
	g->strings[g->nstrings].len = len;
	g->strings[g->nstrings].id = id;
	g->nstrings++;
	return 0;
}

/* Builds the string, stack and frame tables of the v2 model. */
static int build_table(gt_v1_converter *c)
{
	gt_v1_trace *t = c->trace;
	gt_generation *g = &c->table;
	uint64_t max = 0;
	size_t i;

	for (i = 0; i < t->nstrings; i++) {
		if (t->strings[i].id > max)
			max = t->strings[i].id;
		if (table_string(g, t->strings[i].id, t->strings[i].data,
		                 t->strings[i].len) != 0)
			return -1;
	}
	c->inline_base = max + 1;
	for (i = 0; i < t->ninline; i++)
		if (table_string(g, c->inline_base + i, t->inline_strings[i].data,
		                 t->inline_strings[i].len) != 0)
			return -1;
	c->builtin_base = c->inline_base + t->ninline;
	for (i = 0; i < S_LAST; i++)
		if (table_string(g, c->builtin_base + i,
		                 (const uint8_t *)builtin_strings[i],
		                 strlen(builtin_strings[i])) != 0)
			return -1;
	for (i = 0; i < t->nstacks; i++) {
		size_t n = t->stack_len[i];

		if (GT_GROW(g->stacks, g->stacks_cap, g->nstacks + 1) != 0 ||
		    GT_GROW(g->stack_pcs, g->stack_pcs_cap, g->nstack_pcs + n) != 0 ||
		    gt_idmap_put(&g->stack_index, t->stack_ids[i],
		                 (uint32_t)g->nstacks) != 0)
			return -1;
		if (n > 0)
			memcpy(g->stack_pcs + g->nstack_pcs,
			       t->pcs + t->stack_first[i], n * sizeof *g->stack_pcs);
		g->stacks[g->nstacks].first = (uint32_t)g->nstack_pcs;
		g->stacks[g->nstacks].n = (uint32_t)n;
		g->stacks[g->nstacks].id = t->stack_ids[i];
		g->stacks[g->nstacks].missing = 0;
		g->nstacks++;
		g->nstack_pcs += n;
	}
	for (i = 0; i < t->nframes; i++) {
		const gt_v1_frame *f = &t->frames[i];

		if (GT_GROW(g->frames, g->frames_cap, g->nframes + 1) != 0 ||
		    gt_idmap_put(&g->pc_index, f->pc, (uint32_t)g->nframes) != 0)
			return -1;
		g->frames[g->nframes].pc = f->pc;
		g->frames[g->nframes].func_id = f->fn;
		g->frames[g->nframes].file_id = f->file;
		g->frames[g->nframes].line = (uint64_t)f->line;
		g->nframes++;
	}
	/* Go checks v1 frames' strings only when it prints them; note per
	 * stack the first missing one, so printing can fail the same way. */
	for (i = 0; i < g->nstacks; i++) {
		gt_stack *st = &g->stacks[i];
		uint32_t k;

		for (k = 0; k < st->n && st->missing == 0; k++) {
			gt_frame f;
			gt_string str;

			if (!gt_generation_frame(g, g->stack_pcs[st->first + k], &f))
				continue;
			if (!gt_generation_string(g, f.func_id, &str))
				st->missing = f.func_id;
			else if (!gt_generation_string(g, f.file_id, &str))
				st->missing = f.file_id;
		}
	}
	return 0;
}

/* A GoSysCall "blocks" when the goroutine's next event is a GoSysBlock. */
static int mark_blocking_syscalls(gt_v1_converter *c)
{
	gt_v1_trace *t = c->trace;
	gt_idmap next_type;
	size_t i;

	c->syscall_blocked = calloc(t->nevents ? t->nevents : 1, 1);
	if (c->syscall_blocked == NULL)
		return -1;
	gt_idmap_init(&next_type);
	for (i = t->nevents; i-- > 0;) {
		const gt_v1_event *ev = &t->events[i];
		uint32_t type;

		if (ev->type == V1_GO_SYS_CALL &&
		    gt_idmap_get(&next_type, ev->g, &type) && type == V1_GO_SYS_BLOCK)
			c->syscall_blocked[i] = 1;
		if (gt_idmap_put(&next_type, ev->g, ev->type) != 0) {
			gt_idmap_free(&next_type);
			return -1;
		}
	}
	gt_idmap_free(&next_type);
	return 0;
}

int gt_v1_converter_init(gt_v1_converter *c, gt_v1_trace *t, gt_order *order,
                         struct gotrace_error *err)
{
	memset(c, 0, sizeof *c);
	c->trace = t;
	c->order = order;
	c->pre_init = 1;
	c->last_ts = -1;
	gt_generation_init(&c->table);
	gt_idmap_init(&c->proc_m);
	gt_idmap_init(&c->seen_procs);
	gt_idmap_init(&c->tasks);
	if (build_table(c) != 0 || mark_blocking_syscalls(c) != 0) {
		gt_error_set(err, GOTRACE_ERR_NOMEM, 0, "v1 trace", "out of memory");
		return GOTRACE_ERR_NOMEM;
	}
	return GOTRACE_OK;
}

void gt_v1_converter_free(gt_v1_converter *c)
{
	gt_generation_free(&c->table);
	free(c->syscall_blocked);
	free(c->extra);
	free(c->pre_init_gs);
	free(c->proc_m_vals);
	free(c->task_parent);
	free(c->task_name);
	gt_idmap_free(&c->proc_m);
	gt_idmap_free(&c->seen_procs);
	gt_idmap_free(&c->tasks);
	memset(c, 0, sizeof *c);
}

int gt_v1_converter_peek_ts(const gt_v1_converter *c, int64_t *ts)
{
	if (c->next >= c->trace->nevents)
		return 0;
	*ts = c->trace->events[c->next].ts;
	return 1;
}

/* The M that runs P, if known: Go's procMs lookup. */
static int proc_m(const gt_v1_converter *c, int32_t p, int64_t *m)
{
	uint32_t i;

	if (!gt_idmap_get(&c->proc_m, (uint64_t)(int64_t)p, &i))
		return 0;
	*m = c->proc_m_vals[i];
	return 1;
}

static int set_proc_m(gt_v1_converter *c, int32_t p, int64_t m)
{
	uint32_t i;

	if (gt_idmap_get(&c->proc_m, (uint64_t)(int64_t)p, &i)) {
		c->proc_m_vals[i] = m;
		return 0;
	}
	if (GT_GROW(c->proc_m_vals, c->proc_m_cap, c->nproc_m + 1) != 0 ||
	    gt_idmap_put(&c->proc_m, (uint64_t)(int64_t)p, (uint32_t)c->nproc_m) != 0)
		return -1;
	c->proc_m_vals[c->nproc_m++] = m;
	return 0;
}

static int first_sight(gt_v1_converter *c, int32_t p, int *first)
{
	uint32_t v;

	*first = !gt_idmap_get(&c->seen_procs, (uint64_t)(int64_t)p, &v);
	if (*first && gt_idmap_put(&c->seen_procs, (uint64_t)(int64_t)p, 1) != 0)
		return -1;
	return 0;
}

/* Queues an implied event. The queue is drained before the next event is
 * converted, so it only ever grows from empty. */
static int push_extra(gt_v1_converter *c, const gt_event *ev)
{
	if (GT_GROW(c->extra, c->extra_cap, c->extra_head + c->nextra + 1) != 0)
		return -1;
	c->extra[c->extra_head + c->nextra++] = *ev;
	return 0;
}

static void remove_pre_init(gt_v1_converter *c, uint64_t g)
{
	size_t i;

	for (i = 0; i < c->npre; i++) {
		if (c->pre_init_gs[i] == g) {
			memmove(c->pre_init_gs + i, c->pre_init_gs + i + 1,
			        (c->npre - i - 1) * sizeof *c->pre_init_gs);
			c->npre--;
			return;
		}
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static uint64_t stw_reason(int version, uint64_t kind)
{
	if (version < 21)
		return kind == 0 || kind == 1 ? kind + 1 : 0;
	if (version == 21)
		return kind < 17 ? kind : 0;
	return 0;
}

static void base_event(gt_event *out, const gt_v1_converter *c, uint8_t type,
                       int64_t time)
{
	memset(out, 0, sizeof *out);
	out->gslot = GT_NO_SLOT;     /* no engine slots to hint at */
	out->type = type;
	out->time = time;
	out->gen = &c->table;
}

enum { CONV_OK, CONV_SKIP };

static int convert(gt_v1_converter *c, size_t idx, gt_event *out,
                   struct gotrace_error *err)
{
	const gt_v1_event *ev = &c->trace->events[idx];
	uint64_t a[4];
	uint8_t type = 0;
	int64_t m = GT_NO_ID, pm;
	int first;
	const uint64_t bs = c->builtin_base;

	memcpy(a, ev->args, sizeof a);
	switch (ev->type) {
	case V1_GOMAXPROCS:
		type = GOTRACE_WIRE_PROCS_CHANGE;
		if (c->pre_init) {
			size_t i;

			c->pre_init = 0;
			/* Go walks a map here; its order is unspecified. */
			if (c->npre > 1)
				qsort(c->pre_init_gs, c->npre, sizeof *c->pre_init_gs,
				      cmp_u64);
			for (i = 0; i < c->npre; i++) {
				gt_event s;

				base_event(&s, c, GOTRACE_WIRE_GO_STATUS, ev->ts);
				s.m = s.p = s.g = GT_NO_ID;
				s.args[0] = c->pre_init_gs[i];
				s.args[1] = UINT64_MAX;
				s.args[2] = GOTRACE_GO_RUNNABLE;
				if (push_extra(c, &s) != 0)
					goto nomem;
			}
			c->npre = 0;
			return CONV_SKIP;
		}
		break;
	case V1_PROC_START:
		if (set_proc_m(c, ev->p, (int64_t)ev->args[0]) != 0 ||
		    first_sight(c, ev->p, &first) != 0)
			goto nomem;
		memset(a, 0, sizeof a);
		a[0] = (uint64_t)(int64_t)ev->p;
		if (first) {
			type = GOTRACE_WIRE_PROC_STATUS;
			a[1] = GT_WIRE_PROC_RUNNING;
		} else {
			type = GOTRACE_WIRE_PROC_START;
		}
		break;
	case V1_PROC_STOP:
		if (first_sight(c, ev->p, &first) != 0)
			goto nomem;
		memset(a, 0, sizeof a);
		a[0] = (uint64_t)(int64_t)ev->p;
		if (first) {
			type = GOTRACE_WIRE_PROC_STATUS;
			a[1] = GT_WIRE_PROC_IDLE;
		} else {
			type = GOTRACE_WIRE_PROC_STOP;
		}
		break;
	case V1_GC_START: type = GOTRACE_WIRE_GC_BEGIN; break;
	case V1_GC_DONE: type = GOTRACE_WIRE_GC_END; break;
	case V1_STW_START:
		c->last_stw_reason =
			bs + S_STW_UNKNOWN + stw_reason(c->trace->version, ev->args[0]);
		type = GOTRACE_WIRE_STW_BEGIN;
		memset(a, 0, sizeof a);
		a[0] = c->last_stw_reason;
		break;
	case V1_STW_DONE:
		type = GOTRACE_WIRE_STW_END;
		memset(a, 0, sizeof a);
		a[0] = c->last_stw_reason;
		break;
	case V1_GC_SWEEP_START: type = GOTRACE_WIRE_GC_SWEEP_BEGIN; break;
	case V1_GC_SWEEP_DONE: type = GOTRACE_WIRE_GC_SWEEP_END; break;
	case V1_GO_CREATE:
		if (c->pre_init) {
			if (GT_GROW(c->pre_init_gs, c->pre_cap, c->npre + 1) != 0)
				goto nomem;
			c->pre_init_gs[c->npre++] = ev->args[0];
			return CONV_SKIP;
		}
		type = GOTRACE_WIRE_GO_CREATE;
		break;
	case V1_GO_START:
		if (c->pre_init) {
			type = GOTRACE_WIRE_GO_STATUS;
			memset(a, 0, sizeof a);
			a[0] = ev->args[0];
			a[1] = UINT64_MAX;
			a[2] = GOTRACE_GO_RUNNING;
			remove_pre_init(c, ev->args[0]);
		} else {
			type = GOTRACE_WIRE_GO_START;
		}
		break;
	case V1_GO_START_LABEL: {
		gt_event label;

		pm = 0;
		proc_m(c, ev->p, &pm);
		base_event(&label, c, GOTRACE_WIRE_GO_LABEL, ev->ts);
		label.g = (int64_t)ev->g;
		label.p = ev->p;
		label.m = pm;
		label.args[0] = ev->args[2];
		if (push_extra(c, &label) != 0)
			goto nomem;
		base_event(out, c, GOTRACE_WIRE_GO_START, ev->ts);
		out->g = (int64_t)ev->g;
		out->p = ev->p;
		out->m = pm;
		memcpy(out->args, a, sizeof a);
		return CONV_OK;
	}
	case V1_GO_END: type = GOTRACE_WIRE_GO_DESTROY; break;
#define BLOCK(t, reason)                                            \
	type = (t);                                                  \
	memset(a, 0, sizeof a);                                      \
	a[0] = bs + (reason);                                        \
	a[1] = ev->stk;                                              \
	break
	case V1_GO_STOP: BLOCK(GOTRACE_WIRE_GO_BLOCK, S_FOREVER);
	case V1_GO_SCHED: BLOCK(GOTRACE_WIRE_GO_STOP, S_GOSCHED);
	case V1_GO_PREEMPT: BLOCK(GOTRACE_WIRE_GO_STOP, S_PREEMPTED);
	case V1_GO_SLEEP: BLOCK(GOTRACE_WIRE_GO_BLOCK, S_SLEEP);
	case V1_GO_BLOCK: BLOCK(GOTRACE_WIRE_GO_BLOCK, S_EMPTY);
	case V1_GO_BLOCK_SEND: BLOCK(GOTRACE_WIRE_GO_BLOCK, S_CHAN_SEND);
	case V1_GO_BLOCK_RECV: BLOCK(GOTRACE_WIRE_GO_BLOCK, S_CHAN_RECV);
	case V1_GO_BLOCK_SELECT: BLOCK(GOTRACE_WIRE_GO_BLOCK, S_SELECT);
	case V1_GO_BLOCK_SYNC: BLOCK(GOTRACE_WIRE_GO_BLOCK, S_SYNC);
	case V1_GO_BLOCK_COND: BLOCK(GOTRACE_WIRE_GO_BLOCK, S_SYNC_COND);
	case V1_GO_BLOCK_NET: BLOCK(GOTRACE_WIRE_GO_BLOCK, S_NETWORK);
	case V1_GO_BLOCK_GC: BLOCK(GOTRACE_WIRE_GO_BLOCK, S_MARK_ASSIST_WAIT);
#undef BLOCK
	case V1_GO_UNBLOCK: type = GOTRACE_WIRE_GO_UNBLOCK; break;
	case V1_GO_SYS_CALL:
		memset(a, 0, sizeof a);
		a[1] = ev->stk;
		if (c->syscall_blocked[idx]) {
			type = GOTRACE_WIRE_GO_SYSCALL_BEGIN;
			break;
		} else {
			gt_event end;

			pm = 0;
			proc_m(c, ev->p, &pm);
			base_event(out, c, GOTRACE_WIRE_GO_SYSCALL_BEGIN, ev->ts);
			out->g = (int64_t)ev->g;
			out->p = ev->p;
			out->m = pm;
			memcpy(out->args, a, sizeof a);
			end = *out;
			end.type = GOTRACE_WIRE_GO_SYSCALL_END;
			end.time = ev->ts + 1;
			memset(end.args, 0, sizeof end.args);
			if (push_extra(c, &end) != 0)
				goto nomem;
			return CONV_OK;
		}
	case V1_GO_SYS_EXIT: type = GOTRACE_WIRE_GO_SYSCALL_END_BLOCKED; break;
	case V1_GO_SYS_BLOCK: return CONV_SKIP;
	case V1_GO_WAITING:
	case V1_GO_IN_SYSCALL:
		type = GOTRACE_WIRE_GO_STATUS;
		memset(a, 0, sizeof a);
		a[0] = ev->args[0];
		a[1] = UINT64_MAX;
		a[2] = ev->type == V1_GO_WAITING ? GOTRACE_GO_WAITING
		                                  : GOTRACE_GO_SYSCALL;
		remove_pre_init(c, ev->args[0]);
		break;
	case V1_HEAP_ALLOC: type = GOTRACE_WIRE_HEAP_ALLOC; break;
	case V1_HEAP_GOAL: type = GOTRACE_WIRE_HEAP_GOAL; break;
	case V1_GC_MARK_ASSIST_START: type = GOTRACE_WIRE_GC_MARK_ASSIST_BEGIN; break;
	case V1_GC_MARK_ASSIST_DONE: type = GOTRACE_WIRE_GC_MARK_ASSIST_END; break;
	case V1_USER_TASK_CREATE: {
		gt_string name = {(const uint8_t *)"", 0, 0};
		uint32_t ti, nid;

		type = GOTRACE_WIRE_USER_TASK_BEGIN;
		memset(a, 0, sizeof a);
		a[0] = ev->args[0];
		a[1] = ev->args[1] == 0 ? UINT64_MAX : ev->args[1];
		a[2] = ev->args[2];
		a[3] = ev->stk;
		gt_generation_string(&c->table, ev->args[2], &name);
		nid = gt_order_intern(c->order, name.data, name.len);
		if (nid == UINT32_MAX)
			goto nomem;
		if (!gt_idmap_get(&c->tasks, ev->args[0], &ti)) {
			if (GT_GROW(c->task_parent, c->tasks_cap, c->ntasks + 1) != 0)
				goto nomem;
			{
				uint32_t *tn = realloc(c->task_name,
				                       c->tasks_cap * sizeof *tn);

				if (tn == NULL)
					goto nomem;
				c->task_name = tn;
			}
			ti = (uint32_t)c->ntasks++;
			if (gt_idmap_put(&c->tasks, ev->args[0], ti) != 0)
				goto nomem;
		}
		c->task_parent[ti] = ev->args[1];
		c->task_name[ti] = nid;
		break;
	}
	case V1_USER_TASK_END: {
		uint32_t ti;

		type = GOTRACE_WIRE_USER_TASK_END;
		a[2] = UINT64_MAX;
		if (gt_idmap_get(&c->tasks, ev->args[0], &ti)) {
			a[2] = c->task_parent[ti];
			a[3] = (uint64_t)(uintptr_t)gt_order_string(c->order,
			                                            c->task_name[ti]);
			gt_idmap_del(&c->tasks, ev->args[0]);
		} else {
			uint32_t empty = gt_order_intern(c->order, (const uint8_t *)"", 0);

			if (empty == UINT32_MAX)
				goto nomem;
			a[3] = (uint64_t)(uintptr_t)gt_order_string(c->order, empty);
		}
		break;
	}
	case V1_USER_REGION:
		type = ev->args[1] == 0 ? GOTRACE_WIRE_USER_REGION_BEGIN
		       : ev->args[1] == 1 ? GOTRACE_WIRE_USER_REGION_END : 0;
		memset(a, 0, sizeof a);
		a[0] = ev->args[0];
		a[1] = ev->args[2];
		a[2] = ev->stk;
		break;
	case V1_USER_LOG:
		type = GOTRACE_WIRE_USER_LOG;
		memset(a, 0, sizeof a);
		a[0] = ev->args[0];
		a[1] = ev->args[1];
		a[2] = c->inline_base + ev->args[3];
		a[3] = ev->stk;
		break;
	case V1_CPU_SAMPLE:
		type = GOTRACE_WIRE_CPU_SAMPLE;
		memset(a, 0, sizeof a);
		a[0] = ev->stk;
		a[1] = UINT64_MAX;
		a[2] = (uint64_t)(int64_t)ev->p;
		a[3] = ev->g;
		break;
	default:
		gt_error_set(err, GOTRACE_ERR_INVALID, 0, "v1 trace",
		             "unexpected event type %u", ev->type);
		return GOTRACE_ERR_INVALID;
	}
	/* The event's own stack goes where the v2 event keeps it. */
	if (ev->type < V1_COUNT && type != 0 && type != GOTRACE_WIRE_CPU_SAMPLE) {
		static const uint8_t has_stack[V1_COUNT] = {
			[V1_GOMAXPROCS] = 1, [V1_GC_START] = 1, [V1_GC_SWEEP_START] = 1,
			[V1_GO_CREATE] = 1, [V1_GO_STOP] = 1, [V1_GO_SCHED] = 1,
			[V1_GO_PREEMPT] = 1, [V1_GO_SLEEP] = 1, [V1_GO_BLOCK] = 1,
			[V1_GO_UNBLOCK] = 1, [V1_GO_BLOCK_SEND] = 1,
			[V1_GO_BLOCK_RECV] = 1, [V1_GO_BLOCK_SELECT] = 1,
			[V1_GO_BLOCK_SYNC] = 1, [V1_GO_BLOCK_COND] = 1,
			[V1_GO_BLOCK_NET] = 1, [V1_GO_SYS_CALL] = 1,
			[V1_GO_UNBLOCK_LOCAL] = 1, [V1_GO_BLOCK_GC] = 1,
			[V1_GC_MARK_ASSIST_START] = 1, [V1_USER_TASK_CREATE] = 1,
			[V1_USER_TASK_END] = 1, [V1_USER_REGION] = 1,
			[V1_USER_LOG] = 1, [V1_CPU_SAMPLE] = 1,
		};

		if (has_stack[ev->type] && gt_specs[type].stack_args[0] >= 1)
			a[gt_specs[type].stack_args[0] - 1] = ev->stk;
	}
	if (ev->p != -1 && ev->type != V1_CPU_SAMPLE && proc_m(c, ev->p, &pm))
		m = pm;
	if (ev->type == V1_PROC_STOP)
		gt_idmap_del(&c->proc_m, (uint64_t)(int64_t)ev->p);
	base_event(out, c, type, ev->ts);
	out->g = ev->g == 0 ? GT_NO_ID : (int64_t)ev->g;
	out->p = ev->p;
	out->m = m;
	memcpy(out->args, a, sizeof a);
	return CONV_OK;
nomem:
	gt_error_set(err, GOTRACE_ERR_NOMEM, 0, "v1 trace", "out of memory");
	return GOTRACE_ERR_NOMEM;
}

int gt_v1_converter_next(gt_v1_converter *c, gt_event *out,
                         struct gotrace_error *err)
{
	for (;;) {
		int rc;

		if (c->nextra > 0) {
			*out = c->extra[c->extra_head++];
			if (--c->nextra == 0)
				c->extra_head = 0;
		} else {
			if (c->next >= c->trace->nevents)
				return 0;
			rc = convert(c, c->next++, out, err);
			if (rc == CONV_SKIP)
				continue;
			if (rc != CONV_OK)
				return rc;
		}
		if (out->time <= c->last_ts)
			out->time = c->last_ts + 1;
		c->last_ts = out->time;
		return 1;
	}
}
