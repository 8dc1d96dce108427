/*
 * gotrace — the command-line front end of libgotrace.
 *
 * main() finds the command in the table below and hands it the rest of
 * the command line; each command (cmd_*.c) parses its own options with
 * getopt_long. The conventions they share (exit statuses, messages,
 * reader options) are in cli.h and docs/api.md's CLI section.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_pprof(const cli_command *cmd, int argc, char **argv);
int cmd_timeline(const cli_command *cmd, int argc, char **argv);

#define FILE_HELP                                                            \
	"FILE is a trace file, or - for standard input (a pipe is read as a\n" \
	"stream, e.g. `curl .../debug/pprof/trace?seconds=5 | gotrace CMD -`).\n"

#define FORMAT_HELP                                                          \
	"\noutput:\n"                                                            \
	"      --json             JSON Lines: one object per record\n"           \
	"      --csv              CSV: a header row, then one row per record\n"  \
	"                         (nested objects flattened to object.key)\n"

const cli_command cli_commands[] = {
	{"dump", "print every event, as `go tool trace -d=parsed` (or -d=wire)",
	 cmd_dump,
	 "usage: gotrace dump [options] FILE\n"
	 "\n"
	 "Print every event of the trace in order, byte for byte as\n"
	 "`go tool trace -d=parsed FILE` does (with --wire, every raw wire\n"
	 "event as `go tool trace -d=wire FILE`).\n"
	 "\n"
	 "options:\n"
	 "      --wire             print the raw wire events instead\n"
	 "      --go-errors        on error, print only Go's message to stderr,\n"
	 "                         exactly as Go's tool does\n"
	 CLI_READER_HELP
	 "\n" FILE_HELP},
	{"stats", "count events by kind; generations, goroutines, Ps, threads",
	 cmd_stats,
	 "usage: gotrace stats [options] FILE\n"
	 "\n"
	 "Read every event and print event counts by kind, generations,\n"
	 "parked generations, goroutines, Ps, threads and the duration.\n"
	 "\n"
	 "options:\n"
	 "      --wire             count the raw wire events only\n"
	 CLI_READER_HELP
	 "\n" FILE_HELP},
	{"goroutines", "per-goroutine time: running, waiting, blocked, syscalls",
	 cmd_goroutines,
	 "usage: gotrace goroutines [options] FILE\n"
	 "\n"
	 "Summarize every goroutine as `go tool trace`'s goroutine pages do:\n"
	 "time running, waiting to run, blocked (by reason), in syscalls, in\n"
	 "GC ranges, and the user regions it ran. The table lists the\n"
	 "goroutines with the most execution time first.\n"
	 "\n"
	 "options:\n"
	 "  -n, --top=N            table: the N goroutines (groups) with the most\n"
	 "                         execution time (default 20)\n"
	 "      --all              table: all of them\n"
	 "      --groups           one record per goroutine group (start function)\n"
	 FORMAT_HELP
	 CLI_READER_HELP
	 "\n"
	 "--json fields: id, name, pc, creation_ns, start_ns, end_ns, exec_ns,\n"
	 "sched_wait_ns, syscall_ns, syscall_block_ns, total_ns, block_ns\n"
	 "(reason: ns), range_ns (range: ns), regions; goroutines by id.\n"
	 "--groups fields: name, count, exec_ns, sched_wait_ns, block_ns,\n"
	 "syscall_ns, syscall_block_ns, total_ns.\n"
	 "\n" FILE_HELP},
	{"tasks", "user tasks (runtime/trace.NewTask), or their types",
	 cmd_tasks,
	 "usage: gotrace tasks [options] FILE\n"
	 "\n"
	 "List the user tasks, as `go tool trace`'s task pages do; with\n"
	 "--types, one line per task type with the distribution of the\n"
	 "durations of its complete tasks.\n"
	 "\n"
	 "options:\n"
	 "      --types            one record per task type\n"
	 FORMAT_HELP
	 CLI_READER_HELP
	 "\n"
	 "--json fields: id, name, parent (0: unknown), start_ns, end_ns\n"
	 "(-1: not in the trace), goroutines (ids), logs, regions; by id.\n"
	 "--types fields: type, count, complete, total_ns, min_ns, p50_ns,\n"
	 "p90_ns, p99_ns, max_ns, histogram (bucket lower bound in ns: count).\n"
	 "\n" FILE_HELP},
	{"regions", "user regions by type and call site: duration distribution",
	 cmd_regions,
	 "usage: gotrace regions [options] FILE\n"
	 "\n"
	 "Group the user regions (runtime/trace.StartRegion) by type and the\n"
	 "frame that began them, as `go tool trace`'s region page does, with\n"
	 "the distribution of their durations.\n"
	 FORMAT_HELP
	 CLI_READER_HELP
	 "\n"
	 "--json fields: type, func, file, line, pc, count, total_ns, min_ns,\n"
	 "p50_ns, p90_ns, p99_ns, max_ns, histogram (bucket lower bound in ns:\n"
	 "count).\n"
	 "\n" FILE_HELP},
	{"gc", "GC cycles and stop-the-world pauses", cmd_gc,
	 "usage: gotrace gc [options] FILE\n"
	 "\n"
	 "Print the GC totals and the distribution of stop-the-world pauses\n"
	 "(the default), or with --json/--csv every GC cycle and pause in the\n"
	 "order they began.\n"
	 "\n"
	 "options:\n"
	 "      --summary          the totals and pause distribution (the\n"
	 "                         default for the table; with --json one object)\n"
	 "      --list             the cycles and pauses (the default for\n"
	 "                         --json and --csv)\n"
	 FORMAT_HELP
	 CLI_READER_HELP
	 "\n"
	 "--json records: {kind: \"gc\", start_ns, end_ns, duration_ns} and\n"
	 "{kind: \"stw\", reason, start_ns, end_ns, duration_ns, goroutine};\n"
	 "start_ns and end_ns are -1 when the trace does not hold them.\n"
	 "--summary --json fields: cycles, gc_ns, stw_count, stw_ns,\n"
	 "mark_assist_count, mark_assist_ns, sweep_count, sweep_ns, swept_bytes,\n"
	 "reclaimed_bytes, first_ns, last_ns, stw_min_ns, stw_p50_ns,\n"
	 "stw_p90_ns, stw_p99_ns, stw_max_ns.\n"
	 "\n" FILE_HELP},
	{"mmu", "minimum mutator utilization by window", cmd_mmu,
	 "usage: gotrace mmu [options] FILE\n"
	 "\n"
	 "Print the minimum mutator utilization over windows of several\n"
	 "sizes, as `go tool trace`'s MMU page computes it.\n"
	 "\n"
	 "options:\n"
	 "  -w, --window=DURATION  a window size (repeatable; default 1us, 10us,\n"
	 "                         100us, 1ms, 10ms, 100ms, 1s); e.g. 500us, 2ms,\n"
	 "                         1.5s, or a number of nanoseconds\n"
	 "      --flags=LIST       what counts against the mutator: a comma list\n"
	 "                         of stw, background, assist, sweep, perproc\n"
	 "                         (default the first four), or none\n"
	 "      --per-proc         one utilization series per P (Go's perproc)\n"
	 "      --mud=Q[,Q...]     also the mutator utilization distribution at\n"
	 "                         quantiles Q in [0, 1]\n"
	 FORMAT_HELP
	 CLI_READER_HELP
	 "\n"
	 "--json fields: flags, window_ns, mmu, and with --mud an object mud\n"
	 "(quantile as given: utilization).\n"
	 "\n" FILE_HELP},
	{"pprof", "pprof profiles: scheduler latency, sync, syscall, network, CPU",
	 cmd_pprof,
	 "usage: gotrace pprof --type=TYPE [options] FILE [-o OUT]\n"
	 "\n"
	 "Write a pprof profile (gzip'd protocol buffers) of the trace, with the\n"
	 "samples `go tool trace -pprof=TYPE FILE` gives: per stack, how many\n"
	 "times goroutines spent time in a state and the total of that time.\n"
	 "Open it with `go tool pprof -http=: OUT`. Types:\n"
	 "  sched     runnable until running (scheduler latency), attributed to\n"
	 "            the stack that made the goroutine runnable\n"
	 "  sync      blocked on channels, select and sync primitives\n"
	 "  syscall   in system calls\n"
	 "  net       blocked on the network\n"
	 "  cpu       the trace's CPU profile samples (StackSample events; each\n"
	 "            counts 1 sample and 10ms, the default profiling period)\n"
	 "\n"
	 "options:\n"
	 "      --type=TYPE        the profile (required)\n"
	 "  -o, --output=OUT       write to OUT (default standard output, which\n"
	 "                         must not be a terminal)\n"
	 "      --goroutine=NAME   only goroutines whose start function is NAME\n"
	 "      --region=TYPE      only time inside user regions of type TYPE\n"
	 "                         (the outermost, per goroutine)\n"
	 "                         The filters read FILE twice: not with -.\n"
	 CLI_READER_HELP
	 "\n"
	 "On a damaged trace the profile holds, as go tool trace -pprof makes it,\n"
	 "the events up to the last generation boundary before the error (a file\n"
	 "may be read twice to find it; from standard input or a pipe, everything\n"
	 "read before the error); then the error is reported (exit status 1).\n"
	 "docs/exports.md has the details.\n"
	 "\n" FILE_HELP},
	{"timeline", "a timeline for trace viewers: Chrome JSON or Perfetto",
	 cmd_timeline,
	 "usage: gotrace timeline [options] FILE [-o OUT]\n"
	 "\n"
	 "Write a timeline of the trace for a trace viewer: per P (the default),\n"
	 "per OS thread or per goroutine, in Chrome's JSON trace format\n"
	 "(chrome://tracing, ui.perfetto.dev, Catapult) or as a Perfetto trace\n"
	 "(ui.perfetto.dev). The proc and thread views hold what `go tool trace`\n"
	 "shows in its viewer (/jsontrace?view=proc and ?view=thread).\n"
	 "\n"
	 "options:\n"
	 "      --format=FORMAT    json or perfetto (default: perfetto when OUT\n"
	 "                         ends in .perfetto-trace or .pftrace, else json)\n"
	 "      --view=VIEW        proc (one track per P, the default), thread\n"
	 "                         (per OS thread) or goroutine (per goroutine)\n"
	 "      --clock=CLOCK      trace: times from the first event (default);\n"
	 "                         wall: Unix time, from the trace's clock\n"
	 "                         snapshots (Go 1.25 and later)\n"
	 "  -o, --output=OUT       write to OUT (default standard output)\n"
	 CLI_READER_HELP
	 "\n"
	 "On a damaged trace the timeline holds, as go tool trace draws it, the\n"
	 "events up to the last generation boundary before the error (a file is\n"
	 "read twice to find it; from standard input or a pipe, everything read\n"
	 "before the error); then the error is reported (exit status 1).\n"
	 "docs/exports.md has the details.\n"
	 "\n" FILE_HELP},
	{"top", "live view: the busiest goroutine groups of each generation",
	 cmd_top,
	 "usage: gotrace top [options] FILE\n"
	 "\n"
	 "Read a trace, possibly live (e.g.\n"
	 "`curl -s .../debug/pprof/trace?seconds=60 | gotrace top -`), and as\n"
	 "each generation completes show the goroutine groups that ran the\n"
	 "most in it (execution, scheduler wait and blocked time in that\n"
	 "generation) with its GC cycles and stop-the-world pauses. On a\n"
	 "terminal the screen is redrawn; otherwise a block per generation is\n"
	 "printed under a `generation N (start - end)` line. The last, partial\n"
	 "generation is shown at the end.\n"
	 "\n"
	 "options:\n"
	 "  -n, --top=N            rows per generation (default 15)\n"
	 "      --no-clear         never clear the screen, print blocks\n"
	 CLI_READER_HELP
	 "\n" FILE_HELP},
	{"index", "the generations: numbers, byte ranges, times, clock",
	 cmd_index,
	 "usage: gotrace index [options] FILE\n"
	 "\n"
	 "Print the trace's generations, found from its batch headers without\n"
	 "decoding events (at the speed of seeking): per generation its number\n"
	 "(what --gen takes), byte range and size, batches, when it starts\n"
	 "(since the trace's first generation, as --from and --to take a\n"
	 "duration, and on the trace clock, as they take @NS), its last batch's\n"
	 "time and the span between, and the wall clock of its clock snapshot\n"
	 "(Go 1.25 and later).\n"
	 "\n"
	 "options:\n"
	 "      --gen, --from, --to  list only the generations they select (as\n"
	 "                         the other commands take them; see dump)\n"
	 FORMAT_HELP
	 "      --no-mmap          read FILE with read(2) instead of mapping it\n"
	 "  -v, --verbose          on error, also print the library's message\n"
	 "  -h, --help             print this help\n"
	 "\n"
	 "--json fields: generation, serial (1 for the file's first), start_offset,\n"
	 "end_offset, bytes, batches, event_batches, start_ns (since the first\n"
	 "generation's start), first_ns (trace clock), last_batch_ns,\n"
	 "duration_ns (first to last batch), frequency (ticks per second) and,\n"
	 "Go 1.25+, clock {trace_ns, mono_ns, wall (RFC 3339, UTC), wall_sec,\n"
	 "wall_nsec}.\n"
	 "\n"
	 "Only generations whose bytes end cleanly are listed: on a damaged\n"
	 "trace, those before the damage, then the error (exit status 1). v1\n"
	 "traces (Go 1.11-1.21) have no generations.\n"
	 "\n" FILE_HELP},
	{"cut", "write a trace of some generations (--gen, --from/--to)",
	 cmd_cut,
	 "usage: gotrace cut (--gen=A:B | --from=T --to=T) [options] IN OUT\n"
	 "\n"
	 "Write to OUT a trace holding only the selected generations of IN: its\n"
	 "header and those generations' bytes, copied as they are. A generation\n"
	 "restates everything it needs, so Go's tools read OUT from its first\n"
	 "generation as they read a flight-recorder snapshot, and\n"
	 "`gotrace dump --gen=A:B IN` prints what `go tool trace -d=parsed OUT`\n"
	 "does.\n"
	 "\n"
	 "options:\n"
	 CLI_RANGE_HELP
	 "      --no-mmap          read IN with read(2) instead of mapping it\n"
	 "  -v, --verbose          on error, also print the library's message\n"
	 "  -h, --help             print this help\n"
	 "\n"
	 "IN is a trace file, or - for standard input redirected from a file (it\n"
	 "is read twice: not a pipe). OUT is a file, or - for standard output\n"
	 "(not a terminal). On a damaged trace the generations before the damage\n"
	 "can be cut; A: or --from without --to writes them, then reports the\n"
	 "damage (exit status 1).\n"},
	{"version", "print the library version", cmd_version,
	 "usage: gotrace version\n"
	 "\n"
	 "Print `gotrace VERSION` (also `gotrace --version`).\n"},
	{"help", "print the command list, or a command's help", cmd_help,
	 "usage: gotrace help [COMMAND]\n"
	 "\n"
	 "Print the list of commands, or the help of COMMAND (also\n"
	 "`gotrace COMMAND --help`).\n"},
};

const size_t cli_command_count = sizeof cli_commands / sizeof cli_commands[0];

const cli_command *cli_find_command(const char *name)
{
	size_t i;

	for (i = 0; i < cli_command_count; i++)
		if (strcmp(cli_commands[i].name, name) == 0)
			return &cli_commands[i];
	return NULL;
}

void cli_print_usage(FILE *f)
{
	size_t i;

	fputs("usage: gotrace COMMAND [options] FILE\n"
	      "       gotrace help [COMMAND] | --help | --version\n"
	      "\n"
	      "commands:\n", f);
	for (i = 0; i < cli_command_count; i++)
		fprintf(f, "  %-12s %s\n", cli_commands[i].name,
		        cli_commands[i].summary);
	fputs("\n"
	      "FILE is a trace file, or - for standard input. Run\n"
	      "`gotrace help COMMAND` for a command's options.\n"
	      "\n"
	      "Exit status: 0 success; 1 the trace, input or output failed\n"
	      "(what was read before the error is printed first); 2 a usage\n"
	      "error.\n", f);
}

int cmd_version(const cli_command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	int c;

	while ((c = cli_getopt(cmd, argc, argv, "h", longopts)) != -1) {
		if (c == 'h')
			return cli_print_help(cmd);
		return CLI_USAGE;
	}
	if (optind < argc)
		return cli_usage_error(cmd, "extra operand '%s'", argv[optind]);
	printf("gotrace %s\n", gotrace_library_version());
	return cli_flush_stdout();
}

int cmd_help(const cli_command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	const cli_command *topic;
	int c;

	while ((c = cli_getopt(cmd, argc, argv, "h", longopts)) != -1) {
		if (c == 'h')
			return cli_print_help(cmd);
		return CLI_USAGE;
	}
	if (optind >= argc) {
		cli_print_usage(stdout);
		return cli_flush_stdout();
	}
	if (optind + 1 < argc)
		return cli_usage_error(cmd, "extra operand '%s'", argv[optind + 1]);
	topic = cli_find_command(argv[optind]);
	if (topic == NULL)
		/* The list of commands is the hint, not help's own help. */
		return cli_usage_error(NULL, "unknown command '%s'", argv[optind]);
	return cli_print_help(topic);
}

int main(int argc, char **argv)
{
	/* Output is written in large blocks: dump prints millions of lines. */
	static char outbuf[1 << 16];
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	const cli_command *cmd;
	int c;

	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	/* "+": the options before the command only; the command's own are
	 * parsed by the command. */
	while ((c = cli_getopt(NULL, argc, argv, "+hV", longopts)) != -1) {
		switch (c) {
		case 'h':
			cli_print_usage(stdout);
			return cli_flush_stdout();
		case 'V':
			printf("gotrace %s\n", gotrace_library_version());
			return cli_flush_stdout();
		default:
			return CLI_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error(NULL, "missing command");
	cmd = cli_find_command(argv[optind]);
	if (cmd == NULL)
		return cli_usage_error(NULL, "unknown command '%s'", argv[optind]);
	argc -= optind;
	argv += optind;
	/* Restart getopt for the command's arguments; glibc and musl take 0
	 * as "reinitialize", which also forgets the "+" above. */
	optind = 0;
	return cmd->run(cmd, argc, argv);
}
