/*
 * gotrace index: the generation index of a v2 trace (gotrace/index.h) —
 * per generation its number, bytes, batches, times and clock snapshot —
 * read from the batch headers without decoding the events. The numbers
 * and times it prints are what --gen, --from and --to take.
 */
#include <string.h>
#include <time.h>

#include "cli.h"

/* Unix seconds and nanoseconds as RFC 3339 in UTC, with nanoseconds. */
static void format_wall(char *buf, size_t size, int64_t sec, int64_t nsec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	char day[48];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(buf, size, "%lld.%09lld", (long long)sec, (long long)nsec);
	else
		snprintf(buf, size, "%s.%09lldZ", day, (long long)nsec);
}

static void emit(cli_out *o, const gotrace_generation_info *g, int64_t start,
                 int wall_column)
{
	char wall[80];

	if (g->has_clock)
		format_wall(wall, sizeof wall, g->wall_sec, g->wall_nsec);
	if (cli_out_format(o) == CLI_TABLE) {
		cli_rec_begin(o);
		cli_rec_uint(o, "GEN", g->number);
		cli_rec_uint(o, "OFFSET", g->start_offset);
		cli_rec_uint(o, "END", g->end_offset);
		cli_rec_uint(o, "BYTES", g->end_offset - g->start_offset);
		cli_rec_uint(o, "BATCHES", g->batches);
		cli_rec_dur(o, "START", g->first_time - start);
		cli_rec_int(o, "FIRST TIME", g->first_time);
		cli_rec_int(o, "LAST BATCH", g->last_batch_time);
		cli_rec_dur(o, "DURATION", g->last_batch_time - g->first_time);
		if (wall_column)
			cli_rec_cstr(o, "WALL CLOCK (UTC)", g->has_clock ? wall : "-");
		cli_rec_end(o);
		return;
	}
	cli_rec_begin(o);
	cli_rec_uint(o, "generation", g->number);
	cli_rec_uint(o, "serial", g->serial);
	cli_rec_uint(o, "start_offset", g->start_offset);
	cli_rec_uint(o, "end_offset", g->end_offset);
	cli_rec_uint(o, "bytes", g->end_offset - g->start_offset);
	cli_rec_uint(o, "batches", g->batches);
	cli_rec_uint(o, "event_batches", g->event_batches);
	cli_rec_int(o, "start_ns", g->first_time - start);
	cli_rec_int(o, "first_ns", g->first_time);
	cli_rec_int(o, "last_batch_ns", g->last_batch_time);
	cli_rec_int(o, "duration_ns", g->last_batch_time - g->first_time);
	if (g->has_frequency)
		cli_rec_uint(o, "frequency", g->frequency);
	if (g->has_clock) {
		cli_rec_obj_begin(o, "clock");
		cli_rec_int(o, "trace_ns", g->clock_trace);
		cli_rec_uint(o, "mono_ns", g->clock_mono);
		cli_rec_cstr(o, "wall", wall);
		cli_rec_int(o, "wall_sec", g->wall_sec);
		cli_rec_int(o, "wall_nsec", g->wall_nsec);
		cli_rec_obj_end(o);
	}
	cli_rec_end(o);
}

int cmd_index(const cli_command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_RANGE_LONGOPTS,
		CLI_FORMAT_LONGOPTS,
		{"no-mmap", no_argument, NULL, CLI_OPT_NO_MMAP},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	cli_reader_opts opt;
	cli_format format = CLI_TABLE;
	cli_run run;
	cli_out *o;
	const char *file;
	gotrace_generation_info g;
	size_t i, n, first = 0, last = 0;
	int64_t start = 0;
	int c, rc, status, to_end, wall_column = 0;

	cli_reader_opts_init(&opt);
	while ((c = cli_getopt(cmd, argc, argv, "vh", longopts)) != -1) {
		int k = cli_range_option(cmd, &opt.range, c, optarg);

		if (k == 0)
			k = cli_format_option(cmd, &format, c);
		if (k < 0)
			return CLI_USAGE;
		if (k > 0)
			continue;
		switch (c) {
		case 'h':
			return cli_print_help(cmd);
		case 'v':
			opt.verbose = 1;
			break;
		case CLI_OPT_NO_MMAP:
			opt.use_mmap = 0;
			break;
		default:
			return CLI_USAGE;
		}
	}
	if ((file = cli_file_operand(cmd, argc, argv)) == NULL)
		return CLI_USAGE;
	{
		/* The range picks rows: any input can be scanned. */
		cli_reader_opts scan = opt;

		scan.range.kind = CLI_RANGE_NONE;
		rc = cli_run_open_index(&run, cmd, &scan, file);
	}
	if (rc < 0 && run.open_failed)
		return cli_run_finish(&run);
	n = gotrace_index_count(run.idx);
	if (n > 0)
		last = n - 1;
	if (opt.range.kind != CLI_RANGE_NONE) {
		status = cli_range_resolve(cmd, run.name, &opt.range, run.idx,
		                           &first, &last, &to_end);
		if (status != CLI_OK) {
			cli_run_free(&run);
			return status;
		}
		if (to_end)
			last = n - 1;
	}
	if ((o = cli_out_new(format)) == NULL) {
		cli_run_free(&run);
		return cli_nomem();
	}
	if (n > 0 && gotrace_index_at(run.idx, 0, &g) == 0)
		start = g.first_time;
	for (i = 0; i < n; i++)
		if (gotrace_index_at(run.idx, i, &g) == 0 && g.has_clock)
			wall_column = 1;
	{
		/* Columns for the header, even with no generation. */
		gotrace_generation_info z;

		memset(&z, 0, sizeof z);
		z.has_frequency = 1;
		z.has_clock = wall_column;
		cli_out_schema(o, 1);
		emit(o, &z, 0, wall_column);
		cli_out_schema(o, 0);
	}
	for (i = first; n > 0 && i <= last; i++)
		if (gotrace_index_at(run.idx, i, &g) == 0)
			emit(o, &g, start, wall_column);
	status = cli_out_done(o);
	cli_out_free(o);
	rc = cli_run_finish(&run);
	return status != CLI_OK ? status : rc;
}
