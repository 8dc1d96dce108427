/*
 * gotrace top: a live view of a trace as it is read. Each time a
 * generation completes (a Sync event after the first) it shows the
 * goroutine groups that ran the most in that generation — the deltas of
 * the summary's running group figures since the last boundary — with
 * the GC cycles and stop-the-world pauses that began in it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

enum { OPT_NO_CLEAR = CLI_OPT_FIRST_COMMAND_OPTION };

/* A group's figures at the last boundary. */
typedef struct snap {
	char *name;
	size_t len;
	int64_t exec, sched_wait, block;
} snap;

/* A group's share of one generation, for sorting. */
typedef struct delta {
	const char *name;
	size_t len;
	uint64_t count;
	int64_t exec, sched_wait, block;
} delta;

typedef struct top_state {
	gotrace_summary *sum;
	gotrace_gc *gc;
	snap *prev;
	size_t nprev;
	delta *rows;
	size_t rows_cap;
	size_t cycles_seen, stws_seen;   /* records before this generation */
	uint64_t generation;             /* the one being read: 1, 2, ... */
	uint64_t shown;                  /* its number in the trace (what
	                                    --gen takes); v1: generation */
	int64_t gen_start, first_time, last_time;
	uint64_t events;                 /* since the last boundary */
	size_t top;
	int clear;
	int failed;
	int write_errno;
} top_state;

static int cmp_snap(const void *a, const void *b)
{
	const snap *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, n);

	return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

static int cmp_delta(const void *a, const void *b)
{
	const delta *x = a, *y = b;

	if (x->exec != y->exec)
		return x->exec > y->exec ? -1 : 1;
	if (x->block != y->block)
		return x->block > y->block ? -1 : 1;
	return 0;
}

static const snap *find_prev(const top_state *t, const char *name, size_t len)
{
	snap key;

	key.name = (char *)(uintptr_t)name;
	key.len = len;
	if (t->nprev == 0)
		return NULL;
	return bsearch(&key, t->prev, t->nprev, sizeof *t->prev, cmp_snap);
}

static void free_prev(top_state *t)
{
	size_t i;

	for (i = 0; i < t->nprev; i++)
		free(t->prev[i].name);
	free(t->prev);
	t->prev = NULL;
	t->nprev = 0;
}

/* Remembers every group's figures as of this boundary. */
static int take_snapshot(top_state *t)
{
	size_t n = gotrace_summary_group_count(t->sum), i;
	snap *s = calloc(n + 1, sizeof *s);

	if (s == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		gotrace_goroutine_group g;

		gotrace_summary_group_at(t->sum, i, &g);
		s[i].name = malloc(g.name.len + 1);
		if (s[i].name == NULL) {
			while (i-- > 0)
				free(s[i].name);
			free(s);
			return -1;
		}
		memcpy(s[i].name, g.name.data, g.name.len);
		s[i].len = g.name.len;
		s[i].exec = g.exec_ns;
		s[i].sched_wait = g.sched_wait_ns;
		s[i].block = g.block_ns;
	}
	qsort(s, n, sizeof *s, cmp_snap);
	free_prev(t);
	t->prev = s;
	t->nprev = n;
	return 0;
}

static void gc_line(top_state *t)
{
	size_t nc = gotrace_gc_cycle_count(t->gc), ns = gotrace_gc_stw_count(t->gc);
	int64_t gc_ns = 0, stw_ns = 0;
	char a[40], b[40];
	size_t i;

	for (i = t->cycles_seen; i < nc; i++) {
		gotrace_gc_cycle c;

		gotrace_gc_cycle_at(t->gc, i, &c);
		gc_ns += c.duration_ns;
	}
	for (i = t->stws_seen; i < ns; i++) {
		gotrace_stw s;

		gotrace_gc_stw_at(t->gc, i, &s);
		stw_ns += s.duration_ns;
	}
	cli_format_duration(a, sizeof a, gc_ns);
	cli_format_duration(b, sizeof b, stw_ns);
	printf("GC: %zu cycles, %s   stop-the-world: %zu pauses, %s\n",
	       nc - t->cycles_seen, a, ns - t->stws_seen, b);
	t->cycles_seen = nc;
	t->stws_seen = ns;
}

/* Draws the generation that ends at end_time, then starts the next. */
static int render(top_state *t, int64_t end_time, int partial)
{
	size_t n = gotrace_summary_group_count(t->sum), i, k = 0;
	char a[40], b[40];
	cli_out *o;

	if (n > t->rows_cap) {
		delta *r = realloc(t->rows, n * sizeof *r);

		if (r == NULL)
			return -1;
		t->rows = r;
		t->rows_cap = n;
	}
	for (i = 0; i < n; i++) {
		gotrace_goroutine_group g;
		const snap *p;
		delta *d = &t->rows[k];

		gotrace_summary_group_at(t->sum, i, &g);
		p = find_prev(t, g.name.data, g.name.len);
		d->name = g.name.data;
		d->len = g.name.len;
		d->count = g.count;
		d->exec = g.exec_ns - (p ? p->exec : 0);
		d->sched_wait = g.sched_wait_ns - (p ? p->sched_wait : 0);
		d->block = g.block_ns - (p ? p->block : 0);
		/* Groups that did nothing in this generation are not news. */
		if (d->exec != 0 || d->sched_wait != 0 || d->block != 0)
			k++;
	}
	if (k > 1) /* rows is NULL while no group has been seen */
		qsort(t->rows, k, sizeof *t->rows, cmp_delta);
	if (t->clear)
		fputs("\033[H\033[2J", stdout);
	else if (t->generation > 1)
		putchar('\n');
	cli_format_duration(a, sizeof a, t->gen_start - t->first_time);
	cli_format_duration(b, sizeof b, end_time - t->first_time);
	printf("generation %llu (%s - %s%s)\n", (unsigned long long)t->shown,
	       a, b, partial ? ", partial" : "");
	gc_line(t);
	o = cli_out_new(CLI_TABLE);
	if (o == NULL)
		return -1;
	for (i = 0; i < k && i < t->top; i++) {
		cli_rec_begin(o);
		cli_rec_dur(o, "EXEC", t->rows[i].exec);
		cli_rec_dur(o, "SCHED WAIT", t->rows[i].sched_wait);
		cli_rec_dur(o, "BLOCKED", t->rows[i].block);
		cli_rec_uint(o, "GOROUTINES", t->rows[i].count);
		cli_rec_str(o, "START FUNCTION", t->rows[i].name, t->rows[i].len);
		cli_rec_end(o);
	}
	if (cli_out_flush(o) != 0) {
		cli_out_free(o);
		return -1;
	}
	cli_out_free(o);
	if (k > t->top)
		printf("(%zu more groups)\n", k - t->top);
	/* A live stream: show each generation as soon as it is complete. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		t->write_errno = errno;
		return -2;
	}
	/* A live read's memory follows the live goroutines; the ended ones'
	 * figures stay in their groups, which is all top shows. */
	if (gotrace_summary_forget_ended(t->sum) != GOTRACE_OK)
		return -1;
	return take_snapshot(t);
}

static int feed(void *ctx, const gotrace_event *ev)
{
	top_state *t = ctx;
	int rc;

	if ((rc = gotrace_summary_feed(t->sum, ev)) != GOTRACE_OK ||
	    (rc = gotrace_gc_feed(t->gc, ev)) != GOTRACE_OK)
		return rc;
	if (t->generation == 0)
		t->first_time = ev->time;
	t->last_time = ev->time;
	if (ev->kind == GOTRACE_EVENT_SYNC) {
		if (t->generation > 0) {
			rc = render(t, ev->time, 0);
			if (rc == -2) {
				t->failed = 1;
				return GOTRACE_ERR_IO;
			}
			if (rc != 0)
				return GOTRACE_ERR_NOMEM;
		}
		t->generation++;
		t->shown = ev->generation != 0 ? ev->generation : t->generation;
		t->gen_start = ev->time;
		t->events = 0;
		return GOTRACE_OK;
	}
	t->events++;
	return GOTRACE_OK;
}

int cmd_top(const cli_command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_READER_LONGOPTS,
		{"top", required_argument, NULL, 'n'},
		{"no-clear", no_argument, NULL, OPT_NO_CLEAR},
		{NULL, 0, NULL, 0}
	};
	cli_reader_opts opt;
	top_state t;
	cli_run run;
	const char *file, *why;
	uint64_t top = 15;
	int c, rc, no_clear = 0, status = CLI_OK;

	cli_reader_opts_init(&opt);
	while ((c = cli_getopt(cmd, argc, argv, CLI_READER_SHORTOPTS "n:",
	                       longopts)) != -1) {
		int k = cli_reader_option(cmd, &opt, c, optarg);

		if (k < 0)
			return CLI_USAGE;
		if (k > 0)
			continue;
		switch (c) {
		case 'h':
			return cli_print_help(cmd);
		case 'n':
			if ((why = cli_parse_u64(optarg, 1, SIZE_MAX, &top)) != NULL)
				return cli_usage_error(cmd, "invalid --top '%s': %s",
				                       optarg, why);
			break;
		case OPT_NO_CLEAR:
			no_clear = 1;
			break;
		default:
			return CLI_USAGE;
		}
	}
	if ((file = cli_file_operand(cmd, argc, argv)) == NULL)
		return CLI_USAGE;
	memset(&t, 0, sizeof t);
	t.top = (size_t)top;
	t.clear = !no_clear && isatty(1);
	if (gotrace_summary_new(&t.sum) != GOTRACE_OK ||
	    gotrace_gc_new(&t.gc) != GOTRACE_OK) {
		gotrace_summary_free(t.sum);
		gotrace_gc_free(t.gc);
		return cli_nomem();
	}
	/* The screen is the progress: no progress line under it. */
	rc = cli_run_open(&run, cmd, &opt, file, 0, 1);
	if (rc >= 0 || !run.open_failed) {
		rc = cli_run_feed(&run, rc, feed, &t);
		if (rc == GOTRACE_ERR_NOMEM)
			status = cli_nomem();
		else if (t.failed) {
			errno = t.write_errno;
			status = cli_write_error();
		}
		else if (t.generation > 0 && t.events > 0) {
			rc = render(&t, t.last_time, 1);
			if (rc == -2) {
				errno = t.write_errno;
				status = cli_write_error();
			}
			else if (rc != 0)
				status = cli_nomem();
		}
	}
	gotrace_summary_free(t.sum);
	gotrace_gc_free(t.gc);
	free_prev(&t);
	free(t.rows);
	if (status != CLI_OK) {
		cli_run_free(&run);
		return status;
	}
	return cli_run_finish(&run);
}
