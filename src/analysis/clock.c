/*
 * Trace time and the wall clock, from the generations' clock snapshots
 * (gotrace/clock.h).
 */
#include <stdlib.h>

#include <gotrace/clock.h>

struct gotrace_clock {
	gotrace_clock_snapshot *snaps;
	size_t n, cap;
};

int gotrace_clock_new(gotrace_clock **out)
{
	*out = calloc(1, sizeof **out);
	return *out == NULL ? GOTRACE_ERR_NOMEM : GOTRACE_OK;
}

/* a + b, or -1 when it overflows int64. */
static int add_i64(int64_t a, int64_t b, int64_t *sum)
{
	if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
		return -1;
	*sum = a + b;
	return 0;
}

/* a - b, or -1 when it overflows int64. */
static int sub_i64(int64_t a, int64_t b, int64_t *diff)
{
	if ((b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + b))
		return -1;
	*diff = a - b;
	return 0;
}

int gotrace_clock_feed(gotrace_clock *c, const gotrace_event *ev)
{
	gotrace_clock_snapshot s;
	int64_t sec;

	if (c == NULL || ev == NULL)
		return GOTRACE_ERR_ARG;
	if (ev->kind != GOTRACE_EVENT_SYNC || !ev->u.sync.has_clock)
		return GOTRACE_OK;
	sec = ev->u.sync.wall_sec;
	/* wall_nsec is in [0, 1e9), so this bounds the sum too. */
	if (sec > INT64_MAX / 1000000000 - 1 || sec < INT64_MIN / 1000000000 + 1)
		return GOTRACE_ERR_LIMIT;
	s.generation = ev->u.sync.n;
	s.trace_ns = ev->u.sync.clock_trace;
	s.unix_ns = sec * 1000000000 + ev->u.sync.wall_nsec;
	s.mono_ns = ev->u.sync.clock_mono;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		gotrace_clock_snapshot *p = realloc(c->snaps, cap * sizeof *p);

		if (p == NULL)
			return GOTRACE_ERR_NOMEM;
		c->snaps = p;
		c->cap = cap;
	}
	c->snaps[c->n++] = s;
	return GOTRACE_OK;
}

size_t gotrace_clock_snapshot_count(const gotrace_clock *c)
{
	return c == NULL ? 0 : c->n;
}

int gotrace_clock_snapshot_at(const gotrace_clock *c, size_t i,
                              gotrace_clock_snapshot *out)
{
	if (c == NULL || out == NULL || i >= c->n)
		return -1;
	*out = c->snaps[i];
	return 0;
}

/*
 * The snapshot to convert with: the last whose key (trace or wall time)
 * is at or before t, else the first. Snapshots come in generation order,
 * which is the order of both clocks unless the wall clock was stepped
 * back; the search then still lands on a snapshot near t.
 */
static const gotrace_clock_snapshot *pick(const gotrace_clock *c, int64_t t,
                                          int by_wall)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int64_t key = by_wall ? c->snaps[mid].unix_ns : c->snaps[mid].trace_ns;

		if (key <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return &c->snaps[lo > 0 ? lo - 1 : 0];
}

int gotrace_clock_to_wall(const gotrace_clock *c, int64_t trace_ns,
                          int64_t *unix_ns)
{
	const gotrace_clock_snapshot *s;
	int64_t d;

	if (c == NULL || unix_ns == NULL)
		return GOTRACE_ERR_ARG;
	if (c->n == 0)
		return GOTRACE_ERR_UNSUPPORTED;
	s = pick(c, trace_ns, 0);
	if (sub_i64(trace_ns, s->trace_ns, &d) != 0 ||
	    add_i64(s->unix_ns, d, unix_ns) != 0)
		return GOTRACE_ERR_LIMIT;
	return GOTRACE_OK;
}

int gotrace_clock_from_wall(const gotrace_clock *c, int64_t unix_ns,
                            int64_t *trace_ns)
{
	const gotrace_clock_snapshot *s;
	int64_t d;

	if (c == NULL || trace_ns == NULL)
		return GOTRACE_ERR_ARG;
	if (c->n == 0)
		return GOTRACE_ERR_UNSUPPORTED;
	s = pick(c, unix_ns, 1);
	if (sub_i64(unix_ns, s->unix_ns, &d) != 0 ||
	    add_i64(s->trace_ns, d, trace_ns) != 0)
		return GOTRACE_ERR_LIMIT;
	return GOTRACE_OK;
}

void gotrace_clock_free(gotrace_clock *c)
{
	if (c == NULL)
		return;
	free(c->snaps);
	free(c);
}
