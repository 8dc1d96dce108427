/*
 * gotrace pprof: a pprof profile of the trace (gotrace/export.h), as
 * `go tool trace -pprof=TYPE` writes it, or the trace's CPU samples.
 *
 * With --goroutine or --region the trace is read twice (the filters need
 * the whole trace first), so FILE must then be a file, not standard
 * input. The profile is written after the read, also after a trace
 * error: it is then the profile of the good part, and the error follows
 * on stderr with exit status 1.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cmd_pprof(const cli_command *cmd, int argc, char **argv);

enum {
	OPT_TYPE = CLI_OPT_FIRST_COMMAND_OPTION,
	OPT_GOROUTINE,
	OPT_REGION
};

static int pprof_feed(void *ctx, const gotrace_event *ev)
{
	return gotrace_pprof_feed(ctx, ev);
}

/* One read of FILE into p. Returns 1 when the read happened (its status,
 * and an error to report, are in run), or 0 with *status to return. */
static int read_pass(cli_run *run, const cli_command *cmd,
                     const cli_reader_opts *opt, const char *file,
                     gotrace_pprof *p, int *status)
{
	int rc = cli_run_open(run, cmd, opt, file, 0, 0);

	if (rc < 0 && run->open_failed) {
		*status = cli_run_finish(run);
		return 0;
	}
	rc = cli_run_feed(run, rc, pprof_feed, p);
	if (rc == GOTRACE_ERR_NOMEM) {
		cli_run_free(run);
		*status = cli_nomem();
		return 0;
	}
	return 1;
}

static int write_profile(const gotrace_pprof *p, const char *out)
{
	gotrace_sink *s = NULL;
	const char *name = out != NULL ? out : "standard output";
	int rc, err;

	errno = 0;
	rc = out != NULL ? gotrace_sink_open_path(&s, out)
	                 : gotrace_sink_open_fd(&s, 1);
	if (rc == GOTRACE_ERR_NOMEM)
		return cli_nomem();
	if (rc != GOTRACE_OK) {
		fprintf(stderr, "gotrace: %s: %s\n", name, strerror(errno));
		return CLI_FAIL;
	}
	rc = gotrace_pprof_write(p, s);
	err = gotrace_sink_errno(s);
	errno = 0;
	if (rc == GOTRACE_OK)
		rc = gotrace_sink_close(s);
	else
		gotrace_sink_free(s);
	if (rc == GOTRACE_ERR_NOMEM)
		return cli_nomem();
	if (rc != GOTRACE_OK) {
		if (err == 0)
			err = errno;
		fprintf(stderr, "gotrace: writing %s: %s\n", name,
		        err != 0 ? strerror(err) : "write error");
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cmd_pprof(const cli_command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_READER_LONGOPTS,
		{"type", required_argument, NULL, OPT_TYPE},
		{"output", required_argument, NULL, 'o'},
		{"goroutine", required_argument, NULL, OPT_GOROUTINE},
		{"region", required_argument, NULL, OPT_REGION},
		{NULL, 0, NULL, 0}
	};
	cli_reader_opts opt;
	gotrace_pprof_options po;
	gotrace_pprof *p = NULL;
	cli_run run;
	const char *file, *out = NULL, *type = NULL;
	int c, rc, status;

	memset(&po, 0, sizeof po);
	cli_reader_opts_init(&opt);
	while ((c = cli_getopt(cmd, argc, argv, CLI_READER_SHORTOPTS "o:",
	                       longopts)) != -1) {
		int k = cli_reader_option(cmd, &opt, c, optarg);

		if (k < 0)
			return CLI_USAGE;
		if (k > 0)
			continue;
		switch (c) {
		case 'h':
			return cli_print_help(cmd);
		case OPT_TYPE:
			type = optarg;
			break;
		case 'o':
			if (optarg[0] == '\0')
				return cli_usage_error(cmd, "-o: empty file name");
			out = optarg;
			break;
		case OPT_GOROUTINE:
			po.goroutine = optarg;
			break;
		case OPT_REGION:
			if (optarg[0] == '\0')
				return cli_usage_error(cmd, "--region: empty region type");
			po.region = optarg;
			break;
		default:
			return CLI_USAGE;
		}
	}
	if (type == NULL)
		return cli_usage_error(cmd, "--type is required (sched, sync, "
		                            "syscall, net or cpu)");
	if ((po.type = gotrace_pprof_type_parse(type)) < 0)
		return cli_usage_error(cmd, "--type: unknown profile type '%s' "
		                            "(sched, sync, syscall, net or cpu)",
		                       type);
	if (po.type == GOTRACE_PPROF_CPU && (po.goroutine || po.region))
		return cli_usage_error(cmd, "--goroutine and --region do not "
		                            "apply to --type=cpu");
	if ((file = cli_file_operand(cmd, argc, argv)) == NULL)
		return CLI_USAGE;
	if ((po.goroutine || po.region) && strcmp(file, "-") == 0)
		return cli_usage_error(cmd, "--goroutine and --region read the "
		                            "trace twice: FILE cannot be standard "
		                            "input");
	if (out == NULL && isatty(1))
		return cli_usage_error(cmd, "not writing a binary profile to a "
		                            "terminal (use -o FILE or a redirection)");
	rc = gotrace_pprof_new(&p, &po);
	if (rc == GOTRACE_ERR_NOMEM)
		return cli_nomem();
	if (rc != GOTRACE_OK)
		return cli_usage_error(cmd, "invalid options");
	if (gotrace_pprof_passes(p) == 2) {
		/* The first pass: a trace error there comes again, at the same
		 * place, in the second, which reports it. */
		if (!read_pass(&run, cmd, &opt, file, p, &status)) {
			gotrace_pprof_free(p);
			return status;
		}
		cli_run_free(&run);
		if (gotrace_pprof_next_pass(p) != GOTRACE_OK) {
			gotrace_pprof_free(p);
			return cli_nomem();
		}
	}
	if (!read_pass(&run, cmd, &opt, file, p, &status)) {
		gotrace_pprof_free(p);
		return status;
	}
	if (gotrace_pprof_finish(p) != GOTRACE_OK) {
		cli_run_free(&run);
		gotrace_pprof_free(p);
		return cli_nomem();
	}
	status = write_profile(p, out);
	gotrace_pprof_free(p);
	rc = cli_run_finish(&run);
	return status != CLI_OK ? status : rc;
}
