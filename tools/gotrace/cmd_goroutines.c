/*
 * gotrace goroutines: the per-goroutine summary of `go tool trace`'s
 * goroutine pages (gotrace_summary), or its groups by start function.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_GROUPS = CLI_OPT_FIRST_COMMAND_OPTION };

static int64_t blocked(const gotrace_goroutine_summary *g)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < g->nblock; i++)
		sum += g->block[i].ns;
	return sum;
}

static void emit_goroutine(cli_out *o, const gotrace_goroutine_summary *g)
{
	size_t i;

	cli_rec_begin(o);
	cli_rec_int(o, "id", g->id);
	cli_rec_str(o, "name", g->name.data, g->name.len);
	cli_rec_uint(o, "pc", g->pc);
	cli_rec_int(o, "creation_ns", g->creation_time);
	cli_rec_int(o, "start_ns", g->start_time);
	cli_rec_int(o, "end_ns", g->end_time);
	cli_rec_dur(o, "exec_ns", g->exec_ns);
	cli_rec_dur(o, "sched_wait_ns", g->sched_wait_ns);
	cli_rec_dur(o, "syscall_ns", g->syscall_ns);
	cli_rec_dur(o, "syscall_block_ns", g->syscall_block_ns);
	cli_rec_dur(o, "total_ns", g->total_ns);
	cli_rec_obj_begin(o, "block_ns");
	for (i = 0; i < g->nblock; i++)
		cli_rec_dur_named(o, g->block[i].name.data, g->block[i].name.len,
		                  g->block[i].ns);
	cli_rec_obj_end(o);
	cli_rec_obj_begin(o, "range_ns");
	for (i = 0; i < g->nranges; i++)
		cli_rec_dur_named(o, g->ranges[i].name.data, g->ranges[i].name.len,
		                  g->ranges[i].ns);
	cli_rec_obj_end(o);
	cli_rec_uint(o, "regions", g->regions);
	cli_rec_end(o);
}

static void table_goroutine(cli_out *o, const gotrace_goroutine_summary *g)
{
	cli_rec_begin(o);
	cli_rec_int(o, "GOROUTINE", g->id);
	cli_rec_dur(o, "EXEC", g->exec_ns);
	cli_rec_dur(o, "SCHED WAIT", g->sched_wait_ns);
	cli_rec_dur(o, "BLOCKED", blocked(g));
	cli_rec_dur(o, "SYSCALL", g->syscall_ns + g->syscall_block_ns);
	cli_rec_dur(o, "TOTAL", g->total_ns);
	cli_rec_uint(o, "REGIONS", g->regions);
	cli_rec_str(o, "START FUNCTION", g->name.data, g->name.len);
	cli_rec_end(o);
}

static void emit_group(cli_out *o, const gotrace_goroutine_group *g, int table)
{
	cli_rec_begin(o);
	if (!table)
		cli_rec_str(o, "name", g->name.data, g->name.len);
	cli_rec_uint(o, table ? "COUNT" : "count", g->count);
	cli_rec_dur(o, table ? "EXEC" : "exec_ns", g->exec_ns);
	cli_rec_dur(o, table ? "SCHED WAIT" : "sched_wait_ns", g->sched_wait_ns);
	cli_rec_dur(o, table ? "BLOCKED" : "block_ns", g->block_ns);
	cli_rec_dur(o, table ? "SYSCALL" : "syscall_ns", g->syscall_ns);
	cli_rec_dur(o, table ? "SYSCALL BLOCKED" : "syscall_block_ns",
	            g->syscall_block_ns);
	cli_rec_dur(o, table ? "TOTAL" : "total_ns", g->total_ns);
	if (table)
		cli_rec_str(o, "START FUNCTION", g->name.data, g->name.len);
	cli_rec_end(o);
}

typedef struct by_exec {
	int64_t exec, id;
	size_t index;
} by_exec;

static int cmp_exec(const void *a, const void *b)
{
	const by_exec *x = a, *y = b;

	if (x->exec != y->exec)
		return x->exec > y->exec ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The table: the goroutines with the most execution time first. */
static int table_goroutines(cli_out *o, const gotrace_summary *s, size_t top)
{
	size_t n = gotrace_summary_goroutine_count(s), i;
	by_exec *order = malloc((n + 1) * sizeof *order);
	gotrace_goroutine_summary g;

	if (order == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		gotrace_summary_goroutine_at(s, i, &g);
		order[i].exec = g.exec_ns;
		order[i].id = g.id;
		order[i].index = i;
	}
	qsort(order, n, sizeof *order, cmp_exec);
	for (i = 0; i < n && i < top; i++) {
		gotrace_summary_goroutine_at(s, order[i].index, &g);
		table_goroutine(o, &g);
	}
	free(order);
	return 0;
}

int cmd_goroutines(const cli_command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_READER_LONGOPTS,
		CLI_FORMAT_LONGOPTS,
		{"top", required_argument, NULL, 'n'},
		{"all", no_argument, NULL, CLI_OPT_ALL},
		{"groups", no_argument, NULL, OPT_GROUPS},
		{NULL, 0, NULL, 0}
	};
	cli_reader_opts opt;
	cli_format format = CLI_TABLE;
	cli_run run;
	cli_out *o = NULL;
	gotrace_summary *s = NULL;
	const char *file, *why;
	uint64_t top = 20;
	size_t i, n, shown;
	int c, rc, groups = 0, status;

	cli_reader_opts_init(&opt);
	while ((c = cli_getopt(cmd, argc, argv, CLI_READER_SHORTOPTS "n:",
	                       longopts)) != -1) {
		int k = cli_analysis_option(cmd, &opt, &format, c, optarg);

		if (k < 0)
			return CLI_USAGE;
		if (k > 0)
			continue;
		switch (c) {
		case 'h':
			return cli_print_help(cmd);
		case 'n':
			if ((why = cli_parse_u64(optarg, 0, SIZE_MAX, &top)) != NULL)
				return cli_usage_error(cmd, "invalid --top '%s': %s",
				                       optarg, why);
			break;
		case CLI_OPT_ALL:
			top = SIZE_MAX;
			break;
		case OPT_GROUPS:
			groups = 1;
			break;
		default:
			return CLI_USAGE;
		}
	}
	if ((file = cli_file_operand(cmd, argc, argv)) == NULL)
		return CLI_USAGE;
	if (gotrace_summary_new(&s) != GOTRACE_OK || (o = cli_out_new(format)) == NULL) {
		gotrace_summary_free(s);
		return cli_nomem();
	}
	if (!cli_analyse(&run, cmd, &opt, file, &cli_summary_analysis, s, &status)) {
		gotrace_summary_free(s);
		cli_out_free(o);
		return status;
	}
	{
		/* Columns for the header, even with no records. */
		gotrace_goroutine_summary zg = {0};
		gotrace_goroutine_group zgr = {0};

		zg.name.data = zgr.name.data = "";
		cli_out_schema(o, 1);
		if (groups)
			emit_group(o, &zgr, format == CLI_TABLE);
		else if (format == CLI_TABLE)
			table_goroutine(o, &zg);
		else
			emit_goroutine(o, &zg);
		cli_out_schema(o, 0);
	}
	if (groups) {
		n = gotrace_summary_group_count(s);
		shown = format == CLI_TABLE && top < n ? (size_t)top : n;
		for (i = 0; i < shown; i++) {
			gotrace_goroutine_group g;

			gotrace_summary_group_at(s, i, &g);
			emit_group(o, &g, format == CLI_TABLE);
		}
	} else if (format == CLI_TABLE) {
		n = gotrace_summary_goroutine_count(s);
		shown = top < n ? (size_t)top : n;
		if (table_goroutines(o, s, shown) != 0)
			shown = n = 0;
	} else {
		n = shown = gotrace_summary_goroutine_count(s);
		for (i = 0; i < n; i++) {
			gotrace_goroutine_summary g;

			gotrace_summary_goroutine_at(s, i, &g);
			emit_goroutine(o, &g);
		}
	}
	status = cli_out_done(o);
	if (format == CLI_TABLE && shown < n)
		printf("(%zu more %s; -n N or --all to list them)\n", n - shown,
		       groups ? "groups" : "goroutines");
	gotrace_summary_free(s);
	cli_out_free(o);
	rc = cli_run_finish(&run);
	return status != CLI_OK ? status : rc;
}
