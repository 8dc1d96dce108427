/*
 * gotrace.read_columns: the events in batches of numpy arrays, one array
 * per column, filled here without the GIL: per event a switch on its kind
 * and plain stores. Strings (reasons, names, types, ...) become int32
 * codes into a table of the whole read, interned by content in C and
 * turned into Python strings once per distinct string, after each batch.
 *
 * The Python side (gotrace/_columns.py) wraps this in an iterator and
 * builds DataFrames. The arrays are made by numpy.empty and written
 * through the buffer protocol: numpy's C API (and its headers, which are
 * not clean under the project's warnings) is not needed.
 */
#include "gtpy.h"

#include <string.h>

/* ---- the columns --------------------------------------------------------- */

enum {
	C_TIME, C_KIND, C_GOROUTINE, C_PROC, C_THREAD, C_GENERATION, C_STACK_ID,
	C_RESOURCE, C_ID, C_FROM_STATE, C_TO_STATE, C_REASON,
	C_TRANSITION_STACK_ID, C_NAME, C_VALUE, C_TASK, C_PARENT, C_TYPE,
	C_CATEGORY, C_MESSAGE, C_LABEL, C_FUNCTION, C_FILE, C_LINE, NCOLS
};

/* Column kinds: how a column is stored. */
enum { K_I64, K_U64, K_I8, K_STR };

static const struct {
	const char *name;
	int kind;
} columns[NCOLS] = {
	[C_TIME] = {"time", K_I64},
	[C_KIND] = {"kind", K_I8},
	[C_GOROUTINE] = {"goroutine", K_I64},
	[C_PROC] = {"proc", K_I64},
	[C_THREAD] = {"thread", K_I64},
	[C_GENERATION] = {"generation", K_I64},
	[C_STACK_ID] = {"stack_id", K_I64},
	[C_RESOURCE] = {"resource", K_I8},
	[C_ID] = {"id", K_I64},
	[C_FROM_STATE] = {"from_state", K_I8},
	[C_TO_STATE] = {"to_state", K_I8},
	[C_REASON] = {"reason", K_STR},
	[C_TRANSITION_STACK_ID] = {"transition_stack_id", K_I64},
	[C_NAME] = {"name", K_STR},
	[C_VALUE] = {"value", K_U64},
	[C_TASK] = {"task", K_I64},
	[C_PARENT] = {"parent", K_I64},
	[C_TYPE] = {"type", K_STR},
	[C_CATEGORY] = {"category", K_STR},
	[C_MESSAGE] = {"message", K_STR},
	[C_LABEL] = {"label", K_STR},
	[C_FUNCTION] = {"function", K_STR},
	[C_FILE] = {"file", K_STR},
	[C_LINE] = {"line", K_I64},
};

/*
 * State codes of from_state and to_state: one table for goroutines and
 * Ps (STATES in _columns.py), so that a column has one set of
 * categories. Goroutine states keep their numbers; a P's Running is the
 * goroutine's, Idle comes last.
 */
static const int8_t proc_state_code[4] = {0, 1, 3, 6};

/* ---- strings interned by content ----------------------------------------- */

typedef struct intern_table {
	/* Open addressing: slot -> code + 1 (0 free). */
	uint32_t *slots;
	size_t cap;            /* a power of two */
	/* Per code: where its bytes are in arena, and its hash. */
	size_t *off;
	size_t *len;
	uint64_t *hash;
	size_t n, code_cap;
	char *arena;
	size_t arena_len, arena_cap;
	size_t flushed;        /* codes already in the Python list */
	/*
	 * The codes of recent strings by address: most strings of a batch
	 * are a few table entries (reasons, names) met again and again.
	 * An address is only a hint, checked against the bytes, since a
	 * table's memory is reused once its generation is done.
	 */
	struct {
		const char *data;
		size_t len;
		int32_t code;
	} recent[64];
} intern_table;

static void intern_init(intern_table *t)
{
	size_t i;

	memset(t, 0, sizeof *t);
	for (i = 0; i < sizeof t->recent / sizeof t->recent[0]; i++)
		t->recent[i].code = -1;
}

static void intern_free(intern_table *t)
{
	free(t->slots);
	free(t->off);
	free(t->len);
	free(t->hash);
	free(t->arena);
	intern_init(t);
}

static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	return h;
}

static int intern_grow_slots(intern_table *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 1024, i;
	uint32_t *ns = calloc(ncap, sizeof *ns);

	if (ns == NULL)
		return -1;
	for (i = 0; i < t->n; i++) {
		size_t j = (size_t)t->hash[i] & (ncap - 1);

		while (ns[j] != 0)
			j = (j + 1) & (ncap - 1);
		ns[j] = (uint32_t)(i + 1);
	}
	free(t->slots);
	t->slots = ns;
	t->cap = ncap;
	return 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 256;
	void *np;

	while (ncap < need)
		ncap *= 2;
	if (ncap == *cap)
		return 0;
	np = realloc(*p, ncap * elem);
	if (np == NULL)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

/* The code of a string, interning it; -1 when out of memory. Runs
 * without the GIL. */
static int32_t intern(intern_table *t, const char *data, size_t len)
{
	size_t r = ((uintptr_t)data >> 3) & 63;
	uint64_t h;
	size_t j;

	if (t->recent[r].data == data && t->recent[r].len == len &&
	    t->recent[r].code >= 0 &&
	    memcmp(t->arena + t->off[t->recent[r].code], data, len) == 0)
		return t->recent[r].code;
	h = hash_bytes(data, len);

	if (t->cap != 0) {
		for (j = (size_t)h & (t->cap - 1); t->slots[j] != 0;
		     j = (j + 1) & (t->cap - 1)) {
			size_t c = t->slots[j] - 1;

			if (t->hash[c] == h && t->len[c] == len &&
			    memcmp(t->arena + t->off[c], data, len) == 0) {
				t->recent[r].data = data;
				t->recent[r].len = len;
				t->recent[r].code = (int32_t)c;
				return (int32_t)c;
			}
		}
	}
	if (t->n >= INT32_MAX - 1)
		return -1;
	if ((t->n + 1) * 2 > t->cap) {
		if (intern_grow_slots(t) < 0)
			return -1;
	}
	if (t->n + 1 > t->code_cap) {
		size_t c1 = t->code_cap, c2 = t->code_cap, c3 = t->code_cap;

		if (grow((void **)&t->off, &c1, t->n + 1, sizeof *t->off) < 0 ||
		    grow((void **)&t->len, &c2, t->n + 1, sizeof *t->len) < 0 ||
		    grow((void **)&t->hash, &c3, t->n + 1, sizeof *t->hash) < 0)
			return -1;
		t->code_cap = c1;
	}
	if (grow((void **)&t->arena, &t->arena_cap, t->arena_len + len + 1, 1) < 0)
		return -1;
	if (len > 0)
		memcpy(t->arena + t->arena_len, data, len);
	t->off[t->n] = t->arena_len;
	t->len[t->n] = len;
	t->hash[t->n] = h;
	t->arena_len += len;
	for (j = (size_t)h & (t->cap - 1); t->slots[j] != 0;
	     j = (j + 1) & (t->cap - 1))
		;
	t->slots[j] = (uint32_t)(t->n + 1);
	t->recent[r].data = data;
	t->recent[r].len = len;
	t->recent[r].code = (int32_t)t->n;
	return (int32_t)t->n++;
}

/* ---- the column reader ----------------------------------------------------- */

static const char *dtype_of(int kind);
static PyObject *np_empty;

/*
 * The arrays of the last two batches, kept to be written again: a batch
 * of 65536 events is 11 MB of arrays, and memory that large comes fresh
 * from the kernel each time (page faults cost a third of the read). An
 * array is reused only when ours is its only reference: the caller has
 * dropped the batch (a loop over batches has, two batches on) and holds
 * no view of it.
 */
#define POOL 2

/*
 * The innermost frame of recent stacks, as codes, by generation and stack
 * ID (stack IDs are a generation's own): events repeat their stacks, and
 * interning the function's and the file's names for every event would
 * cost more than the rest of its row.
 */
#define FRAME_CACHE 1024  /* a power of two */

typedef struct frame_codes {
	uint64_t gen, id;
	int32_t func, file;  /* string codes; -1 for an empty stack */
	int64_t line;
	int valid;
} frame_codes;

/* Events fill reads from the library at a time. */
#define EV_BATCH 64

typedef struct gtpy_colreader {
	PyObject_HEAD
	gotrace_reader *r;
	intern_table strings;
	PyObject *string_list;  /* code -> str */
	int want[NCOLS];
	int done;               /* 1: EOF; 2: an error is pending */
	int busy;
	PyObject *pool[POOL][NCOLS];
	Py_ssize_t pool_size[POOL];
	int pool_next;
	frame_codes frames[FRAME_CACHE];
	/* Events read a batch at a time (gotrace_reader_next_batch); those
	 * not yet in a column wait here for the next fill. */
	size_t ev_at, ev_have;
	gotrace_event evs[EV_BATCH];
} gtpy_colreader;

static PyTypeObject ColReaderType;

static void colreader_release(gtpy_colreader *self)
{
	gotrace_reader *r = self->r;

	self->r = NULL;
	if (r != NULL) {
		Py_BEGIN_ALLOW_THREADS
		gotrace_reader_free(r);
		Py_END_ALLOW_THREADS
	}
	intern_free(&self->strings);
}

static void pool_clear(gtpy_colreader *self)
{
	int i, j;

	for (i = 0; i < POOL; i++)
		for (j = 0; j < NCOLS; j++)
			Py_CLEAR(self->pool[i][j]);
}

/* An array of column c for size rows: one of the pool's that nobody else
 * holds, or a new one. */
static PyObject *column_array(gtpy_colreader *self, int c, Py_ssize_t size)
{
	int i;

	for (i = 0; i < POOL; i++) {
		PyObject *a = self->pool[i][c];

		if (a != NULL && Py_REFCNT(a) == 1 && self->pool_size[i] == size) {
			self->pool[i][c] = NULL;
			return a;
		}
	}
	return PyObject_CallFunction(np_empty, "ns", size,
	                             dtype_of(columns[c].kind));
}

static void colreader_dealloc(gtpy_colreader *self)
{
	colreader_release(self);
	pool_clear(self);
	Py_XDECREF(self->string_list);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Where one batch's columns are written. */
typedef struct batch {
	void *col[NCOLS];
	size_t n;          /* events stored */
	int rc;            /* the reader's last status */
	int nomem;         /* the string table could not grow */
} batch;

#define PUT(b, c, type, i, v) \
	do { if ((b)->col[c] != NULL) ((type *)(b)->col[c])[i] = (v); } while (0)

static int32_t str_code(intern_table *t, batch *b, gotrace_string s)
{
	int32_t c = intern(t, s.data, s.len);

	if (c < 0)
		b->nomem = 1;
	return c;
}

static int32_t cstr_code(intern_table *t, batch *b, const char *s)
{
	return s != NULL ? str_code(t, b, (gotrace_string){s, strlen(s)}) : -1;
}

/* The innermost frame of ev's stack, through the cache. */
static const frame_codes *innermost_frame(frame_codes *cache,
                                          intern_table *t, batch *b,
                                          const gotrace_event *ev)
{
	uint64_t id = ev->stack.id, gen = ev->generation;
	frame_codes *fc = &cache[(id * 0x9e3779b97f4a7c15u + gen) >>
	                         54 & (FRAME_CACHE - 1)];
	gotrace_frame f;

	if (fc->valid && fc->id == id && fc->gen == gen)
		return fc;
	fc->func = fc->file = -1;
	fc->line = -1;
	if (gotrace_stack_frame(ev->stack, 0, &f) == 0) {
		fc->func = str_code(t, b, f.func);
		fc->file = str_code(t, b, f.file);
		fc->line = (int64_t)f.line;
	}
	/* (Not kept if interning ran out of memory: the batch ends.) */
	fc->valid = !b->nomem;
	fc->id = id;
	fc->gen = gen;
	return fc;
}

/* Fills up to max events; runs without the GIL. */
static void fill(gtpy_colreader *self, batch *b, size_t max)
{
	intern_table *t = &self->strings;
	frame_codes *frames = self->frames;
	size_t i;
	int want_frames = b->col[C_FUNCTION] != NULL ||
	                  b->col[C_FILE] != NULL || b->col[C_LINE] != NULL;

	for (i = 0; i < max; i++) {
		int8_t res = -1, from = -1, to = -1;
		int64_t id = -1, task = -1, parent = -1, tstk = 0;
		int32_t reason = -1, name = -1, type = -1, category = -1,
			message = -1, label = -1;
		uint64_t value = 0;
		const gotrace_event *e;

		if (self->ev_at == self->ev_have) {
			self->ev_at = self->ev_have = 0;
			b->rc = gotrace_reader_next_batch(self->r, self->evs,
			                                  EV_BATCH,
			                                  &self->ev_have);
			if (b->rc != GOTRACE_OK)
				break;
		}
		e = &self->evs[self->ev_at++];
		switch (e->kind) {
		case GOTRACE_EVENT_STATE_TRANSITION:
			res = (int8_t)e->u.transition.resource;
			id = e->u.transition.id;
			if (res == GOTRACE_RESOURCE_PROC) {
				from = e->u.transition.old_state >= 0 &&
				       e->u.transition.old_state < 4
				       ? proc_state_code[e->u.transition.old_state] : -1;
				to = e->u.transition.new_state >= 0 &&
				     e->u.transition.new_state < 4
				     ? proc_state_code[e->u.transition.new_state] : -1;
			} else {
				from = (int8_t)e->u.transition.old_state;
				to = (int8_t)e->u.transition.new_state;
			}
			if (b->col[C_REASON] != NULL)
				reason = str_code(t, b, e->u.transition.reason);
			if (gotrace_stack_present(e->u.transition.stack))
				tstk = (int64_t)e->u.transition.stack.id;
			break;
		case GOTRACE_EVENT_METRIC:
			value = e->u.metric.value;
			if (b->col[C_NAME] != NULL)
				name = cstr_code(t, b, e->u.metric.name);
			break;
		case GOTRACE_EVENT_LABEL:
			res = (int8_t)e->u.label.resource;
			id = e->u.label.id;
			if (b->col[C_LABEL] != NULL)
				label = str_code(t, b, e->u.label.label);
			break;
		case GOTRACE_EVENT_RANGE_BEGIN:
		case GOTRACE_EVENT_RANGE_ACTIVE:
		case GOTRACE_EVENT_RANGE_END:
			res = (int8_t)e->u.range.scope;
			if (res != GOTRACE_RESOURCE_NONE)
				id = e->u.range.scope_id;
			if (b->col[C_NAME] != NULL)
				name = str_code(t, b, e->u.range.name);
			break;
		case GOTRACE_EVENT_TASK_BEGIN:
		case GOTRACE_EVENT_TASK_END:
			task = (int64_t)e->u.task.id;
			parent = (int64_t)e->u.task.parent;
			if (b->col[C_TYPE] != NULL)
				type = str_code(t, b, e->u.task.type);
			break;
		case GOTRACE_EVENT_REGION_BEGIN:
		case GOTRACE_EVENT_REGION_END:
			task = (int64_t)e->u.region.task;
			if (b->col[C_TYPE] != NULL)
				type = str_code(t, b, e->u.region.type);
			break;
		case GOTRACE_EVENT_LOG:
			task = (int64_t)e->u.log.task;
			if (b->col[C_CATEGORY] != NULL)
				category = str_code(t, b, e->u.log.category);
			if (b->col[C_MESSAGE] != NULL)
				message = str_code(t, b, e->u.log.message);
			break;
		case GOTRACE_EVENT_EXPERIMENTAL:
			if (b->col[C_NAME] != NULL)
				name = cstr_code(t, b, e->u.experimental.name);
			break;
		default:
			break;
		}
		PUT(b, C_TIME, int64_t, i, e->time);
		PUT(b, C_KIND, int8_t, i, (int8_t)e->kind);
		PUT(b, C_GOROUTINE, int64_t, i, e->goroutine);
		PUT(b, C_PROC, int64_t, i, e->proc);
		PUT(b, C_THREAD, int64_t, i, e->thread);
		PUT(b, C_GENERATION, int64_t, i, (int64_t)e->generation);
		PUT(b, C_STACK_ID, int64_t, i,
		    gotrace_stack_present(e->stack) ? (int64_t)e->stack.id : 0);
		PUT(b, C_RESOURCE, int8_t, i, res);
		PUT(b, C_ID, int64_t, i, id);
		PUT(b, C_FROM_STATE, int8_t, i, from);
		PUT(b, C_TO_STATE, int8_t, i, to);
		PUT(b, C_REASON, int32_t, i, reason);
		PUT(b, C_TRANSITION_STACK_ID, int64_t, i, tstk);
		PUT(b, C_NAME, int32_t, i, name);
		PUT(b, C_VALUE, uint64_t, i, value);
		PUT(b, C_TASK, int64_t, i, task);
		PUT(b, C_PARENT, int64_t, i, parent);
		PUT(b, C_TYPE, int32_t, i, type);
		PUT(b, C_CATEGORY, int32_t, i, category);
		PUT(b, C_MESSAGE, int32_t, i, message);
		PUT(b, C_LABEL, int32_t, i, label);
		if (want_frames) {
			const frame_codes *fc = NULL;

			if (gotrace_stack_present(e->stack))
				fc = innermost_frame(frames, t, b, e);
			PUT(b, C_FUNCTION, int32_t, i, fc != NULL ? fc->func : -1);
			PUT(b, C_FILE, int32_t, i, fc != NULL ? fc->file : -1);
			PUT(b, C_LINE, int64_t, i, fc != NULL ? fc->line : -1);
		}
		if (b->nomem) {
			i++;
			break;
		}
	}
	b->n = i;
}

/* Appends the strings interned since the last call to string_list. */
static int flush_strings(gtpy_colreader *self)
{
	intern_table *t = &self->strings;

	while (t->flushed < t->n) {
		size_t c = t->flushed;
		PyObject *s = gtpy_string(t->arena + t->off[c], t->len[c]);

		if (s == NULL)
			return -1;
		if (PyList_Append(self->string_list, s) < 0) {
			Py_DECREF(s);
			return -1;
		}
		Py_DECREF(s);
		t->flushed++;
	}
	return 0;
}

static const char *dtype_of(int kind)
{
	switch (kind) {
	case K_I64: return "int64";
	case K_U64: return "uint64";
	case K_I8: return "int8";
	default: return "int32";
	}
}

/* numpy.empty, taken at import (declared above). */

static PyObject *colreader_next_batch(gtpy_colreader *self, PyObject *arg)
{
	PyObject *arrays[NCOLS] = {NULL}, *dict = NULL;
	Py_ssize_t size;
	batch b;
	int i;

	size = PyLong_AsSsize_t(arg);
	if (size == -1 && PyErr_Occurred())
		return NULL;
	if (size < 1) {
		PyErr_SetString(PyExc_ValueError, "batch_size must be positive");
		return NULL;
	}
	if (self->r == NULL) {
		PyErr_SetString(PyExc_ValueError, "the reader is closed");
		return NULL;
	}
	if (self->busy) {
		PyErr_SetString(PyExc_RuntimeError,
		                "the reader is in use by another thread");
		return NULL;
	}
	if (self->done == 1)
		Py_RETURN_NONE;
	if (self->done == 2)
		return gtpy_raise_trace_error(self->r);
	memset(&b, 0, sizeof b);
	for (i = 0; i < NCOLS; i++) {
		Py_buffer view;

		if (!self->want[i])
			continue;
		arrays[i] = column_array(self, i, size);
		if (arrays[i] == NULL)
			goto fail;
		if (PyObject_GetBuffer(arrays[i], &view,
		                       PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0)
			goto fail;
		/* The array keeps its memory; the view is not needed to write
		 * it while we hold the array. */
		b.col[i] = view.buf;
		PyBuffer_Release(&view);
	}
	self->busy = 1;
	Py_BEGIN_ALLOW_THREADS
	fill(self, &b, (size_t)size);
	Py_END_ALLOW_THREADS
	self->busy = 0;
	if (flush_strings(self) < 0)
		goto fail;
	if (b.nomem) {
		PyErr_NoMemory();
		goto fail;
	}
	if (b.rc == GOTRACE_EOF)
		self->done = 1;
	else if (b.rc != GOTRACE_OK)
		self->done = 2;
	if (b.n == 0) {
		for (i = 0; i < NCOLS; i++)
			Py_XDECREF(arrays[i]);
		if (self->done == 2)
			return gtpy_raise_trace_error(self->r);
		Py_RETURN_NONE;
	}
	/* This batch's arrays go to the pool, for the batch after next. */
	{
		int slot = self->pool_next;

		self->pool_next = (slot + 1) % POOL;
		for (i = 0; i < NCOLS; i++)
			Py_XSETREF(self->pool[slot][i], Py_XNewRef(arrays[i]));
		self->pool_size[slot] = size;
	}
	dict = PyDict_New();
	if (dict == NULL)
		goto fail;
	for (i = 0; i < NCOLS; i++) {
		if (arrays[i] == NULL)
			continue;
		if (b.n < (size_t)size) {
			/* The last batch: a copy of its rows, not a view that
			 * would keep the whole batch's memory. */
			PyObject *part = PySequence_GetSlice(arrays[i], 0,
			                                     (Py_ssize_t)b.n);
			PyObject *copy = part != NULL
			                 ? PyObject_CallMethod(part, "copy", NULL) : NULL;

			Py_XDECREF(part);
			if (copy == NULL)
				goto fail;
			Py_SETREF(arrays[i], copy);
		}
		if (PyDict_SetItemString(dict, columns[i].name, arrays[i]) < 0)
			goto fail;
	}
	for (i = 0; i < NCOLS; i++)
		Py_XDECREF(arrays[i]);
	return dict;
fail:
	for (i = 0; i < NCOLS; i++)
		Py_XDECREF(arrays[i]);
	Py_XDECREF(dict);
	return NULL;
}

static PyObject *colreader_close(gtpy_colreader *self, PyObject *unused)
{
	(void)unused;
	if (self->busy) {
		PyErr_SetString(PyExc_RuntimeError,
		                "the reader is in use by another thread");
		return NULL;
	}
	colreader_release(self);
	pool_clear(self);
	Py_RETURN_NONE;
}

static PyObject *colreader_get_strings(gtpy_colreader *self, void *c)
{
	(void)c;
	return Py_NewRef(self->string_list);
}

static PyMethodDef colreader_methods[] = {
	{"next_batch", (PyCFunction)colreader_next_batch, METH_O,
	 "next_batch(n)\n--\n\nUp to n events as a dict of arrays; None at the "
	 "end. A trace error is raised after the batch holding the events "
	 "before it."},
	{"close", (PyCFunction)colreader_close, METH_NOARGS, NULL},
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef colreader_getset[] = {
	{"strings", (getter)colreader_get_strings, NULL,
	 "The string table: code -> str (it only grows).", NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject ColReaderType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "gotrace._gotrace.ColumnReader",
	.tp_basicsize = sizeof(gtpy_colreader),
	.tp_dealloc = (destructor)colreader_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "The reader behind gotrace.read_columns.",
	.tp_methods = colreader_methods,
	.tp_getset = colreader_getset,
};

/* _column_reader(source, columns, threads, gen, from_, to) */
static PyObject *column_reader(PyObject *module, PyObject *args)
{
	PyObject *source, *cols, *threads_obj, *gen, *from_, *to, *seq;
	gtpy_colreader *self;
	Py_ssize_t i, n;
	int want[NCOLS] = {0}, threads = 0, k;
	gotrace_reader *r;

	(void)module;
	if (!PyArg_ParseTuple(args, "OOOOOO:_column_reader", &source, &cols,
	                      &threads_obj, &gen, &from_, &to))
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
	seq = PySequence_Fast(cols, "columns must be a sequence of names");
	if (seq == NULL)
		return NULL;
	n = PySequence_Fast_GET_SIZE(seq);
	for (i = 0; i < n; i++) {
		const char *name = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(seq, i));

		if (name == NULL) {
			Py_DECREF(seq);
			return NULL;
		}
		for (k = 0; k < NCOLS; k++)
			if (strcmp(name, columns[k].name) == 0)
				break;
		if (k == NCOLS) {
			PyErr_Format(PyExc_ValueError, "no column %R", 
			             PySequence_Fast_GET_ITEM(seq, i));
			Py_DECREF(seq);
			return NULL;
		}
		want[k] = 1;
	}
	Py_DECREF(seq);
	if (gtpy_open_reader(source, gen, from_, to, threads, &r) < 0)
		return NULL;
	self = PyObject_New(gtpy_colreader, &ColReaderType);
	if (self == NULL) {
		gotrace_reader_free(r);
		return NULL;
	}
	self->r = r;
	intern_init(&self->strings);
	memcpy(self->want, want, sizeof want);
	self->done = 0;
	self->busy = 0;
	memset(self->pool, 0, sizeof self->pool);
	memset(self->pool_size, 0, sizeof self->pool_size);
	self->pool_next = 0;
	/* (PyObject_New does not clear: a freed reader's cache, codes into
	 * another string table, could be here.) */
	memset(self->frames, 0, sizeof self->frames);
	self->ev_at = self->ev_have = 0;
	self->string_list = PyList_New(0);
	if (self->string_list == NULL) {
		Py_DECREF(self);
		return NULL;
	}
	return (PyObject *)self;
}

static PyMethodDef column_functions[] = {
	{"_column_reader", column_reader, METH_VARARGS,
	 "_column_reader(source, columns, threads, gen, from_, to)\n--\n\n"
	 "The reader behind gotrace.read_columns."},
	{NULL, NULL, 0, NULL},
};

static int import_numpy(void)
{
	PyObject *np;

	if (np_empty != NULL)
		return 0;
	np = PyImport_ImportModule("numpy");
	if (np == NULL)
		return -1;
	np_empty = PyObject_GetAttrString(np, "empty");
	Py_DECREF(np);
	return np_empty != NULL ? 0 : -1;
}

int gtpy_columns_add(PyObject *module)
{
	PyObject *names;
	int i;

	if (import_numpy() < 0)
		return -1;
	if (PyType_Ready(&ColReaderType) < 0)
		return -1;
	names = PyTuple_New(NCOLS);
	if (names == NULL)
		return -1;
	for (i = 0; i < NCOLS; i++) {
		PyObject *s = PyUnicode_FromString(columns[i].name);

		if (s == NULL) {
			Py_DECREF(names);
			return -1;
		}
		PyTuple_SET_ITEM(names, i, s);
	}
	if (PyModule_AddObject(module, "COLUMN_NAMES", names) < 0) {
		Py_DECREF(names);
		return -1;
	}
	return PyModule_AddFunctions(module, column_functions);
}
