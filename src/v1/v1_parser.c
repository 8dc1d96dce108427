/*
 * The v1 parser: reads a whole Go 1.11-1.21 trace, merges its per-P
 * batches by timestamp and per-goroutine sequence numbers, and checks the
 * goroutine and P state rules, with Go's parser's messages.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "base/heap.h"
#include "order/park.h"
#include "v1/v1.h"
#include "wire/varint.h"
#include "gotrace/reader.h"

#define MALFORMED "malformatted base-128 varint"

static const struct {
	const char *name;
	uint8_t min_version;
	uint8_t stack;
	uint8_t nargs;
	const char *const *args;
} desc[V1_COUNT] = {
#define D(t, n, v, s, ...) [t] = {n, v, s, \
	(uint8_t)(sizeof((const char *const[]){"", __VA_ARGS__}) / sizeof(char *) - 1), \
	(const char *const[]){__VA_ARGS__ "", ""}}
#define D0(t, n, v, s) [t] = {n, v, s, 0, NULL}
	D0(V1_NONE, "None", 5, 0),
	D(V1_BATCH, "Batch", 5, 0, "p", "ticks"),
	D(V1_FREQUENCY, "Frequency", 5, 0, "freq"),
	D(V1_STACK, "Stack", 5, 0, "id", "siz"),
	D(V1_GOMAXPROCS, "Gomaxprocs", 5, 1, "procs"),
	D(V1_PROC_START, "ProcStart", 5, 0, "thread"),
	D0(V1_PROC_STOP, "ProcStop", 5, 0),
	D(V1_GC_START, "GCStart", 5, 1, "seq"),
	D0(V1_GC_DONE, "GCDone", 5, 0),
	D(V1_STW_START, "GCSTWStart", 5, 0, "kindid"),
	D0(V1_STW_DONE, "GCSTWDone", 5, 0),
	D0(V1_GC_SWEEP_START, "GCSweepStart", 5, 1),
	D(V1_GC_SWEEP_DONE, "GCSweepDone", 5, 0, "swept", "reclaimed"),
	D(V1_GO_CREATE, "GoCreate", 5, 1, "g", "stack"),
	D(V1_GO_START, "GoStart", 5, 0, "g", "seq"),
	D0(V1_GO_END, "GoEnd", 5, 0),
	D0(V1_GO_STOP, "GoStop", 5, 1),
	D0(V1_GO_SCHED, "GoSched", 5, 1),
	D0(V1_GO_PREEMPT, "GoPreempt", 5, 1),
	D0(V1_GO_SLEEP, "GoSleep", 5, 1),
	D0(V1_GO_BLOCK, "GoBlock", 5, 1),
	D(V1_GO_UNBLOCK, "GoUnblock", 5, 1, "g", "seq"),
	D0(V1_GO_BLOCK_SEND, "GoBlockSend", 5, 1),
	D0(V1_GO_BLOCK_RECV, "GoBlockRecv", 5, 1),
	D0(V1_GO_BLOCK_SELECT, "GoBlockSelect", 5, 1),
	D0(V1_GO_BLOCK_SYNC, "GoBlockSync", 5, 1),
	D0(V1_GO_BLOCK_COND, "GoBlockCond", 5, 1),
	D0(V1_GO_BLOCK_NET, "GoBlockNet", 5, 1),
	D0(V1_GO_SYS_CALL, "GoSysCall", 5, 1),
	D(V1_GO_SYS_EXIT, "GoSysExit", 5, 0, "g", "seq", "ts"),
	D0(V1_GO_SYS_BLOCK, "GoSysBlock", 5, 0),
	D(V1_GO_WAITING, "GoWaiting", 5, 0, "g"),
	D(V1_GO_IN_SYSCALL, "GoInSyscall", 5, 0, "g"),
	D(V1_HEAP_ALLOC, "HeapAlloc", 5, 0, "mem"),
	D(V1_HEAP_GOAL, "HeapGoal", 5, 0, "mem"),
	D(V1_TIMER_GOROUTINE, "TimerGoroutine", 5, 0, "g"),
	D0(V1_FUTILE_WAKEUP, "FutileWakeup", 5, 0),
	D0(V1_STRING, "String", 7, 0),
	D(V1_GO_START_LOCAL, "GoStartLocal", 7, 0, "g"),
	D(V1_GO_UNBLOCK_LOCAL, "GoUnblockLocal", 7, 1, "g"),
	D(V1_GO_SYS_EXIT_LOCAL, "GoSysExitLocal", 7, 0, "g", "ts"),
	D(V1_GO_START_LABEL, "GoStartLabel", 8, 0, "g", "seq", "labelid"),
	D0(V1_GO_BLOCK_GC, "GoBlockGC", 8, 1),
	D0(V1_GC_MARK_ASSIST_START, "GCMarkAssistStart", 9, 1),
	D0(V1_GC_MARK_ASSIST_DONE, "GCMarkAssistDone", 9, 0),
	D(V1_USER_TASK_CREATE, "UserTaskCreate", 11, 1, "taskid", "pid", "typeid"),
	D(V1_USER_TASK_END, "UserTaskEnd", 11, 1, "taskid"),
	D(V1_USER_REGION, "UserRegion", 11, 1, "taskid", "mode", "typeid"),
	D(V1_USER_LOG, "UserLog", 11, 1, "id", "keyid"),
	D(V1_CPU_SAMPLE, "CPUSample", 19, 1, "ts", "p", "g"),
#undef D
#undef D0
};


void gt_v1_trace_init(gt_v1_trace *t)
{
	memset(t, 0, sizeof *t);
	gt_idmap_init(&t->string_index);
	gt_idmap_init(&t->inline_index);
	gt_idmap_init(&t->stack_index);
	gt_idmap_init(&t->frame_index);
}

void gt_v1_trace_free(gt_v1_trace *t)
{
	free(t->events);
	free(t->strings);
	free(t->inline_strings);
	free(t->stack_ids);
	free(t->stack_first);
	free(t->stack_len);
	free(t->pcs);
	free(t->frames);
	gt_idmap_free(&t->string_index);
	gt_idmap_free(&t->inline_index);
	gt_idmap_free(&t->stack_index);
	gt_idmap_free(&t->frame_index);
	memset(t, 0, sizeof *t);
}

/* ---- raw events ----------------------------------------------------------- */

typedef struct raw_event {
	uint8_t type;
	uint64_t *args;
	size_t nargs, cap;
	const uint8_t *sarg;       /* UserLog's message */
	size_t sarg_len;
	int32_t batch_pid;
	size_t batch_offset;
} raw_event;

typedef struct batch_ref {
	size_t offset;
	size_t nevents;
} batch_ref;

typedef struct proc {
	int32_t pid;
	batch_ref *batches;
	size_t nbatches, batches_cap, next_batch;
	gt_v1_event *events;       /* the loaded batch */
	size_t nevents, events_cap, pos;
	int done;
} proc;

typedef struct parser {
	gt_v1_trace *t;
	const uint8_t *data;
	size_t len, off;
	struct gotrace_error *err;
	size_t data_base;          /* input offset of data[0], for messages */
	int ordering;              /* gotrace_ordering */

	proc *procs;
	size_t nprocs, procs_cap;
	gt_idmap proc_index;       /* pid -> procs index */

	gt_v1_event *samples;
	size_t nsamples, samples_cap;

	int64_t ticks_per_sec;
	gt_idmap timer_goids;
	int64_t last_ts;
	uint64_t last_g;
	int32_t last_p;
	gt_idmap last_gs;          /* pid -> index into last_g_vals */
	uint64_t *last_g_vals;
	size_t nlast_g, last_g_cap;
	raw_event raw;
} parser;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(parser *p, int code, const char *fmt, ...)
{
	char msg[GT_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	gt_error_set(p->err, code, p->data_base + p->off, "v1 trace", "%s", msg);
	return code;
}

static int nomem(parser *p)
{
	return fail(p, GOTRACE_ERR_NOMEM, "out of memory");
}

enum { RAW_OK = 0, RAW_EOF = 1 };

static int read_val(parser *p, uint64_t *v)
{
	size_t n;

	if (p->off >= p->len ||
	    gt_varint_decode(p->data + p->off, p->len - p->off, v, &n) !=
	            GT_VARINT_OK)
		return -1;
	p->off += n;
	return 0;
}

static int discard(parser *p, uint64_t n)
{
	if (n > p->len - p->off)
		return -1;
	p->off += (size_t)n;
	return 0;
}

static int push_arg(parser *p, raw_event *ev, uint64_t v)
{
	if (GT_GROW(ev->args, ev->cap, ev->nargs + 1) != 0)
		return nomem(p);
	ev->args[ev->nargs++] = v;
	return 0;
}

enum { SKIP_ARGS = 1, SKIP_STRINGS = 2 };

static int add_string(parser *p, uint64_t id, const uint8_t *s, size_t len)
{
	gt_v1_trace *t = p->t;
	uint32_t i;

	if (gt_idmap_get(&t->string_index, id, &i)) {
		t->strings[i].data = s; /* a later definition replaces it */
		t->strings[i].len = len;
		return 0;
	}
	if (GT_GROW(t->strings, t->strings_cap, t->nstrings + 1) != 0 ||
	    gt_idmap_put(&t->string_index, id, (uint32_t)t->nstrings) != 0)
		return nomem(p);
	t->strings[t->nstrings].data = s;
	t->strings[t->nstrings].len = len;
	t->strings[t->nstrings].id = id;
	t->nstrings++;
	return 0;
}

static int read_raw(parser *p, unsigned flags, raw_event *ev)
{
	uint8_t b, type, narg;
	uint64_t v;
	int rc;

	if (p->off >= p->len)
		return RAW_EOF;
	b = p->data[p->off++];
	type = b & 0x3f;
	narg = (uint8_t)((b >> 6) + 1);
	if (type == V1_NONE || type >= V1_COUNT ||
	    desc[type].min_version > p->t->version)
		return fail(p, GOTRACE_ERR_CORRUPT, "unknown event type %u", type);
	ev->nargs = 0;
	ev->sarg = NULL;
	ev->sarg_len = 0;
	ev->type = type;
	if (type == V1_STRING) {
		uint64_t id, ln;

		if (flags & SKIP_STRINGS) {
			if (read_val(p, &id) != 0 || read_val(p, &ln) != 0)
				return fail(p, GOTRACE_ERR_CORRUPT, MALFORMED);
			if (discard(p, ln) != 0)
				return fail(p, GOTRACE_ERR_TRUNCATED,
				            "failed to read trace: EOF");
		} else {
			uint32_t i;

			if (read_val(p, &id) != 0)
				return fail(p, GOTRACE_ERR_CORRUPT, MALFORMED);
			if (id == 0)
				return fail(p, GOTRACE_ERR_CORRUPT,
				            "string has invalid id 0");
			if (gt_idmap_get(&p->t->string_index, id, &i) &&
			    p->t->strings[i].len != 0)
				return fail(p, GOTRACE_ERR_CORRUPT,
				            "string has duplicate id %" PRIu64, id);
			if (read_val(p, &ln) != 0)
				return fail(p, GOTRACE_ERR_CORRUPT, MALFORMED);
			if (ln == 0)
				return fail(p, GOTRACE_ERR_CORRUPT,
				            "string has invalid length 0");
			if (ln > 1000000)
				return fail(p, GOTRACE_ERR_CORRUPT,
				            "string has too large length %" PRIu64, ln);
			if (ln > p->len - p->off)
				return fail(p, GOTRACE_ERR_TRUNCATED,
				            "failed to read trace: unexpected EOF");
			rc = add_string(p, id, p->data + p->off, (size_t)ln);
			if (rc != 0)
				return rc;
			p->off += (size_t)ln;
		}
		ev->type = V1_NONE;
		return RAW_OK;
	}
	if (type == V1_BATCH) {
		uint64_t pid;

		if (narg != 2)
			return fail(p, GOTRACE_ERR_CORRUPT, "EvBatch has wrong number of "
			            "arguments: got %u, want 2", narg);
		ev->batch_offset = p->off - 1;
		if (read_val(p, &pid) != 0)
			return fail(p, GOTRACE_ERR_CORRUPT, MALFORMED);
		if (pid != UINT64_MAX && pid > INT32_MAX)
			return fail(p, GOTRACE_ERR_CORRUPT, "processor ID %" PRIu64
			            " is larger than maximum of %" PRIu64, pid,
			            (uint64_t)UINT64_MAX);
		ev->batch_pid = pid == UINT64_MAX ? -1 : (int32_t)pid;
		if (read_val(p, &v) != 0)
			return fail(p, GOTRACE_ERR_CORRUPT, MALFORMED);
		if ((rc = push_arg(p, ev, pid)) != 0 || (rc = push_arg(p, ev, v)) != 0)
			return rc;
		return RAW_OK;
	}
	if (narg <= 3) {
		int i;

		for (i = 0; i < narg; i++) {
			if (read_val(p, &v) != 0)
				return fail(p, GOTRACE_ERR_CORRUPT, "failed to read event %u "
				            "argument: " MALFORMED, type);
			if (!(flags & SKIP_ARGS) && (rc = push_arg(p, ev, v)) != 0)
				return rc;
		}
		return RAW_OK;
	}
	if (read_val(p, &v) != 0)
		return fail(p, GOTRACE_ERR_CORRUPT, "failed to read event %u "
		            "argument: " MALFORMED, type);
	if (v > 2048)
		return fail(p, GOTRACE_ERR_CORRUPT, "failed to read event %u argument: "
		            "length-prefixed argument too big: %" PRIu64
		            " bytes, limit is 2048", type, v);
	if (!(flags & SKIP_ARGS) || type == V1_CPU_SAMPLE) {
		size_t end, pos;

		if (p->off >= p->len || v > p->len - p->off)
			return fail(p, GOTRACE_ERR_TRUNCATED,
			            "failed to read trace: unexpected EOF");
		end = p->off + (size_t)v;
		pos = p->off;
		while (pos < end) {
			size_t n;
			uint64_t a;

			if (gt_varint_decode(p->data + pos, end - pos, &a, &n) !=
			    GT_VARINT_OK)
				return fail(p, GOTRACE_ERR_CORRUPT, MALFORMED);
			if ((rc = push_arg(p, ev, a)) != 0)
				return rc;
			pos += n;
		}
		p->off = end;
	} else if (discard(p, v) != 0) {
		return fail(p, GOTRACE_ERR_TRUNCATED, "failed to read trace: EOF");
	}
	if (type == V1_USER_LOG) {
		uint64_t sz;

		if (read_val(p, &sz) != 0)
			return fail(p, GOTRACE_ERR_CORRUPT, MALFORMED);
		if (flags & SKIP_ARGS) {
			/* Go's parser takes a short string here for the end. */
			if (discard(p, sz) != 0)
				return RAW_EOF;
		} else if (sz != 0) {
			if (sz > 1000000)
				return fail(p, GOTRACE_ERR_CORRUPT, "string is too large "
				            "(len=%" PRIu64 ")", sz);
			if (p->off >= p->len || sz > p->len - p->off)
				return fail(p, GOTRACE_ERR_TRUNCATED,
				            "failed to read trace: unexpected EOF");
			ev->sarg = p->data + p->off;
			ev->sarg_len = (size_t)sz;
			p->off += (size_t)sz;
		} else {
			ev->sarg = (const uint8_t *)"";
		}
	}
	return RAW_OK;
}

/* Arguments a raw event must have (Go's argNum). */
static size_t arg_count(const raw_event *ev)
{
	size_t n;

	if (ev->type == V1_STACK)
		return ev->nargs;
	n = desc[ev->type].nargs + (desc[ev->type].stack ? 1u : 0u);
	if (ev->type == V1_BATCH || ev->type == V1_FREQUENCY ||
	    ev->type == V1_TIMER_GOROUTINE)
		return n;
	return n + 1;
}

/* ---- pass 1: find batches and CPU samples --------------------------------- */

static proc *get_proc(parser *p, int32_t pid)
{
	uint32_t i;

	if (gt_idmap_get(&p->proc_index, (uint64_t)(int64_t)pid, &i))
		return &p->procs[i];
	return NULL;
}

static proc *add_proc(parser *p, int32_t pid)
{
	proc *pr;

	if (GT_GROW(p->procs, p->procs_cap, p->nprocs + 1) != 0 ||
	    gt_idmap_put(&p->proc_index, (uint64_t)(int64_t)pid,
	                 (uint32_t)p->nprocs) != 0)
		return NULL;
	pr = &p->procs[p->nprocs++];
	memset(pr, 0, sizeof *pr);
	pr->pid = pid;
	return pr;
}

static int collect_batches(parser *p)
{
	int32_t cur_p = 0;

	for (;;) {
		raw_event *ev = &p->raw;
		proc *pr;
		int rc = read_raw(p, SKIP_ARGS | SKIP_STRINGS, ev);

		if (rc == RAW_EOF)
			break;
		if (rc != RAW_OK)
			return rc;
		if (ev->type == V1_NONE)
			continue;
		if (ev->type == V1_BATCH) {
			pr = get_proc(p, ev->batch_pid);
			if (pr == NULL && (pr = add_proc(p, ev->batch_pid)) == NULL)
				return nomem(p);
			if (GT_GROW(pr->batches, pr->batches_cap, pr->nbatches + 1) != 0)
				return nomem(p);
			pr->batches[pr->nbatches].offset = ev->batch_offset;
			pr->batches[pr->nbatches].nevents = 0;
			pr->nbatches++;
			cur_p = ev->batch_pid;
		}
		pr = get_proc(p, cur_p);
		if (pr == NULL || pr->nbatches == 0)
			return fail(p, GOTRACE_ERR_CORRUPT, "read event %u with current P "
			            "of %d, but P has no batches yet", ev->type, cur_p);
		pr->batches[pr->nbatches - 1].nevents++;
		if (ev->type == V1_CPU_SAMPLE) {
			gt_v1_event *s;

			if (ev->nargs != 5)
				return fail(p, GOTRACE_ERR_CORRUPT, "CPU sample has wrong "
				            "number of arguments: want 5, got %zu", ev->nargs);
			if (GT_GROW(p->samples, p->samples_cap, p->nsamples + 1) != 0)
				return nomem(p);
			s = &p->samples[p->nsamples++];
			memset(s, 0, sizeof *s);
			s->type = V1_CPU_SAMPLE;
			s->stk = (uint32_t)ev->args[4];
			s->ts = (int64_t)ev->args[1];
			s->p = (int32_t)ev->args[2];
			s->g = ev->args[3];
		}
	}
	return 0;
}

/* ---- pass 2: decode batches ------------------------------------------------ */

static int add_stack(parser *p, const raw_event *ev)
{
	gt_v1_trace *t = p->t;
	uint64_t size, i;
	uint32_t id, idx;
	size_t first;

	if (ev->nargs < 2)
		return fail(p, GOTRACE_ERR_CORRUPT, "EvStack has wrong number of "
		            "arguments: want at least 2, got %zu", ev->nargs);
	size = ev->args[1];
	if (size > 1000)
		return fail(p, GOTRACE_ERR_CORRUPT, "EvStack has bad number of "
		            "frames: %" PRIu64, size);
	if (ev->nargs != 2 + 4 * size)
		return fail(p, GOTRACE_ERR_CORRUPT, "EvStack has wrong number of "
		            "arguments: want %" PRIu64 ", got %zu", 2 + 4 * size,
		            ev->nargs);
	id = (uint32_t)ev->args[0];
	if (id == 0 || size == 0)
		return 0;
	first = t->npcs;
	if (GT_GROW(t->pcs, t->pcs_cap, t->npcs + (size_t)size) != 0)
		return nomem(p);
	for (i = 0; i < size; i++) {
		const uint64_t *f = &ev->args[2 + i * 4];
		uint32_t known;

		t->pcs[t->npcs++] = f[0];
		if (!gt_idmap_get(&t->frame_index, f[0], &known)) {
			if (GT_GROW(t->frames, t->frames_cap, t->nframes + 1) != 0 ||
			    gt_idmap_put(&t->frame_index, f[0], (uint32_t)t->nframes) != 0)
				return nomem(p);
			t->frames[t->nframes].pc = f[0];
			t->frames[t->nframes].fn = f[1];
			t->frames[t->nframes].file = f[2];
			t->frames[t->nframes].line = (int64_t)f[3];
			t->nframes++;
		}
	}
	if (gt_idmap_get(&t->stack_index, id, &idx)) {
		t->stack_first[idx] = first;
		t->stack_len[idx] = (size_t)size;
		return 0;
	}
	if (GT_GROW(t->stack_ids, t->stacks_cap, t->nstacks + 1) != 0)
		return nomem(p);
	{
		size_t *a = realloc(t->stack_first, t->stacks_cap * sizeof *a);
		size_t *b;

		if (a == NULL)
			return nomem(p);
		t->stack_first = a;
		b = realloc(t->stack_len, t->stacks_cap * sizeof *b);
		if (b == NULL)
			return nomem(p);
		t->stack_len = b;
	}
	if (gt_idmap_put(&t->stack_index, id, (uint32_t)t->nstacks) != 0)
		return nomem(p);
	t->stack_ids[t->nstacks] = id;
	t->stack_first[t->nstacks] = first;
	t->stack_len[t->nstacks] = (size_t)size;
	t->nstacks++;
	return 0;
}

static int inline_string(parser *p, const uint8_t *s, size_t len, uint64_t *id)
{
	gt_v1_trace *t = p->t;
	uint64_t h = gt_hash_bytes(s, len);
	uint32_t i;

	for (;; h++) {
		if (!gt_idmap_get(&t->inline_index, h, &i))
			break;
		if (t->inline_strings[i].len == len &&
		    memcmp(t->inline_strings[i].data, s, len) == 0) {
			*id = i;
			return 0;
		}
	}
	if (GT_GROW(t->inline_strings, t->inline_cap, t->ninline + 1) != 0 ||
	    gt_idmap_put(&t->inline_index, h, (uint32_t)t->ninline) != 0)
		return nomem(p);
	t->inline_strings[t->ninline].data = s;
	t->inline_strings[t->ninline].len = len;
	t->inline_strings[t->ninline].id = 0;
	*id = t->ninline++;
	return 0;
}

static uint64_t *last_g_slot(parser *p, int32_t pid)
{
	uint32_t i;

	if (gt_idmap_get(&p->last_gs, (uint64_t)(int64_t)pid, &i))
		return &p->last_g_vals[i];
	if (GT_GROW(p->last_g_vals, p->last_g_cap, p->nlast_g + 1) != 0 ||
	    gt_idmap_put(&p->last_gs, (uint64_t)(int64_t)pid,
	                 (uint32_t)p->nlast_g) != 0)
		return NULL;
	p->last_g_vals[p->nlast_g] = 0;
	return &p->last_g_vals[p->nlast_g++];
}

/* Decodes one raw event; *out->type is V1_NONE for table entries. */
static int parse_event(parser *p, const raw_event *raw, gt_v1_event *ev)
{
	size_t narg = arg_count(raw), i;
	uint64_t *slot;

	if (raw->nargs != narg)
		return fail(p, GOTRACE_ERR_CORRUPT, "%s has wrong number of "
		            "arguments: want %zu, got %zu", desc[raw->type].name, narg,
		            raw->nargs);
	ev->type = V1_NONE;
	switch (raw->type) {
	case V1_BATCH:
		if ((slot = last_g_slot(p, p->last_p)) == NULL)
			return nomem(p);
		*slot = p->last_g;
		p->last_p = raw->args[0] == UINT64_MAX ? -1 : (int32_t)raw->args[0];
		if ((slot = last_g_slot(p, p->last_p)) == NULL)
			return nomem(p);
		p->last_g = *slot;
		p->last_ts = (int64_t)raw->args[1];
		return 0;
	case V1_FREQUENCY:
		p->ticks_per_sec = (int64_t)raw->args[0];
		if (p->ticks_per_sec <= 0)
			return fail(p, GOTRACE_ERR_INVALID, "time stamps out of order");
		return 0;
	case V1_TIMER_GOROUTINE:
		if (gt_idmap_put(&p->timer_goids, raw->args[0], 1) != 0)
			return nomem(p);
		return 0;
	case V1_STACK:
		return add_stack(p, raw);
	case V1_CPU_SAMPLE:
		return 0;
	default:
		break;
	}
	memset(ev, 0, sizeof *ev);
	ev->type = raw->type;
	ev->p = p->last_p;
	ev->g = p->last_g;
	ev->ts = (int64_t)((uint64_t)p->last_ts + raw->args[0]);
	p->last_ts = ev->ts;
	for (i = 1; i < narg; i++) {
		if (i == narg - 1 && desc[raw->type].stack)
			ev->stk = (uint32_t)raw->args[i];
		else
			ev->args[i - 1] = raw->args[i];
	}
	switch (raw->type) {
	case V1_GO_START:
	case V1_GO_START_LOCAL:
	case V1_GO_START_LABEL:
		p->last_g = ev->args[0];
		ev->g = p->last_g;
		break;
	case V1_GO_END: case V1_GO_STOP: case V1_GO_SCHED: case V1_GO_PREEMPT:
	case V1_GO_SLEEP: case V1_GO_BLOCK: case V1_GO_BLOCK_SEND:
	case V1_GO_BLOCK_RECV: case V1_GO_BLOCK_SELECT: case V1_GO_BLOCK_SYNC:
	case V1_GO_BLOCK_COND: case V1_GO_BLOCK_NET: case V1_GO_SYS_BLOCK:
	case V1_GO_BLOCK_GC:
		p->last_g = 0;
		break;
	case V1_GO_SYS_EXIT:
	case V1_GO_WAITING:
	case V1_GO_IN_SYSCALL:
		ev->g = ev->args[0];
		break;
	case V1_USER_LOG: {
		uint64_t id = 0;
		int rc = inline_string(p, raw->sarg, raw->sarg_len, &id);

		if (rc != 0)
			return rc;
		ev->args[3] = id;
		break;
	}
	default:
		break;
	}
	return 0;
}

/* Loads a P's next batch. Returns 0, RAW_EOF if it has none, or an error. */
static int load_batch(parser *p, proc *pr)
{
	int got_header = 0;

	pr->nevents = 0;
	pr->pos = 0;
	if (pr->next_batch == pr->nbatches)
		return RAW_EOF;
	p->off = pr->batches[pr->next_batch++].offset;
	for (;;) {
		raw_event *raw = &p->raw;
		gt_v1_event ev;
		int rc = read_raw(p, 0, raw);

		if (rc == RAW_EOF)
			break;
		if (rc != RAW_OK)
			return rc;
		if (raw->type == V1_NONE || raw->type == V1_CPU_SAMPLE)
			continue;
		if (raw->type == V1_BATCH) {
			if (got_header)
				break;
			got_header = 1;
		}
		rc = parse_event(p, raw, &ev);
		if (rc != 0)
			return rc;
		if (ev.type != V1_NONE) {
			if (GT_GROW(pr->events, pr->events_cap, pr->nevents + 1) != 0)
				return nomem(p);
			pr->events[pr->nevents++] = ev;
		}
	}
	return 0;
}

/* ---- merging by goroutine sequence ---------------------------------------- */

enum { G_DEAD, G_RUNNABLE, G_RUNNING, G_WAITING };
#define UNORDERED UINT64_MAX
#define GARBAGE (UINT64_MAX - 1)
#define NOSEQ UINT64_MAX
#define SEQINC (UINT64_MAX - 1)

typedef struct gseq {
	uint64_t seq;
	int status;
} gseq;

static void state_transition(const gt_v1_event *ev, uint64_t *g, gseq *init,
                             gseq *next)
{
	*g = UNORDERED;
	switch (ev->type) {
	case V1_GO_CREATE:
		*g = ev->args[0];
		*init = (gseq){0, G_DEAD};
		*next = (gseq){1, G_RUNNABLE};
		break;
	case V1_GO_WAITING:
	case V1_GO_IN_SYSCALL:
		*g = ev->g;
		*init = (gseq){1, G_RUNNABLE};
		*next = (gseq){2, G_WAITING};
		break;
	case V1_GO_START:
	case V1_GO_START_LABEL:
		*g = ev->g;
		*init = (gseq){ev->args[1], G_RUNNABLE};
		*next = (gseq){ev->args[1] + 1, G_RUNNING};
		break;
	case V1_GO_START_LOCAL:
		*g = ev->g;
		*init = (gseq){NOSEQ, G_RUNNABLE};
		*next = (gseq){SEQINC, G_RUNNING};
		break;
	case V1_GO_BLOCK: case V1_GO_BLOCK_SEND: case V1_GO_BLOCK_RECV:
	case V1_GO_BLOCK_SELECT: case V1_GO_BLOCK_SYNC: case V1_GO_BLOCK_COND:
	case V1_GO_BLOCK_NET: case V1_GO_SLEEP: case V1_GO_SYS_BLOCK:
	case V1_GO_BLOCK_GC:
		*g = ev->g;
		*init = (gseq){NOSEQ, G_RUNNING};
		*next = (gseq){NOSEQ, G_WAITING};
		break;
	case V1_GO_SCHED:
	case V1_GO_PREEMPT:
		*g = ev->g;
		*init = (gseq){NOSEQ, G_RUNNING};
		*next = (gseq){NOSEQ, G_RUNNABLE};
		break;
	case V1_GO_UNBLOCK:
	case V1_GO_SYS_EXIT:
		*g = ev->args[0];
		*init = (gseq){ev->args[1], G_WAITING};
		*next = (gseq){ev->args[1] + 1, G_RUNNABLE};
		break;
	case V1_GO_UNBLOCK_LOCAL:
	case V1_GO_SYS_EXIT_LOCAL:
		*g = ev->args[0];
		*init = (gseq){NOSEQ, G_WAITING};
		*next = (gseq){SEQINC, G_RUNNABLE};
		break;
	case V1_GC_START:
		*g = GARBAGE;
		*init = (gseq){ev->args[0], G_DEAD};
		*next = (gseq){ev->args[0] + 1, G_DEAD};
		break;
	default:
		break;
	}
}

/* Goroutine sequence states, keyed by goroutine ID (or GARBAGE for GC). */
typedef struct gtable {
	gt_idmap index;
	gseq *vals;
	size_t n, cap;
} gtable;

static gseq gtable_get(const gtable *t, uint64_t g)
{
	uint32_t i;
	gseq zero = {0, G_DEAD};

	return gt_idmap_get(&t->index, g, &i) ? t->vals[i] : zero;
}

static int gtable_set(gtable *t, uint64_t g, gseq v)
{
	uint32_t i;

	if (gt_idmap_get(&t->index, g, &i)) {
		t->vals[i] = v;
		return 0;
	}
	if (GT_GROW(t->vals, t->cap, t->n + 1) != 0 ||
	    gt_idmap_put(&t->index, g, (uint32_t)t->n) != 0)
		return -1;
	t->vals[t->n++] = v;
	return 0;
}

static int ready(uint64_t g, gseq cur, gseq init)
{
	return g == UNORDERED ||
	       ((init.seq == NOSEQ || init.seq == cur.seq) &&
	        init.status == cur.status);
}

typedef struct front {
	gt_v1_event ev;
	size_t proc;               /* index into procs, or SIZE_MAX for samples */
} front;

/* The frontier: a binary min-heap by timestamp. */
GT_HEAP_DEFINE(front_heap, front, ev.ts)

static int cmp_ts(const void *pa, const void *pb)
{
	const gt_v1_event *a = pa, *b = pb;

	return (a->ts > b->ts) - (a->ts < b->ts);
}

static int stable_sort(gt_v1_event *v, size_t n)
{
	return gt_stable_sort(v, n, sizeof *v, cmp_ts);
}

static int append_event(parser *p, const gt_v1_event *ev)
{
	gt_v1_trace *t = p->t;

	if (GT_GROW(t->events, t->events_cap, t->nevents + 1) != 0)
		return nomem(p);
	t->events[t->nevents++] = *ev;
	return 0;
}

/*
 * Go's merge rescans every waiting P after each event, which costs events
 * x Ps when most Ps wait. Past a budget the merge parks each waiting P
 * (park.h) under the exact goroutine state it needs — sequence and
 * status, or any sequence for NOSEQ — and wakes it when that state comes.
 */
static int park_p(gt_park *park, size_t pi, uint64_t g, gseq need)
{
	gt_wait w;

	w.kind = GT_RES_G;
	w.by_state = 1;
	w.id = (int64_t)g;
	w.seq = need.seq;
	w.status = (uint8_t)need.status;
	return gt_park_add(park, (uint32_t)pi, 0, &w, 1);
}

/* Back to avail: the Ps waiting for g's new state, exact or any-sequence. */
static int wake_ps(gt_park *park, uint64_t g, gseq now, size_t *avail,
                   size_t *navail)
{
	size_t i;

	park->nwoken = 0;
	if (gt_park_wake_state(park, GT_RES_G, (int64_t)g, now.seq,
	                       (uint8_t)now.status) != 0 ||
	    gt_park_wake_state(park, GT_RES_G, (int64_t)g, NOSEQ,
	                       (uint8_t)now.status) != 0)
		return -1;
	for (i = 0; i < park->nwoken; i++)
		avail[(*navail)++] = park->woken[i];
	return 0;
}

static int merge_batches(parser *p)
{
	size_t nall = p->nprocs + 1, navail, i;
	size_t *avail = malloc(nall * sizeof *avail);
	front *frontier = malloc(nall * sizeof *frontier);
	size_t nfront = 0, sample_pos = 0;
	uint64_t checks = 0, merged = 0;
	int parking = p->ordering == GOTRACE_ORDERING_PARKING;
	gt_park park;
	gtable gs;
	int rc = 0;

	memset(&gs, 0, sizeof gs);
	gt_idmap_init(&gs.index);
	gt_park_init(&park);
	if (avail == NULL || frontier == NULL || nall > UINT32_MAX ||
	    gt_park_reset(&park, nall) != 0) {
		rc = nomem(p);
		goto out;
	}
	stable_sort(p->samples, p->nsamples);
	/* The CPU samples act as one more P (index nprocs). */
	for (i = 0; i < nall; i++)
		avail[i] = i;
	navail = nall;
	for (;;) {
		size_t k;
		front f;
		uint64_t g;
		gseq init, next, cur;

		for (k = 0; k < navail; k++) {
			size_t pi = avail[k];
			const gt_v1_event *ev;

			if (pi == p->nprocs) {
				if (sample_pos == p->nsamples) {
					avail[k] = avail[--navail];
					k--;
					continue;
				}
				ev = &p->samples[sample_pos];
			} else {
				proc *pr = &p->procs[pi];

				while (pr->pos == pr->nevents && !pr->done) {
					int lrc = load_batch(p, pr);

					if (lrc == RAW_EOF)
						pr->done = 1;
					else if (lrc != 0) {
						rc = lrc;
						goto out;
					}
				}
				if (pr->done && pr->pos == pr->nevents) {
					avail[k] = avail[--navail];
					k--;
					continue;
				}
				ev = &pr->events[pr->pos];
			}
			state_transition(ev, &g, &init, &next);
			checks++;
			if (!ready(g, gtable_get(&gs, g), init)) {
				if (!parking)
					continue;
				if (park_p(&park, pi, g, init) != 0) {
					rc = nomem(p);
					goto out;
				}
				avail[k] = avail[--navail];
				k--;
				continue;
			}
			frontier[nfront].ev = *ev;
			frontier[nfront].proc = pi;
			(void)front_heap_up(frontier, nfront);
			nfront++;
			if (pi == p->nprocs)
				sample_pos++;
			else
				p->procs[pi].pos++;
			avail[k] = avail[--navail];
			k--;
		}
		if (nfront == 0) {
			for (i = 0; i < p->nprocs; i++) {
				if (!p->procs[i].done) {
					rc = fail(p, GOTRACE_ERR_INVALID, "no consistent ordering "
					          "of events possible");
					goto out;
				}
			}
			break;
		}
		f = front_heap_pop(frontier, &nfront);
		state_transition(&f.ev, &g, &init, &next);
		if (f.ev.type == V1_GO_START_LOCAL)
			f.ev.type = V1_GO_START;
		else if (f.ev.type == V1_GO_UNBLOCK_LOCAL)
			f.ev.type = V1_GO_UNBLOCK;
		else if (f.ev.type == V1_GO_SYS_EXIT_LOCAL)
			f.ev.type = V1_GO_SYS_EXIT;
		if ((rc = append_event(p, &f.ev)) != 0)
			goto out;
		if (g != UNORDERED) {
			cur = gtable_get(&gs, g);
			if (!ready(g, cur, init)) {
				rc = fail(p, GOTRACE_ERR_INVALID, "encountered impossible "
				          "goroutine state transition");
				goto out;
			}
			if (next.seq == NOSEQ)
				next.seq = cur.seq;
			else if (next.seq == SEQINC)
				next.seq = cur.seq + 1;
			if (gtable_set(&gs, g, next) != 0) {
				rc = nomem(p);
				goto out;
			}
			if (parking && wake_ps(&park, g, next, avail, &navail) != 0) {
				rc = nomem(p);
				goto out;
			}
		}
		avail[navail++] = f.proc;
		merged++;
		if (!parking && p->ordering == GOTRACE_ORDERING_AUTO &&
		    checks > 16 * merged + 65536)
			parking = 1;
	}
out:
	free(avail);
	free(frontier);
	free(gs.vals);
	gt_idmap_free(&gs.index);
	gt_park_free(&park);
	p->t->merge_parked = parking;
	return rc;
}

/* After merging: order check, real syscall-exit times, stable sort. */
static int fix_times(parser *p)
{
	gt_v1_trace *t = p->t;
	gt_idmap block_index;
	int64_t *blocks = NULL;
	size_t nblocks = 0, blocks_cap = 0, i;
	int rc = 0;

	for (i = 1; i < t->nevents; i++)
		if (t->events[i].ts < t->events[i - 1].ts)
			return fail(p, GOTRACE_ERR_INVALID, "time stamps out of order");
	gt_idmap_init(&block_index);
	for (i = 0; i < t->nevents; i++) {
		gt_v1_event *ev = &t->events[i];
		uint32_t bi;

		if (ev->type == V1_GO_SYS_BLOCK || ev->type == V1_GO_IN_SYSCALL) {
			if (gt_idmap_get(&block_index, ev->g, &bi)) {
				blocks[bi] = ev->ts;
			} else {
				if (GT_GROW(blocks, blocks_cap, nblocks + 1) != 0 ||
				    gt_idmap_put(&block_index, ev->g, (uint32_t)nblocks) != 0) {
					rc = nomem(p);
					break;
				}
				blocks[nblocks++] = ev->ts;
			}
		} else if (ev->type == V1_GO_SYS_EXIT) {
			int64_t ts = (int64_t)ev->args[2], block = 0;

			if (ts == 0)
				continue;
			if (gt_idmap_get(&block_index, ev->g, &bi))
				block = blocks[bi];
			if (block == 0) {
				rc = fail(p, GOTRACE_ERR_INVALID, "stray syscall exit");
				break;
			}
			if (ts < block) {
				rc = fail(p, GOTRACE_ERR_INVALID, "time stamps out of order");
				break;
			}
			ev->ts = ts;
		}
	}
	free(blocks);
	gt_idmap_free(&block_index);
	if (rc == 0 && stable_sort(t->events, t->nevents) != 0)
		rc = nomem(p);
	return rc;
}

/* ---- validation (Go's postProcessTrace) ----------------------------------- */

typedef struct gdesc {
	int state;
	int has_ev;
	uint8_t ev_type;           /* type of the goroutine's last event */
	int64_t create;            /* index of its GoCreate, or -1 */
	int mark_assist;
} gdesc;

typedef struct pdesc {
	int running;
	uint64_t g;
	int sweep;
} pdesc;

typedef struct table {
	gt_idmap index;
	void *vals;
	size_t n, cap, elem;
} table;

typedef struct region_stack {
	size_t *items;
	size_t n, cap;
} region_stack;

static void *table_get(table *t, uint64_t key, const void *zero)
{
	uint32_t i;

	if (gt_idmap_get(&t->index, key, &i))
		return (char *)t->vals + i * t->elem;
	if (gt_grow(&t->vals, &t->cap, t->n + 1, t->elem) != 0 ||
	    gt_idmap_put(&t->index, key, (uint32_t)t->n) != 0)
		return NULL;
	memcpy((char *)t->vals + t->n * t->elem, zero, t->elem);
	return (char *)t->vals + t->n++ * t->elem;
}

static int table_has(const table *t, uint64_t key)
{
	uint32_t i;

	return gt_idmap_get(&t->index, key, &i);
}

static void format_v1_event(const gt_v1_event *ev, char *buf, size_t cap)
{
	size_t len, i;
	int n = snprintf(buf, cap, "%lld %s p=%d g=%llu stk=%u",
	                 (long long)ev->ts, desc[ev->type].name, ev->p,
	                 (unsigned long long)ev->g, ev->stk);

	len = n > 0 ? (size_t)n : 0;
	for (i = 0; i < desc[ev->type].nargs && len < cap; i++) {
		n = snprintf(buf + len, cap - len, " %s=%llu", desc[ev->type].args[i],
		             (unsigned long long)ev->args[i]);
		len += n > 0 ? (size_t)n : 0;
	}
}

/* Go's %q of a string. */
static void quote(const char *s, char *out, size_t cap)
{
	size_t o = 0;

	if (cap < 3)
		return;
	out[o++] = '"';
	for (; *s != '\0' && o + 3 < cap; s++) {
		if (*s == '"' || *s == '\\')
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o++] = '"';
	out[o] = '\0';
}

static int check_running(parser *p, const pdesc *pd, const gdesc *gd,
                         const gt_v1_event *ev, int allow_g0)
{
	const char *name = desc[ev->type].name;

	if (gd->state != G_RUNNING)
		return fail(p, GOTRACE_ERR_INVALID, "g %llu is not running while %s "
		            "(time %lld)", (unsigned long long)ev->g, name,
		            (long long)ev->ts);
	if (pd->g != ev->g)
		return fail(p, GOTRACE_ERR_INVALID, "p %d is not running g %llu while "
		            "%s (time %lld)", ev->p, (unsigned long long)ev->g, name,
		            (long long)ev->ts);
	if (!allow_g0 && ev->g == 0)
		return fail(p, GOTRACE_ERR_INVALID, "g 0 did %s (time %lld)", name,
		            (long long)ev->ts);
	return 0;
}

static int validate(parser *p)
{
	gt_v1_trace *t = p->t;
	table gs = {{0}, NULL, 0, 0, sizeof(gdesc)};
	table ps = {{0}, NULL, 0, 0, sizeof(pdesc)};
	table tasks = {{0}, NULL, 0, 0, sizeof(size_t)};
	/* g -> stack of its open regions (indexes of their start events) */
	table regions = {{0}, NULL, 0, 0, sizeof(region_stack)};
	static const gdesc gzero = {G_DEAD, 0, 0, -1, 0};
	static const pdesc pzero = {0, 0, 0};
	const gdesc grunning = {G_RUNNING, 0, 0, -1, 0};
	int gc = 0, stw = 0, rc = 0;
	size_t i;

	gt_idmap_init(&gs.index);
	gt_idmap_init(&ps.index);
	gt_idmap_init(&tasks.index);
	gt_idmap_init(&regions.index);
	if (table_get(&gs, 0, &grunning) == NULL)
		return nomem(p);
	for (i = 0; i < t->nevents && rc == 0; i++) {
		gt_v1_event *ev = &t->events[i];
		gdesc *g = NULL, *g1;
		pdesc *pd = NULL;

#define GET_G(key) ((gdesc *)table_get(&gs, (key), &gzero))
#define GET_P(key) ((pdesc *)table_get(&ps, (uint64_t)(int64_t)(key), &pzero))
#define NEED(x) do { if ((x) == NULL) { rc = nomem(p); goto done; } } while (0)
		switch (ev->type) {
		case V1_PROC_START:
			NEED(pd = GET_P(ev->p));
			if (pd->running)
				rc = fail(p, GOTRACE_ERR_INVALID, "p %d is running before start "
				          "(time %lld)", ev->p, (long long)ev->ts);
			pd->running = 1;
			break;
		case V1_PROC_STOP:
			NEED(pd = GET_P(ev->p));
			if (!pd->running)
				rc = fail(p, GOTRACE_ERR_INVALID, "p %d is not running before "
				          "stop (time %lld)", ev->p, (long long)ev->ts);
			else if (pd->g != 0)
				rc = fail(p, GOTRACE_ERR_INVALID, "p %d is running a goroutine "
				          "%llu during stop (time %lld)", ev->p,
				          (unsigned long long)pd->g, (long long)ev->ts);
			pd->running = 0;
			break;
		case V1_GC_START:
			if (gc)
				rc = fail(p, GOTRACE_ERR_INVALID, "previous GC is not ended "
				          "before a new one (time %lld)", (long long)ev->ts);
			gc = 1;
			ev->p = V1_GC_P;
			break;
		case V1_GC_DONE:
			if (!gc)
				rc = fail(p, GOTRACE_ERR_INVALID, "bogus GC end (time %lld)",
				          (long long)ev->ts);
			gc = 0;
			break;
		case V1_STW_START:
			if (stw)
				rc = fail(p, GOTRACE_ERR_INVALID, "previous STW is not ended "
				          "before a new one (time %lld)", (long long)ev->ts);
			stw = 1;
			break;
		case V1_STW_DONE:
			if (!stw)
				rc = fail(p, GOTRACE_ERR_INVALID, "bogus STW end (time %lld)",
				          (long long)ev->ts);
			stw = 0;
			break;
		case V1_GC_SWEEP_START:
			NEED(pd = GET_P(ev->p));
			if (pd->sweep)
				rc = fail(p, GOTRACE_ERR_INVALID, "previous sweeping is not "
				          "ended before a new one (time %lld)",
				          (long long)ev->ts);
			pd->sweep = 1;
			break;
		case V1_GC_MARK_ASSIST_START:
			NEED(g = GET_G(ev->g));
			if (g->mark_assist)
				rc = fail(p, GOTRACE_ERR_INVALID, "previous mark assist is not "
				          "ended before a new one (time %lld)",
				          (long long)ev->ts);
			g->mark_assist = 1;
			break;
		case V1_GC_MARK_ASSIST_DONE:
			NEED(g = GET_G(ev->g));
			g->mark_assist = 0;
			break;
		case V1_GC_SWEEP_DONE:
			NEED(pd = GET_P(ev->p));
			if (!pd->sweep)
				rc = fail(p, GOTRACE_ERR_INVALID, "bogus sweeping end (time "
				          "%lld)", (long long)ev->ts);
			pd->sweep = 0;
			break;
		case V1_GO_WAITING:
		case V1_GO_IN_SYSCALL:
			NEED(g = GET_G(ev->g));
			if (g->state != G_RUNNABLE)
				rc = fail(p, GOTRACE_ERR_INVALID, "g %llu is not runnable before "
				          "%s (time %lld)", (unsigned long long)ev->g,
				          ev->type == V1_GO_WAITING ? "EvGoWaiting"
				                                    : "EvGoInSyscall",
				          (long long)ev->ts);
			g->state = G_WAITING;
			g->has_ev = 1;
			g->ev_type = ev->type;
			break;
		case V1_GO_CREATE: {
			gdesc created = {G_RUNNABLE, 1, V1_GO_CREATE, (int64_t)i, 0};

			NEED(g = GET_G(ev->g));
			NEED(pd = GET_P(ev->p));
			if ((rc = check_running(p, pd, g, ev, 1)) != 0)
				break;
			if (table_has(&gs, ev->args[0])) {
				rc = fail(p, GOTRACE_ERR_INVALID, "g %llu already exists (time "
				          "%lld)", (unsigned long long)ev->args[0],
				          (long long)ev->ts);
				break;
			}
			NEED(g1 = GET_G(ev->args[0]));
			*g1 = created;
			break;
		}
		case V1_GO_START:
		case V1_GO_START_LABEL:
			NEED(g = GET_G(ev->g));
			NEED(pd = GET_P(ev->p));
			if (g->state != G_RUNNABLE) {
				rc = fail(p, GOTRACE_ERR_INVALID, "g %llu is not runnable before "
				          "start (time %lld)", (unsigned long long)ev->g,
				          (long long)ev->ts);
				break;
			}
			if (pd->g != 0) {
				rc = fail(p, GOTRACE_ERR_INVALID, "p %d is already running g "
				          "%llu while start g %llu (time %lld)", ev->p,
				          (unsigned long long)pd->g, (unsigned long long)ev->g,
				          (long long)ev->ts);
				break;
			}
			g->state = G_RUNNING;
			pd->g = ev->g;
			if (g->create >= 0) {
				ev->stk = (uint32_t)t->events[g->create].args[1];
				g->create = -1;
			}
			g->has_ev = 0;
			break;
		case V1_GO_END:
		case V1_GO_STOP:
			NEED(g = GET_G(ev->g));
			NEED(pd = GET_P(ev->p));
			if ((rc = check_running(p, pd, g, ev, 0)) != 0)
				break;
			g->state = G_DEAD;
			pd->g = 0;
			if (ev->type == V1_GO_END) {
				uint32_t ri;

				if (gt_idmap_get(&regions.index, ev->g, &ri))
					((region_stack *)regions.vals)[ri].n = 0;
			}
			break;
		case V1_GO_SCHED:
		case V1_GO_PREEMPT:
			NEED(g = GET_G(ev->g));
			NEED(pd = GET_P(ev->p));
			if ((rc = check_running(p, pd, g, ev, 0)) != 0)
				break;
			g->state = G_RUNNABLE;
			pd->g = 0;
			g->has_ev = 1;
			g->ev_type = ev->type;
			break;
		case V1_GO_UNBLOCK:
			NEED(g = GET_G(ev->g));
			NEED(pd = GET_P(ev->p));
			if (g->state != G_RUNNING) {
				rc = fail(p, GOTRACE_ERR_INVALID, "g %llu is not running while "
				          "unpark (time %lld)", (unsigned long long)ev->g,
				          (long long)ev->ts);
				break;
			}
			if (ev->p != V1_TIMER_P && pd->g != ev->g) {
				rc = fail(p, GOTRACE_ERR_INVALID, "p %d is not running g %llu "
				          "while unpark (time %lld)", ev->p,
				          (unsigned long long)ev->g, (long long)ev->ts);
				break;
			}
			NEED(g1 = GET_G(ev->args[0]));
			if (g1->state != G_WAITING) {
				rc = fail(p, GOTRACE_ERR_INVALID, "g %llu is not waiting before "
				          "unpark (time %lld)", (unsigned long long)ev->args[0],
				          (long long)ev->ts);
				break;
			}
			if (g1->has_ev && g1->ev_type == V1_GO_BLOCK_NET)
				ev->p = V1_NETPOLL_P;
			g1->state = G_RUNNABLE;
			g1->has_ev = 1;
			g1->ev_type = ev->type;
			break;
		case V1_GO_SYS_CALL:
			NEED(g = GET_G(ev->g));
			NEED(pd = GET_P(ev->p));
			if ((rc = check_running(p, pd, g, ev, 0)) != 0)
				break;
			g->has_ev = 1;
			g->ev_type = ev->type;
			break;
		case V1_GO_SYS_BLOCK:
			NEED(g = GET_G(ev->g));
			NEED(pd = GET_P(ev->p));
			if ((rc = check_running(p, pd, g, ev, 0)) != 0)
				break;
			g->state = G_WAITING;
			pd->g = 0;
			break;
		case V1_GO_SYS_EXIT:
			NEED(g = GET_G(ev->g));
			if (g->state != G_WAITING) {
				rc = fail(p, GOTRACE_ERR_INVALID, "g %llu is not waiting during "
				          "syscall exit (time %lld)", (unsigned long long)ev->g,
				          (long long)ev->ts);
				break;
			}
			g->state = G_RUNNABLE;
			g->has_ev = 1;
			g->ev_type = ev->type;
			break;
		case V1_GO_SLEEP: case V1_GO_BLOCK: case V1_GO_BLOCK_SEND:
		case V1_GO_BLOCK_RECV: case V1_GO_BLOCK_SELECT: case V1_GO_BLOCK_SYNC:
		case V1_GO_BLOCK_COND: case V1_GO_BLOCK_NET: case V1_GO_BLOCK_GC:
			NEED(g = GET_G(ev->g));
			NEED(pd = GET_P(ev->p));
			if ((rc = check_running(p, pd, g, ev, 0)) != 0)
				break;
			g->state = G_WAITING;
			g->has_ev = 1;
			g->ev_type = ev->type;
			pd->g = 0;
			break;
		case V1_USER_TASK_CREATE: {
			size_t *prev;

			if (table_has(&tasks, ev->args[0])) {
				char a[512], b[512], qa[600], qb[600];

				NEED(prev = table_get(&tasks, ev->args[0], &i));
				format_v1_event(ev, a, sizeof a);
				format_v1_event(&t->events[*prev], b, sizeof b);
				quote(a, qa, sizeof qa);
				quote(b, qb, sizeof qb);
				rc = fail(p, GOTRACE_ERR_INVALID, "task id conflicts (id:%llu),"
				          " %s vs %s", (unsigned long long)ev->args[0], qa, qb);
				break;
			}
			NEED(prev = table_get(&tasks, ev->args[0], &i));
			*prev = i;
			break;
		}
		case V1_USER_TASK_END:
			gt_idmap_del(&tasks.index, ev->args[0]);
			break;
		case V1_USER_REGION: {
			static const region_stack none = {NULL, 0, 0};
			uint64_t mode = ev->args[1];
			region_stack *rs;

			NEED(rs = table_get(&regions, ev->g, &none));
			if (mode == 0) {
				if (GT_GROW(rs->items, rs->cap, rs->n + 1) != 0)
					NEED(NULL);
				rs->items[rs->n++] = i;
			} else if (mode == 1) {
				if (rs->n > 0) {
					const gt_v1_event *st = &t->events[rs->items[rs->n - 1]];

					if (st->args[0] != ev->args[0] ||
					    st->args[2] != ev->args[2]) {
						char a[512], b[512], qa[600], qb[600];

						format_v1_event(ev, a, sizeof a);
						format_v1_event(st, b, sizeof b);
						quote(a, qa, sizeof qa);
						quote(b, qb, sizeof qb);
						rc = fail(p, GOTRACE_ERR_INVALID, "misuse of region in "
						          "goroutine %llu: span end %s when the "
						          "inner-most active span start event is %s",
						          (unsigned long long)ev->g, qa, qb);
						break;
					}
					rs->n--;
				}
			} else {
				char a[512], qa[600];

				format_v1_event(ev, a, sizeof a);
				quote(a, qa, sizeof qa);
				rc = fail(p, GOTRACE_ERR_INVALID, "invalid user region mode: %s",
				          qa);
			}
			break;
		}
		default:
			break;
		}
		if (rc == 0 && ev->stk != 0) {
			uint32_t si;

			if (!gt_idmap_get(&t->stack_index, ev->stk, &si) ||
			    t->stack_len[si] == 0)
				ev->stk = 0;
		}
#undef GET_G
#undef GET_P
#undef NEED
	}
done:
	free(gs.vals);
	free(ps.vals);
	free(tasks.vals);
	for (i = 0; i < regions.n; i++)
		free(((region_stack *)regions.vals)[i].items);
	free(regions.vals);
	gt_idmap_free(&gs.index);
	gt_idmap_free(&ps.index);
	gt_idmap_free(&tasks.index);
	gt_idmap_free(&regions.index);
	return rc;
}

int gt_v1_parse(gt_v1_trace *t, const uint8_t *data, size_t len, int version,
                int ordering, struct gotrace_error *err)
{
	parser p;
	size_t i;
	int rc;

	memset(&p, 0, sizeof p);
	p.t = t;
	p.data = data;
	p.len = len;
	p.err = err;
	p.data_base = 16;
	p.ordering = ordering;
	t->version = version;
	gt_idmap_init(&p.proc_index);
	gt_idmap_init(&p.timer_goids);
	gt_idmap_init(&p.last_gs);
	rc = collect_batches(&p);
	if (rc == 0)
		rc = merge_batches(&p);
	if (rc == 0)
		rc = fix_times(&p);
	if (rc == 0 && p.ticks_per_sec == 0)
		rc = fail(&p, GOTRACE_ERR_INVALID, "no EvFrequency event");
	if (rc == 0 && t->nevents > 0) {
		int64_t min_ts = t->events[0].ts;
		double freq = 1e9 / (double)p.ticks_per_sec;

		for (i = 0; i < t->nevents; i++) {
			gt_v1_event *ev = &t->events[i];
			uint32_t v;

			ev->ts = gt_ticks_to_ns(freq, (uint64_t)(ev->ts - min_ts));
			if (ev->type == V1_GO_UNBLOCK &&
			    gt_idmap_get(&p.timer_goids, ev->g, &v))
				ev->p = V1_TIMER_P;
			if (ev->type == V1_GO_SYS_EXIT)
				ev->p = V1_SYSCALL_P;
		}
	}
	if (rc == 0)
		rc = validate(&p);
	for (i = 0; i < p.nprocs; i++) {
		free(p.procs[i].batches);
		free(p.procs[i].events);
	}
	free(p.procs);
	free(p.samples);
	free(p.last_g_vals);
	free(p.raw.args);
	gt_idmap_free(&p.proc_index);
	gt_idmap_free(&p.timer_goids);
	gt_idmap_free(&p.last_gs);
	return rc;
}
