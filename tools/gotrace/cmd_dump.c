/*
 * gotrace dump: every event, byte for byte as `go tool trace -d=parsed`
 * (or -d=wire with --wire). The reference tests compare this output, and
 * with --go-errors the error text too, with Go's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Reports the failed write with its errno, which freeing would clobber. */
static int write_failed(cli_run *run)
{
	int e = errno;

	cli_run_end(run, GOTRACE_EOF);
	cli_run_free(run);
	errno = e;
	return cli_write_error();
}

static int dump_wire(cli_run *run, int rc)
{
	gotrace_wire_event ev;

	while (rc == GOTRACE_OK && (rc = cli_run_next_wire(run, &ev)) == GOTRACE_OK)
		if (gotrace_wire_event_write(&ev, stdout) != 0)
			return write_failed(run);
	cli_run_end(run, rc);
	return cli_run_finish(run);
}

/*
 * An event Go's printer panics on (gotrace_event_go_panic): Go's reader
 * would go on, but -d=parsed stops here, so dump does too, failing like
 * on a trace error — Go's message, where it is (the unnamed experiment's
 * batch) and the share of the trace left unprinted.
 */
static int go_panics(cli_run *run, const gotrace_event *ev)
{
	cli_trace_error *err = &run->err;
	char msg[128], full[256];
	size_t n = gotrace_event_go_panic(ev, msg, sizeof msg);
	uint64_t offset = ev->kind == GOTRACE_EVENT_SYNC
	                  ? ev->u.sync.unnamed_experiment_offset
	                  : gotrace_reader_offset(run->r);

	if (n >= sizeof msg)
		n = sizeof msg - 1;
	snprintf(full, sizeof full, "byte offset %llu: experimental batch: "
	         "Go's printer panics on this Sync: %s",
	         (unsigned long long)offset, msg);
	err->code = GOTRACE_ERR_INVALID;
	err->offset = offset;
	err->go_message = strdup(msg);
	err->go_message_len = err->go_message != NULL ? n : 0;
	err->message = strdup(full);
	err->have_lost = 1;
	err->valid_bytes = gotrace_reader_valid_bytes(run->r);
	cli_run_end(run, GOTRACE_ERR_INVALID); /* keeps err as it is */
	return cli_run_finish(run);
}

static int dump_parsed(cli_run *run, int rc)
{
	const gotrace_event *ev;

	while (rc == GOTRACE_OK && (rc = cli_run_next(run, &ev)) == GOTRACE_OK) {
		int w = gotrace_event_write(ev, stdout);

		if (w == GOTRACE_ERR_INVALID)
			return go_panics(run, ev);
		if (w != 0)
			return write_failed(run);
	}
	cli_run_end(run, rc);
	return cli_run_finish(run);
}

int cmd_dump(const cli_command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_READER_LONGOPTS,
		{"wire", no_argument, NULL, CLI_OPT_WIRE},
		{"go-errors", no_argument, NULL, CLI_OPT_GO_ERRORS},
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
		case CLI_OPT_GO_ERRORS:
			opt.go_errors = 1;
			break;
		default:
			return CLI_USAGE;
		}
	}
	if ((file = cli_file_operand(cmd, argc, argv)) == NULL)
		return CLI_USAGE;
	rc = cli_run_open(&run, cmd, &opt, file, wire, 1);
	if (rc < 0 && run.open_failed)
		return cli_run_finish(&run);
	return wire ? dump_wire(&run, rc) : dump_parsed(&run, rc);
}
