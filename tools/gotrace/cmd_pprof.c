/*
 * gotrace pprof: a pprof profile of the trace (gotrace/export.h), as
 * `go tool trace -pprof=TYPE` writes it, or the trace's CPU samples.
 *
 * With --goroutine or --region the trace is read twice (the filters need
 * the whole trace first), so FILE must then be a file, not standard
 * input.
 *
 * A damaged trace is profiled as `go tool trace -pprof` profiles it: only
 * the events up to the last Sync (generation boundary) before the error
 * (cli_run_cut, shared with gotrace timeline). The first read of a file
 * feeds the profile every event while it learns where the trace fails;
 * an undamaged file is thus read once, as before, and a damaged one
 * whose error comes after events Go drops is read again with only the
 * kept ones (both passes of a filter feed that same cut). Standard input
 * or a pipe is read once and everything delivered before the error is
 * profiled. The profile is written after the read, then the error
 * follows on stderr with exit status 1.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cmd_pprof(const cli_command *cmd, int argc, char **argv);

enum {
	OPT_TYPE = CLI_OPT_FIRST_COMMAND_OPTION,
	OPT_GOROUTINE,
	OPT_REGION
};

/* What the profile is fed: the first `limit` events (all with
 * UINT64_MAX); the rest is read on, so that the reader reports its error
 * where it comes. */
typedef struct pprof_cut {
	gotrace_pprof *p;
	uint64_t fed, limit;
} pprof_cut;

static int pprof_feed(void *ctx, const gotrace_event *ev)
{
	pprof_cut *f = ctx;

	if (f->fed >= f->limit)
		return GOTRACE_OK;
	f->fed++;
	return gotrace_pprof_feed(f->p, ev);
}

/* One read of FILE into f's profile. Returns 1 when the read happened
 * (its status, and an error to report, are in run), or 0 with *status to
 * return. */
static int read_pass(cli_run *run, const cli_command *cmd,
                     const cli_reader_opts *opt, const char *file,
                     pprof_cut *f, int *status)
{
	int rc = cli_run_open(run, cmd, opt, file, 0, 0);

	f->fed = 0;
	if (rc < 0 && run->open_failed) {
		*status = cli_run_finish(run);
		return 0;
	}
	rc = cli_run_feed(run, rc, pprof_feed, f);
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
	gotrace_pprof_options po = GOTRACE_PPROF_OPTIONS_INIT;
	gotrace_pprof *p = NULL;
	pprof_cut f;
	cli_run run;
	struct stat st;
	const char *file, *out = NULL, *type = NULL;
	int c, rc, status, seekable;

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
	/* A file can be read again; standard input, a pipe or a device
	 * cannot. */
	seekable = strcmp(file, "-") != 0 && stat(file, &st) == 0 &&
	           S_ISREG(st.st_mode);
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
	f.p = p;
	f.fed = 0;
	f.limit = UINT64_MAX;
	if (seekable) {
		uint64_t events, limit;

		/* The first pass, fed speculatively: it is the right one unless
		 * the trace fails after events go tool trace drops. */
		if (!cli_run_cut(&run, cmd, &opt, file, pprof_feed, &f, &events,
		                 &limit, &status)) {
			gotrace_pprof_free(p);
			return status;
		}
		f.limit = limit;
		if (limit < events) {
			cli_run_free(&run);
			gotrace_pprof_free(p);
			if (gotrace_pprof_new(&p, &po) != GOTRACE_OK)
				return cli_nomem();
			f.p = p;
			if (!read_pass(&run, cmd, &opt, file, &f, &status)) {
				gotrace_pprof_free(p);
				return status;
			}
		}
	} else if (!read_pass(&run, cmd, &opt, file, &f, &status)) {
		gotrace_pprof_free(p);
		return status;
	}
	if (gotrace_pprof_passes(p) == 2) {
		/* The second pass: a trace error comes again, at the same place,
		 * and this pass reports it. */
		cli_run_free(&run);
		if (gotrace_pprof_next_pass(p) != GOTRACE_OK) {
			gotrace_pprof_free(p);
			return cli_nomem();
		}
		if (!read_pass(&run, cmd, &opt, file, &f, &status)) {
			gotrace_pprof_free(p);
			return status;
		}
	}
	if (gotrace_pprof_finish(p) != GOTRACE_OK) {
		cli_run_free(&run);
		gotrace_pprof_free(p);
		return cli_nomem();
	}
	status = write_profile(p, out);
	gotrace_pprof_free(p);
	rc = cli_run_finish(&run);
	if (rc != CLI_OK && seekable && f.limit != UINT64_MAX)
		fprintf(stderr, "gotrace: the profile stops at the last generation "
		        "boundary before the error, as go tool trace -pprof makes "
		        "it (%llu events)\n", (unsigned long long)f.fed);
	return status != CLI_OK ? status : rc;
}
