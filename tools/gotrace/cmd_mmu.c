/*
 * gotrace mmu: minimum mutator utilization (and, with --mud, the mutator
 * utilization distribution) over windows of several sizes, as
 * `go tool trace`'s MMU page computes them.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
	OPT_FLAGS = CLI_OPT_FIRST_COMMAND_OPTION,
	OPT_PER_PROC,
	OPT_MUD
};

#define MAX_WINDOWS 64
#define MAX_QUANTILES 64

/* Go's UtilFlags by the names of cmd/trace's MMU page, in its order. */
static const struct {
	const char *name;
	unsigned flag;
} flag_names[] = {
	{"stw", GOTRACE_UTIL_STW},
	{"background", GOTRACE_UTIL_BACKGROUND},
	{"assist", GOTRACE_UTIL_ASSIST},
	{"sweep", GOTRACE_UTIL_SWEEP},
	{"perproc", GOTRACE_UTIL_PER_PROC},
};
#define NFLAGS (sizeof flag_names / sizeof flag_names[0])

typedef struct mmu_args {
	int64_t windows[MAX_WINDOWS];
	size_t nwindows;
	unsigned flags;
	double q[MAX_QUANTILES];
	char *q_text[MAX_QUANTILES];  /* as given: the keys of "mud" */
	size_t nq;
	char *mud_list;               /* owns the strings q_text points to */
} mmu_args;

static int parse_flags(const cli_command *cmd, const char *list,
                       unsigned *flags)
{
	const char *p = list;

	*flags = 0;
	if (strcmp(list, "none") == 0)
		return 0;
	for (;;) {
		size_t n = strcspn(p, ","), i;

		for (i = 0; i < NFLAGS; i++)
			if (strlen(flag_names[i].name) == n &&
			    strncmp(p, flag_names[i].name, n) == 0)
				break;
		if (i == NFLAGS) {
			cli_usage_error(cmd, "invalid --flags '%s': unknown flag '%.*s' "
			                "(stw, background, assist, sweep, perproc, "
			                "or none)", list, (int)n, p);
			return -1;
		}
		*flags |= flag_names[i].flag;
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

static void format_flags(char *buf, size_t size, unsigned flags)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < NFLAGS; i++)
		if (flags & flag_names[i].flag) {
			snprintf(buf + len, size - len, "%s%s", len ? "," : "",
			         flag_names[i].name);
			len = strlen(buf);
		}
	if (len == 0)
		snprintf(buf, size, "none");
}

static int parse_mud(const cli_command *cmd, const char *list, mmu_args *a)
{
	char *p;

	free(a->mud_list);
	a->nq = 0;
	a->mud_list = malloc(strlen(list) + 1);
	if (a->mud_list == NULL) {
		cli_nomem();
		return -1;
	}
	memcpy(a->mud_list, list, strlen(list) + 1);
	p = a->mud_list;
	for (;;) {
		size_t n = strcspn(p, ",");
		int last = p[n] == '\0';
		char *end;
		double q;

		p[n] = '\0';
		errno = 0;
		q = n > 0 && p[0] != ' ' && p[0] != '+' && p[0] != '-'
		    ? strtod(p, &end) : 0;
		if (n == 0 || end != p + n || errno != 0 || !(q >= 0 && q <= 1)) {
			cli_usage_error(cmd, "invalid --mud '%s': each quantile must "
			                "be a number in [0, 1]", list);
			return -1;
		}
		if (a->nq == MAX_QUANTILES) {
			cli_usage_error(cmd, "invalid --mud: at most %d quantiles",
			                MAX_QUANTILES);
			return -1;
		}
		a->q[a->nq] = q;
		a->q_text[a->nq++] = p;
		if (last)
			return 0;
		p += n + 1;
	}
}

static int emit(cli_out *o, const gotrace_mmu *m, const mmu_args *a)
{
	char flags[64];
	double mud[MAX_QUANTILES];
	size_t i, j;
	int table = cli_out_format(o) == CLI_TABLE;

	format_flags(flags, sizeof flags, a->flags);
	for (i = 0; i < a->nwindows; i++) {
		cli_rec_begin(o);
		if (a->nq > 0 &&
		    gotrace_mmu_mud(m, a->windows[i], a->q, a->nq, mud) != GOTRACE_OK)
			return -1;
		if (table) {
			cli_rec_dur(o, "WINDOW", a->windows[i]);
			cli_rec_float(o, "MMU", gotrace_mmu_at(m, a->windows[i]));
			for (j = 0; j < a->nq; j++) {
				char key[80];

				snprintf(key, sizeof key, "MUD %s", a->q_text[j]);
				cli_rec_float(o, key, mud[j]);
			}
			cli_rec_cstr(o, "FLAGS", flags);
		} else {
			cli_rec_cstr(o, "flags", flags);
			cli_rec_int(o, "window_ns", a->windows[i]);
			cli_rec_float(o, "mmu", gotrace_mmu_at(m, a->windows[i]));
			if (a->nq > 0) {
				cli_rec_obj_begin(o, "mud");
				for (j = 0; j < a->nq; j++)
					cli_rec_float(o, a->q_text[j], mud[j]);
				cli_rec_obj_end(o);
			}
		}
		cli_rec_end(o);
	}
	return 0;
}

static int parse_args(const cli_command *cmd, int argc, char **argv,
                      cli_reader_opts *opt, cli_format *format, mmu_args *a)
{
	static const struct option longopts[] = {
		CLI_READER_LONGOPTS,
		CLI_FORMAT_LONGOPTS,
		{"window", required_argument, NULL, 'w'},
		{"flags", required_argument, NULL, OPT_FLAGS},
		{"per-proc", no_argument, NULL, OPT_PER_PROC},
		{"mud", required_argument, NULL, OPT_MUD},
		{NULL, 0, NULL, 0}
	};
	const char *why;
	int c, per_proc = 0;

	while ((c = cli_getopt(cmd, argc, argv, CLI_READER_SHORTOPTS "w:",
	                       longopts)) != -1) {
		int k = cli_analysis_option(cmd, opt, format, c, optarg);

		if (k < 0)
			return CLI_USAGE;
		if (k > 0)
			continue;
		switch (c) {
		case 'h':
			return cli_print_help(cmd) == CLI_OK ? -1 : CLI_FAIL;
		case 'w':
			if (a->nwindows == MAX_WINDOWS)
				return cli_usage_error(cmd, "at most %d windows",
				                       MAX_WINDOWS);
			why = cli_parse_duration(optarg, &a->windows[a->nwindows]);
			if (why == NULL && a->windows[a->nwindows] == 0)
				why = "must be positive";
			if (why != NULL)
				return cli_usage_error(cmd, "invalid --window '%s': %s",
				                       optarg, why);
			a->nwindows++;
			break;
		case OPT_FLAGS:
			if (parse_flags(cmd, optarg, &a->flags) != 0)
				return CLI_USAGE;
			break;
		case OPT_PER_PROC:
			per_proc = 1;
			break;
		case OPT_MUD:
			if (parse_mud(cmd, optarg, a) != 0)
				return CLI_USAGE;
			break;
		default:
			return CLI_USAGE;
		}
	}
	if (per_proc)
		a->flags |= GOTRACE_UTIL_PER_PROC;
	if (a->nwindows == 0) {
		/* cmd/trace's MMU page plots these decades. */
		int64_t w = 1000;

		for (; w <= 1000000000; w *= 10)
			a->windows[a->nwindows++] = w;
	}
	return CLI_OK;
}

int cmd_mmu(const cli_command *cmd, int argc, char **argv)
{
	cli_reader_opts opt;
	cli_format format = CLI_TABLE;
	mmu_args a;
	cli_run run;
	cli_out *o = NULL;
	gotrace_mmu *m = NULL;
	const char *file;
	int rc, status;

	memset(&a, 0, sizeof a);
	a.flags = GOTRACE_UTIL_DEFAULT;
	cli_reader_opts_init(&opt);
	status = parse_args(cmd, argc, argv, &opt, &format, &a);
	if (status != CLI_OK || (file = cli_file_operand(cmd, argc, argv)) == NULL) {
		free(a.mud_list);
		return status < 0 ? CLI_OK : status != CLI_OK ? status : CLI_USAGE;
	}
	if (gotrace_mmu_new(&m, a.flags) != GOTRACE_OK ||
	    (o = cli_out_new(format)) == NULL) {
		gotrace_mmu_free(m);
		free(a.mud_list);
		return cli_nomem();
	}
	if (!cli_analyse(&run, cmd, &opt, file, &cli_mmu_analysis, m, &status) ||
	    emit(o, m, &a) != 0) {
		if (status == CLI_OK) {
			cli_run_free(&run);
			status = cli_nomem();
		}
		gotrace_mmu_free(m);
		cli_out_free(o);
		free(a.mud_list);
		return status;
	}
	status = cli_out_done(o);
	gotrace_mmu_free(m);
	cli_out_free(o);
	free(a.mud_list);
	rc = cli_run_finish(&run);
	return status != CLI_OK ? status : rc;
}
