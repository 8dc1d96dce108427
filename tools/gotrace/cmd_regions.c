/*
 * gotrace regions: user regions grouped by type and the frame that began
 * them, as `go tool trace`'s region page groups them, with the
 * distribution of their durations.
 */
#include "cli.h"

static void emit_region_type(cli_out *o, const gotrace_region_type *t)
{
	if (cli_out_format(o) == CLI_TABLE) {
		cli_rec_begin(o);
		cli_rec_uint(o, "COUNT", t->durations.count);
		cli_rec_duration_stats(o, &t->durations);
		cli_rec_str(o, "TYPE", t->type.data, t->type.len);
		cli_rec_str(o, "FUNCTION", t->frame.func.data, t->frame.func.len);
		cli_rec_end(o);
		return;
	}
	cli_rec_begin(o);
	cli_rec_str(o, "type", t->type.data, t->type.len);
	cli_rec_str(o, "func", t->frame.func.data, t->frame.func.len);
	cli_rec_str(o, "file", t->frame.file.data, t->frame.file.len);
	cli_rec_uint(o, "line", t->frame.line);
	cli_rec_uint(o, "pc", t->frame.pc);
	cli_rec_uint(o, "count", t->durations.count);
	cli_rec_duration_stats(o, &t->durations);
	cli_rec_end(o);
}

int cmd_regions(const cli_command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_READER_LONGOPTS,
		CLI_FORMAT_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	cli_reader_opts opt;
	cli_format format = CLI_TABLE;
	cli_run run;
	cli_out *o = NULL;
	gotrace_summary *s = NULL;
	const char *file;
	size_t i;
	int c, rc, status;

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
		return CLI_USAGE;
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
		gotrace_region_type zt = {0};

		zt.type.data = zt.frame.func.data = zt.frame.file.data = "";
		cli_out_schema(o, 1);
		emit_region_type(o, &zt);
		cli_out_schema(o, 0);
	}
	for (i = 0; i < gotrace_summary_region_type_count(s); i++) {
		gotrace_region_type t;

		gotrace_summary_region_type_at(s, i, &t);
		emit_region_type(o, &t);
	}
	status = cli_out_done(o);
	gotrace_summary_free(s);
	cli_out_free(o);
	rc = cli_run_finish(&run);
	return status != CLI_OK ? status : rc;
}
