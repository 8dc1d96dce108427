/*
 * pprof profiles from a trace (gotrace/export.h).
 *
 * The profile is a table of distinct stacks, each with its count and
 * summed value; the state profiles fill it from the goroutine state
 * transitions, the CPU profile from the StackSample events. The rules
 * (which spells count, the goroutine intervals that clip them, how
 * stacks are merged, one location per PC and one function per file and
 * name) are cmd/trace's, described in the header; this file is our own.
 *
 * Clipping without filters, in one pass: cmd/trace counts only the part
 * of a spell inside its goroutine's [first run, end], where a goroutine
 * that never ran covers all the trace, and a goroutine's end is never
 * before the transitions that end its spells. So a spell [t0, t1] counts
 * t1 - max(t0, first run) when the goroutine ran by t1; when it had not,
 * the spell waits on the goroutine: it counts whole if the goroutine
 * never runs, and not at all once it does (the first run is then after
 * t1). At most a few spells wait per goroutine (it cannot do much before
 * its first run). A goroutine ID created again is a new goroutine whose
 * lifetime alone counts (cmd/trace's summary keeps the last one), so
 * each goroutine remembers what its counted spells added to each stack
 * and takes it back then. With filters the intervals come from a first
 * pass over the trace (a gotrace_summary, and the regions tracked here
 * as Go's summary tracks them).
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <gotrace/analysis.h>
#include <gotrace/export.h>

#include "profile.pb-c.h"
#include "table.h"

#define MAX_FRAMES 128
#define CPU_PERIOD_NS 10000000 /* runtime/pprof's default 100 Hz */

/* ---- containers (src/containers/table.h) ----------------------------- */

#define GROW(arr, cap, need) gt_grow((void **)&(arr), &(cap), (need), sizeof *(arr))

/* A 64-bit mixer: the stacks' PC hashes are built with it a frame at a time. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* The maps below key on one 64-bit value: the pair's second half is 0. */
static int map_get(const gt_map *m, uint64_t key, uint32_t *value)
{
	return gt_map_get(m, (int64_t)key, 0, value);
}

static int map_put(gt_map *m, uint64_t key, uint32_t value)
{
	return gt_map_put(m, (int64_t)key, 0, value);
}

/* ---- the profile ------------------------------------------------------ */

typedef struct pframe {
	uint64_t pc;
	uint32_t func;    /* string ids */
	uint32_t file;
	uint64_t line;
} pframe;

/* A stack as events carry it (its first 128 frames). */
typedef struct pstack {
	size_t first;     /* into frames */
	size_t depth;
	uint32_t group;
	uint32_t next;    /* older stack with the same hash */
} pstack;

/*
 * Stacks count together when their PCs are the same once trailing zero
 * PCs are ignored (cmd/trace compares them as zero-padded arrays, so a
 * stack of one frame at PC 0 is the empty stack). The profile shows the
 * frames of the stack of the group's latest spell, as cmd/trace does.
 */
typedef struct pgroup {
	uint32_t shown;   /* stack */
	int64_t shown_time;
	uint64_t count;
	int64_t value;
	uint32_t next;    /* older group with the same hash */
} pgroup;

typedef struct pspell {   /* a spell waiting on its goroutine's first run */
	int64_t t0, t1;
	uint32_t stack;
} pspell;

typedef struct pcontrib {  /* what a goroutine's spells added to a group */
	uint32_t group;
	uint64_t count;
	int64_t value;
} pcontrib;

typedef struct pinterval {
	int64_t start, end;
} pinterval;

typedef struct pregion {      /* an open region of pass 1 */
	int match;
	int has_start;
	int64_t start;
} pregion;

typedef struct pgoroutine {
	int64_t id;
	int tracking;
	int64_t t0;
	uint32_t stack;
	int has_run;
	int64_t first_run;
	int created;       /* seen created (NotExist -> something) */
	pspell *waiting;
	size_t nwaiting, capwaiting;
	pcontrib *contrib; /* one pass: this incarnation's counted spells */
	size_t ncontrib, capcontrib;
	/* pass 1 of the region filter */
	uint32_t incarnation; /* creations seen: regions of the last count */
	pregion *open;
	size_t nopen, capopen;
	/* the filter's intervals (pass 2) */
	pinterval *iv;
	size_t niv, capiv;
} pgoroutine;

struct gotrace_pprof {
	int type;
	int passes;
	int pass;          /* 1 or 2 */
	int finished;
	int failed;
	char *goroutine_name;
	char *region_type;

	gt_strtab strs;            /* interned strings, cut at a NUL */
	uint32_t names[7];         /* the sample types' strings */

	pframe *frames;
	size_t nframes, capframes;
	pstack *stacks;
	size_t nstacks, capstacks;
	gt_map stackmap;           /* PC hash -> latest stack */
	pgroup *groups;
	size_t ngroups, capgroups;
	gt_map groupmap;           /* trimmed PC hash -> latest group */
	uint32_t *order;           /* groups with samples, first counted first */
	size_t norder, caporder;

	pgoroutine *gs;
	size_t ngs, capgs;
	gt_map gmap;               /* id -> index into gs */

	/* pass 1 */
	gotrace_summary *sum;
	int have_time;
	int64_t first_time, last_time;
	struct {
		int64_t g;
		uint32_t incarnation;
		int has_start, has_end;
		int64_t start, end;
	} *regions;
	size_t nregions, capregions;
};

/* Strings: ids in p->strs. A string with a NUL byte is kept up to it
 * (the profile's strings are C strings). */
static int intern(gotrace_pprof *p, const char *s, size_t n, uint32_t *out)
{
	const char *nul = n > 0 ? memchr(s, 0, n) : NULL;

	if (nul != NULL)
		n = (size_t)(nul - s);
	return gt_strtab_intern(&p->strs, s, n, out);
}

/* ---- stacks ---------------------------------------------------------- */

typedef struct stack_scratch {
	gotrace_frame f[MAX_FRAMES];
	size_t n;
	size_t trimmed;   /* n without the trailing zero PCs */
	uint64_t hash;
	uint64_t trimmed_hash;
} stack_scratch;

static int same_pcs(const gotrace_pprof *p, const pstack *st,
                    const stack_scratch *sc, size_t n, int exact)
{
	size_t i, depth = st->depth;

	if (!exact)
		while (depth > 0 && p->frames[st->first + depth - 1].pc == 0)
			depth--;
	if (depth != n)
		return 0;
	for (i = 0; i < n; i++)
		if (p->frames[st->first + i].pc != sc->f[i].pc)
			return 0;
	return 1;
}

static int find_group(gotrace_pprof *p, const stack_scratch *sc,
                      uint32_t *out)
{
	uint32_t head, idx;
	int found = map_get(&p->groupmap, sc->trimmed_hash, &head);

	if (found) {
		for (idx = head; idx != UINT32_MAX; idx = p->groups[idx].next) {
			if (same_pcs(p, &p->stacks[p->groups[idx].shown], sc,
			             sc->trimmed, 0)) {
				*out = idx;
				return 0;
			}
		}
	}
	if (p->ngroups >= UINT32_MAX - 1 ||
	    GROW(p->groups, p->capgroups, p->ngroups + 1))
		return -1;
	idx = (uint32_t)p->ngroups;
	memset(&p->groups[idx], 0, sizeof p->groups[idx]);
	p->groups[idx].shown = (uint32_t)p->nstacks; /* the stack being added */
	p->groups[idx].next = found ? head : UINT32_MAX;
	if (map_put(&p->groupmap, sc->trimmed_hash, idx) != 0)
		return -1;
	p->ngroups++;
	*out = idx;
	return 0;
}

/* The index of ev's stack in the table, added if new. */
static int intern_stack(gotrace_pprof *p, gotrace_stack stk, uint32_t *out)
{
	stack_scratch sc;
	size_t depth = gotrace_stack_present(stk) ? gotrace_stack_depth(stk) : 0;
	size_t i;
	uint32_t head, idx;
	int found;
	pstack *st;

	sc.n = 0;
	sc.trimmed = 0;
	sc.hash = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < depth && sc.n < MAX_FRAMES; i++) {
		if (gotrace_stack_frame(stk, i, &sc.f[sc.n]) != 0)
			break;
		sc.hash = mix64(sc.hash ^ sc.f[sc.n].pc) + sc.n;
		sc.n++;
		if (sc.f[sc.n - 1].pc != 0) {
			sc.trimmed = sc.n;
			sc.trimmed_hash = sc.hash;
		}
	}
	if (sc.trimmed == 0)
		sc.trimmed_hash = 0x9e3779b97f4a7c15ULL;
	found = map_get(&p->stackmap, sc.hash, &head);
	if (found) {
		for (idx = head; idx != UINT32_MAX; idx = p->stacks[idx].next) {
			if (same_pcs(p, &p->stacks[idx], &sc, sc.n, 1)) {
				*out = idx;
				return 0;
			}
		}
	}
	if (p->nstacks >= UINT32_MAX - 1 ||
	    GROW(p->stacks, p->capstacks, p->nstacks + 1) ||
	    GROW(p->frames, p->capframes, p->nframes + sc.n))
		return -1;
	idx = (uint32_t)p->nstacks;
	st = &p->stacks[idx];
	st->first = p->nframes;
	st->depth = sc.n;
	st->next = found ? head : UINT32_MAX;
	for (i = 0; i < sc.n; i++) {
		pframe *f = &p->frames[p->nframes + i];

		f->pc = sc.f[i].pc;
		f->line = sc.f[i].line;
		if (intern(p, sc.f[i].func.data, sc.f[i].func.len,
		           &f->func) != 0 ||
		    intern(p, sc.f[i].file.data, sc.f[i].file.len,
		           &f->file) != 0)
			return -1;
	}
	if (find_group(p, &sc, &st->group) != 0)
		return -1;
	p->nframes += sc.n;
	p->nstacks++;
	if (map_put(&p->stackmap, sc.hash, idx) != 0)
		return -1;
	*out = idx;
	return 0;
}

/* Counts a spell (or CPU sample) of stack that ended at time t. */
static int add_sample(gotrace_pprof *p, uint32_t stack, uint64_t count,
                      int64_t value, int64_t t)
{
	pgroup *g = &p->groups[p->stacks[stack].group];

	if (g->count == 0) {
		if (GROW(p->order, p->caporder, p->norder + 1))
			return -1;
		p->order[p->norder++] = p->stacks[stack].group;
		g->shown = stack;
		g->shown_time = t;
	} else if (t >= g->shown_time) {
		g->shown = stack;
		g->shown_time = t;
	}
	g->count += count;
	g->value += value;
	return 0;
}

/* The stack shown for the i-th sample and its values. */
static const pstack *sample_stack(const gotrace_pprof *p, size_t i)
{
	return &p->stacks[p->groups[p->order[i]].shown];
}

/* ---- goroutines ------------------------------------------------------- */

static pgoroutine *goroutine(gotrace_pprof *p, int64_t id, int create)
{
	uint32_t idx;
	pgoroutine *g;

	if (gt_map_get(&p->gmap, id, 0, &idx))
		return &p->gs[idx];
	if (!create || p->ngs >= UINT32_MAX - 1 ||
	    GROW(p->gs, p->capgs, p->ngs + 1) ||
	    gt_map_put(&p->gmap, id, 0, (uint32_t)p->ngs) != 0)
		return NULL;
	g = &p->gs[p->ngs++];
	memset(g, 0, sizeof *g);
	g->id = id;
	return g;
}

/* ---- options and types ----------------------------------------------- */

static const char *const type_names[] = {"sched", "sync", "syscall", "net",
                                         "cpu"};

const char *gotrace_pprof_type_name(int type)
{
	if (type < 0 || type > GOTRACE_PPROF_CPU)
		return NULL;
	return type_names[type];
}

int gotrace_pprof_type_parse(const char *name)
{
	int i;

	if (name == NULL)
		return -1;
	for (i = 0; i <= GOTRACE_PPROF_CPU; i++)
		if (strcmp(name, type_names[i]) == 0)
			return i;
	return -1;
}

static char *dupstr(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

/* The strings of the sample and period types (gotrace_pprof.names). */
static const char *const value_names[] = {"contentions", "count", "delay",
                                          "nanoseconds", "trace", "samples",
                                          "cpu"};

/*
 * The end of the last field of the first gotrace_pprof_options with a
 * struct_size: the smallest struct a caller can have. Fields added later
 * are read only when the caller's struct_size covers them.
 */
#define PPROF_OPTIONS_MIN_SIZE                                               \
	(offsetof(gotrace_pprof_options, region) + sizeof(const char *))

int gotrace_pprof_new(gotrace_pprof **out, const gotrace_pprof_options *opts)
{
	gotrace_pprof *p;
	size_t i;

	if (out == NULL)
		return GOTRACE_ERR_ARG;
	*out = NULL;
	if (opts == NULL || opts->struct_size < PPROF_OPTIONS_MIN_SIZE ||
	    opts->type < 0 || opts->type > GOTRACE_PPROF_CPU ||
	    (opts->region != NULL && opts->region[0] == '\0'))
		return GOTRACE_ERR_ARG;
	if ((p = calloc(1, sizeof *p)) == NULL)
		return GOTRACE_ERR_NOMEM;
	p->type = opts->type;
	p->pass = 1;
	p->passes = 1;
	for (i = 0; i < 7; i++)
		if (intern(p, value_names[i], strlen(value_names[i]),
		           &p->names[i]) != 0)
			goto nomem;
	if (opts->type != GOTRACE_PPROF_CPU &&
	    (opts->goroutine != NULL || opts->region != NULL)) {
		p->passes = 2;
		if (opts->goroutine != NULL &&
		    (p->goroutine_name = dupstr(opts->goroutine)) == NULL)
			goto nomem;
		if (opts->region != NULL &&
		    (p->region_type = dupstr(opts->region)) == NULL)
			goto nomem;
		if (gotrace_summary_new(&p->sum) != GOTRACE_OK)
			goto nomem;
	}
	*out = p;
	return GOTRACE_OK;
nomem:
	gotrace_pprof_free(p);
	return GOTRACE_ERR_NOMEM;
}

int gotrace_pprof_passes(const gotrace_pprof *p)
{
	return p != NULL ? p->passes : 0;
}

/* ---- pass 1 of the filters ---------------------------------------------- */

static int is_system_name(const char *s, size_t n)
{
	/* internal/trace's IsSystemGoroutine */
	if (n == 0)
		return 1;
	if (n == 12 && memcmp(s, "runtime.main", 12) == 0)
		return 0;
	return n >= 8 && memcmp(s, "runtime.", 8) == 0;
}

static int add_region(gotrace_pprof *p, const pgoroutine *g, const pregion *r,
                      int has_end, int64_t end)
{
	if (!r->match)
		return 0;
	if (GROW(p->regions, p->capregions, p->nregions + 1))
		return -1;
	p->regions[p->nregions].g = g->id;
	p->regions[p->nregions].incarnation = g->incarnation;
	p->regions[p->nregions].has_start = r->has_start;
	p->regions[p->nregions].start = r->start;
	p->regions[p->nregions].has_end = has_end;
	p->regions[p->nregions].end = end;
	p->nregions++;
	return 0;
}

/* A goroutine ended (or blocked forever): its open regions end with it,
 * except a system goroutine's, as Go's summary drops them. */
static int end_open_regions(gotrace_pprof *p, pgoroutine *g, int has_end,
                            int64_t end)
{
	gotrace_goroutine_summary gs;
	size_t i;

	if (g->nopen == 0)
		return 0;
	if (gotrace_summary_goroutine(p->sum, g->id, &gs) == 1 &&
	    !is_system_name(gs.name.data, gs.name.len)) {
		for (i = 0; i < g->nopen; i++)
			if (add_region(p, g, &g->open[i], has_end, end) != 0)
				return -1;
	}
	g->nopen = 0;
	return 0;
}

static int push_region(pgoroutine *g, int match, int has_start, int64_t start)
{
	if (GROW(g->open, g->capopen, g->nopen + 1))
		return -1;
	g->open[g->nopen].match = match;
	g->open[g->nopen].has_start = has_start;
	g->open[g->nopen].start = start;
	g->nopen++;
	return 0;
}

static int string_is(gotrace_string s, const char *c)
{
	size_t n = strlen(c);

	return s.len == n && memcmp(s.data, c, n) == 0;
}

static int feed_pass1(gotrace_pprof *p, const gotrace_event *ev)
{
	pgoroutine *g;

	if (gotrace_summary_feed(p->sum, ev) != GOTRACE_OK)
		return -1;
	if (!p->have_time) {
		p->have_time = 1;
		p->first_time = ev->time;
	}
	p->last_time = ev->time;
	if (p->region_type == NULL)
		return 0;
	switch (ev->kind) {
	case GOTRACE_EVENT_REGION_BEGIN:
		if ((g = goroutine(p, ev->goroutine, 1)) == NULL)
			return -1;
		return push_region(g, string_is(ev->u.region.type, p->region_type),
		                   1, ev->time);
	case GOTRACE_EVENT_REGION_END:
		if ((g = goroutine(p, ev->goroutine, 1)) == NULL)
			return -1;
		if (g->nopen > 0) {
			g->nopen--;
			return add_region(p, g, &g->open[g->nopen], 1, ev->time);
		} else {
			pregion r;

			r.match = string_is(ev->u.region.type, p->region_type);
			r.has_start = 0;
			r.start = 0;
			return add_region(p, g, &r, 1, ev->time);
		}
	case GOTRACE_EVENT_STATE_TRANSITION:
		if (ev->u.transition.resource != GOTRACE_RESOURCE_GOROUTINE)
			return 0;
		if ((g = goroutine(p, ev->u.transition.id, 1)) == NULL)
			return -1;
		if (ev->u.transition.old_state == GOTRACE_GO_NOT_EXIST) {
			/* Created: inside its creator's region, it starts in an
			 * unnamed one (which no type filter matches). */
			pgoroutine *creator;

			/* An ID created again is a new goroutine: Go's summary
			 * forgets the regions of the old one. */
			g->incarnation++;
			g->nopen = 0;
			if (ev->goroutine != GOTRACE_NO_GOROUTINE &&
			    (creator = goroutine(p, ev->goroutine, 0)) != NULL &&
			    creator->nopen > 0 && push_region(g, 0, 1, ev->time) != 0)
				return -1;
		}
		if (ev->u.transition.new_state == GOTRACE_GO_NOT_EXIST ||
		    (ev->u.transition.new_state == GOTRACE_GO_WAITING &&
		     string_is(ev->u.transition.reason, "forever")))
			return end_open_regions(p, g, 1, ev->time);
		return 0;
	default:
		return 0;
	}
}

static int cmp_interval(const void *a, const void *b)
{
	const pinterval *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return 0;
}

static int add_interval(gotrace_pprof *p, int64_t id, int64_t start,
                        int64_t end)
{
	pgoroutine *g = goroutine(p, id, 1);

	if (g == NULL || GROW(g->iv, g->capiv, g->niv + 1))
		return -1;
	g->iv[g->niv].start = start;
	g->iv[g->niv].end = end;
	g->niv++;
	return 0;
}

/* Whether goroutine id has the filter's name. */
static int name_matches(gotrace_pprof *p, int64_t id)
{
	gotrace_goroutine_summary gs;

	if (p->goroutine_name == NULL)
		return 1;
	return gotrace_summary_goroutine(p->sum, id, &gs) == 1 &&
	       string_is(gs.name, p->goroutine_name);
}

int gotrace_pprof_next_pass(gotrace_pprof *p)
{
	size_t i;

	if (p == NULL || p->passes != 2 || p->pass != 1 || p->finished)
		return GOTRACE_ERR_ARG;
	if (p->failed)
		return GOTRACE_ERR_NOMEM;
	if (gotrace_summary_finish(p->sum) != GOTRACE_OK)
		goto nomem;
	if (p->region_type != NULL) {
		for (i = 0; i < p->ngs; i++)
			if (end_open_regions(p, &p->gs[i], 0, 0) != 0)
				goto nomem;
		for (i = 0; i < p->nregions; i++) {
			int64_t s = p->regions[i].has_start ? p->regions[i].start
			                                    : p->first_time;
			int64_t e = p->regions[i].has_end ? p->regions[i].end
			                                  : p->last_time;

			const pgoroutine *g = goroutine(p, p->regions[i].g, 0);

			if (g == NULL || g->incarnation != p->regions[i].incarnation)
				continue;
			if (name_matches(p, p->regions[i].g) &&
			    add_interval(p, p->regions[i].g, s, e) != 0)
				goto nomem;
		}
		/* Per goroutine, the outermost regions only. */
		for (i = 0; i < p->ngs; i++) {
			pgoroutine *g = &p->gs[i];
			int64_t last = 0;
			size_t j, n = 0;

			if (g->niv > 1)
				qsort(g->iv, g->niv, sizeof *g->iv, cmp_interval);
			for (j = 0; j < g->niv; j++) {
				if (last <= g->iv[j].start) {
					g->iv[n++] = g->iv[j];
					last = g->iv[j].end;
				}
			}
			g->niv = n;
		}
	} else {
		size_t n = gotrace_summary_goroutine_count(p->sum);

		for (i = 0; i < n; i++) {
			gotrace_goroutine_summary gs;

			if (gotrace_summary_goroutine_at(p->sum, i, &gs) != 0)
				goto nomem;
			if (!string_is(gs.name, p->goroutine_name))
				continue;
			if (add_interval(p, gs.id, gs.start_time,
			                 gs.end_time != 0 ? gs.end_time
			                                  : p->last_time) != 0)
				goto nomem;
		}
	}
	for (i = 0; i < p->ngs; i++) {
		free(p->gs[i].open);
		p->gs[i].open = NULL;
		p->gs[i].nopen = p->gs[i].capopen = 0;
	}
	free(p->regions);
	p->regions = NULL;
	p->nregions = p->capregions = 0;
	gotrace_summary_free(p->sum);
	p->sum = NULL;
	p->pass = 2;
	return GOTRACE_OK;
nomem:
	p->failed = 1;
	return GOTRACE_ERR_NOMEM;
}

/* ---- the spells ------------------------------------------------------- */

static int tracked_state(int type)
{
	switch (type) {
	case GOTRACE_PPROF_SCHED: return GOTRACE_GO_RUNNABLE;
	case GOTRACE_PPROF_SYSCALL: return GOTRACE_GO_SYSCALL;
	default: return GOTRACE_GO_WAITING;
	}
}

static int contains(gotrace_string s, const char *w)
{
	size_t n = strlen(w), i;

	for (i = 0; i + n <= s.len; i++)
		if (memcmp(s.data + i, w, n) == 0)
			return 1;
	return 0;
}

static int tracked_reason(int type, gotrace_string reason)
{
	switch (type) {
	case GOTRACE_PPROF_SYNC:
		return contains(reason, "chan") || contains(reason, "sync") ||
		       contains(reason, "select");
	case GOTRACE_PPROF_NET:
		return string_is(reason, "network");
	default:
		return 1;
	}
}

/* The time of [t0, t1] inside g's filter intervals (Go's overlap rule). */
static int64_t clipped(const pgoroutine *g, int64_t t0, int64_t t1)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < g->niv; i++) {
		int64_t s = g->iv[i].start, e = g->iv[i].end;

		if (e < t0 || t1 < s)
			continue;
		if (s < t0)
			s = t0;
		if (e > t1)
			e = t1;
		if (e - s > 0)
			sum += e - s;
	}
	return sum;
}

/* Notes a counted spell of g, in case its ID is created again. */
static int contribute(pgoroutine *g, uint32_t group, int64_t d)
{
	size_t i;

	for (i = g->ncontrib; i-- > 0;) {
		if (g->contrib[i].group == group) {
			g->contrib[i].count++;
			g->contrib[i].value += d;
			return 0;
		}
	}
	if (GROW(g->contrib, g->capcontrib, g->ncontrib + 1))
		return -1;
	g->contrib[g->ncontrib].group = group;
	g->contrib[g->ncontrib].count = 1;
	g->contrib[g->ncontrib].value = d;
	g->ncontrib++;
	return 0;
}

/*
 * A goroutine ID created again (the goroutine of a cgo callback's extra M
 * is created and destroyed with each callback): cmd/trace's summary keeps
 * the last goroutine of an ID, whose lifetime clips the spells, so the
 * spells counted for the earlier one are taken back.
 */
static void recreated(gotrace_pprof *p, pgoroutine *g)
{
	size_t i;

	for (i = 0; i < g->ncontrib; i++) {
		pgroup *gr = &p->groups[g->contrib[i].group];

		gr->count -= g->contrib[i].count;
		gr->value -= g->contrib[i].value;
	}
	g->ncontrib = 0;
	g->nwaiting = 0;
	g->has_run = 0;
	g->first_run = 0;
}

static int end_spell(gotrace_pprof *p, pgoroutine *g, int64_t t1)
{
	int64_t t0 = g->t0, d;

	if (p->passes == 2) {
		d = clipped(g, t0, t1);
		return d > 0 ? add_sample(p, g->stack, 1, d, t1) : 0;
	}
	if (!g->has_run) {
		if (GROW(g->waiting, g->capwaiting, g->nwaiting + 1))
			return -1;
		g->waiting[g->nwaiting].t0 = t0;
		g->waiting[g->nwaiting].t1 = t1;
		g->waiting[g->nwaiting].stack = g->stack;
		g->nwaiting++;
		return 0;
	}
	d = t1 - (g->first_run > t0 ? g->first_run : t0);
	if (d <= 0)
		return 0;
	return add_sample(p, g->stack, 1, d, t1) != 0 ? -1 : contribute(g, p->stacks[g->stack].group, d);
}

static int feed_transition(gotrace_pprof *p, const gotrace_event *ev)
{
	int state = tracked_state(p->type);
	int new_state = ev->u.transition.new_state;
	pgoroutine *g = goroutine(p, ev->u.transition.id, 1);

	if (g == NULL)
		return -1;
	if (ev->u.transition.old_state == GOTRACE_GO_NOT_EXIST) {
		if (g->created && p->passes == 1)
			recreated(p, g);
		g->created = 1;
	}
	if (new_state == GOTRACE_GO_RUNNING && !g->has_run) {
		g->has_run = 1;
		g->first_run = ev->time;
		g->nwaiting = 0;       /* they end before the first run */
	}
	if (!g->tracking) {
		if (new_state == state &&
		    tracked_reason(p->type, ev->u.transition.reason)) {
			if (intern_stack(p, ev->stack, &g->stack) != 0)
				return -1;
			g->tracking = 1;
			g->t0 = ev->time;
		}
		return 0;
	}
	if (new_state == state)
		return 0;
	g->tracking = 0;
	return end_spell(p, g, ev->time);
}

int gotrace_pprof_feed(gotrace_pprof *p, const gotrace_event *ev)
{
	int rc = 0;

	if (p == NULL || ev == NULL || p->finished)
		return GOTRACE_ERR_ARG;
	if (p->failed)
		return GOTRACE_ERR_NOMEM;
	if (p->pass == 1 && p->passes == 2) {
		rc = feed_pass1(p, ev);
	} else if (p->type == GOTRACE_PPROF_CPU) {
		if (ev->kind == GOTRACE_EVENT_STACK_SAMPLE) {
			uint32_t st;

			rc = intern_stack(p, ev->stack, &st);
			if (rc == 0)
				rc = add_sample(p, st, 1, CPU_PERIOD_NS, ev->time);
		}
	} else if (ev->kind == GOTRACE_EVENT_STATE_TRANSITION &&
	           ev->u.transition.resource == GOTRACE_RESOURCE_GOROUTINE) {
		rc = feed_transition(p, ev);
	}
	if (rc != 0) {
		p->failed = 1;
		return GOTRACE_ERR_NOMEM;
	}
	return GOTRACE_OK;
}

int gotrace_pprof_finish(gotrace_pprof *p)
{
	size_t i, j;

	if (p == NULL)
		return GOTRACE_ERR_ARG;
	if (p->failed)
		return GOTRACE_ERR_NOMEM;
	if (p->finished)
		return GOTRACE_OK;
	if (p->passes == 2 && p->pass == 1) {
		/* The first pass did not complete: nothing was counted. */
		p->norder = 0;
	} else if (p->passes == 1) {
		/* Spells of goroutines that never ran count whole. */
		for (i = 0; i < p->ngs; i++) {
			pgoroutine *g = &p->gs[i];

			for (j = 0; j < g->nwaiting; j++) {
				int64_t d = g->waiting[j].t1 - g->waiting[j].t0;

				if (d > 0 && add_sample(p, g->waiting[j].stack, 1, d,
				                       g->waiting[j].t1) != 0) {
					p->failed = 1;
					return GOTRACE_ERR_NOMEM;
				}
			}
		}
	}
	/* Drop the groups whose spells were all taken back. */
	for (i = j = 0; i < p->norder; i++)
		if (p->groups[p->order[i]].count > 0)
			p->order[j++] = p->order[i];
	p->norder = j;
	p->finished = 1;
	return GOTRACE_OK;
}

/* ---- accessors -------------------------------------------------------- */

size_t gotrace_pprof_sample_count(const gotrace_pprof *p)
{
	return p != NULL && p->finished ? p->norder : 0;
}

size_t gotrace_pprof_value_count(const gotrace_pprof *p)
{
	return p != NULL ? 2 : 0;
}

const char *gotrace_pprof_value_type(const gotrace_pprof *p, size_t v)
{
	if (p == NULL || v > 1)
		return NULL;
	if (p->type == GOTRACE_PPROF_CPU)
		return v == 0 ? "samples" : "cpu";
	return v == 0 ? "contentions" : "delay";
}

const char *gotrace_pprof_value_unit(const gotrace_pprof *p, size_t v)
{
	if (p == NULL || v > 1)
		return NULL;
	return v == 0 ? "count" : "nanoseconds";
}

int gotrace_pprof_sample_value(const gotrace_pprof *p, size_t i, size_t v,
                               int64_t *out)
{
	if (p == NULL || out == NULL || !p->finished || i >= p->norder || v > 1)
		return -1;
	*out = v == 0 ? (int64_t)p->groups[p->order[i]].count
	              : p->groups[p->order[i]].value;
	return 0;
}

size_t gotrace_pprof_sample_depth(const gotrace_pprof *p, size_t i)
{
	if (p == NULL || !p->finished || i >= p->norder)
		return 0;
	return sample_stack(p, i)->depth;
}

int gotrace_pprof_sample_frame(const gotrace_pprof *p, size_t i, size_t f,
                               gotrace_frame *out)
{
	const pstack *st;
	const pframe *fr;

	if (p == NULL || out == NULL || !p->finished || i >= p->norder)
		return -1;
	st = sample_stack(p, i);
	if (f >= st->depth)
		return -1;
	fr = &p->frames[st->first + f];
	out->pc = fr->pc;
	out->line = fr->line;
	out->func = gt_strtab_get(&p->strs, fr->func);
	out->file = gt_strtab_get(&p->strs, fr->file);
	return 0;
}

/* ---- writing ---------------------------------------------------------- */

typedef struct gz_buffer {
	ProtobufCBuffer base;
	z_stream z;
	gotrace_sink *sink;
	int rc;
	unsigned char out[16384];
} gz_buffer;

static int gz_drain(gz_buffer *b, int flush)
{
	do {
		int zr;
		size_t n;

		b->z.next_out = b->out;
		b->z.avail_out = sizeof b->out;
		zr = deflate(&b->z, flush);
		if (zr == Z_STREAM_ERROR)
			return GOTRACE_ERR_NOMEM;
		n = sizeof b->out - b->z.avail_out;
		if (n > 0) {
			int rc = gotrace_sink_write(b->sink, b->out, n);

			if (rc != GOTRACE_OK)
				return rc;
		}
		if (flush == Z_FINISH && zr == Z_STREAM_END)
			return GOTRACE_OK;
	} while (b->z.avail_out == 0 || flush == Z_FINISH);
	return GOTRACE_OK;
}

static void gz_append(ProtobufCBuffer *buffer, size_t len, const uint8_t *data)
{
	gz_buffer *b = (gz_buffer *)(void *)buffer;

	while (b->rc == GOTRACE_OK && len > 0) {
		uInt chunk = len > 65536 ? 65536 : (uInt)len;

		b->z.next_in = (Bytef *)(uintptr_t)data;
		b->z.avail_in = chunk;
		b->rc = gz_drain(b, Z_NO_FLUSH);
		data += chunk;
		len -= chunk;
	}
}

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__ValueType ValueType;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Line Line;
typedef Perftools__Profiles__Function Function;

/* What a written profile is made of, freed in one place. */
typedef struct wr {
	Profile prof;
	ValueType vt[3];
	Sample *samples;
	Sample **sample_ptrs;
	int64_t *values;
	uint64_t *locids;
	Location *locs;
	Location **loc_ptrs;
	Line *lines;
	Line **line_ptrs;
	Function *funcs;
	Function **func_ptrs;
	ValueType *vt_ptrs[2];
	char **strings;
	gt_map stridx;             /* string id -> string table index */
	gt_map locmap;             /* PC -> location index */
	gt_map funcmap;            /* (file, function name) -> function index */
} wr;

static void wr_free(wr *w)
{
	free(w->samples);
	free(w->sample_ptrs);
	free(w->values);
	free(w->locids);
	free(w->locs);
	free(w->loc_ptrs);
	free(w->lines);
	free(w->line_ptrs);
	free(w->funcs);
	free(w->func_ptrs);
	free(w->strings);
	gt_map_free(&w->stridx);
	gt_map_free(&w->locmap);
	gt_map_free(&w->funcmap);
}

/* The string table index of interned string id (the empty string is 0). */
static int str_id(const gotrace_pprof *p, wr *w, uint32_t id, int64_t *out)
{
	gotrace_string s = gt_strtab_get(&p->strs, id);
	uint32_t idx;

	if (s.len == 0) {
		*out = 0;
		return 0;
	}
	if (map_get(&w->stridx, id, &idx)) {
		*out = idx;
		return 0;
	}
	if (map_put(&w->stridx, id, (uint32_t)w->prof.n_string_table) != 0)
		return -1;
	*out = (int64_t)w->prof.n_string_table;
	w->strings[w->prof.n_string_table++] = (char *)(uintptr_t)s.data;
	return 0;
}

static int build(const gotrace_pprof *p, wr *w)
{
	const uint32_t *name = p->names;
	size_t i, j, nfr = 0, nvals = 2, maxstr;
	int64_t id;

	for (i = 0; i < p->norder; i++)
		nfr += sample_stack(p, i)->depth;
	maxstr = 1 + 7 + 2 * nfr;
	w->samples = calloc(p->norder ? p->norder : 1, sizeof *w->samples);
	w->sample_ptrs = calloc(p->norder ? p->norder : 1, sizeof *w->sample_ptrs);
	w->values = calloc(p->norder * nvals + 1, sizeof *w->values);
	w->locids = calloc(nfr + 1, sizeof *w->locids);
	w->locs = calloc(nfr + 1, sizeof *w->locs);
	w->loc_ptrs = calloc(nfr + 1, sizeof *w->loc_ptrs);
	w->lines = calloc(nfr + 1, sizeof *w->lines);
	w->line_ptrs = calloc(nfr + 1, sizeof *w->line_ptrs);
	w->funcs = calloc(nfr + 1, sizeof *w->funcs);
	w->func_ptrs = calloc(nfr + 1, sizeof *w->func_ptrs);
	w->strings = calloc(maxstr, sizeof *w->strings);
	if (!w->samples || !w->sample_ptrs || !w->values || !w->locids ||
	    !w->locs || !w->loc_ptrs || !w->lines || !w->line_ptrs ||
	    !w->funcs || !w->func_ptrs || !w->strings)
		return -1;
	perftools__profiles__profile__init(&w->prof);
	w->strings[0] = (char *)(uintptr_t)"";
	w->prof.n_string_table = 1;
	w->prof.string_table = w->strings;
	for (i = 0; i < 3; i++)
		perftools__profiles__value_type__init(&w->vt[i]);
	if (p->type == GOTRACE_PPROF_CPU) {
		if (str_id(p, w, name[5], &w->vt[0].type) ||
		    str_id(p, w, name[1], &w->vt[0].unit) ||
		    str_id(p, w, name[6], &w->vt[1].type) ||
		    str_id(p, w, name[3], &w->vt[1].unit))
			return -1;
		w->vt[2] = w->vt[1];
		w->prof.period = CPU_PERIOD_NS;
	} else {
		if (str_id(p, w, name[0], &w->vt[0].type) ||
		    str_id(p, w, name[1], &w->vt[0].unit) ||
		    str_id(p, w, name[2], &w->vt[1].type) ||
		    str_id(p, w, name[3], &w->vt[1].unit) ||
		    str_id(p, w, name[4], &w->vt[2].type) ||
		    str_id(p, w, name[1], &w->vt[2].unit))
			return -1;
		w->prof.period = 1;
	}
	w->vt_ptrs[0] = &w->vt[0];
	w->vt_ptrs[1] = &w->vt[1];
	w->prof.sample_type = w->vt_ptrs;
	w->prof.n_sample_type = 2;
	w->prof.period_type = &w->vt[2];
	w->prof.sample = w->sample_ptrs;
	w->prof.location = w->loc_ptrs;
	w->prof.function = w->func_ptrs;
	nfr = 0;
	for (i = 0; i < p->norder; i++) {
		const pstack *st = sample_stack(p, i);
		const pgroup *gr = &p->groups[p->order[i]];
		Sample *s = &w->samples[i];

		perftools__profiles__sample__init(s);
		s->n_value = nvals;
		s->value = &w->values[i * nvals];
		s->value[0] = (int64_t)gr->count;
		s->value[1] = gr->value;
		s->n_location_id = st->depth;
		s->location_id = &w->locids[nfr];
		for (j = 0; j < st->depth; j++) {
			const pframe *f = &p->frames[st->first + j];
			uint32_t li32, fi32;

			if (!map_get(&w->locmap, f->pc, &li32)) {
				size_t li = w->prof.n_location;
				Location *loc = &w->locs[li];
				Line *line = &w->lines[li];
				uint64_t fid;

				if (!gt_map_get(&w->funcmap, f->file, f->func, &fi32)) {
					Function *fn = &w->funcs[w->prof.n_function];

					perftools__profiles__function__init(fn);
					fn->id = w->prof.n_function + 1;
					if (str_id(p, w, f->func, &id))
						return -1;
					fn->name = fn->system_name = id;
					if (str_id(p, w, f->file, &fn->filename))
						return -1;
					w->func_ptrs[w->prof.n_function] = fn;
					if (gt_map_put(&w->funcmap, f->file, f->func,
					               (uint32_t)w->prof.n_function) != 0)
						return -1;
					fid = fn->id;
					w->prof.n_function++;
				} else {
					fid = (uint64_t)fi32 + 1;
				}
				perftools__profiles__location__init(loc);
				perftools__profiles__line__init(line);
				loc->id = li + 1;
				loc->address = f->pc;
				line->function_id = fid;
				line->line = (int64_t)f->line;
				w->line_ptrs[li] = line;
				loc->n_line = 1;
				loc->line = &w->line_ptrs[li];
				w->loc_ptrs[li] = loc;
				if (map_put(&w->locmap, f->pc, (uint32_t)li) != 0)
					return -1;
				w->prof.n_location++;
				s->location_id[j] = loc->id;
			} else {
				s->location_id[j] = (uint64_t)li32 + 1;
			}
		}
		nfr += st->depth;
		w->sample_ptrs[i] = s;
		w->prof.n_sample++;
	}
	return 0;
}

int gotrace_pprof_write(const gotrace_pprof *p, gotrace_sink *sink)
{
	gz_buffer *b;
	wr w;
	int rc;

	if (p == NULL || sink == NULL || !p->finished)
		return GOTRACE_ERR_ARG;
	if (p->failed)
		return GOTRACE_ERR_NOMEM;
	memset(&w, 0, sizeof w);
	if (build(p, &w) != 0) {
		wr_free(&w);
		return GOTRACE_ERR_NOMEM;
	}
	if ((b = calloc(1, sizeof *b)) == NULL) {
		wr_free(&w);
		return GOTRACE_ERR_NOMEM;
	}
	b->base.append = gz_append;
	b->sink = sink;
	b->rc = GOTRACE_OK;
	if (deflateInit2(&b->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	                 Z_DEFAULT_STRATEGY) != Z_OK) {
		free(b);
		wr_free(&w);
		return GOTRACE_ERR_NOMEM;
	}
	protobuf_c_message_pack_to_buffer(&w.prof.base, &b->base);
	rc = b->rc;
	if (rc == GOTRACE_OK) {
		b->z.next_in = NULL;
		b->z.avail_in = 0;
		rc = gz_drain(b, Z_FINISH);
	}
	deflateEnd(&b->z);
	free(b);
	wr_free(&w);
	return rc;
}

void gotrace_pprof_free(gotrace_pprof *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->ngs; i++) {
		free(p->gs[i].waiting);
		free(p->gs[i].contrib);
		free(p->gs[i].open);
		free(p->gs[i].iv);
	}
	free(p->gs);
	gt_map_free(&p->gmap);
	free(p->frames);
	free(p->stacks);
	gt_map_free(&p->stackmap);
	free(p->groups);
	gt_map_free(&p->groupmap);
	free(p->order);
	gt_strtab_free(&p->strs);
	free(p->regions);
	gotrace_summary_free(p->sum);
	free(p->goroutine_name);
	free(p->region_type);
	free(p);
}
