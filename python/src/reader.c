/*
 * gotrace.open: the Reader and its Event objects.
 *
 * An Event copies what it needs of the C event (whose pointers die at the
 * reader's next call): numbers in its own fields, strings and stacks as
 * Python objects. Those come from two caches in the Reader, so that the
 * common case costs a lookup and a reference, not an allocation:
 *   - strings by content (a direct-mapped table of recent strings);
 *   - stacks by ID, for the current generation's table: each distinct
 *     stack becomes one tuple of Frames, shared by its events.
 * Events hold no reference to their Reader: they outlive it.
 */
#include "gtpy.h"

#include <string.h>

#include "structmember.h"

/* ---- names, made once ------------------------------------------------- */

#define NKINDS 15
static PyObject *kind_names[NKINDS];
static PyObject *resource_names[4];
static PyObject *go_state_names[6];
static PyObject *proc_state_names[4];

static int make_names(void)
{
	int i;

	if (kind_names[0] != NULL)
		return 0;
	for (i = 0; i < NKINDS; i++)
		if ((kind_names[i] = PyUnicode_InternFromString(
			     gotrace_event_kind_string((gotrace_event_kind)i))) == NULL)
			return -1;
	for (i = 0; i < 4; i++)
		if ((resource_names[i] = PyUnicode_InternFromString(
			     gotrace_resource_kind_string(i))) == NULL ||
		    (proc_state_names[i] = PyUnicode_InternFromString(
			     gotrace_proc_state_string(i))) == NULL)
			return -1;
	for (i = 0; i < 6; i++)
		if ((go_state_names[i] = PyUnicode_InternFromString(
			     gotrace_goroutine_state_string(i))) == NULL)
			return -1;
	return 0;
}

static PyObject *name_of(PyObject *const *names, int n, int i)
{
	if (i < 0 || i >= n)
		return PyUnicode_FromFormat("Bad(%d)", i);
	return Py_NewRef(names[i]);
}

/* ---- struct sequences -------------------------------------------------- */

static PyTypeObject FrameType, ClockType, GoroutineInfoType, ProcInfoType,
	ThreadInfoType, GenerationInfoType;

static PyStructSequence_Field frame_fields[] = {
	{"function", "the function's name"},
	{"file", "its source file"},
	{"line", "the line in it"},
	{"pc", "the program counter"},
	{NULL, NULL}};
static PyStructSequence_Desc frame_desc = {
	"gotrace.Frame", "One frame of a stack, innermost first.", frame_fields, 4};

static PyStructSequence_Field clock_fields[] = {
	{"trace_ns", "trace time of the snapshot, ns"},
	{"mono_ns", "the monotonic clock, ns"},
	{"wall_sec", "the wall clock, Unix seconds"},
	{"wall_nsec", "and nanoseconds, [0, 1e9)"},
	{NULL, NULL}};
static PyStructSequence_Desc clock_desc = {
	"gotrace.ClockSnapshot",
	"The clock snapshot of a generation (Go 1.25 and later).",
	clock_fields, 4};

static PyStructSequence_Field goroutine_fields[] = {
	{"id", "the goroutine's ID"},
	{"state", "its state: Undetermined, NotExist, Runnable, Running, "
	          "Waiting or Syscall"},
	{"since", "time of the transition into this state, ns"},
	{"thread", "the M running it (Running, Syscall), else -1"},
	{"proc", "the P it runs on (Running, Syscall), else -1"},
	{NULL, NULL}};
static PyStructSequence_Desc goroutine_desc = {
	"gotrace.GoroutineInfo", "A goroutine in the state machine.",
	goroutine_fields, 5};

static PyStructSequence_Field proc_fields[] = {
	{"id", "the P's ID"},
	{"state", "its state: Undetermined, NotExist, Running or Idle"},
	{"since", "time of the transition into this state, ns"},
	{"thread", "the M holding it, or -1"},
	{NULL, NULL}};
static PyStructSequence_Desc proc_desc = {
	"gotrace.ProcInfo", "A P in the state machine.", proc_fields, 4};

static PyStructSequence_Field thread_fields[] = {
	{"id", "the M's ID"},
	{"proc", "the P it holds, or -1"},
	{"goroutine", "the G it runs, or -1"},
	{"since", "time of its last change, ns"},
	{NULL, NULL}};
static PyStructSequence_Desc thread_desc = {
	"gotrace.ThreadInfo", "An M in the state machine.", thread_fields, 4};

static PyStructSequence_Field generation_fields[] = {
	{"number", "the generation's number on the wire"},
	{"serial", "1 for the file's first generation, ..."},
	{"start_offset", "byte offset of its first batch header"},
	{"end_offset", "byte offset just past it"},
	{"batches", "batches of every kind"},
	{"event_batches", "batches of events among them"},
	{"first_time", "earliest batch timestamp, ns on the trace clock"},
	{"last_batch_time", "latest batch timestamp, ns"},
	{"frequency", "ticks per second"},
	{"clock", "its ClockSnapshot (Go 1.25+), or None"},
	{NULL, NULL}};
static PyStructSequence_Desc generation_desc = {
	"gotrace.GenerationInfo", "One generation of the trace's index.",
	generation_fields, 10};

static int make_struct_types(PyObject *m)
{
	static struct {
		PyTypeObject *type;
		PyStructSequence_Desc *desc;
		const char *name;
	} t[] = {
		{&FrameType, &frame_desc, "Frame"},
		{&ClockType, &clock_desc, "ClockSnapshot"},
		{&GoroutineInfoType, &goroutine_desc, "GoroutineInfo"},
		{&ProcInfoType, &proc_desc, "ProcInfo"},
		{&ThreadInfoType, &thread_desc, "ThreadInfo"},
		{&GenerationInfoType, &generation_desc, "GenerationInfo"},
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (t[i].type->tp_name == NULL &&
		    PyStructSequence_InitType2(t[i].type, t[i].desc) < 0)
			return -1;
		if (PyModule_AddObjectRef(m, t[i].name, (PyObject *)t[i].type) < 0)
			return -1;
	}
	return 0;
}

/* Builds a struct sequence from n new references; steals them (NULLs
 * allowed: the result is then NULL). */
static PyObject *struct_new(PyTypeObject *type, PyObject **items, Py_ssize_t n)
{
	PyObject *o = NULL;
	Py_ssize_t i;

	for (i = 0; i < n; i++)
		if (items[i] == NULL)
			goto fail;
	o = PyStructSequence_New(type);
	if (o == NULL)
		goto fail;
	for (i = 0; i < n; i++)
		PyStructSequence_SET_ITEM(o, i, items[i]);
	return o;
fail:
	for (i = 0; i < n; i++)
		Py_XDECREF(items[i]);
	return NULL;
}

static PyObject *clock_new(int64_t trace, uint64_t mono, int64_t sec,
                           int64_t nsec)
{
	PyObject *v[4] = {
		PyLong_FromLongLong(trace), PyLong_FromUnsignedLongLong(mono),
		PyLong_FromLongLong(sec), PyLong_FromLongLong(nsec)};

	return struct_new(&ClockType, v, 4);
}

/* ---- the string cache ---------------------------------------------------- */

#define SC_SLOTS 1024     /* a power of two */
#define SC_MAX_LEN 104    /* longer strings are not kept */

typedef struct sc_slot {
	uint64_t hash;
	size_t len;
	PyObject *str;
	char bytes[SC_MAX_LEN];
} sc_slot;

typedef struct string_cache {
	sc_slot *slots;
} string_cache;

static PyObject *empty_str;

static void sc_clear(string_cache *c)
{
	size_t i;

	if (c->slots == NULL)
		return;
	for (i = 0; i < SC_SLOTS; i++)
		Py_CLEAR(c->slots[i].str);
	PyMem_Free(c->slots);
	c->slots = NULL;
}

static PyObject *sc_get(string_cache *c, const char *data, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	sc_slot *s;
	size_t i;
	PyObject *str;

	if (len == 0)
		return Py_NewRef(empty_str);
	if (len > SC_MAX_LEN)
		return gtpy_string(data, len);
	if (c->slots == NULL) {
		c->slots = PyMem_Calloc(SC_SLOTS, sizeof *c->slots);
		if (c->slots == NULL)
			return PyErr_NoMemory();
	}
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)data[i]) * 1099511628211ULL;
	s = &c->slots[h & (SC_SLOTS - 1)];
	if (s->str != NULL && s->hash == h && s->len == len &&
	    memcmp(s->bytes, data, len) == 0)
		return Py_NewRef(s->str);
	str = gtpy_string(data, len);
	if (str == NULL)
		return NULL;
	Py_XSETREF(s->str, Py_NewRef(str));
	s->hash = h;
	s->len = len;
	memcpy(s->bytes, data, len);
	return str;
}

static PyObject *sc_cstr(string_cache *c, const char *s)
{
	if (s == NULL)
		Py_RETURN_NONE;
	return sc_get(c, s, strlen(s));
}

/* ---- the stack cache ----------------------------------------------------- */

/* Stack ID -> tuple of Frames, for one table (one generation's). */
typedef struct stack_cache {
	const void *table;
	uint64_t generation;
	size_t cap;           /* a power of two, or 0 */
	size_t n;
	uint64_t *ids;
	PyObject **tuples;    /* NULL: a free slot */
} stack_cache;

static void stc_clear(stack_cache *c)
{
	size_t i;

	for (i = 0; i < c->cap; i++)
		Py_CLEAR(c->tuples[i]);
	c->n = 0;
	c->table = NULL;
}

static void stc_free(stack_cache *c)
{
	stc_clear(c);
	PyMem_Free(c->ids);
	PyMem_Free(c->tuples);
	c->ids = NULL;
	c->tuples = NULL;
	c->cap = 0;
}

static size_t stc_slot(const stack_cache *c, uint64_t id)
{
	size_t i = (size_t)((id * 0x9E3779B97F4A7C15ULL) >> 20) & (c->cap - 1);

	while (c->tuples[i] != NULL && c->ids[i] != id)
		i = (i + 1) & (c->cap - 1);
	return i;
}

static int stc_grow(stack_cache *c)
{
	size_t old_cap = c->cap, i, ncap = old_cap ? old_cap * 2 : 1024;
	uint64_t *old_ids = c->ids;
	PyObject **old_t = c->tuples;

	c->ids = PyMem_Calloc(ncap, sizeof *c->ids);
	c->tuples = PyMem_Calloc(ncap, sizeof *c->tuples);
	if (c->ids == NULL || c->tuples == NULL) {
		PyMem_Free(c->ids);
		PyMem_Free(c->tuples);
		c->ids = old_ids;
		c->tuples = old_t;
		PyErr_NoMemory();
		return -1;
	}
	c->cap = ncap;
	for (i = 0; i < old_cap; i++)
		if (old_t[i] != NULL) {
			size_t j = stc_slot(c, old_ids[i]);

			c->ids[j] = old_ids[i];
			c->tuples[j] = old_t[i];
		}
	PyMem_Free(old_ids);
	PyMem_Free(old_t);
	return 0;
}

static PyObject *build_stack(string_cache *sc, gotrace_stack stk)
{
	size_t depth = gotrace_stack_depth(stk), i;
	PyObject *tuple;

	if (depth > (size_t)PY_SSIZE_T_MAX)
		return PyErr_NoMemory();
	tuple = PyTuple_New((Py_ssize_t)depth);
	if (tuple == NULL)
		return NULL;
	for (i = 0; i < depth; i++) {
		gotrace_frame f;
		PyObject *v[4], *frame;

		if (gotrace_stack_frame(stk, i, &f) != 0) {
			Py_DECREF(tuple);
			PyErr_SetString(PyExc_SystemError, "stack frame out of range");
			return NULL;
		}
		v[0] = sc_get(sc, f.func.data, f.func.len);
		v[1] = sc_get(sc, f.file.data, f.file.len);
		v[2] = PyLong_FromUnsignedLongLong(f.line);
		v[3] = PyLong_FromUnsignedLongLong(f.pc);
		frame = struct_new(&FrameType, v, 4);
		if (frame == NULL) {
			Py_DECREF(tuple);
			return NULL;
		}
		PyTuple_SET_ITEM(tuple, (Py_ssize_t)i, frame);
	}
	return tuple;
}

/* The stack as a tuple of Frames; NULL without an exception for an
 * absent stack. */
static PyObject *stc_get(stack_cache *c, string_cache *sc, gotrace_stack stk,
                         uint64_t generation, int *failed)
{
	PyObject *t;
	size_t i;

	if (!gotrace_stack_present(stk))
		return NULL;
	if (stk.table != c->table || generation != c->generation) {
		stc_clear(c);
		c->table = stk.table;
		c->generation = generation;
	}
	if ((c->n + 1) * 2 > c->cap && stc_grow(c) < 0) {
		*failed = 1;
		return NULL;
	}
	i = stc_slot(c, stk.id);
	if (c->tuples[i] != NULL)
		return Py_NewRef(c->tuples[i]);
	t = build_stack(sc, stk);
	if (t == NULL) {
		*failed = 1;
		return NULL;
	}
	c->ids[i] = stk.id;
	c->tuples[i] = Py_NewRef(t);
	c->n++;
	return t;
}

/* ---- Event --------------------------------------------------------------- */

/*
 * The fields per kind (the getters below read them):
 *   Sync:        u[0] n, u[1] experimental_batches, u[2] unnamed
 *                experiment; o[0] ClockSnapshot or NULL
 *   Metric:      o[0] name, u[0] value
 *   Label:       o[0] label, res, id
 *   Range*:      o[0] name, res scope, id scope_id, o[1] attrs (RangeEnd)
 *   Task*:       u[0] ID, u[1] parent, o[0] type
 *   Region*:     u[0] task, o[0] type
 *   Log:         u[0] task, o[0] category, o[1] message
 *   Transition:  res, id, from, to, o[0] reason, o[1] stack or NULL
 *   Experimental: o[0] name, o[1] experiment, o[2] args
 */
typedef struct gtpy_event {
	PyObject_HEAD
	int64_t time, thread, proc, goroutine;
	uint64_t generation;
	uint64_t stack_id;
	PyObject *stack;
	PyObject *o[3];
	uint64_t u[3];
	int64_t id;
	int8_t kind;
	uint8_t wire_type;
	int8_t res, from, to;
} gtpy_event;

static PyTypeObject EventType;

static void event_dealloc(gtpy_event *e)
{
	Py_XDECREF(e->stack);
	Py_XDECREF(e->o[0]);
	Py_XDECREF(e->o[1]);
	Py_XDECREF(e->o[2]);
	Py_TYPE(e)->tp_free((PyObject *)e);
}

#define KIND(e) ((gotrace_event_kind)(e)->kind)
#define IS_RANGE(k) ((k) == GOTRACE_EVENT_RANGE_BEGIN || \
                     (k) == GOTRACE_EVENT_RANGE_ACTIVE || \
                     (k) == GOTRACE_EVENT_RANGE_END)
#define IS_TASK(k) ((k) == GOTRACE_EVENT_TASK_BEGIN || \
                    (k) == GOTRACE_EVENT_TASK_END)
#define IS_REGION(k) ((k) == GOTRACE_EVENT_REGION_BEGIN || \
                      (k) == GOTRACE_EVENT_REGION_END)

static PyObject *obj_or_none(PyObject *o)
{
	return Py_NewRef(o != NULL ? o : Py_None);
}

static PyObject *task_id(uint64_t v)
{
	if (v == GOTRACE_NO_TASK)
		Py_RETURN_NONE;
	return PyLong_FromUnsignedLongLong(v);
}

static PyObject *ev_kind(gtpy_event *e, void *c)
{
	(void)c;
	return name_of(kind_names, NKINDS, e->kind);
}

static PyObject *ev_stack(gtpy_event *e, void *c)
{
	(void)c;
	return obj_or_none(e->stack);
}

static PyObject *ev_name(gtpy_event *e, void *c)
{
	gotrace_event_kind k = KIND(e);

	(void)c;
	if (k == GOTRACE_EVENT_METRIC || IS_RANGE(k) ||
	    k == GOTRACE_EVENT_EXPERIMENTAL)
		return obj_or_none(e->o[0]);
	Py_RETURN_NONE;
}

static PyObject *ev_value(gtpy_event *e, void *c)
{
	(void)c;
	if (KIND(e) == GOTRACE_EVENT_METRIC)
		return PyLong_FromUnsignedLongLong(e->u[0]);
	Py_RETURN_NONE;
}

static PyObject *ev_label(gtpy_event *e, void *c)
{
	(void)c;
	if (KIND(e) == GOTRACE_EVENT_LABEL)
		return obj_or_none(e->o[0]);
	Py_RETURN_NONE;
}

static PyObject *ev_resource(gtpy_event *e, void *c)
{
	(void)c;
	if (KIND(e) == GOTRACE_EVENT_LABEL ||
	    KIND(e) == GOTRACE_EVENT_STATE_TRANSITION)
		return name_of(resource_names, 4, e->res);
	Py_RETURN_NONE;
}

static PyObject *ev_id(gtpy_event *e, void *c)
{
	(void)c;
	if (KIND(e) == GOTRACE_EVENT_LABEL ||
	    KIND(e) == GOTRACE_EVENT_STATE_TRANSITION)
		return PyLong_FromLongLong(e->id);
	Py_RETURN_NONE;
}

static PyObject *ev_scope(gtpy_event *e, void *c)
{
	(void)c;
	if (IS_RANGE(KIND(e)) && e->res != GOTRACE_RESOURCE_NONE)
		return name_of(resource_names, 4, e->res);
	Py_RETURN_NONE;
}

static PyObject *ev_scope_id(gtpy_event *e, void *c)
{
	(void)c;
	if (IS_RANGE(KIND(e)) && e->res != GOTRACE_RESOURCE_NONE)
		return PyLong_FromLongLong(e->id);
	Py_RETURN_NONE;
}

static PyObject *ev_attrs(gtpy_event *e, void *c)
{
	(void)c;
	if (KIND(e) == GOTRACE_EVENT_RANGE_END && e->o[1] != NULL)
		return PyDictProxy_New(e->o[1]);
	Py_RETURN_NONE;
}

static PyObject *ev_task(gtpy_event *e, void *c)
{
	gotrace_event_kind k = KIND(e);

	(void)c;
	if (IS_TASK(k) || IS_REGION(k) || k == GOTRACE_EVENT_LOG)
		return task_id(e->u[0]);
	Py_RETURN_NONE;
}

static PyObject *ev_parent(gtpy_event *e, void *c)
{
	(void)c;
	if (IS_TASK(KIND(e)))
		return task_id(e->u[1]);
	Py_RETURN_NONE;
}

static PyObject *ev_type(gtpy_event *e, void *c)
{
	(void)c;
	if (IS_TASK(KIND(e)) || IS_REGION(KIND(e)))
		return obj_or_none(e->o[0]);
	Py_RETURN_NONE;
}

static PyObject *ev_category(gtpy_event *e, void *c)
{
	(void)c;
	if (KIND(e) == GOTRACE_EVENT_LOG)
		return obj_or_none(e->o[0]);
	Py_RETURN_NONE;
}

static PyObject *ev_message(gtpy_event *e, void *c)
{
	(void)c;
	if (KIND(e) == GOTRACE_EVENT_LOG)
		return obj_or_none(e->o[1]);
	Py_RETURN_NONE;
}

static PyObject *ev_state(gtpy_event *e, int s)
{
	if (KIND(e) != GOTRACE_EVENT_STATE_TRANSITION)
		Py_RETURN_NONE;
	if (e->res == GOTRACE_RESOURCE_GOROUTINE)
		return name_of(go_state_names, 6, s);
	return name_of(proc_state_names, 4, s);
}

static PyObject *ev_from(gtpy_event *e, void *c)
{
	(void)c;
	return ev_state(e, e->from);
}

static PyObject *ev_to(gtpy_event *e, void *c)
{
	(void)c;
	return ev_state(e, e->to);
}

static PyObject *ev_reason(gtpy_event *e, void *c)
{
	(void)c;
	if (KIND(e) == GOTRACE_EVENT_STATE_TRANSITION)
		return obj_or_none(e->o[0]);
	Py_RETURN_NONE;
}

static PyObject *ev_transition_stack(gtpy_event *e, void *c)
{
	(void)c;
	if (KIND(e) == GOTRACE_EVENT_STATE_TRANSITION)
		return obj_or_none(e->o[1]);
	Py_RETURN_NONE;
}

static PyObject *ev_sync_u(gtpy_event *e, void *c)
{
	if (KIND(e) == GOTRACE_EVENT_SYNC)
		return PyLong_FromUnsignedLongLong(e->u[(uintptr_t)c]);
	Py_RETURN_NONE;
}

static PyObject *ev_clock(gtpy_event *e, void *c)
{
	(void)c;
	if (KIND(e) == GOTRACE_EVENT_SYNC)
		return obj_or_none(e->o[0]);
	Py_RETURN_NONE;
}

static PyObject *ev_experiment(gtpy_event *e, void *c)
{
	(void)c;
	if (KIND(e) == GOTRACE_EVENT_EXPERIMENTAL)
		return obj_or_none(e->o[1]);
	Py_RETURN_NONE;
}

static PyObject *ev_args(gtpy_event *e, void *c)
{
	(void)c;
	if (KIND(e) == GOTRACE_EVENT_EXPERIMENTAL && e->o[2] != NULL)
		return PyDictProxy_New(e->o[2]);
	Py_RETURN_NONE;
}

static PyGetSetDef event_getset[] = {
	{"kind", (getter)ev_kind, NULL,
	 "The kind, as Go names it: 'Sync', 'Metric', 'Label', 'StackSample', "
	 "'RangeBegin', 'RangeActive', 'RangeEnd', 'TaskBegin', 'TaskEnd', "
	 "'RegionBegin', 'RegionEnd', 'Log', 'StateTransition', 'Experimental' "
	 "(kind_code is its number, an index into gotrace.KINDS).", NULL},
	{"stack", (getter)ev_stack, NULL,
	 "The event's stack: a tuple of Frames (function, file, line, pc), "
	 "innermost first; () for an empty stack, None if it has none.", NULL},
	{"name", (getter)ev_name, NULL,
	 "Metric, Range*, Experimental: the name.", NULL},
	{"value", (getter)ev_value, NULL, "Metric: the value.", NULL},
	{"label", (getter)ev_label, NULL, "Label: the label.", NULL},
	{"resource", (getter)ev_resource, NULL,
	 "Label, StateTransition: the kind of resource ('Goroutine', 'Proc', "
	 "'Thread').", NULL},
	{"id", (getter)ev_id, NULL,
	 "Label, StateTransition: the resource's ID.", NULL},
	{"scope", (getter)ev_scope, NULL,
	 "Range*: the resource the range is on ('Goroutine', 'Proc'), None for "
	 "a global range.", NULL},
	{"scope_id", (getter)ev_scope_id, NULL,
	 "Range*: the scope's ID (None for a global range).", NULL},
	{"attrs", (getter)ev_attrs, NULL,
	 "RangeEnd: its attributes, name -> value (a sweep's swept and "
	 "reclaimed bytes).", NULL},
	{"task", (getter)ev_task, NULL,
	 "TaskBegin/End: the task's ID; RegionBegin/End, Log: the task they "
	 "belong to (0: the background task). None for Go's NoTask.", NULL},
	{"parent", (getter)ev_parent, NULL,
	 "TaskBegin/End: the parent task's ID, None if none.", NULL},
	{"type", (getter)ev_type, NULL, "Task*, Region*: the type.", NULL},
	{"category", (getter)ev_category, NULL, "Log: the category.", NULL},
	{"message", (getter)ev_message, NULL, "Log: the message.", NULL},
	{"from_state", (getter)ev_from, NULL,
	 "StateTransition: the old state (goroutines: 'Undetermined', "
	 "'NotExist', 'Runnable', 'Running', 'Waiting', 'Syscall'; Ps: "
	 "'Undetermined', 'NotExist', 'Running', 'Idle').", NULL},
	{"to_state", (getter)ev_to, NULL, "StateTransition: the new state.",
	 NULL},
	{"reason", (getter)ev_reason, NULL,
	 "StateTransition: the reason ('' if none).", NULL},
	{"transition_stack", (getter)ev_transition_stack, NULL,
	 "StateTransition: the stack of the goroutine that changed state "
	 "(None if none).", NULL},
	{"n", (getter)ev_sync_u, NULL,
	 "Sync: this is the n-th Sync.", (void *)0},
	{"experimental_batches", (getter)ev_sync_u, NULL,
	 "Sync: this generation's experimental batches.", (void *)1},
	{"unnamed_experiment", (getter)ev_sync_u, NULL,
	 "Sync: an experiment ID Go has no name for, 0 if none.", (void *)2},
	{"clock", (getter)ev_clock, NULL,
	 "Sync: the generation's ClockSnapshot (Go 1.25+), None if none.",
	 NULL},
	{"experiment", (getter)ev_experiment, NULL,
	 "Experimental: the experiment's name.", NULL},
	{"args", (getter)ev_args, NULL,
	 "Experimental: the arguments, name -> value.", NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef event_members[] = {
	{"time", T_LONGLONG, offsetof(gtpy_event, time), READONLY,
	 "Nanoseconds on the trace clock."},
	{"goroutine", T_LONGLONG, offsetof(gtpy_event, goroutine), READONLY,
	 "The G, or -1."},
	{"proc", T_LONGLONG, offsetof(gtpy_event, proc), READONLY,
	 "The P, or -1."},
	{"thread", T_LONGLONG, offsetof(gtpy_event, thread), READONLY,
	 "The M, or -1."},
	{"generation", T_ULONGLONG, offsetof(gtpy_event, generation), READONLY,
	 "The generation the event belongs to (its number on the wire; 0 in "
	 "v1 traces)."},
	{"stack_id", T_ULONGLONG, offsetof(gtpy_event, stack_id), READONLY,
	 "The stack's ID in its generation's table (0 if no stack): the "
	 "stack_id column of read_columns."},
	{"kind_code", T_BYTE, offsetof(gtpy_event, kind), READONLY,
	 "The kind's number (Go's EventKind): gotrace.KINDS[kind_code] is "
	 "kind."},
	{"wire_type", T_UBYTE, offsetof(gtpy_event, wire_type), READONLY,
	 "The wire event behind it (0 for Sync)."},
	{NULL, 0, 0, 0, NULL},
};

static PyObject *event_repr(gtpy_event *e)
{
	return PyUnicode_FromFormat("<gotrace.Event %S time=%lld G=%lld P=%lld "
	                            "M=%lld>", kind_names[e->kind < NKINDS && e->kind >= 0 ? e->kind : 0],
	                            (long long)e->time, (long long)e->goroutine,
	                            (long long)e->proc, (long long)e->thread);
}

/* Go's Event.String() of e, as bytes: gotrace._format.event_bytes, in
 * Python, where the attributes it reads are. */
static PyObject *event_bytes(gtpy_event *e, PyObject *unused)
{
	PyObject *mod, *out;

	(void)unused;
	if ((mod = PyImport_ImportModule("gotrace._format")) == NULL)
		return NULL;
	out = PyObject_CallMethod(mod, "event_bytes", "O", (PyObject *)e);
	Py_DECREF(mod);
	return out;
}

/* The same as text: trace strings that are not UTF-8 keep their bytes
 * as surrogates, as the string attributes do. */
static PyObject *event_str(gtpy_event *e)
{
	PyObject *b = event_bytes(e, NULL), *s;

	if (b == NULL)
		return NULL;
	s = PyUnicode_DecodeUTF8(PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b),
	                         "surrogateescape");
	Py_DECREF(b);
	return s;
}

static PyMethodDef event_methods[] = {
	{"__bytes__", (PyCFunction)event_bytes, METH_NOARGS,
	 "The event as Go's Event.String() prints it (`go tool trace "
	 "-d=parsed` prints it and a newline), as bytes; str(event) gives "
	 "the same as text. ValueError where Go's String() panics (a Sync "
	 "that lists an experiment Go does not name)."},
	{NULL, NULL, 0, NULL},
};

static PyTypeObject EventType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "gotrace.Event",
	.tp_basicsize = sizeof(gtpy_event),
	.tp_dealloc = (destructor)event_dealloc,
	.tp_repr = (reprfunc)event_repr,
	.tp_str = (reprfunc)event_str,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "One event of the ordered stream, as Go's parser delivers it.\n\n"
	          "Every event has kind, time, goroutine, proc, thread, stack,\n"
	          "generation; the other attributes belong to some kinds and are\n"
	          "None on the others. Events stay valid after the reader moves\n"
	          "on or is closed. str(event) and bytes(event) give the event\n"
	          "as Go's Event.String() does (go tool trace -d=parsed).",
	.tp_methods = event_methods,
	.tp_getset = event_getset,
	.tp_members = event_members,
};

/* A dict from names (C strings) to values. */
static PyObject *named_values(string_cache *sc, const char *const *names,
                              const uint64_t *values, size_t n)
{
	PyObject *d = PyDict_New();
	size_t i;

	if (d == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		PyObject *k = sc_cstr(sc, names[i]);
		PyObject *v = PyLong_FromUnsignedLongLong(values[i]);

		if (k == NULL || v == NULL || PyDict_SetItem(d, k, v) < 0) {
			Py_XDECREF(k);
			Py_XDECREF(v);
			Py_DECREF(d);
			return NULL;
		}
		Py_DECREF(k);
		Py_DECREF(v);
	}
	return d;
}

/* The Event for ev, with the reader's caches. NULL with an exception. */
static PyObject *event_new(string_cache *sc, stack_cache *stc,
                           const gotrace_event *ev)
{
	gtpy_event *e = PyObject_New(gtpy_event, &EventType);
	int failed = 0;

	if (e == NULL)
		return NULL;
	e->time = ev->time;
	e->thread = ev->thread;
	e->proc = ev->proc;
	e->goroutine = ev->goroutine;
	e->generation = ev->generation;
	e->kind = (int8_t)ev->kind;
	e->wire_type = ev->wire_type;
	e->stack_id = gotrace_stack_present(ev->stack) ? ev->stack.id : 0;
	e->o[0] = e->o[1] = e->o[2] = NULL;
	e->u[0] = e->u[1] = e->u[2] = 0;
	e->id = 0;
	e->res = e->from = e->to = 0;
	e->stack = stc_get(stc, sc, ev->stack, ev->generation, &failed);
	if (failed)
		goto fail;
	switch (ev->kind) {
	case GOTRACE_EVENT_SYNC:
		e->u[0] = ev->u.sync.n;
		e->u[1] = ev->u.sync.experimental_batches;
		e->u[2] = ev->u.sync.unnamed_experiment;
		if (ev->u.sync.has_clock &&
		    (e->o[0] = clock_new(ev->u.sync.clock_trace, ev->u.sync.clock_mono,
		                         ev->u.sync.wall_sec,
		                         ev->u.sync.wall_nsec)) == NULL)
			goto fail;
		break;
	case GOTRACE_EVENT_METRIC:
		e->u[0] = ev->u.metric.value;
		if ((e->o[0] = sc_cstr(sc, ev->u.metric.name)) == NULL)
			goto fail;
		break;
	case GOTRACE_EVENT_LABEL:
		e->res = (int8_t)ev->u.label.resource;
		e->id = ev->u.label.id;
		if ((e->o[0] = sc_get(sc, ev->u.label.label.data,
		                      ev->u.label.label.len)) == NULL)
			goto fail;
		break;
	case GOTRACE_EVENT_RANGE_BEGIN:
	case GOTRACE_EVENT_RANGE_ACTIVE:
	case GOTRACE_EVENT_RANGE_END:
		e->res = (int8_t)ev->u.range.scope;
		e->id = ev->u.range.scope_id;
		if ((e->o[0] = sc_get(sc, ev->u.range.name.data,
		                      ev->u.range.name.len)) == NULL)
			goto fail;
		if (ev->kind == GOTRACE_EVENT_RANGE_END &&
		    (e->o[1] = named_values(sc, ev->u.range.attr_names,
		                            ev->u.range.attr_values,
		                            ev->u.range.nattrs > 2
		                            ? 2 : ev->u.range.nattrs)) == NULL)
			goto fail;
		break;
	case GOTRACE_EVENT_TASK_BEGIN:
	case GOTRACE_EVENT_TASK_END:
		e->u[0] = ev->u.task.id;
		e->u[1] = ev->u.task.parent;
		if ((e->o[0] = sc_get(sc, ev->u.task.type.data,
		                      ev->u.task.type.len)) == NULL)
			goto fail;
		break;
	case GOTRACE_EVENT_REGION_BEGIN:
	case GOTRACE_EVENT_REGION_END:
		e->u[0] = ev->u.region.task;
		if ((e->o[0] = sc_get(sc, ev->u.region.type.data,
		                      ev->u.region.type.len)) == NULL)
			goto fail;
		break;
	case GOTRACE_EVENT_LOG:
		e->u[0] = ev->u.log.task;
		if ((e->o[0] = sc_get(sc, ev->u.log.category.data,
		                      ev->u.log.category.len)) == NULL ||
		    (e->o[1] = sc_get(sc, ev->u.log.message.data,
		                      ev->u.log.message.len)) == NULL)
			goto fail;
		break;
	case GOTRACE_EVENT_STATE_TRANSITION:
		e->res = (int8_t)ev->u.transition.resource;
		e->id = ev->u.transition.id;
		e->from = (int8_t)ev->u.transition.old_state;
		e->to = (int8_t)ev->u.transition.new_state;
		if ((e->o[0] = sc_get(sc, ev->u.transition.reason.data,
		                      ev->u.transition.reason.len)) == NULL)
			goto fail;
		e->o[1] = stc_get(stc, sc, ev->u.transition.stack, ev->generation,
		                  &failed);
		if (failed)
			goto fail;
		break;
	case GOTRACE_EVENT_EXPERIMENTAL:
		if ((e->o[0] = sc_cstr(sc, ev->u.experimental.name)) == NULL ||
		    (e->o[1] = sc_cstr(sc, ev->u.experimental.experiment)) == NULL ||
		    (e->o[2] = named_values(sc, (const char *const *)
		                                ev->u.experimental.arg_names,
		                            ev->u.experimental.args,
		                            ev->u.experimental.nargs > 4
		                            ? 4 : ev->u.experimental.nargs)) == NULL)
			goto fail;
		break;
	default:
		break;
	}
	return (PyObject *)e;
fail:
	Py_DECREF(e);
	return NULL;
}

/* ---- Reader -------------------------------------------------------------- */

typedef struct gtpy_reader_obj {
	PyObject_HEAD
	gotrace_reader *r;
	string_cache sc;
	stack_cache stc;
	int done;       /* EOF seen: StopIteration from now on */
	int busy;       /* a call runs without the GIL */
	int stream;     /* a pipe or the like: read without the GIL */
} gtpy_reader_obj;

static PyTypeObject ReaderType;

static void reader_release(gtpy_reader_obj *self)
{
	gotrace_reader *r = self->r;

	self->r = NULL;
	if (r != NULL) {
		/* Freeing joins the reader's worker threads. */
		Py_BEGIN_ALLOW_THREADS
		gotrace_reader_free(r);
		Py_END_ALLOW_THREADS
	}
	sc_clear(&self->sc);
	stc_free(&self->stc);
}

static void reader_dealloc(gtpy_reader_obj *self)
{
	reader_release(self);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static int reader_usable(gtpy_reader_obj *self)
{
	if (self->r == NULL) {
		PyErr_SetString(PyExc_ValueError, "the reader is closed");
		return 0;
	}
	if (self->busy) {
		PyErr_SetString(PyExc_RuntimeError,
		                "the reader is in use by another thread");
		return 0;
	}
	return 1;
}

static PyObject *reader_new_from(gotrace_reader *r, int stream)
{
	gtpy_reader_obj *self = PyObject_New(gtpy_reader_obj, &ReaderType);

	if (self == NULL) {
		gotrace_reader_free(r);
		return NULL;
	}
	self->r = r;
	self->sc.slots = NULL;
	memset(&self->stc, 0, sizeof self->stc);
	self->done = 0;
	self->busy = 0;
	self->stream = stream;
	return (PyObject *)self;
}

static PyObject *reader_iternext(gtpy_reader_obj *self)
{
	gotrace_event ev;
	int rc;

	if (self->r == NULL || self->busy)
		return reader_usable(self) ? NULL : NULL;
	if (self->done)
		return NULL;
	/*
	 * The GIL stays held: most calls return an event already ordered,
	 * in well under a microsecond, and giving the GIL up and taking it
	 * back would cost as much. read_columns gives it up per batch.
	 * Not for a stream, though: its writer may be a thread of ours,
	 * which needs the GIL to write the bytes the read waits for.
	 */
	if (self->stream) {
		self->busy = 1;
		Py_BEGIN_ALLOW_THREADS
		rc = gotrace_reader_next(self->r, &ev);
		Py_END_ALLOW_THREADS
		self->busy = 0;
	} else
		rc = gotrace_reader_next(self->r, &ev);
	if (rc == GOTRACE_OK)
		return event_new(&self->sc, &self->stc, &ev);
	if (rc == GOTRACE_EOF) {
		self->done = 1;
		return NULL;
	}
	return gtpy_raise_trace_error(self->r);
}

static PyObject *reader_iter(PyObject *self)
{
	return Py_NewRef(self);
}

static PyObject *reader_close(gtpy_reader_obj *self, PyObject *unused)
{
	(void)unused;
	if (self->busy) {
		PyErr_SetString(PyExc_RuntimeError,
		                "the reader is in use by another thread");
		return NULL;
	}
	reader_release(self);
	Py_RETURN_NONE;
}

static PyObject *reader_enter(PyObject *self, PyObject *unused)
{
	(void)unused;
	if (((gtpy_reader_obj *)self)->r == NULL)
		return reader_usable((gtpy_reader_obj *)self) ? NULL : NULL;
	return Py_NewRef(self);
}

static PyObject *reader_exit(gtpy_reader_obj *self, PyObject *args)
{
	(void)args;
	return reader_close(self, NULL);
}

static PyObject *goroutine_info(const gotrace_goroutine_info *gi)
{
	PyObject *v[5] = {
		PyLong_FromLongLong(gi->id), name_of(go_state_names, 6, (int)gi->state),
		PyLong_FromLongLong(gi->since), PyLong_FromLongLong(gi->thread),
		PyLong_FromLongLong(gi->proc)};

	return struct_new(&GoroutineInfoType, v, 5);
}

static PyObject *proc_info(const gotrace_proc_info *pi)
{
	PyObject *v[4] = {
		PyLong_FromLongLong(pi->id), name_of(proc_state_names, 4, (int)pi->state),
		PyLong_FromLongLong(pi->since), PyLong_FromLongLong(pi->thread)};

	return struct_new(&ProcInfoType, v, 4);
}

static PyObject *thread_info(const gotrace_thread_info *ti)
{
	PyObject *v[4] = {
		PyLong_FromLongLong(ti->id), PyLong_FromLongLong(ti->proc),
		PyLong_FromLongLong(ti->goroutine), PyLong_FromLongLong(ti->since)};

	return struct_new(&ThreadInfoType, v, 4);
}

static PyObject *reader_goroutine(gtpy_reader_obj *self, PyObject *arg)
{
	gotrace_goroutine_info gi;
	long long id;

	if (!reader_usable(self))
		return NULL;
	id = PyLong_AsLongLong(arg);
	if (id == -1 && PyErr_Occurred())
		return NULL;
	if (!gotrace_reader_goroutine(self->r, id, &gi))
		Py_RETURN_NONE;
	return goroutine_info(&gi);
}

static PyObject *reader_proc(gtpy_reader_obj *self, PyObject *arg)
{
	gotrace_proc_info pi;
	long long id;

	if (!reader_usable(self))
		return NULL;
	id = PyLong_AsLongLong(arg);
	if (id == -1 && PyErr_Occurred())
		return NULL;
	if (!gotrace_reader_proc(self->r, id, &pi))
		Py_RETURN_NONE;
	return proc_info(&pi);
}

static PyObject *reader_thread(gtpy_reader_obj *self, PyObject *arg)
{
	gotrace_thread_info ti;
	long long id;

	if (!reader_usable(self))
		return NULL;
	id = PyLong_AsLongLong(arg);
	if (id == -1 && PyErr_Occurred())
		return NULL;
	if (!gotrace_reader_thread(self->r, id, &ti))
		Py_RETURN_NONE;
	return thread_info(&ti);
}

/* A list of every known resource of one kind. */
static PyObject *reader_all(gtpy_reader_obj *self, int which)
{
	size_t n, i;
	PyObject *list;

	if (!reader_usable(self))
		return NULL;
	n = which == 0 ? gotrace_reader_goroutine_count(self->r)
	    : which == 1 ? gotrace_reader_proc_count(self->r)
	                 : gotrace_reader_thread_count(self->r);
	list = PyList_New(0);
	if (list == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		PyObject *o = NULL;

		if (which == 0) {
			gotrace_goroutine_info gi;

			if (gotrace_reader_goroutine_at(self->r, i, &gi) == 0)
				o = goroutine_info(&gi);
		} else if (which == 1) {
			gotrace_proc_info pi;

			if (gotrace_reader_proc_at(self->r, i, &pi) == 0)
				o = proc_info(&pi);
		} else {
			gotrace_thread_info ti;

			if (gotrace_reader_thread_at(self->r, i, &ti) == 0)
				o = thread_info(&ti);
		}
		if (o == NULL || PyList_Append(list, o) < 0) {
			Py_XDECREF(o);
			Py_DECREF(list);
			if (!PyErr_Occurred())
				PyErr_SetString(PyExc_SystemError, "state index out of range");
			return NULL;
		}
		Py_DECREF(o);
	}
	return list;
}

static PyObject *reader_goroutines(gtpy_reader_obj *self, PyObject *unused)
{
	(void)unused;
	return reader_all(self, 0);
}

static PyObject *reader_procs(gtpy_reader_obj *self, PyObject *unused)
{
	(void)unused;
	return reader_all(self, 1);
}

static PyObject *reader_threads(gtpy_reader_obj *self, PyObject *unused)
{
	(void)unused;
	return reader_all(self, 2);
}

static PyObject *generation_info(const gotrace_generation_info *g)
{
	PyObject *clock;

	if (g->has_clock)
		clock = clock_new(g->clock_trace, g->clock_mono, g->wall_sec,
		                  g->wall_nsec);
	else
		clock = Py_NewRef(Py_None);
	{
		PyObject *v[10] = {
			PyLong_FromUnsignedLongLong(g->number),
			PyLong_FromUnsignedLongLong(g->serial),
			PyLong_FromUnsignedLongLong(g->start_offset),
			PyLong_FromUnsignedLongLong(g->end_offset),
			PyLong_FromUnsignedLongLong(g->batches),
			PyLong_FromUnsignedLongLong(g->event_batches),
			PyLong_FromLongLong(g->first_time),
			PyLong_FromLongLong(g->last_batch_time),
			PyLong_FromUnsignedLongLong(g->frequency),
			clock};

		return struct_new(&GenerationInfoType, v, 10);
	}
}

/* The reader's index, scanned without the GIL; NULL with an exception. */
static const gotrace_index *reader_get_index(gtpy_reader_obj *self)
{
	const gotrace_index *idx;
	int rc;

	self->busy = 1;
	Py_BEGIN_ALLOW_THREADS
	idx = gotrace_reader_index(self->r, &rc);
	Py_END_ALLOW_THREADS
	self->busy = 0;
	if (idx == NULL) {
		gotrace_version v = gotrace_reader_version(self->r);

		if (rc == GOTRACE_ERR_UNSUPPORTED && !gotrace_version_is_v2(v) &&
		    v != GOTRACE_VERSION_UNKNOWN)
			PyErr_Format(gtpy_UnsupportedError, "a go 1.%d trace (the v1 "
			             "format of Go 1.11 to 1.21) has no generations",
			             (int)v);
		else
			gtpy_raise_status(rc, "index");
	}
	return idx;
}

static PyObject *reader_index(gtpy_reader_obj *self, PyObject *unused)
{
	const gotrace_index *idx;
	PyObject *list;
	size_t i, n;

	(void)unused;
	if (!reader_usable(self) || (idx = reader_get_index(self)) == NULL)
		return NULL;
	n = gotrace_index_count(idx);
	list = PyList_New(0);
	if (list == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		gotrace_generation_info g;
		PyObject *o;

		if (gotrace_index_at(idx, i, &g) != 0)
			break;
		o = generation_info(&g);
		if (o == NULL || PyList_Append(list, o) < 0) {
			Py_XDECREF(o);
			Py_DECREF(list);
			return NULL;
		}
		Py_DECREF(o);
	}
	return list;
}

static PyObject *reader_index_error(gtpy_reader_obj *self, PyObject *unused)
{
	const gotrace_index *idx;
	const gotrace_error *e;
	PyObject *type, *value, *tb;

	(void)unused;
	if (!reader_usable(self) || (idx = reader_get_index(self)) == NULL)
		return NULL;
	e = gotrace_index_error(idx);
	if (e == NULL || gotrace_error_code(e) == 0)
		Py_RETURN_NONE;
	gtpy_raise_error(e, 0, 0);
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	Py_XDECREF(type);
	Py_XDECREF(tb);
	return value;
}

/* After a seek everything the reader held is gone. */
static int reader_seek_done(gtpy_reader_obj *self, int rc, const char *what)
{
	self->done = 0;
	stc_clear(&self->stc);
	if (rc != GOTRACE_OK) {
		if (rc == GOTRACE_ERR_ARG)
			PyErr_Format(PyExc_ValueError, "%s: no such generation in the "
			             "trace's index, or past the stop", what);
		else
			gtpy_raise_status(rc, what);
		return -1;
	}
	return 0;
}

static PyObject *reader_seek_generation(gtpy_reader_obj *self, PyObject *arg)
{
	unsigned long long gen;
	int rc;

	if (!reader_usable(self))
		return NULL;
	gen = PyLong_AsUnsignedLongLong(arg);
	if (gen == (unsigned long long)-1 && PyErr_Occurred())
		return NULL;
	if (reader_get_index(self) == NULL)
		return NULL;
	self->busy = 1;
	Py_BEGIN_ALLOW_THREADS
	rc = gotrace_reader_seek_generation(self->r, gen);
	Py_END_ALLOW_THREADS
	self->busy = 0;
	if (reader_seek_done(self, rc, "seek_generation") < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *reader_seek_time(gtpy_reader_obj *self, PyObject *args,
                                  PyObject *kwds)
{
	static char *kwlist[] = {"t", "clock", NULL};
	PyObject *t, *clock = Py_None, *mod, *spec;
	int ck, rc;
	long long ns;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:seek_time", kwlist, &t,
	                                 &clock))
		return NULL;
	if (!reader_usable(self))
		return NULL;
	mod = PyImport_ImportModule("gotrace._selectors");
	if (mod == NULL)
		return NULL;
	spec = PyObject_CallMethod(mod, "seek_spec", "OO", t, clock);
	Py_DECREF(mod);
	if (spec == NULL)
		return NULL;
	if (!PyArg_ParseTuple(spec, "iL", &ck, &ns)) {
		Py_DECREF(spec);
		return NULL;
	}
	Py_DECREF(spec);
	if (reader_get_index(self) == NULL)
		return NULL;
	self->busy = 1;
	Py_BEGIN_ALLOW_THREADS
	rc = gotrace_reader_seek_time(self->r, (gotrace_clock_kind)ck, ns);
	Py_END_ALLOW_THREADS
	self->busy = 0;
	if (rc == GOTRACE_ERR_UNSUPPORTED && ck == GOTRACE_CLOCK_WALL) {
		self->done = 0;
		PyErr_SetString(gtpy_UnsupportedError, "the trace has no clock "
		                "snapshots to place a wall-clock time (Go writes "
		                "them from 1.25 on)");
		return NULL;
	}
	if (reader_seek_done(self, rc, "seek_time") < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *reader_set_stop(gtpy_reader_obj *self, PyObject *arg)
{
	unsigned long long gen;
	int rc;

	if (!reader_usable(self))
		return NULL;
	if (arg == Py_None)
		gen = UINT64_MAX;
	else {
		gen = PyLong_AsUnsignedLongLong(arg);
		if (gen == (unsigned long long)-1 && PyErr_Occurred())
			return NULL;
	}
	if (reader_get_index(self) == NULL)
		return NULL;
	rc = gotrace_reader_set_stop(self->r, gen);
	if (rc == GOTRACE_ERR_ARG) {
		PyErr_SetString(PyExc_ValueError, "set_stop: no such generation in "
		                "the trace's index, before the one seeked to, or "
		                "called after the first event");
		return NULL;
	}
	if (rc != GOTRACE_OK)
		return gtpy_raise_status(rc, "set_stop");
	Py_RETURN_NONE;
}

static PyObject *reader_get_u64(gtpy_reader_obj *self, void *which)
{
	uint64_t v;

	if (!reader_usable(self))
		return NULL;
	switch ((uintptr_t)which) {
	case 0: v = gotrace_reader_generation(self->r); break;
	case 1: v = gotrace_reader_offset(self->r); break;
	case 2: v = gotrace_reader_valid_bytes(self->r); break;
	case 3: v = gotrace_reader_parked_generations(self->r); break;
	case 4: v = gotrace_reader_state_violations(self->r); break;
	default: v = (uint64_t)gotrace_reader_version(self->r); break;
	}
	return PyLong_FromUnsignedLongLong(v);
}

static PyObject *reader_get_incomplete(gtpy_reader_obj *self, void *c)
{
	(void)c;
	if (!reader_usable(self))
		return NULL;
	return PyBool_FromLong(gotrace_reader_incomplete(self->r));
}

static PyObject *reader_get_closed(gtpy_reader_obj *self, void *c)
{
	(void)c;
	return PyBool_FromLong(self->r == NULL);
}

static PyObject *reader_repr(gtpy_reader_obj *self)
{
	if (self->r == NULL)
		return PyUnicode_FromString("<gotrace.Reader closed>");
	return PyUnicode_FromFormat("<gotrace.Reader go1.%d generation=%llu "
	                            "offset=%llu>",
	                            (int)gotrace_reader_version(self->r),
	                            (unsigned long long)gotrace_reader_generation(self->r),
	                            (unsigned long long)gotrace_reader_offset(self->r));
}

static PyMethodDef reader_methods[] = {
	{"close", (PyCFunction)reader_close, METH_NOARGS,
	 "close()\n--\n\nFrees the reader (events already read stay valid)."},
	{"__enter__", (PyCFunction)reader_enter, METH_NOARGS, NULL},
	{"__exit__", (PyCFunction)reader_exit, METH_VARARGS, NULL},
	{"goroutine", (PyCFunction)reader_goroutine, METH_O,
	 "goroutine(id)\n--\n\nThe goroutine's GoroutineInfo(id, state, since, "
	 "thread, proc) as of the last event, None if it is not known or has "
	 "exited."},
	{"proc", (PyCFunction)reader_proc, METH_O,
	 "proc(id)\n--\n\nThe P's ProcInfo(id, state, since, thread), or None."},
	{"thread", (PyCFunction)reader_thread, METH_O,
	 "thread(id)\n--\n\nThe M's ThreadInfo(id, proc, goroutine, since), or "
	 "None."},
	{"goroutines", (PyCFunction)reader_goroutines, METH_NOARGS,
	 "goroutines()\n--\n\nEvery known goroutine's GoroutineInfo (in no "
	 "particular order)."},
	{"procs", (PyCFunction)reader_procs, METH_NOARGS,
	 "procs()\n--\n\nEvery known P's ProcInfo."},
	{"threads", (PyCFunction)reader_threads, METH_NOARGS,
	 "threads()\n--\n\nEvery known M's ThreadInfo."},
	{"index", (PyCFunction)reader_index, METH_NOARGS,
	 "index()\n--\n\nThe trace's generations, a list of GenerationInfo, "
	 "scanned from the batch headers (on a damaged trace the intact ones: "
	 "index_error() says why the rest is missing). UnsupportedError for a "
	 "v1 trace or an input that cannot be read twice (a pipe)."},
	{"index_error", (PyCFunction)reader_index_error, METH_NOARGS,
	 "index_error()\n--\n\nThe TraceError that ended the index's scan, or "
	 "None if it read the trace to its end."},
	{"seek_generation", (PyCFunction)reader_seek_generation, METH_O,
	 "seek_generation(n)\n--\n\nThe next event is the Sync of generation n "
	 "(its number on the wire), read as a fresh start: what Go reads of "
	 "the trace cut at n. ValueError if the index has no such generation."},
	{"seek_time", (PyCFunction)(void (*)(void))reader_seek_time,
	 METH_VARARGS | METH_KEYWORDS,
	 "seek_time(t, clock=None)\n--\n\nSeeks to the generation holding time "
	 "t. t as from_ takes it (an int of ns since the start, a timedelta, a "
	 "timezone-aware datetime, or a string: '1.5s', '@NS', RFC 3339); with "
	 "clock ('trace', 'start' or 'wall'), t is an int of ns on that clock."},
	{"set_stop", (PyCFunction)reader_set_stop, METH_O,
	 "set_stop(n)\n--\n\nEnds the reading after generation n (None: at the "
	 "end). Before the first event or right after a seek."},
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef reader_getset[] = {
	{"generation", (getter)reader_get_u64, NULL,
	 "The generation of the last event (0 before any, and in v1 traces).",
	 (void *)0},
	{"offset", (getter)reader_get_u64, NULL, "Input bytes consumed so far.",
	 (void *)1},
	{"valid_bytes", (getter)reader_get_u64, NULL,
	 "Input bytes whose events have all been delivered.", (void *)2},
	{"parked_generations", (getter)reader_get_u64, NULL,
	 "Generations ordered, at least in part, by parking waiting threads.",
	 (void *)3},
	{"state_violations", (getter)reader_get_u64, NULL,
	 "v1 traces: transitions that did not start from the resource's state.",
	 (void *)4},
	{"version", (getter)reader_get_u64, NULL,
	 "The trace's format version: the Go minor version that introduced it "
	 "(11, 19, 21, 22, 23, 25, 26).", (void *)5},
	{"incomplete", (getter)reader_get_incomplete, NULL,
	 "True if the reading ended as Go's parser ends, silently, before the "
	 "end of the trace.", NULL},
	{"closed", (getter)reader_get_closed, NULL, "True once closed.", NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject ReaderType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "gotrace.Reader",
	.tp_basicsize = sizeof(gtpy_reader_obj),
	.tp_dealloc = (destructor)reader_dealloc,
	.tp_repr = (reprfunc)reader_repr,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "A trace's ordered events: iterate it for Event objects.\n\n"
	          "Made by gotrace.open(); a context manager that closes it.",
	.tp_iter = reader_iter,
	.tp_iternext = (iternextfunc)reader_iternext,
	.tp_methods = reader_methods,
	.tp_getset = reader_getset,
};

static PyObject *gtpy_open(PyObject *module, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {"source", "threads", "gen", "from_", "to", NULL};
	PyObject *source, *threads_obj = Py_None, *gen = Py_None,
		*from_ = Py_None, *to = Py_None;
	gotrace_reader *r;
	int threads = 0, stream = 0;

	(void)module;
	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$OOOO:open", kwlist,
	                                 &source, &threads_obj, &gen, &from_, &to))
		return NULL;
	if (threads_obj != Py_None) {
		long t = PyLong_AsLong(threads_obj);

		if (t == -1 && PyErr_Occurred())
			return NULL;
		if (t < 1 || t > 64) {
			PyErr_SetString(PyExc_ValueError, "threads must be 1 to 64");
			return NULL;
		}
		threads = (int)t;
	}
	if (gtpy_open_reader_ex(source, gen, from_, to, threads, &r,
	                        &stream) < 0)
		return NULL;
	return reader_new_from(r, stream);
}

static PyMethodDef module_methods[] = {
	{"open", (PyCFunction)(void (*)(void))gtpy_open,
	 METH_VARARGS | METH_KEYWORDS,
	 "open(source, *, threads=None, gen=None, from_=None, to=None)\n--\n\n"
	 "Opens a trace for its events: a Reader (a context manager; iterate "
	 "it).\n\n"
	 "source: a path (str or os.PathLike), bytes/bytearray/memoryview "
	 "holding a trace, or a binary file object.\n"
	 "threads: as the CLI's -j (1: all on this thread; 2: ordering on a "
	 "second thread; 3+: generations ordered at once); None: "
	 "$GOTRACE_THREADS, else 2 with more than one CPU.\n"
	 "gen: generations A to B as (A, B), 'A:B', 'A:', ':B' or A; from_/to: "
	 "from/up to the generation holding a time (ns since the start as an "
	 "int or timedelta, a timezone-aware datetime, or the CLI's '1.5s', "
	 "'@NS', RFC 3339): as the CLI's --gen, --from, --to.\n\n"
	 "Raises OSError if the source cannot be opened, TraceError if it is "
	 "not a trace."},
	{NULL, NULL, 0, NULL},
};

int gtpy_reader_add(PyObject *module)
{
	PyObject *kinds;
	int i;

	if (make_names() < 0 || make_struct_types(module) < 0)
		return -1;
	if (empty_str == NULL && (empty_str = PyUnicode_InternFromString("")) == NULL)
		return -1;
	if (PyType_Ready(&EventType) < 0 || PyType_Ready(&ReaderType) < 0)
		return -1;
	if (PyModule_AddObjectRef(module, "Event", (PyObject *)&EventType) < 0 ||
	    PyModule_AddObjectRef(module, "Reader", (PyObject *)&ReaderType) < 0)
		return -1;
	kinds = PyTuple_New(NKINDS);
	if (kinds == NULL)
		return -1;
	for (i = 0; i < NKINDS; i++)
		PyTuple_SET_ITEM(kinds, i, Py_NewRef(kind_names[i]));
	if (PyModule_AddObject(module, "KINDS", kinds) < 0) {
		Py_DECREF(kinds);
		return -1;
	}
	return PyModule_AddFunctions(module, module_methods);
}
