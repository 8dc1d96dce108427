/*
 * gotrace tasks: the user tasks of `go tool trace`'s task pages, or (with
 * --types) their types with the distribution of complete tasks' durations.
 */
#include "cli.h"

enum { OPT_TYPES = CLI_OPT_FIRST_COMMAND_OPTION };

static void emit_task(cli_out *o, const gotrace_task_summary *t)
{
	if (cli_out_format(o) == CLI_TABLE) {
		cli_rec_begin(o);
		cli_rec_uint(o, "TASK", t->id);
		cli_rec_uint(o, "PARENT", t->parent);
		if (t->start_time >= 0 && t->end_time >= 0)
			cli_rec_dur(o, "DURATION", t->end_time - t->start_time);
		else
			cli_rec_cstr(o, "DURATION", "-");
		cli_rec_uint(o, "GOROUTINES", t->ngoroutines);
		cli_rec_uint(o, "LOGS", t->logs);
		cli_rec_uint(o, "REGIONS", t->regions);
		cli_rec_str(o, "NAME", t->name.data, t->name.len);
		cli_rec_end(o);
		return;
	}
	cli_rec_begin(o);
	cli_rec_uint(o, "id", t->id);
	cli_rec_str(o, "name", t->name.data, t->name.len);
	cli_rec_uint(o, "parent", t->parent);
	cli_rec_int(o, "start_ns", t->start_time);
	cli_rec_int(o, "end_ns", t->end_time);
	cli_rec_int_list(o, "goroutines", t->goroutines, t->ngoroutines);
	cli_rec_uint(o, "logs", t->logs);
	cli_rec_uint(o, "regions", t->regions);
	cli_rec_end(o);
}

static void emit_type(cli_out *o, const gotrace_task_type *t)
{
	int table = cli_out_format(o) == CLI_TABLE;

	cli_rec_begin(o);
	if (!table)
		cli_rec_str(o, "type", t->type.data, t->type.len);
	cli_rec_uint(o, table ? "COUNT" : "count", t->count);
	cli_rec_uint(o, table ? "COMPLETE" : "complete", t->durations.count);
	cli_rec_duration_stats(o, &t->durations);
	if (table)
		cli_rec_str(o, "TYPE", t->type.data, t->type.len);
	cli_rec_end(o);
}

int cmd_tasks(const cli_command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_READER_LONGOPTS,
		CLI_FORMAT_LONGOPTS,
		{"types", no_argument, NULL, OPT_TYPES},
		{NULL, 0, NULL, 0}
	};
	cli_reader_opts opt;
	cli_format format = CLI_TABLE;
	cli_run run;
	cli_out *o = NULL;
	gotrace_summary *s = NULL;
	const char *file;
	size_t i;
	int c, rc, types = 0, status;

	cli_reader_opts_init(&opt);
	while ((c = cli_getopt(cmd, argc, argv, CLI_READER_SHORTOPTS,
	                       longopts)) != -1) {
		int k = cli_analysis_option(cmd, &opt, &format, c, optarg);

		if (k < 0)
			return CLI_USAGE;
		if (k > 0)
			continue;
		if (c == 'h')
			return cli_print_help(cmd);
		if (c != OPT_TYPES)
			return CLI_USAGE;
		types = 1;
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
		gotrace_task_type zt = {0};
		gotrace_task_summary zs = {0};

		zt.type.data = zs.name.data = "";
		cli_out_schema(o, 1);
		if (types)
			emit_type(o, &zt);
		else
			emit_task(o, &zs);
		cli_out_schema(o, 0);
	}
	if (types)
		for (i = 0; i < gotrace_summary_task_type_count(s); i++) {
			gotrace_task_type t;

			gotrace_summary_task_type_at(s, i, &t);
			emit_type(o, &t);
		}
	else
		for (i = 0; i < gotrace_summary_task_count(s); i++) {
			gotrace_task_summary t;

			gotrace_summary_task_at(s, i, &t);
			emit_task(o, &t);
		}
	status = cli_out_done(o);
	gotrace_summary_free(s);
	cli_out_free(o);
	rc = cli_run_finish(&run);
	return status != CLI_OK ? status : rc;
}
