/*
 * gotrace timeline: the trace drawn for a trace viewer (gotrace/export.h's
 * gotrace_timeline), as Chrome JSON or Perfetto protobuf, per P, thread
 * or goroutine.
 *
 * Damaged traces are drawn as `go tool trace` draws them: only the events
 * up to the last Sync (generation boundary) before the error. For a file
 * that takes two reads, the first to learn whether and where the trace
 * fails (cli_run_cut, shared with gotrace pprof); a stream (standard
 * input, a pipe) is read once and everything delivered before the error
 * is drawn. The timeline is written while the events stream in, then
 * the error is reported (exit status 1).
 *
 * The output file is created at the first byte written, so an input that
 * cannot be read, or a wall clock the trace cannot give, leaves no empty
 * file behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cmd_timeline(const cli_command *cmd, int argc, char **argv);

enum {
	OPT_FORMAT = CLI_OPT_FIRST_COMMAND_OPTION,
	OPT_VIEW,
	OPT_CLOCK
};

/* An output file opened at its first write. */
typedef struct lazy_file {
	const char *path;
	int fd;
	int saved_errno;
} lazy_file;

/* The sink's write callback: opens OUT on the first call, so that a run
 * that writes nothing creates nothing. */
static ptrdiff_t lazy_write(void *ctx, const void *data, size_t len)
{
	lazy_file *f = ctx;

	if (f->fd < 0) {
		f->fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (f->fd < 0) {
			f->saved_errno = errno;
			return -1;
		}
	}
	for (;;) {
		ssize_t n = write(f->fd, data, len);

		if (n >= 0)
			return (ptrdiff_t)n;
		if (errno != EINTR) {
			f->saved_errno = errno;
			return -1;
		}
	}
}

/* The second pass (or the only one): the first `limit` events go to the
 * timeline; the rest is read on, so that the reader reports its error. */
typedef struct timeline_feed {
	gotrace_timeline *tl;
	uint64_t fed, limit;
} timeline_feed;

/* The drawing pass's feed: the events up to the limit, then none. */
static int feed_timeline(void *ctx, const gotrace_event *ev)
{
	timeline_feed *f = ctx;

	if (f->fed >= f->limit)
		return GOTRACE_OK;
	f->fed++;
	return gotrace_timeline_feed(f->tl, ev);
}

/* OUT's name picks the default format. */
static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* A regular file can be read twice; anything else is a stream. */
static int is_regular_file(const char *path, struct stat *st)
{
	return strcmp(path, "-") != 0 && stat(path, st) == 0 &&
	       S_ISREG(st->st_mode);
}

/* Reports a failure of the timeline itself (not of the trace). */
static int timeline_error(int rc, const char *name, const char *out,
                          int out_errno)
{
	if (rc == GOTRACE_ERR_NOMEM)
		return cli_nomem();
	fflush(stdout);
	if (rc == GOTRACE_ERR_UNSUPPORTED)
		fprintf(stderr, "gotrace: %s: --clock=wall needs the trace's clock "
		        "snapshots, which only Go 1.25 and later record; this "
		        "trace has none\n", name);
	else if (rc == GOTRACE_ERR_IO)
		fprintf(stderr, "gotrace: writing %s: %s\n",
		        out != NULL ? out : "standard output",
		        out_errno != 0 ? strerror(out_errno) : "write error");
	else
		fprintf(stderr, "gotrace: %s: timeline: %s\n", name,
		        gotrace_status_string(rc));
	return CLI_FAIL;
}

/* gotrace timeline [options] FILE [-o OUT]: see the top of this file and
 * the command's help in main.c. */
int cmd_timeline(const cli_command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_READER_LONGOPTS,
		{"format", required_argument, NULL, OPT_FORMAT},
		{"view", required_argument, NULL, OPT_VIEW},
		{"clock", required_argument, NULL, OPT_CLOCK},
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0}
	};
	gotrace_timeline_options to = GOTRACE_TIMELINE_OPTIONS_INIT;
	cli_reader_opts opt;
	const char *file, *out = NULL, *format = NULL;
	lazy_file lazy = { NULL, -1, 0 };
	gotrace_sink *sink = NULL;
	timeline_feed tf;
	struct stat in_st, out_st;
	int c, rc, trc, status, seekable, sink_errno;
	cli_run run;

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
		case OPT_FORMAT:
			format = optarg;
			if (gotrace_timeline_format_parse(optarg) < 0)
				return cli_usage_error(cmd, "--format: unknown format "
				                       "'%s' (json or perfetto)", optarg);
			break;
		case OPT_VIEW:
			if ((to.view = gotrace_timeline_view_parse(optarg)) < 0)
				return cli_usage_error(cmd, "--view: unknown view '%s' "
				                       "(proc, thread or goroutine)",
				                       optarg);
			break;
		case OPT_CLOCK:
			if ((to.clock = gotrace_timeline_clock_parse(optarg)) < 0)
				return cli_usage_error(cmd, "--clock: unknown clock '%s' "
				                       "(trace or wall)", optarg);
			break;
		case 'o':
			if (optarg[0] == '\0')
				return cli_usage_error(cmd, "-o: empty file name");
			out = optarg;
			break;
		default:
			return CLI_USAGE;
		}
	}
	if ((file = cli_file_operand(cmd, argc, argv)) == NULL)
		return CLI_USAGE;
	if (format != NULL)
		to.format = gotrace_timeline_format_parse(format);
	else if (out != NULL && (ends_with(out, ".perfetto-trace") ||
	                         ends_with(out, ".pftrace")))
		to.format = GOTRACE_TIMELINE_PERFETTO;
	else
		to.format = GOTRACE_TIMELINE_JSON;
	if (out == NULL && to.format == GOTRACE_TIMELINE_PERFETTO && isatty(1))
		return cli_usage_error(cmd, "not writing a binary Perfetto trace "
		                            "to a terminal (use -o FILE or a "
		                            "redirection)");
	seekable = is_regular_file(file, &in_st);
	if (out != NULL && seekable && stat(out, &out_st) == 0 &&
	    out_st.st_dev == in_st.st_dev && out_st.st_ino == in_st.st_ino)
		return cli_usage_error(cmd, "-o: %s is the input file", out);

	tf.fed = 0;
	tf.limit = UINT64_MAX;
	if (seekable) {
		/* Only counting: the timeline is written as it is fed, so it
		 * cannot be fed speculatively (cli.h, cli_run_cut). */
		uint64_t events;

		if (!cli_run_cut(&run, cmd, &opt, file, NULL, NULL, &events,
		                 &tf.limit, &status))
			return status;
		cli_run_free(&run);
	}

	if (out != NULL) {
		lazy.path = out;
		rc = gotrace_sink_open_callback(&sink, lazy_write, &lazy);
	} else {
		rc = gotrace_sink_open_fd(&sink, 1);
	}
	if (rc != GOTRACE_OK)
		return cli_nomem();
	if ((rc = gotrace_timeline_new(&tf.tl, &to, sink)) != GOTRACE_OK) {
		gotrace_sink_free(sink);
		if (rc == GOTRACE_ERR_ARG)
			return cli_usage_error(cmd, "invalid options");
		return timeline_error(rc, file, out, 0);
	}

	rc = cli_run_open(&run, cmd, &opt, file, 0, out == NULL);
	if (rc < 0 && run.open_failed) {
		gotrace_timeline_free(tf.tl);
		gotrace_sink_free(sink);
		return cli_run_finish(&run);
	}
	rc = cli_run_feed(&run, rc, feed_timeline, &tf);
	/* After a reader error too: what was fed is drawn. */
	trc = gotrace_timeline_finish(tf.tl);
	gotrace_timeline_free(tf.tl);
	sink_errno = gotrace_sink_errno(sink);
	if (out != NULL) {
		int crc = gotrace_sink_close(sink);
		if (lazy.fd >= 0 && close(lazy.fd) != 0 && crc == GOTRACE_OK) {
			crc = GOTRACE_ERR_IO;
			lazy.saved_errno = errno;
		}
		if (trc == GOTRACE_OK)
			trc = crc;
		sink_errno = lazy.saved_errno;
	} else {
		gotrace_sink_free(sink);
	}
	if (trc != GOTRACE_OK) {
		/* The timeline failed: that is the error to report, not what
		 * the reader met after the feeding stopped. */
		cli_run_free(&run);
		return timeline_error(trc, run.name != NULL ? run.name : file, out,
		                      sink_errno);
	}
	status = cli_run_finish(&run);
	if (status != CLI_OK && tf.limit != UINT64_MAX && seekable)
		fprintf(stderr, "gotrace: the timeline stops at the last "
		        "generation boundary before the error, as go tool trace "
		        "draws it (%llu events)\n", (unsigned long long)tf.fed);
	return status;
}
