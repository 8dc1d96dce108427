/*
 * gotrace gc: GC cycles and stop-the-world pauses (gotrace_gc): the
 * totals and the pause distribution, or every cycle and pause in the
 * order they began.
 */
#include "cli.h"

enum { OPT_SUMMARY = CLI_OPT_FIRST_COMMAND_OPTION, OPT_LIST };

/* Tables put the start (raw trace time) and duration first, the reason
 * last; JSON and CSV follow the schema in docs/api.md. */
static void emit_cycle(cli_out *o, const gotrace_gc_cycle *c)
{
	cli_rec_begin(o);
	if (cli_out_format(o) == CLI_TABLE) {
		cli_rec_cstr(o, "KIND", "gc");
		cli_rec_int(o, "START", c->start_time);
		cli_rec_dur(o, "DURATION", c->duration_ns);
	} else {
		cli_rec_cstr(o, "kind", "gc");
		cli_rec_int(o, "start_ns", c->start_time);
		cli_rec_int(o, "end_ns", c->end_time);
		cli_rec_dur(o, "duration_ns", c->duration_ns);
	}
	cli_rec_end(o);
}

static void emit_stw(cli_out *o, const gotrace_stw *s)
{
	cli_rec_begin(o);
	if (cli_out_format(o) == CLI_TABLE) {
		cli_rec_cstr(o, "KIND", "stw");
		cli_rec_int(o, "START", s->start_time);
		cli_rec_dur(o, "DURATION", s->duration_ns);
		cli_rec_int(o, "GOROUTINE", s->goroutine);
		cli_rec_str(o, "REASON", s->reason.data, s->reason.len);
	} else {
		cli_rec_cstr(o, "kind", "stw");
		cli_rec_str(o, "reason", s->reason.data, s->reason.len);
		cli_rec_int(o, "start_ns", s->start_time);
		cli_rec_int(o, "end_ns", s->end_time);
		cli_rec_dur(o, "duration_ns", s->duration_ns);
		cli_rec_int(o, "goroutine", s->goroutine);
	}
	cli_rec_end(o);
}

/* Cycles and pauses merged by start; on a tie the cycle first (it is
 * the sweep termination pause that starts a cycle). */
static void emit_list(cli_out *o, const gotrace_gc *g)
{
	size_t nc = gotrace_gc_cycle_count(g), ns = gotrace_gc_stw_count(g);
	size_t i = 0, j = 0;
	gotrace_gc_cycle c = {0};
	gotrace_stw s = {0};

	/* Columns for the header, even with no records: a pause has every
	 * field a cycle has, in the same order, and more. */
	s.reason.data = "";
	cli_out_schema(o, 1);
	emit_stw(o, &s);
	cli_out_schema(o, 0);
	while (i < nc || j < ns) {
		if (i < nc)
			gotrace_gc_cycle_at(g, i, &c);
		if (j < ns)
			gotrace_gc_stw_at(g, j, &s);
		if (j >= ns || (i < nc && c.start_time <= s.start_time)) {
			emit_cycle(o, &c);
			i++;
		} else {
			emit_stw(o, &s);
			j++;
		}
	}
}

static void emit_summary(cli_out *o, const gotrace_gc *g)
{
	gotrace_gc_totals t;
	gotrace_duration_stats d;

	gotrace_gc_totals_get(g, &t);
	gotrace_gc_stw_stats(g, &d);
	cli_rec_begin(o);
	cli_rec_uint(o, "cycles", t.cycles);
	cli_rec_dur(o, "gc_ns", t.gc_ns);
	cli_rec_uint(o, "stw_count", t.stw_count);
	cli_rec_dur(o, "stw_ns", t.stw_ns);
	cli_rec_uint(o, "mark_assist_count", t.mark_assist_count);
	cli_rec_dur(o, "mark_assist_ns", t.mark_assist_ns);
	cli_rec_uint(o, "sweep_count", t.sweep_count);
	cli_rec_dur(o, "sweep_ns", t.sweep_ns);
	cli_rec_uint(o, "swept_bytes", t.swept_bytes);
	cli_rec_uint(o, "reclaimed_bytes", t.reclaimed_bytes);
	cli_rec_int(o, "first_ns", t.first_time);
	cli_rec_int(o, "last_ns", t.last_time);
	cli_rec_dur(o, "stw_min_ns", d.min);
	cli_rec_dur(o, "stw_p50_ns", d.p50);
	cli_rec_dur(o, "stw_p90_ns", d.p90);
	cli_rec_dur(o, "stw_p99_ns", d.p99);
	cli_rec_dur(o, "stw_max_ns", d.max);
	cli_rec_end(o);
}

/* The human summary: a few labelled lines rather than one wide row. */
static void print_summary(const gotrace_gc *g)
{
	gotrace_gc_totals t;
	gotrace_duration_stats d;
	char a[40], b[40], c[40], e[40], f[40];

	gotrace_gc_totals_get(g, &t);
	gotrace_gc_stw_stats(g, &d);
	cli_format_duration(a, sizeof a, t.last_time - t.first_time);
	printf("trace:           %s\n", a);
	cli_format_duration(a, sizeof a, t.gc_ns);
	printf("GC cycles:       %llu, %s\n", (unsigned long long)t.cycles, a);
	cli_format_duration(a, sizeof a, t.stw_ns);
	printf("stop-the-world:  %llu, %s\n", (unsigned long long)t.stw_count, a);
	cli_format_duration(a, sizeof a, d.min);
	cli_format_duration(b, sizeof b, d.p50);
	cli_format_duration(c, sizeof c, d.p90);
	cli_format_duration(e, sizeof e, d.p99);
	cli_format_duration(f, sizeof f, d.max);
	printf("  pauses:        min %s, p50 %s, p90 %s, p99 %s, max %s\n",
	       a, b, c, e, f);
	cli_format_duration(a, sizeof a, t.mark_assist_ns);
	printf("mark assists:    %llu, %s\n",
	       (unsigned long long)t.mark_assist_count, a);
	cli_format_duration(a, sizeof a, t.sweep_ns);
	printf("sweeps:          %llu, %s, %llu bytes swept, %llu reclaimed\n",
	       (unsigned long long)t.sweep_count, a,
	       (unsigned long long)t.swept_bytes,
	       (unsigned long long)t.reclaimed_bytes);
}

int cmd_gc(const cli_command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_READER_LONGOPTS,
		CLI_FORMAT_LONGOPTS,
		{"summary", no_argument, NULL, OPT_SUMMARY},
		{"list", no_argument, NULL, OPT_LIST},
		{NULL, 0, NULL, 0}
	};
	cli_reader_opts opt;
	cli_format format = CLI_TABLE;
	cli_run run;
	cli_out *o = NULL;
	gotrace_gc *g = NULL;
	const char *file;
	int c, rc, summary = -1, status;

	cli_reader_opts_init(&opt);
	while ((c = cli_getopt(cmd, argc, argv, CLI_READER_SHORTOPTS,
	                       longopts)) != -1) {
		int k = cli_analysis_option(cmd, &opt, &format, c, optarg);

		if (k < 0)
			return CLI_USAGE;
		if (k > 0)
			continue;
		switch (c) {
		case 'h':
			return cli_print_help(cmd);
		case OPT_SUMMARY:
		case OPT_LIST:
			if (summary == (c == OPT_LIST))
				return cli_usage_error(cmd, "--summary and --list "
				                       "exclude each other");
			summary = c == OPT_SUMMARY;
			break;
		default:
			return CLI_USAGE;
		}
	}
	if ((file = cli_file_operand(cmd, argc, argv)) == NULL)
		return CLI_USAGE;
	if (summary < 0)
		summary = format == CLI_TABLE;
	if (gotrace_gc_new(&g) != GOTRACE_OK || (o = cli_out_new(format)) == NULL) {
		gotrace_gc_free(g);
		return cli_nomem();
	}
	if (!cli_analyse(&run, cmd, &opt, file, &cli_gc_analysis, g, &status)) {
		gotrace_gc_free(g);
		cli_out_free(o);
		return status;
	}
	if (summary && format == CLI_TABLE)
		print_summary(g);
	else if (summary)
		emit_summary(o, g);
	else
		emit_list(o, g);
	status = cli_out_done(o);
	gotrace_gc_free(g);
	cli_out_free(o);
	rc = cli_run_finish(&run);
	return status != CLI_OK ? status : rc;
}
