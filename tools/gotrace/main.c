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

#define FILE_HELP                                                            \
	"FILE is a trace file, or - for standard input (a pipe is read as a\n" \
	"stream, e.g. `curl .../debug/pprof/trace?seconds=5 | gotrace CMD -`).\n"

#define FORMAT_HELP                                                          \
	"output:\n"                                                              \
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
		return cli_usage_error(cmd, "unknown command '%s'", argv[optind]);
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
