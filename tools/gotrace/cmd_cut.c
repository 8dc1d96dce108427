/*
 * gotrace cut: a trace holding only some generations of another — its
 * header and those generations' bytes, copied (gotrace_cut_write). Go's
 * tools read the result as they read a flight-recorder snapshot: from
 * its first generation as a fresh start; `gotrace dump --gen A:B IN`
 * prints what `go tool trace -d=parsed` prints of `gotrace cut --gen A:B
 * IN OUT`'s OUT (tests/compare_cut.py).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

typedef struct cut_out {
	FILE *f;
	int err;    /* errno of a failed write; 0 if none */
	int failed;
} cut_out;

static int write_out(void *ctx, const void *data, size_t len)
{
	cut_out *w = ctx;

	errno = 0;
	if (fwrite(data, 1, len, w->f) != len) {
		w->failed = 1;
		w->err = errno;
		return -1;
	}
	return 0;
}

/* IN and OUT name the same file: writing OUT would destroy IN first. */
static int same_file(const char *in, const char *out)
{
	struct stat a, b;

	if (strcmp(in, "-") == 0) {
		if (fstat(0, &a) != 0)
			return 0;
	} else if (stat(in, &a) != 0)
		return 0;
	return stat(out, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

int cmd_cut(const cli_command *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_RANGE_LONGOPTS,
		{"no-mmap", no_argument, NULL, CLI_OPT_NO_MMAP},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	cli_reader_opts opt;
	cli_run run;
	cut_out w = {NULL, 0, 0};
	const char *in, *out, *out_name;
	size_t n, first, last;
	int c, rc, status, to_end;

	cli_reader_opts_init(&opt);
	while ((c = cli_getopt(cmd, argc, argv, "vh", longopts)) != -1) {
		int k = cli_range_option(cmd, &opt.range, c, optarg);

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
	if (opt.range.kind == CLI_RANGE_NONE)
		return cli_usage_error(cmd, "which generations? --gen A:B, or "
		                       "--from T and/or --to T");
	if (optind >= argc)
		return cli_usage_error(cmd, "missing IN and OUT (trace files; - "
		                       "for standard input or output)");
	if (optind + 1 >= argc)
		return cli_usage_error(cmd, "missing OUT (a file, or - for "
		                       "standard output)");
	if (optind + 2 < argc)
		return cli_usage_error(cmd, "extra operand '%s'", argv[optind + 2]);
	in = argv[optind];
	out = argv[optind + 1];
	if (out[0] == '\0')
		return cli_usage_error(cmd, "OUT: empty file name");
	if (strcmp(out, "-") == 0 && isatty(1))
		return cli_usage_error(cmd, "not writing a binary trace to a "
		                       "terminal (name OUT or redirect)");
	if (strcmp(out, "-") != 0 && same_file(in, out))
		return cli_usage_error(cmd, "OUT is IN: writing it would destroy "
		                       "the trace being cut");
	rc = cli_run_open_index(&run, cmd, &opt, in);
	if (rc < 0 && run.open_failed)
		return cli_run_finish(&run);
	status = cli_range_resolve(cmd, run.name, &opt.range, run.idx, &first,
	                           &last, &to_end);
	if (status != CLI_OK) {
		cli_run_free(&run);
		return status;
	}
	n = gotrace_index_count(run.idx);
	if (to_end)
		last = n - 1;
	else
		/* The generations asked for are intact: damage after them is
		 * not this cut's (cli_run_free frees the message). */
		run.err.code = 0;
	out_name = strcmp(out, "-") == 0 ? "standard output" : out;
	w.f = strcmp(out, "-") == 0 ? stdout : fopen(out, "wb");
	if (w.f == NULL) {
		fprintf(stderr, "gotrace: %s: %s\n", out, strerror(errno));
		cli_run_free(&run);
		return CLI_FAIL;
	}
	rc = gotrace_cut_write(run.idx, first, last, write_out, &w);
	if (rc == GOTRACE_OK && w.f != stdout) {
		errno = 0;
		if (fclose(w.f) != 0) {
			w.failed = 1;
			w.err = errno;
		}
		w.f = NULL;
	} else if (rc == GOTRACE_OK) {
		errno = 0;
		if (fflush(stdout) != 0 || ferror(stdout)) {
			w.failed = 1;
			w.err = errno;
		}
	}
	if (w.f != NULL && w.f != stdout)
		fclose(w.f);
	if (w.failed) {
		fprintf(stderr, "gotrace: writing %s: %s\n", out_name,
		        w.err != 0 ? strerror(w.err) : "write error");
		cli_run_free(&run);
		return CLI_FAIL;
	}
	if (rc != GOTRACE_OK) {
		fprintf(stderr, "gotrace: %s: %s\n", run.name,
		        rc == GOTRACE_ERR_IO ? strerror(errno)
		                             : gotrace_status_string(rc));
		cli_run_free(&run);
		return CLI_FAIL;
	}
	/* An open end on a damaged trace: the intact generations were
	 * written; the damage is reported as every command reports it. */
	return cli_run_finish(&run);
}
