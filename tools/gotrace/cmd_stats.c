/*
 * gotrace stats: event counts by kind, generations, goroutines, Ps,
 * threads and the duration; with --wire, the raw wire event count.
 * bench/run.sh and tests/check_ordering.py read the "events: " and
 * "parked generations: " lines.
 */
#include <time.h>

#include "cli.h"

static uint64_t entered(const gotrace_reader *r, int resource, int to_max)
{
	uint64_t n = 0;
	int to;

	/* Every goroutine or P first appears through a transition out of
	 * Undetermined (already there when tracing began) or NotExist. */
	for (to = 0; to <= to_max; to++)
		n += gotrace_reader_transition_count(r, resource, 0, to) +
		     gotrace_reader_transition_count(r, resource, 1, to);
	return n;
}

static int stats_wire(cli_run *run, int rc)
{
	gotrace_wire_event ev;
	uint64_t total = 0;

	while (rc == GOTRACE_OK && (rc = cli_run_next_wire(run, &ev)) == GOTRACE_OK)
		total++;
	cli_run_end(run, rc);
	printf("wire events: %llu\n", (unsigned long long)total);
	return cli_run_finish(run);
}

/* Unix nanoseconds as RFC 3339 in UTC, with nanoseconds. */
static void print_wall(int64_t unix_ns)
{
	int64_t sec = unix_ns / 1000000000, nsec = unix_ns % 1000000000;
	time_t t;
	struct tm tm;
	char buf[64];

	if (nsec < 0) {
		nsec += 1000000000;
		sec--;
	}
	t = (time_t)sec;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		printf("%lld ns after 1970", (long long)unix_ns);
	else
		printf("%s.%09lldZ", buf, (long long)nsec);
}

/* Where the trace lies on the wall clock, if its generations say. */
static void print_wall_span(const gotrace_clock *clk, int64_t first,
                            int64_t last)
{
	int64_t a, b;

	if (gotrace_clock_to_wall(clk, first, &a) != GOTRACE_OK ||
	    gotrace_clock_to_wall(clk, last, &b) != GOTRACE_OK) {
		/* Go 1.24 and older write none; a damaged trace may end
		 * before its first. */
		printf("wall clock: unknown (no clock snapshot in what was "
		       "read; Go writes them from 1.25 on)\n");
		return;
	}
	printf("wall clock: ");
	print_wall(a);
	printf(" to ");
	print_wall(b);
	putchar('\n');
}

static int stats_parsed(cli_run *run, int rc)
{
	const gotrace_event *ev;
	uint64_t by_kind[GOTRACE_EVENT_EXPERIMENTAL + 1] = {0};
	uint64_t total = 0, generations = 0;
	int64_t first = 0, last = 0;
	gotrace_clock *clk = NULL;
	int k;

	if (gotrace_clock_new(&clk) != GOTRACE_OK) {
		cli_run_free(run);
		return cli_nomem();
	}
	while (rc == GOTRACE_OK && (rc = cli_run_next(run, &ev)) == GOTRACE_OK) {
		if (total == 0)
			first = ev->time;
		last = ev->time;
		total++;
		by_kind[ev->kind]++;
		if (ev->kind == GOTRACE_EVENT_SYNC) {
			if (ev->u.sync.n > 1)
				generations++;
			/* A snapshot it cannot hold only leaves the span unknown. */
			(void)gotrace_clock_feed(clk, ev);
		}
	}
	cli_run_end(run, rc);
	printf("events: %llu\n", (unsigned long long)total);
	for (k = 1; k <= GOTRACE_EVENT_EXPERIMENTAL; k++)
		if (by_kind[k] != 0)
			printf("  %-16s %llu\n",
			       gotrace_event_kind_string((gotrace_event_kind)k),
			       (unsigned long long)by_kind[k]);
	printf("generations: %llu\n", (unsigned long long)generations);
	printf("parked generations: %llu\n",
	       (unsigned long long)gotrace_reader_parked_generations(run->r));
	printf("goroutines: %llu\n",
	       (unsigned long long)entered(run->r, GOTRACE_RESOURCE_GOROUTINE, 5));
	printf("procs: %llu\n",
	       (unsigned long long)entered(run->r, GOTRACE_RESOURCE_PROC, 3));
	printf("threads: %llu\n",
	       (unsigned long long)gotrace_reader_thread_count(run->r));
	printf("duration: %lld ns\n", (long long)(last - first));
	if (total > 0)
		print_wall_span(clk, first, last);
	gotrace_clock_free(clk);
	return cli_run_finish(run);
}

int cmd_stats(const cli_command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_READER_LONGOPTS,
		{"wire", no_argument, NULL, CLI_OPT_WIRE},
		{NULL, 0, NULL, 0}
	};
	cli_reader_opts opt;
	cli_run run;
	const char *file;
	int c, wire = 0, rc;

	cli_reader_opts_init(&opt);
	while ((c = cli_getopt(cmd, argc, argv, CLI_READER_SHORTOPTS,
	                       longopts)) != -1) {
		switch (cli_reader_option(cmd, &opt, c, optarg)) {
		case 1:
			continue;
		case -1:
			return CLI_USAGE;
		default:
			break;
		}
		switch (c) {
		case 'h':
			return cli_print_help(cmd);
		case CLI_OPT_WIRE:
			wire = 1;
			break;
		default:
			return CLI_USAGE;
		}
	}
	if ((file = cli_file_operand(cmd, argc, argv)) == NULL)
		return CLI_USAGE;
	rc = cli_run_open(&run, cmd, &opt, file, wire, 0);
	if (rc < 0 && run.open_failed)
		return cli_run_finish(&run);
	return wire ? stats_wire(&run, rc) : stats_parsed(&run, rc);
}
