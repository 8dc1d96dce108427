/*
 * The analyses and exports as module functions: the private _goroutines,
 * _tasks, _regions, _gc, _mmu, _pprof and _timeline, which gotrace/
 * analyses.py turns into DataFrames and files.
 *
 * Each reads the trace once (pprof and timeline: as `gotrace pprof` and
 * `gotrace timeline` read it, up to three times) with the GIL released,
 * feeding the library's analysis objects, then builds the columns of the
 * CLI's --csv output in C: numbers as bytearrays of native 8-byte values
 * (numpy.frombuffer takes them without a copy), strings and lists as
 * Python lists, and the nested columns ("block_ns.sync", "histogram.1000")
 * with a mask of the rows whose CSV cell is empty.
 *
 * A function returns (result, error): error is None, or the exception a
 * reader error raised (a TraceError, say), not raised, so that the caller
 * can still have the results of the events before it, as the CLI prints
 * them before its error message. Anything else (bad arguments, a source
 * that cannot be opened, no memory, an output that cannot be written) is
 * raised.
 */
#include "gtpy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- columns ------------------------------------------------------------ */

/*
 * The columns of one table, in the CSV's order: a dict from name to a
 * number column (dtype, bytearray, None) or a list. Nested columns (a
 * masked number column (dtype, bytearray, mask bytearray)) are kept
 * apart until table_done() puts them after the others, sorted by name as
 * the CSV's header sorts them.
 */
typedef struct table {
	PyObject *cols;
	PyObject *nested;
	Py_ssize_t n;
} table;

static int table_init(table *t, size_t n)
{
	t->cols = t->nested = NULL;
	if (n > (size_t)(PY_SSIZE_T_MAX / 8)) {
		PyErr_NoMemory();
		return -1;
	}
	t->n = (Py_ssize_t)n;
	t->cols = PyDict_New();
	t->nested = PyDict_New();
	if (t->cols == NULL || t->nested == NULL) {
		Py_CLEAR(t->cols);
		Py_CLEAR(t->nested);
		return -1;
	}
	return 0;
}

static void table_clear(table *t)
{
	Py_CLEAR(t->cols);
	Py_CLEAR(t->nested);
}

/* Adds value under name; steals the reference. 0 or -1. */
static int table_put(table *t, const char *name, PyObject *value)
{
	int rc;

	if (value == NULL)
		return -1;
	rc = PyDict_SetItemString(t->cols, name, value);
	Py_DECREF(value);
	return rc;
}

/* A number column of n 8-byte values of dtype ("i8", "u8", "f8"): its
 * data, or NULL with an exception set. */
static char *table_num(table *t, const char *name, const char *dtype)
{
	PyObject *b = PyByteArray_FromStringAndSize(NULL, t->n * 8);
	PyObject *col;

	if (b == NULL)
		return NULL;
	col = Py_BuildValue("(sOO)", dtype, b, Py_None);
	Py_DECREF(b);
	if (table_put(t, name, col) < 0)
		return NULL;
	return PyByteArray_AS_STRING(b);
}

/* A list column of n items, to be filled with PyList_SET_ITEM. */
static PyObject *table_list(table *t, const char *name)
{
	PyObject *l = PyList_New(t->n);

	if (l == NULL || PyDict_SetItemString(t->cols, name, l) < 0) {
		Py_XDECREF(l);
		return NULL;
	}
	Py_DECREF(l);
	return l;
}

static void put_i64(char *col, size_t i, int64_t v)
{
	memcpy(col + i * 8, &v, 8);
}

static void put_u64(char *col, size_t i, uint64_t v)
{
	memcpy(col + i * 8, &v, 8);
}

/* Stores a string item into a list column: 0, or -1 with an exception. */
static int put_str(PyObject *list, size_t i, gotrace_string s)
{
	PyObject *o = gtpy_string(s.data, s.len);

	if (o == NULL)
		return -1;
	PyList_SET_ITEM(list, (Py_ssize_t)i, o);
	return 0;
}

/*
 * Sets row i of the nested int64 column prefix + key (key is a str, or
 * bytes from the trace): created with every row missing at its first
 * value. 0 or -1.
 */
static int table_nested(table *t, const char *prefix, PyObject *key,
                        size_t i, int64_t v)
{
	PyObject *name, *col;
	char *vals, *mask;

	name = PyUnicode_FromFormat("%s.%U", prefix, key);
	if (name == NULL)
		return -1;
	col = PyDict_GetItemWithError(t->nested, name);
	if (col == NULL) {
		PyObject *b, *m;

		if (PyErr_Occurred()) {
			Py_DECREF(name);
			return -1;
		}
		b = PyByteArray_FromStringAndSize(NULL, t->n * 8);
		m = PyByteArray_FromStringAndSize(NULL, t->n);
		col = b != NULL && m != NULL ? Py_BuildValue("(sOO)", "i8", b, m)
		                             : NULL;
		Py_XDECREF(b);
		Py_XDECREF(m);
		if (col == NULL) {
			Py_DECREF(name);
			return -1;
		}
		memset(PyByteArray_AS_STRING(b), 0, (size_t)t->n * 8);
		memset(PyByteArray_AS_STRING(m), 1, (size_t)t->n);
		if (PyDict_SetItem(t->nested, name, col) < 0) {
			Py_DECREF(col);
			Py_DECREF(name);
			return -1;
		}
		Py_DECREF(col);
	}
	Py_DECREF(name);
	vals = PyByteArray_AS_STRING(PyTuple_GET_ITEM(col, 1));
	mask = PyByteArray_AS_STRING(PyTuple_GET_ITEM(col, 2));
	put_i64(vals, i, v);
	mask[i] = 0;
	return 0;
}

/* table_nested with a trace string as the key. */
static int table_nested_str(table *t, const char *prefix, gotrace_string key,
                            size_t i, int64_t v)
{
	PyObject *k = gtpy_string(key.data, key.len);
	int rc;

	if (k == NULL)
		return -1;
	rc = table_nested(t, prefix, k, i, v);
	Py_DECREF(k);
	return rc;
}

/* The columns, the nested ones last and sorted; NULL with an exception.
 * The table is cleared either way. */
static PyObject *table_done(table *t)
{
	PyObject *keys = PyDict_Keys(t->nested), *cols = NULL;
	Py_ssize_t i;

	if (keys == NULL || PyList_Sort(keys) < 0)
		goto out;
	for (i = 0; i < PyList_GET_SIZE(keys); i++) {
		PyObject *k = PyList_GET_ITEM(keys, i);
		PyObject *v = PyDict_GetItemWithError(t->nested, k);

		if (v == NULL || PyDict_SetItem(t->cols, k, v) < 0)
			goto out;
	}
	cols = t->cols;
	Py_INCREF(cols);
out:
	Py_XDECREF(keys);
	table_clear(t);
	return cols;
}

/* A distribution's columns (cli_rec_duration_stats): total_ns ...
 * max_ns, and the histogram's nonempty buckets as "histogram.BOUND". */
typedef struct stats_cols {
	char *total, *min, *p50, *p90, *p99, *max;
} stats_cols;

static int stats_add(table *t, stats_cols *c)
{
	return (c->total = table_num(t, "total_ns", "i8")) == NULL ||
	       (c->min = table_num(t, "min_ns", "i8")) == NULL ||
	       (c->p50 = table_num(t, "p50_ns", "i8")) == NULL ||
	       (c->p90 = table_num(t, "p90_ns", "i8")) == NULL ||
	       (c->p99 = table_num(t, "p99_ns", "i8")) == NULL ||
	       (c->max = table_num(t, "max_ns", "i8")) == NULL ? -1 : 0;
}

static int stats_put(table *t, const stats_cols *c, size_t i,
                     const gotrace_duration_stats *d)
{
	int b;

	put_i64(c->total, i, d->total);
	put_i64(c->min, i, d->min);
	put_i64(c->p50, i, d->p50);
	put_i64(c->p90, i, d->p90);
	put_i64(c->p99, i, d->p99);
	put_i64(c->max, i, d->max);
	for (b = 0; b < GOTRACE_HISTOGRAM_BUCKETS; b++) {
		PyObject *bound;
		int rc;

		if (d->buckets[b] == 0)
			continue;
		bound = PyUnicode_FromFormat("%lld",
		                             (long long)gotrace_histogram_bucket_min(b));
		if (bound == NULL)
			return -1;
		rc = table_nested(t, "histogram", bound, i,
		                  d->buckets[b] > (uint64_t)INT64_MAX
		                  ? INT64_MAX : (int64_t)d->buckets[b]);
		Py_DECREF(bound);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int64_t count64(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* ---- reading ------------------------------------------------------------ */

/* The trace and the range to read, as the Python caller gave them. */
typedef struct source_args {
	PyObject *source, *gen, *from_, *to;
	int threads;
} source_args;

typedef int (*feed_fn)(void *obj, const gotrace_event *ev);

/* One read of the trace: what is fed, and what the read saw. */
typedef struct pass {
	feed_fn feed;          /* NULL: only count */
	void *obj;
	uint64_t limit;        /* feed the first limit events only */
	uint64_t events;       /* delivered by the reader */
	uint64_t through_sync; /* events up to and including the last Sync */
	uint64_t fed;
	int status;            /* GOTRACE_EOF, the reader's error, or feed's */
	int feed_failed;       /* status is feed's */
	PyObject *error;       /* the reader's error, as an exception object */
} pass;

static void pass_init(pass *p, feed_fn feed, void *obj)
{
	memset(p, 0, sizeof *p);
	p->feed = feed;
	p->obj = obj;
	p->limit = UINT64_MAX;
}

/* Between checks for a signal (Ctrl-C in a notebook), the GIL is let go
 * for this many events. */
#define EVENTS_PER_CHECK ((uint64_t)1 << 20)

/* The pending exception as an object (traceback attached); NULL if none. */
static PyObject *fetch_exception(void)
{
	PyObject *type, *value, *tb;

	PyErr_Fetch(&type, &value, &tb);
	if (type == NULL)
		return NULL;
	PyErr_NormalizeException(&type, &value, &tb);
	if (value != NULL && tb != NULL)
		PyException_SetTraceback(value, tb);
	Py_XDECREF(type);
	Py_XDECREF(tb);
	return value;
}

/*
 * Reads the trace once, from the start of the range, into p (which keeps
 * its counts' zero: call pass_init, or reset events/fed before). Returns
 * 0 once read (p->status says how it ended; a reader error's exception is
 * in p->error), or -1 with an exception set: the source could not be
 * opened, or a signal handler raised.
 */
static int read_pass(const source_args *a, pass *p)
{
	gotrace_reader *r;
	gotrace_event evs[64];
	size_t got = 0, i;
	PyThreadState *ts;
	int rc = GOTRACE_OK, frc = GOTRACE_OK;

	Py_CLEAR(p->error);
	p->events = p->through_sync = p->fed = 0;
	p->feed_failed = 0;
	if (gtpy_open_reader(a->source, a->gen, a->from_, a->to, a->threads,
	                     &r) < 0) {
		/* A trace error before the first event (a bad header; a v1
		 * trace, read whole at the start) is the read's error, as the
		 * CLI reports it after the (empty) results. */
		if (!PyErr_ExceptionMatches(gtpy_TraceError))
			return -1;
		p->status = GOTRACE_ERR_INVALID;
		p->error = fetch_exception();
		return 0;
	}
	ts = PyEval_SaveThread();
	for (;;) {
		uint64_t stop = p->events + EVENTS_PER_CHECK;

		/* (The analyses ask the reader nothing between events: they
		 * can take them in batches.) */
		while (frc == GOTRACE_OK && p->events < stop &&
		       (rc = gotrace_reader_next_batch(r, evs, 64, &got)) ==
		       GOTRACE_OK) {
			for (i = 0; i < got; i++) {
				p->events++;
				if (evs[i].kind == GOTRACE_EVENT_SYNC)
					p->through_sync = p->events;
				if (p->feed != NULL && p->fed < p->limit) {
					p->fed++;
					frc = p->feed(p->obj, &evs[i]);
					if (frc != GOTRACE_OK)
						break;
				}
			}
		}
		if (rc != GOTRACE_OK || frc != GOTRACE_OK)
			break;
		PyEval_RestoreThread(ts);
		if (PyErr_CheckSignals() < 0) {
			ts = PyEval_SaveThread();
			gotrace_reader_free(r);
			PyEval_RestoreThread(ts);
			return -1;
		}
		ts = PyEval_SaveThread();
	}
	PyEval_RestoreThread(ts);
	if (frc != GOTRACE_OK) {
		p->status = frc;
		p->feed_failed = 1;
	} else {
		p->status = rc;
		if (rc < 0) {
			gtpy_raise_trace_error(r);
			if ((p->error = fetch_exception()) == NULL) {
				gtpy_raise_status(rc, NULL);
				p->error = fetch_exception();
			}
		}
	}
	/* A worker thread may be in the middle of a read, which for a Python
	 * file object needs the GIL. */
	ts = PyEval_SaveThread();
	gotrace_reader_free(r);
	PyEval_RestoreThread(ts);
	return 0;
}

/* (result, error) with the references stolen; NULL if result is NULL. */
static PyObject *result_pair(PyObject *result, PyObject *error)
{
	PyObject *t;

	if (result == NULL) {
		Py_XDECREF(error);
		return NULL;
	}
	t = PyTuple_Pack(2, result, error != NULL ? error : Py_None);
	Py_DECREF(result);
	Py_XDECREF(error);
	return t;
}

/* Reads the trace into one analysis and finishes it (also after a reader
 * error). 0, with the reader's error in *error (or NULL), or -1 with an
 * exception set. */
static int analyse(const source_args *a, feed_fn feed, int (*finish)(void *),
                   void *obj, PyObject **error)
{
	pass p;
	int rc;

	*error = NULL;
	pass_init(&p, feed, obj);
	if (read_pass(a, &p) < 0)
		return -1;
	if (p.feed_failed) {
		/* The analyses' feeds fail only for want of memory. */
		Py_CLEAR(p.error);
		gtpy_raise_status(p.status, NULL);
		return -1;
	}
	Py_BEGIN_ALLOW_THREADS
	rc = finish(obj);
	Py_END_ALLOW_THREADS
	if (rc != GOTRACE_OK) {
		Py_CLEAR(p.error);
		gtpy_raise_status(rc, NULL);
		return -1;
	}
	*error = p.error;
	return 0;
}

static int summary_feed(void *obj, const gotrace_event *ev)
{
	return gotrace_summary_feed(obj, ev);
}

static int summary_finish(void *obj)
{
	return gotrace_summary_finish(obj);
}

static int gc_feed(void *obj, const gotrace_event *ev)
{
	return gotrace_gc_feed(obj, ev);
}

static int gc_finish(void *obj)
{
	return gotrace_gc_finish(obj);
}

static int mmu_feed(void *obj, const gotrace_event *ev)
{
	return gotrace_mmu_feed(obj, ev);
}

static int mmu_finish(void *obj)
{
	return gotrace_mmu_finish(obj);
}

static int pprof_feed(void *obj, const gotrace_event *ev)
{
	return gotrace_pprof_feed(obj, ev);
}

static int timeline_feed(void *obj, const gotrace_event *ev)
{
	return gotrace_timeline_feed(obj, ev);
}

/* The keywords every function starts with. */
#define SOURCE_KWLIST "source", "gen", "from_", "to", "threads"
#define SOURCE_FORMAT "O|OOOi"

static void source_args_init(source_args *a)
{
	a->source = NULL;
	a->gen = a->from_ = a->to = Py_None;
	a->threads = 0;
}

/* A summary of the whole trace (or range): NULL with an exception set. */
static gotrace_summary *read_summary(const source_args *a, PyObject **error)
{
	gotrace_summary *s;

	if (gotrace_summary_new(&s) != GOTRACE_OK) {
		PyErr_NoMemory();
		return NULL;
	}
	if (analyse(a, summary_feed, summary_finish, s, error) < 0) {
		gotrace_summary_free(s);
		return NULL;
	}
	return s;
}

/* ---- goroutines --------------------------------------------------------- */

static PyObject *goroutine_table(const gotrace_summary *s)
{
	size_t n = gotrace_summary_goroutine_count(s), i, k;
	char *id, *pc, *creation, *start, *end, *exec, *sched, *sys, *sysblk;
	char *total, *regions;
	PyObject *name;
	table t;

	if (table_init(&t, n) < 0)
		return NULL;
	if ((id = table_num(&t, "id", "i8")) == NULL ||
	    (name = table_list(&t, "name")) == NULL ||
	    (pc = table_num(&t, "pc", "u8")) == NULL ||
	    (creation = table_num(&t, "creation_ns", "i8")) == NULL ||
	    (start = table_num(&t, "start_ns", "i8")) == NULL ||
	    (end = table_num(&t, "end_ns", "i8")) == NULL ||
	    (exec = table_num(&t, "exec_ns", "i8")) == NULL ||
	    (sched = table_num(&t, "sched_wait_ns", "i8")) == NULL ||
	    (sys = table_num(&t, "syscall_ns", "i8")) == NULL ||
	    (sysblk = table_num(&t, "syscall_block_ns", "i8")) == NULL ||
	    (total = table_num(&t, "total_ns", "i8")) == NULL ||
	    (regions = table_num(&t, "regions", "i8")) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		gotrace_goroutine_summary g;

		if (gotrace_summary_goroutine_at(s, i, &g) != 0) {
			PyErr_NoMemory();
			goto fail;
		}
		put_i64(id, i, g.id);
		if (put_str(name, i, g.name) < 0)
			goto fail;
		put_u64(pc, i, g.pc);
		put_i64(creation, i, g.creation_time);
		put_i64(start, i, g.start_time);
		put_i64(end, i, g.end_time);
		put_i64(exec, i, g.exec_ns);
		put_i64(sched, i, g.sched_wait_ns);
		put_i64(sys, i, g.syscall_ns);
		put_i64(sysblk, i, g.syscall_block_ns);
		put_i64(total, i, g.total_ns);
		put_i64(regions, i, count64(g.regions));
		for (k = 0; k < g.nblock; k++)
			if (table_nested_str(&t, "block_ns", g.block[k].name, i,
			                     g.block[k].ns) < 0)
				goto fail;
		for (k = 0; k < g.nranges; k++)
			if (table_nested_str(&t, "range_ns", g.ranges[k].name, i,
			                     g.ranges[k].ns) < 0)
				goto fail;
	}
	return table_done(&t);
fail:
	table_clear(&t);
	return NULL;
}

static PyObject *group_table(const gotrace_summary *s)
{
	size_t n = gotrace_summary_group_count(s), i;
	char *count, *exec, *sched, *block, *sys, *sysblk, *total;
	PyObject *name;
	table t;

	if (table_init(&t, n) < 0)
		return NULL;
	if ((name = table_list(&t, "name")) == NULL ||
	    (count = table_num(&t, "count", "i8")) == NULL ||
	    (exec = table_num(&t, "exec_ns", "i8")) == NULL ||
	    (sched = table_num(&t, "sched_wait_ns", "i8")) == NULL ||
	    (block = table_num(&t, "block_ns", "i8")) == NULL ||
	    (sys = table_num(&t, "syscall_ns", "i8")) == NULL ||
	    (sysblk = table_num(&t, "syscall_block_ns", "i8")) == NULL ||
	    (total = table_num(&t, "total_ns", "i8")) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		gotrace_goroutine_group g;

		if (gotrace_summary_group_at(s, i, &g) != 0) {
			PyErr_NoMemory();
			goto fail;
		}
		if (put_str(name, i, g.name) < 0)
			goto fail;
		put_i64(count, i, count64(g.count));
		put_i64(exec, i, g.exec_ns);
		put_i64(sched, i, g.sched_wait_ns);
		put_i64(block, i, g.block_ns);
		put_i64(sys, i, g.syscall_ns);
		put_i64(sysblk, i, g.syscall_block_ns);
		put_i64(total, i, g.total_ns);
	}
	return table_done(&t);
fail:
	table_clear(&t);
	return NULL;
}

static PyObject *py_goroutines(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { SOURCE_KWLIST, "groups", NULL };
	source_args a;
	gotrace_summary *s;
	PyObject *error, *cols;
	int groups = 0;

	(void)self;
	source_args_init(&a);
	if (!PyArg_ParseTupleAndKeywords(args, kw, SOURCE_FORMAT "p", kwlist,
	                                 &a.source, &a.gen, &a.from_, &a.to,
	                                 &a.threads, &groups))
		return NULL;
	if ((s = read_summary(&a, &error)) == NULL)
		return NULL;
	cols = groups ? group_table(s) : goroutine_table(s);
	gotrace_summary_free(s);
	return result_pair(cols, error);
}

/* ---- tasks and regions -------------------------------------------------- */

static PyObject *task_table(const gotrace_summary *s)
{
	size_t n = gotrace_summary_task_count(s), i, k;
	char *id, *parent, *start, *end, *logs, *regions;
	PyObject *name, *gs;
	table t;

	if (table_init(&t, n) < 0)
		return NULL;
	if ((id = table_num(&t, "id", "u8")) == NULL ||
	    (name = table_list(&t, "name")) == NULL ||
	    (parent = table_num(&t, "parent", "u8")) == NULL ||
	    (start = table_num(&t, "start_ns", "i8")) == NULL ||
	    (end = table_num(&t, "end_ns", "i8")) == NULL ||
	    (gs = table_list(&t, "goroutines")) == NULL ||
	    (logs = table_num(&t, "logs", "i8")) == NULL ||
	    (regions = table_num(&t, "regions", "i8")) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		gotrace_task_summary ts;
		PyObject *l;

		if (gotrace_summary_task_at(s, i, &ts) != 0) {
			PyErr_NoMemory();
			goto fail;
		}
		put_u64(id, i, ts.id);
		if (put_str(name, i, ts.name) < 0)
			goto fail;
		put_u64(parent, i, ts.parent);
		put_i64(start, i, ts.start_time);
		put_i64(end, i, ts.end_time);
		if (ts.ngoroutines > (size_t)PY_SSIZE_T_MAX ||
		    (l = PyList_New((Py_ssize_t)ts.ngoroutines)) == NULL)
			goto fail;
		PyList_SET_ITEM(gs, (Py_ssize_t)i, l);
		for (k = 0; k < ts.ngoroutines; k++) {
			PyObject *g = PyLong_FromLongLong(ts.goroutines[k]);

			if (g == NULL)
				goto fail;
			PyList_SET_ITEM(l, (Py_ssize_t)k, g);
		}
		put_i64(logs, i, count64(ts.logs));
		put_i64(regions, i, count64(ts.regions));
	}
	return table_done(&t);
fail:
	table_clear(&t);
	return NULL;
}

static PyObject *task_type_table(const gotrace_summary *s)
{
	size_t n = gotrace_summary_task_type_count(s), i;
	char *count, *complete;
	PyObject *type;
	stats_cols sc;
	table t;

	if (table_init(&t, n) < 0)
		return NULL;
	if ((type = table_list(&t, "type")) == NULL ||
	    (count = table_num(&t, "count", "i8")) == NULL ||
	    (complete = table_num(&t, "complete", "i8")) == NULL ||
	    stats_add(&t, &sc) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		gotrace_task_type tt;

		if (gotrace_summary_task_type_at(s, i, &tt) != 0) {
			PyErr_NoMemory();
			goto fail;
		}
		if (put_str(type, i, tt.type) < 0)
			goto fail;
		put_i64(count, i, count64(tt.count));
		put_i64(complete, i, count64(tt.durations.count));
		if (stats_put(&t, &sc, i, &tt.durations) < 0)
			goto fail;
	}
	return table_done(&t);
fail:
	table_clear(&t);
	return NULL;
}

static PyObject *py_tasks(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { SOURCE_KWLIST, "types", NULL };
	source_args a;
	gotrace_summary *s;
	PyObject *error, *cols;
	int types = 0;

	(void)self;
	source_args_init(&a);
	if (!PyArg_ParseTupleAndKeywords(args, kw, SOURCE_FORMAT "p", kwlist,
	                                 &a.source, &a.gen, &a.from_, &a.to,
	                                 &a.threads, &types))
		return NULL;
	if ((s = read_summary(&a, &error)) == NULL)
		return NULL;
	cols = types ? task_type_table(s) : task_table(s);
	gotrace_summary_free(s);
	return result_pair(cols, error);
}

static PyObject *region_table(const gotrace_summary *s)
{
	size_t n = gotrace_summary_region_type_count(s), i;
	char *line, *pc, *count;
	PyObject *type, *func, *file;
	stats_cols sc;
	table t;

	if (table_init(&t, n) < 0)
		return NULL;
	if ((type = table_list(&t, "type")) == NULL ||
	    (func = table_list(&t, "func")) == NULL ||
	    (file = table_list(&t, "file")) == NULL ||
	    (line = table_num(&t, "line", "i8")) == NULL ||
	    (pc = table_num(&t, "pc", "u8")) == NULL ||
	    (count = table_num(&t, "count", "i8")) == NULL ||
	    stats_add(&t, &sc) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		gotrace_region_type rt;

		if (gotrace_summary_region_type_at(s, i, &rt) != 0) {
			PyErr_NoMemory();
			goto fail;
		}
		if (put_str(type, i, rt.type) < 0 ||
		    put_str(func, i, rt.frame.func) < 0 ||
		    put_str(file, i, rt.frame.file) < 0)
			goto fail;
		put_i64(line, i, count64(rt.frame.line));
		put_u64(pc, i, rt.frame.pc);
		put_i64(count, i, count64(rt.durations.count));
		if (stats_put(&t, &sc, i, &rt.durations) < 0)
			goto fail;
	}
	return table_done(&t);
fail:
	table_clear(&t);
	return NULL;
}

static PyObject *py_regions(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { SOURCE_KWLIST, NULL };
	source_args a;
	gotrace_summary *s;
	PyObject *error, *cols;

	(void)self;
	source_args_init(&a);
	if (!PyArg_ParseTupleAndKeywords(args, kw, SOURCE_FORMAT, kwlist,
	                                 &a.source, &a.gen, &a.from_, &a.to,
	                                 &a.threads))
		return NULL;
	if ((s = read_summary(&a, &error)) == NULL)
		return NULL;
	cols = region_table(s);
	gotrace_summary_free(s);
	return result_pair(cols, error);
}

/* ---- gc ----------------------------------------------------------------- */

/*
 * Cycles and pauses in one list, merged by start as `gotrace gc` lists
 * them (on a tie the cycle first: the sweep termination pause that
 * starts a cycle follows it). A cycle has no reason and no goroutine:
 * None and a masked cell, as the CSV's empty cells.
 */
static PyObject *gc_list_table(const gotrace_gc *g)
{
	size_t nc = gotrace_gc_cycle_count(g), ns = gotrace_gc_stw_count(g);
	size_t i = 0, j = 0, row = 0;
	char *start, *end, *dur, *gor, *gmask;
	PyObject *kind, *reason, *kgc = NULL, *kstw = NULL, *b, *m, *col;
	table t;

	if (table_init(&t, nc + ns) < 0)
		return NULL;
	if ((kind = table_list(&t, "kind")) == NULL ||
	    (reason = table_list(&t, "reason")) == NULL ||
	    (start = table_num(&t, "start_ns", "i8")) == NULL ||
	    (end = table_num(&t, "end_ns", "i8")) == NULL ||
	    (dur = table_num(&t, "duration_ns", "i8")) == NULL)
		goto fail;
	b = PyByteArray_FromStringAndSize(NULL, t.n * 8);
	m = PyByteArray_FromStringAndSize(NULL, t.n);
	col = b != NULL && m != NULL ? Py_BuildValue("(sOO)", "i8", b, m) : NULL;
	Py_XDECREF(b);
	Py_XDECREF(m);
	if (table_put(&t, "goroutine", col) < 0)
		goto fail;
	gor = PyByteArray_AS_STRING(b);
	gmask = PyByteArray_AS_STRING(m);
	if ((kgc = PyUnicode_FromString("gc")) == NULL ||
	    (kstw = PyUnicode_FromString("stw")) == NULL)
		goto fail;
	while (i < nc || j < ns) {
		gotrace_gc_cycle c = {0};
		gotrace_stw w = {0};

		if (i < nc)
			gotrace_gc_cycle_at(g, i, &c);
		if (j < ns)
			gotrace_gc_stw_at(g, j, &w);
		if (j >= ns || (i < nc && c.start_time <= w.start_time)) {
			Py_INCREF(kgc);
			PyList_SET_ITEM(kind, (Py_ssize_t)row, kgc);
			Py_INCREF(Py_None);
			PyList_SET_ITEM(reason, (Py_ssize_t)row, Py_None);
			put_i64(start, row, c.start_time);
			put_i64(end, row, c.end_time);
			put_i64(dur, row, c.duration_ns);
			put_i64(gor, row, 0);
			gmask[row] = 1;
			i++;
		} else {
			Py_INCREF(kstw);
			PyList_SET_ITEM(kind, (Py_ssize_t)row, kstw);
			if (put_str(reason, row, w.reason) < 0)
				goto fail;
			put_i64(start, row, w.start_time);
			put_i64(end, row, w.end_time);
			put_i64(dur, row, w.duration_ns);
			put_i64(gor, row, w.goroutine);
			gmask[row] = 0;
			j++;
		}
		row++;
	}
	Py_DECREF(kgc);
	Py_DECREF(kstw);
	return table_done(&t);
fail:
	Py_XDECREF(kgc);
	Py_XDECREF(kstw);
	table_clear(&t);
	return NULL;
}

static PyObject *gc_summary_table(const gotrace_gc *g)
{
	static const char *const names[] = {
		"cycles", "gc_ns", "stw_count", "stw_ns", "mark_assist_count",
		"mark_assist_ns", "sweep_count", "sweep_ns", "swept_bytes",
		"reclaimed_bytes", "first_ns", "last_ns", "stw_min_ns",
		"stw_p50_ns", "stw_p90_ns", "stw_p99_ns", "stw_max_ns"
	};
	gotrace_gc_totals tot;
	gotrace_duration_stats d;
	int64_t v[sizeof names / sizeof names[0]];
	size_t k;
	table t;

	gotrace_gc_totals_get(g, &tot);
	gotrace_gc_stw_stats(g, &d);
	v[0] = count64(tot.cycles);
	v[1] = tot.gc_ns;
	v[2] = count64(tot.stw_count);
	v[3] = tot.stw_ns;
	v[4] = count64(tot.mark_assist_count);
	v[5] = tot.mark_assist_ns;
	v[6] = count64(tot.sweep_count);
	v[7] = tot.sweep_ns;
	v[8] = count64(tot.swept_bytes);
	v[9] = count64(tot.reclaimed_bytes);
	v[10] = tot.first_time;
	v[11] = tot.last_time;
	v[12] = d.min;
	v[13] = d.p50;
	v[14] = d.p90;
	v[15] = d.p99;
	v[16] = d.max;
	if (table_init(&t, 1) < 0)
		return NULL;
	for (k = 0; k < sizeof names / sizeof names[0]; k++) {
		char *col = table_num(&t, names[k], "i8");

		if (col == NULL) {
			table_clear(&t);
			return NULL;
		}
		put_i64(col, 0, v[k]);
	}
	return table_done(&t);
}

static PyObject *py_gc(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { SOURCE_KWLIST, "summary", NULL };
	source_args a;
	gotrace_gc *g;
	PyObject *error, *cols;
	int summary = 0;

	(void)self;
	source_args_init(&a);
	if (!PyArg_ParseTupleAndKeywords(args, kw, SOURCE_FORMAT "p", kwlist,
	                                 &a.source, &a.gen, &a.from_, &a.to,
	                                 &a.threads, &summary))
		return NULL;
	if (gotrace_gc_new(&g) != GOTRACE_OK)
		return PyErr_NoMemory();
	if (analyse(&a, gc_feed, gc_finish, g, &error) < 0) {
		gotrace_gc_free(g);
		return NULL;
	}
	cols = summary ? gc_summary_table(g) : gc_list_table(g);
	gotrace_gc_free(g);
	return result_pair(cols, error);
}

/* ---- mmu ---------------------------------------------------------------- */

/* A sequence of numbers as a C array (PyMem_Malloc'd, at least one
 * element of room); NULL with an exception set. */
static void *number_array(PyObject *seq, int floats, Py_ssize_t *n)
{
	PyObject *fast = PySequence_Fast(seq, "expected a sequence");
	Py_ssize_t i;
	char *out;

	if (fast == NULL)
		return NULL;
	*n = PySequence_Fast_GET_SIZE(fast);
	out = PyMem_Malloc(((size_t)*n + 1) * 8);
	if (out == NULL) {
		Py_DECREF(fast);
		PyErr_NoMemory();
		return NULL;
	}
	for (i = 0; i < *n; i++) {
		PyObject *o = PySequence_Fast_GET_ITEM(fast, i);

		if (floats) {
			double d = PyFloat_AsDouble(o);

			if (d == -1.0 && PyErr_Occurred())
				goto fail;
			memcpy(out + (size_t)i * 8, &d, 8);
		} else {
			long long v = PyLong_AsLongLong(o);
			int64_t w = v;

			if (v == -1 && PyErr_Occurred())
				goto fail;
			memcpy(out + (size_t)i * 8, &w, 8);
		}
	}
	Py_DECREF(fast);
	return out;
fail:
	Py_DECREF(fast);
	PyMem_Free(out);
	return NULL;
}

/*
 * _mmu(source, ..., flags, windows, quantiles): (mmu, mud) as bytearrays
 * of doubles: one MMU per window, and per window its MUD for each
 * quantile (window-major). Windows and flags are checked by the caller.
 */
static PyObject *py_mmu(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { SOURCE_KWLIST, "flags", "windows",
	                          "quantiles", NULL };
	source_args a;
	gotrace_mmu *m = NULL;
	PyObject *error = NULL, *wseq = NULL, *qseq = NULL, *mmu_b = NULL;
	PyObject *mud_b = NULL;
	unsigned int flags = GOTRACE_UTIL_DEFAULT;
	int64_t *windows = NULL;
	double *q = NULL, *mmu_v, *mud_v;
	Py_ssize_t nw = 0, nq = 0, i;
	int rc = GOTRACE_OK;

	(void)self;
	source_args_init(&a);
	if (!PyArg_ParseTupleAndKeywords(args, kw, SOURCE_FORMAT "IOO", kwlist,
	                                 &a.source, &a.gen, &a.from_, &a.to,
	                                 &a.threads, &flags, &wseq, &qseq))
		return NULL;
	if (wseq == NULL || qseq == NULL) {
		PyErr_SetString(PyExc_TypeError, "_mmu: windows and quantiles are "
		                "required");
		return NULL;
	}
	if ((windows = number_array(wseq, 0, &nw)) == NULL ||
	    (q = number_array(qseq, 1, &nq)) == NULL)
		goto fail;
	rc = gotrace_mmu_new(&m, flags);
	if (rc != GOTRACE_OK) {
		gtpy_raise_status(rc, "mmu flags");
		goto fail;
	}
	if (analyse(&a, mmu_feed, mmu_finish, m, &error) < 0)
		goto fail;
	if (nq > PY_SSIZE_T_MAX / 8 / (nw > 0 ? nw : 1)) {
		PyErr_NoMemory();
		goto fail;
	}
	mmu_b = PyByteArray_FromStringAndSize(NULL, nw * 8);
	mud_b = PyByteArray_FromStringAndSize(NULL, nw * nq * 8);
	if (mmu_b == NULL || mud_b == NULL)
		goto fail;
	mmu_v = (double *)(void *)PyByteArray_AS_STRING(mmu_b);
	mud_v = (double *)(void *)PyByteArray_AS_STRING(mud_b);
	Py_BEGIN_ALLOW_THREADS
	for (i = 0; i < nw && rc == GOTRACE_OK; i++) {
		double v = gotrace_mmu_at(m, windows[i]);

		memcpy(mmu_v + i, &v, sizeof v);
		if (nq > 0)
			rc = gotrace_mmu_mud(m, windows[i], q, (size_t)nq,
			                     mud_v + i * nq);
	}
	Py_END_ALLOW_THREADS
	if (rc != GOTRACE_OK) {
		gtpy_raise_status(rc, "mmu");
		goto fail;
	}
	gotrace_mmu_free(m);
	PyMem_Free(windows);
	PyMem_Free(q);
	{
		PyObject *pair = PyTuple_Pack(2, mmu_b, mud_b);

		Py_DECREF(mmu_b);
		Py_DECREF(mud_b);
		return result_pair(pair, error);
	}
fail:
	Py_XDECREF(mmu_b);
	Py_XDECREF(mud_b);
	Py_XDECREF(error);
	gotrace_mmu_free(m);
	PyMem_Free(windows);
	PyMem_Free(q);
	return NULL;
}

/* ---- outputs ------------------------------------------------------------ */

/*
 * Where an export writes: memory (returned as bytes), a path (created at
 * the first write, as `gotrace timeline -o` creates it, so that a run
 * that writes nothing leaves no file), or a Python object's write().
 */
typedef struct output {
	int kind;              /* OUT_MEMORY, OUT_PATH, OUT_OBJECT */
	/* memory */
	char *data;
	size_t len, cap;
	/* path */
	PyObject *path;        /* bytes, from PyUnicode_FSConverter */
	int fd;
	int saved_errno;
	/* object */
	PyObject *obj;
	PyObject *exc;         /* what its write() raised */
	gotrace_sink *sink;
} output;

enum { OUT_MEMORY, OUT_PATH, OUT_OBJECT };

/* The sink's callback: may run with or without the GIL (the writes of a
 * timeline happen while the events are fed, with the GIL let go). */
static ptrdiff_t output_write(void *ctx, const void *data, size_t len)
{
	output *o = ctx;

	if (len > (size_t)1 << 30)
		len = (size_t)1 << 30;
	if (o->kind == OUT_MEMORY) {
		if (o->len + len > o->cap) {
			size_t cap = o->cap ? o->cap : 65536;
			char *p;

			while (cap < o->len + len)
				cap *= 2;
			if ((p = realloc(o->data, cap)) == NULL) {
				o->saved_errno = ENOMEM;
				return -1;
			}
			o->data = p;
			o->cap = cap;
		}
		memcpy(o->data + o->len, data, len);
		o->len += len;
		return (ptrdiff_t)len;
	}
	if (o->kind == OUT_PATH) {
		if (o->fd < 0) {
			o->fd = open(PyBytes_AS_STRING(o->path),
			             O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
			if (o->fd < 0) {
				o->saved_errno = errno;
				return -1;
			}
		}
		for (;;) {
			ssize_t n = write(o->fd, data, len);

			if (n >= 0)
				return (ptrdiff_t)n;
			if (errno != EINTR) {
				o->saved_errno = errno;
				return -1;
			}
		}
	}
	{
		PyGILState_STATE st = PyGILState_Ensure();
		PyObject *r = PyObject_CallMethod(o->obj, "write", "y#",
		                                  (const char *)data,
		                                  (Py_ssize_t)len);
		ptrdiff_t n = (ptrdiff_t)len;

		if (r != NULL && PyLong_Check(r)) {
			long long w = PyLong_AsLongLong(r);

			if (w >= 0 && (unsigned long long)w <= len)
				n = (ptrdiff_t)w;
			else if (!PyErr_Occurred())
				PyErr_SetString(PyExc_OSError,
				                "write() returned a bad count");
		}
		if (PyErr_Occurred()) {
			Py_XDECREF(o->exc);
			o->exc = fetch_exception();
			n = -1;
		}
		Py_XDECREF(r);
		PyGILState_Release(st);
		return n;
	}
}

/* Sets o up for out (None, a path or an object with write()). 0 or -1. */
static int output_open(output *o, PyObject *out)
{
	int rc;

	memset(o, 0, sizeof *o);
	o->fd = -1;
	if (out == Py_None) {
		o->kind = OUT_MEMORY;
	} else if (PyUnicode_Check(out) || PyBytes_Check(out) ||
	           PyObject_HasAttrString(out, "__fspath__")) {
		o->kind = OUT_PATH;
		if (!PyUnicode_FSConverter(out, &o->path))
			return -1;
		if (PyBytes_GET_SIZE(o->path) == 0) {
			Py_CLEAR(o->path);
			PyErr_SetString(PyExc_ValueError, "out: empty file name");
			return -1;
		}
	} else if (PyObject_HasAttrString(out, "write")) {
		o->kind = OUT_OBJECT;
		o->obj = out;
		Py_INCREF(out);
	} else {
		PyErr_Format(PyExc_TypeError, "out must be None, a path or a binary "
		             "file object, not %.100s", Py_TYPE(out)->tp_name);
		return -1;
	}
	rc = gotrace_sink_open_callback(&o->sink, output_write, o);
	if (rc != GOTRACE_OK) {
		Py_CLEAR(o->path);
		Py_CLEAR(o->obj);
		gtpy_raise_status(rc, NULL);
		return -1;
	}
	return 0;
}

/* Frees what o holds, without reporting. */
static void output_free(output *o)
{
	gotrace_sink_free(o->sink);
	o->sink = NULL;
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	free(o->data);
	o->data = NULL;
	Py_CLEAR(o->path);
	Py_CLEAR(o->obj);
	Py_CLEAR(o->exc);
}

/*
 * Ends the output after the export's status rc: closes it, and returns
 * the bytes written (OUT_MEMORY) or None; NULL with the exception of the
 * first failure (rc's, the write's or the close's) set. Frees o.
 */
static PyObject *output_close(output *o, int rc)
{
	PyObject *res = NULL;
	int crc = gotrace_sink_close(o->sink);

	o->sink = NULL;
	if (rc == GOTRACE_OK)
		rc = crc;
	if (o->fd >= 0) {
		if (close(o->fd) != 0 && rc == GOTRACE_OK) {
			rc = GOTRACE_ERR_IO;
			o->saved_errno = errno;
		}
		o->fd = -1;
	}
	if (rc == GOTRACE_OK) {
		if (o->kind == OUT_MEMORY) {
			res = PyBytes_FromStringAndSize(o->data ? o->data : "",
			                                (Py_ssize_t)o->len);
		} else {
			Py_INCREF(Py_None);
			res = Py_None;
		}
	} else if (o->exc != NULL) {
		PyObject *type = (PyObject *)Py_TYPE(o->exc);

		Py_INCREF(type);
		PyErr_Restore(type, o->exc, PyException_GetTraceback(o->exc));
		o->exc = NULL;
	} else if (rc == GOTRACE_ERR_IO && o->saved_errno == ENOMEM) {
		PyErr_NoMemory();
	} else if (rc == GOTRACE_ERR_IO && o->kind == OUT_PATH) {
		errno = o->saved_errno != 0 ? o->saved_errno : EIO;
		PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, o->path);
	} else {
		errno = o->saved_errno != 0 ? o->saved_errno : EIO;
		gtpy_raise_status(rc, NULL);
	}
	output_free(o);
	return res;
}

/* ---- pprof -------------------------------------------------------------- */

/*
 * _pprof(source, ..., type, goroutine, region, out, cut): the profile as
 * `gotrace pprof` makes it (cmd_pprof.c). With cut (a source that can be
 * read again, as the CLI's regular file), a damaged trace is profiled up
 * to its last Sync before the error, as go tool trace -pprof profiles it;
 * else everything delivered before the error. Returns (bytes or None,
 * error); the profile is written also when there is an error.
 */
static PyObject *py_pprof(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { SOURCE_KWLIST, "type", "goroutine", "region",
	                          "out", "cut", NULL };
	gotrace_pprof_options po = GOTRACE_PPROF_OPTIONS_INIT;
	gotrace_pprof *p = NULL;
	source_args a;
	const char *type = NULL;
	PyObject *out = Py_None, *res;
	output o;
	pass ps;
	int cut = 0, rc;

	(void)self;
	source_args_init(&a);
	if (!PyArg_ParseTupleAndKeywords(args, kw, SOURCE_FORMAT "szzOp",
	                                 kwlist, &a.source, &a.gen, &a.from_,
	                                 &a.to, &a.threads, &type, &po.goroutine,
	                                 &po.region, &out, &cut))
		return NULL;
	if (type == NULL) {
		PyErr_SetString(PyExc_TypeError, "_pprof: type is required");
		return NULL;
	}
	if ((po.type = gotrace_pprof_type_parse(type)) < 0)
		return PyErr_Format(PyExc_ValueError, "unknown profile type '%s' "
		                    "(sched, sync, syscall, net or cpu)", type);
	rc = gotrace_pprof_new(&p, &po);
	if (rc != GOTRACE_OK)
		return gtpy_raise_status(rc, "pprof options");
	pass_init(&ps, pprof_feed, p);
	if (read_pass(&a, &ps) < 0)
		goto fail;
	if (ps.feed_failed) {
		gtpy_raise_status(ps.status, NULL);
		goto fail;
	}
	if (cut && ps.status != GOTRACE_EOF && ps.through_sync < ps.events) {
		/* The events after the last Sync were fed: start over with
		 * only those before it, reading on to the error. */
		gotrace_pprof_free(p);
		if ((rc = gotrace_pprof_new(&p, &po)) != GOTRACE_OK) {
			p = NULL;
			gtpy_raise_status(rc, NULL);
			goto fail;
		}
		ps.obj = p;
		ps.limit = ps.through_sync;
		if (read_pass(&a, &ps) < 0)
			goto fail;
		if (ps.feed_failed) {
			gtpy_raise_status(ps.status, NULL);
			goto fail;
		}
	}
	if (gotrace_pprof_passes(p) == 2) {
		if ((rc = gotrace_pprof_next_pass(p)) != GOTRACE_OK) {
			gtpy_raise_status(rc, NULL);
			goto fail;
		}
		if (read_pass(&a, &ps) < 0)
			goto fail;
		if (ps.feed_failed) {
			gtpy_raise_status(ps.status, NULL);
			goto fail;
		}
	}
	Py_BEGIN_ALLOW_THREADS
	rc = gotrace_pprof_finish(p);
	Py_END_ALLOW_THREADS
	if (rc != GOTRACE_OK) {
		gtpy_raise_status(rc, NULL);
		goto fail;
	}
	if (output_open(&o, out) < 0)
		goto fail;
	Py_BEGIN_ALLOW_THREADS
	rc = gotrace_pprof_write(p, o.sink);
	Py_END_ALLOW_THREADS
	gotrace_pprof_free(p);
	res = output_close(&o, rc);
	return result_pair(res, ps.error);
fail:
	Py_CLEAR(ps.error);
	gotrace_pprof_free(p);
	return NULL;
}

/* ---- timeline ----------------------------------------------------------- */

/*
 * _timeline(source, ..., out, format, view, clock, cut): the timeline as
 * `gotrace timeline` writes it (cmd_timeline.c): with cut, a first read
 * counts the events up to the last Sync before an error, and the drawing
 * read feeds only those. Returns (bytes or None, error).
 */
static PyObject *py_timeline(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { SOURCE_KWLIST, "out", "format", "view",
	                          "clock", "cut", NULL };
	gotrace_timeline_options to = GOTRACE_TIMELINE_OPTIONS_INIT;
	gotrace_timeline *tl = NULL;
	source_args a;
	const char *format = "json", *view = "proc", *clock = "trace";
	PyObject *out = Py_None, *res;
	output o;
	pass ps;
	uint64_t limit = UINT64_MAX;
	int cut = 0, rc, trc;

	(void)self;
	source_args_init(&a);
	if (!PyArg_ParseTupleAndKeywords(args, kw, SOURCE_FORMAT "Osssp",
	                                 kwlist, &a.source, &a.gen, &a.from_,
	                                 &a.to, &a.threads, &out, &format, &view,
	                                 &clock, &cut))
		return NULL;
	if ((to.format = gotrace_timeline_format_parse(format)) < 0)
		return PyErr_Format(PyExc_ValueError, "unknown timeline format "
		                    "'%s' (json or perfetto)", format);
	if ((to.view = gotrace_timeline_view_parse(view)) < 0)
		return PyErr_Format(PyExc_ValueError, "unknown timeline view '%s' "
		                    "(proc, thread or goroutine)", view);
	if ((to.clock = gotrace_timeline_clock_parse(clock)) < 0)
		return PyErr_Format(PyExc_ValueError, "unknown timeline clock '%s' "
		                    "(trace or wall)", clock);
	if (cut) {
		/* Only counting: the timeline is written as it is fed. */
		pass_init(&ps, NULL, NULL);
		if (read_pass(&a, &ps) < 0)
			return NULL;
		if (ps.status != GOTRACE_EOF)
			limit = ps.through_sync;
		Py_CLEAR(ps.error);
	}
	if (output_open(&o, out) < 0)
		return NULL;
	rc = gotrace_timeline_new(&tl, &to, o.sink);
	if (rc != GOTRACE_OK) {
		output_free(&o);
		return gtpy_raise_status(rc, "timeline options");
	}
	pass_init(&ps, timeline_feed, tl);
	ps.limit = limit;
	if (read_pass(&a, &ps) < 0) {
		gotrace_timeline_free(tl);
		output_free(&o);
		return NULL;
	}
	/* After a reader error too: what was fed is drawn. */
	Py_BEGIN_ALLOW_THREADS
	trc = gotrace_timeline_finish(tl);
	Py_END_ALLOW_THREADS
	gotrace_timeline_free(tl);
	if (trc == GOTRACE_ERR_UNSUPPORTED) {
		output_free(&o);
		Py_CLEAR(ps.error);
		PyErr_SetString(gtpy_UnsupportedError, "clock='wall' needs the "
		                "trace's clock snapshots, which only Go 1.25 and "
		                "later record; this trace has none");
		return NULL;
	}
	res = output_close(&o, trc);
	if (res == NULL) {
		/* The timeline failed: that is the error, not what the reader
		 * met after the feeding stopped. */
		Py_CLEAR(ps.error);
		return NULL;
	}
	return result_pair(res, ps.error);
}

/* ---- the module --------------------------------------------------------- */

static PyMethodDef analyses_methods[] = {
	{"_goroutines", (PyCFunction)(void (*)(void))py_goroutines,
	 METH_VARARGS | METH_KEYWORDS,
	 "_goroutines(source, gen, from_, to, threads, groups) -> (columns, "
	 "error): `gotrace goroutines --csv`'s columns."},
	{"_tasks", (PyCFunction)(void (*)(void))py_tasks,
	 METH_VARARGS | METH_KEYWORDS,
	 "_tasks(source, gen, from_, to, threads, types) -> (columns, error)"},
	{"_regions", (PyCFunction)(void (*)(void))py_regions,
	 METH_VARARGS | METH_KEYWORDS,
	 "_regions(source, gen, from_, to, threads) -> (columns, error)"},
	{"_gc", (PyCFunction)(void (*)(void))py_gc,
	 METH_VARARGS | METH_KEYWORDS,
	 "_gc(source, gen, from_, to, threads, summary) -> (columns, error)"},
	{"_mmu", (PyCFunction)(void (*)(void))py_mmu,
	 METH_VARARGS | METH_KEYWORDS,
	 "_mmu(source, gen, from_, to, threads, flags, windows, quantiles) -> "
	 "((mmu, mud), error)"},
	{"_pprof", (PyCFunction)(void (*)(void))py_pprof,
	 METH_VARARGS | METH_KEYWORDS,
	 "_pprof(source, gen, from_, to, threads, type, goroutine, region, "
	 "out, cut) -> (bytes or None, error)"},
	{"_timeline", (PyCFunction)(void (*)(void))py_timeline,
	 METH_VARARGS | METH_KEYWORDS,
	 "_timeline(source, gen, from_, to, threads, out, format, view, clock, "
	 "cut) -> (bytes or None, error)"},
	{NULL, NULL, 0, NULL}
};

int
gtpy_analyses_add(PyObject *module)
{
	return PyModule_AddFunctions(module, analyses_methods);
}
