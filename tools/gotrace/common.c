/*
 * gotrace — helpers shared by the commands (see cli.h): usage errors,
 * numbers and durations, opening and reading inputs, error reporting,
 * the progress line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static char *dup_bytes(const char *s, size_t n);

/* ---- usage errors ------------------------------------------------------ */

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs(cmd != NULL ? "gotrace " : "gotrace", stderr);
	if (cmd != NULL)
		fputs(cmd->name, stderr);
	fputs(": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd != NULL)
		fprintf(stderr, "\nTry 'gotrace %s --help'.\n", cmd->name);
	else
		fputs("\nTry 'gotrace --help'.\n", stderr);
	return CLI_USAGE;
}

int cli_print_help(const cli_command *cmd)
{
	fputs(cmd->help, stdout);
	return cli_flush_stdout();
}

int cli_getopt(const cli_command *cmd, int argc, char **argv,
               const char *shortopts, const struct option *longopts)
{
	/* The leading ':' makes a missing argument ':' rather than '?', so
	 * the two get their own messages; opterr = 0 because getopt's own
	 * messages would name argv[0], the command, as the program. */
	char spec[64];
	const char *arg;
	int c;

	if (shortopts[0] == '+')
		snprintf(spec, sizeof spec, "+:%s", shortopts + 1);
	else
		snprintf(spec, sizeof spec, ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, spec, longopts, NULL);
	if (c != '?' && c != ':')
		return c;
	arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	if (c == ':') {
		if (strncmp(arg, "--", 2) == 0)
			cli_usage_error(cmd, "option '%s' requires an argument", arg);
		else
			cli_usage_error(cmd, "option requires an argument -- '%c'",
			                optopt);
	} else if (optopt != 0 && strncmp(arg, "--", 2) != 0)
		cli_usage_error(cmd, "invalid option -- '%c'", optopt);
	else
		cli_usage_error(cmd, "unrecognized option '%s'", arg);
	return '?';
}

/* ---- numbers ----------------------------------------------------------- */

const char *cli_parse_u64(const char *s, uint64_t min, uint64_t max,
                          uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (*s == '\0')
		return "empty";
	for (p = s; *p != '\0'; p++) {
		unsigned d;

		if (*p < '0' || *p > '9')
			return *p == '-' && p == s ? "must not be negative"
			                           : "not a number";
		d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return "too large";
		v = v * 10 + d;
	}
	if (v > max)
		return "too large";
	if (v < min)
		return min == 1 ? "must be positive" : "too small";
	*out = v;
	return NULL;
}

const char *cli_parse_duration(const char *s, int64_t *ns)
{
	const char *why = NULL;

	return gotrace_parse_duration(s, ns, &why) == GOTRACE_OK ? NULL : why;
}

/* ---- generation ranges: --gen, --from, --to ----------------------------- */

int cli_range_option(const cli_command *cmd, cli_range *r, int c,
                     const char *arg)
{
	const char *why = NULL;
	const char *name = c == CLI_OPT_GEN ? "--gen"
	                   : c == CLI_OPT_FROM ? "--from" : "--to";
	int rc;

	if (c != CLI_OPT_GEN && c != CLI_OPT_FROM && c != CLI_OPT_TO)
		return 0;
	if ((c == CLI_OPT_GEN && r->kind == CLI_RANGE_TIME) ||
	    (c != CLI_OPT_GEN && r->kind == CLI_RANGE_GEN)) {
		cli_usage_error(cmd, "--gen and --from/--to exclude each other");
		return -1;
	}
	if (c == CLI_OPT_GEN) {
		r->kind = CLI_RANGE_GEN;
		rc = gotrace_range_parse_generations(&r->sel, arg, &why);
	} else {
		r->kind = CLI_RANGE_TIME;
		rc = gotrace_range_parse_time(&r->sel, c == CLI_OPT_FROM
		                              ? GOTRACE_RANGE_FIRST
		                              : GOTRACE_RANGE_LAST, arg, &why);
		if (c == CLI_OPT_FROM)
			r->from_text = arg;
		else
			r->to_text = arg;
	}
	if (rc != GOTRACE_OK) {
		cli_usage_error(cmd, "invalid %s '%s': %s", name, arg, why);
		return -1;
	}
	return 1;
}

/* The range options as given, for messages. */
static const char *range_name(const cli_range *r)
{
	if (r->kind == CLI_RANGE_GEN)
		return "--gen";
	return r->sel.has_first ? "--from" : "--to";
}

static int index_damaged(const gotrace_index *idx)
{
	const gotrace_error *e = gotrace_index_error(idx);

	return e != NULL && gotrace_error_code(e) != 0;
}

/* The scan's error, if the index has one, in the trace error's form: it
 * explains why generations are missing. */
static void print_index_error(const char *name, const gotrace_index *idx)
{
	const gotrace_error *e;
	const char *msg, *nl;
	size_t len;

	if (idx == NULL || !index_damaged(idx))
		return;
	e = gotrace_index_error(idx);
	msg = gotrace_error_go_message(e);
	len = gotrace_error_go_message_len(e);
	nl = memchr(msg, '\n', len);
	fprintf(stderr, "gotrace: %s: offset %llu: ", name,
	        (unsigned long long)gotrace_error_offset(e));
	fwrite(msg, 1, nl != NULL ? (size_t)(nl - msg) : len, stderr);
	fputc('\n', stderr);
}

/*
 * Prints why the range could not be resolved or applied (sel and rc from
 * gotrace_index_select or gotrace_reader_select; idx NULL if there is
 * none) and returns CLI_FAIL, or CLI_USAGE for --from after --to.
 */
static int range_failure(const cli_command *cmd, const char *name,
                         const cli_range *r, const gotrace_index *idx,
                         int rc, const gotrace_selection *sel)
{
	const char *opt, *text;

	fflush(stdout);
	if (sel->failed_end == (GOTRACE_RANGE_FIRST | GOTRACE_RANGE_LAST)) {
		if (r->kind == CLI_RANGE_TIME)
			return cli_usage_error(cmd, "--from %s comes after --to %s "
			                       "(the trace's generations %zu and "
			                       "%zu)", r->from_text, r->to_text,
			                       sel->first + 1, sel->last + 1);
		return cli_usage_error(cmd, "--gen: %s", sel->message);
	}
	if (sel->failed_end == 0) {
		/* Not a trace, or damaged in its first generation: that is
		 * the news, whatever the range. */
		gotrace_version v = idx != NULL ? gotrace_index_version(idx)
		                                : GOTRACE_VERSION_UNKNOWN;

		if (idx != NULL && gotrace_index_count(idx) == 0 &&
		    index_damaged(idx) && (v == GOTRACE_VERSION_UNKNOWN ||
		                           gotrace_version_is_v2(v))) {
			print_index_error(name, idx);
			return CLI_FAIL;
		}
		fprintf(stderr, "gotrace: %s: %s: %s\n", name, range_name(r),
		        sel->message);
		return CLI_FAIL;
	}
	if (r->kind == CLI_RANGE_GEN) {
		fprintf(stderr, "gotrace: %s: --gen: %s\n", name, sel->message);
		print_index_error(name, idx);
		return CLI_FAIL;
	}
	opt = sel->failed_end == GOTRACE_RANGE_FIRST ? "--from" : "--to";
	text = sel->failed_end == GOTRACE_RANGE_FIRST ? r->from_text
	                                              : r->to_text;
	if (rc == GOTRACE_ERR_UNSUPPORTED) {
		fprintf(stderr, "gotrace: %s: %s %s: %s; use a duration since the "
		        "start or @NS\n", name, opt, text, sel->message);
		return CLI_FAIL;
	}
	fprintf(stderr, "gotrace: %s: %s %s: %s\n", name, opt, text,
	        sel->message);
	print_index_error(name, idx);
	return CLI_FAIL;
}

int cli_range_resolve(const cli_command *cmd, const char *name,
                      const cli_range *r, const gotrace_index *idx,
                      size_t *first, size_t *last, int *to_end)
{
	gotrace_selection sel;
	int rc = gotrace_index_select(idx, &r->sel, &sel);

	*first = sel.first;
	*last = sel.last;
	*to_end = sel.to_end;
	if (rc == GOTRACE_OK)
		return CLI_OK;
	return range_failure(cmd, name, r, idx, rc, &sel);
}

/* ---- reader options ---------------------------------------------------- */

void cli_reader_opts_init(cli_reader_opts *o)
{
	gotrace_range all = GOTRACE_RANGE_INIT;

	memset(o, 0, sizeof *o);
	o->range.sel = all;
	o->ordering = GOTRACE_ORDERING_AUTO;
	o->threads = -1;
	o->use_mmap = 1;
	o->progress = -1;
}

int cli_reader_option(const cli_command *cmd, cli_reader_opts *o, int c,
                      const char *arg)
{
	const char *why;
	uint64_t v;

	switch (c) {
	case 'v':
		o->verbose = 1;
		return 1;
	case 'm': {
		/* A binary suffix, as memory limits are usually written. */
		static const char suffixes[] = "KMGT";
		size_t len = strlen(arg);
		const char *suf = len > 1 ? strchr(suffixes, arg[len - 1]) : NULL;
		char digits[32];

		why = NULL;
		if (suf != NULL && *suf != '\0') {
			unsigned shift = 10 * (unsigned)(suf - suffixes + 1);

			if (len - 1 >= sizeof digits)
				why = "too large";
			else {
				memcpy(digits, arg, len - 1);
				digits[len - 1] = '\0';
				why = cli_parse_u64(digits, 1, UINT64_MAX >> shift, &v);
				v <<= shift;
			}
		} else
			why = cli_parse_u64(arg, 1, UINT64_MAX, &v);
		if (why != NULL) {
			cli_usage_error(cmd, "invalid --max-memory '%s': %s", arg, why);
			return -1;
		}
		o->max_memory = v;
		return 1;
	}
	case 'j':
		why = cli_parse_u64(arg, 1, 64, &v);
		if (why != NULL) {
			cli_usage_error(cmd, "invalid --threads '%s': %s (1 to 64)",
			                arg, why);
			return -1;
		}
		o->threads = (int)v;
		return 1;
	case CLI_OPT_ORDERING:
		if (strcmp(arg, "auto") == 0)
			o->ordering = GOTRACE_ORDERING_AUTO;
		else if (strcmp(arg, "exact") == 0)
			o->ordering = GOTRACE_ORDERING_EXACT;
		else if (strcmp(arg, "parking") == 0)
			o->ordering = GOTRACE_ORDERING_PARKING;
		else {
			cli_usage_error(cmd, "invalid --ordering '%s' "
			                "(auto, exact or parking)", arg);
			return -1;
		}
		return 1;
	case CLI_OPT_NO_MMAP:
		o->use_mmap = 0;
		return 1;
	case CLI_OPT_PROGRESS:
		o->progress = 1;
		return 1;
	case CLI_OPT_NO_PROGRESS:
		o->progress = 0;
		return 1;
	default:
		return cli_range_option(cmd, &o->range, c, arg);
	}
}

int cli_format_option(const cli_command *cmd, cli_format *format, int c)
{
	cli_format want;

	if (c == CLI_OPT_JSON)
		want = CLI_JSON;
	else if (c == CLI_OPT_CSV)
		want = CLI_CSV;
	else
		return 0;
	if (*format != CLI_TABLE && *format != want) {
		cli_usage_error(cmd, "--json and --csv exclude each other");
		return -1;
	}
	*format = want;
	return 1;
}

int cli_analysis_option(const cli_command *cmd, cli_reader_opts *opt,
                        cli_format *format, int c, const char *arg)
{
	int k = cli_reader_option(cmd, opt, c, arg);

	return k != 0 ? k : cli_format_option(cmd, format, c);
}

const char *cli_file_operand(const cli_command *cmd, int argc, char **argv)
{
	if (optind >= argc) {
		cli_usage_error(cmd, "missing FILE (a trace file, or - for "
		                "standard input)");
		return NULL;
	}
	if (optind + 1 < argc) {
		cli_usage_error(cmd, "extra operand '%s'", argv[optind + 1]);
		return NULL;
	}
	return argv[optind];
}

/* ---- inputs ------------------------------------------------------------ */

/* Streams are read through this callback so that the bytes actually read
 * are known: with what is left after an error, they give the same lost
 * share for a pipe as the file's size gives for the file. */
static long read_counted(void *ctx, void *buf, size_t len)
{
	cli_source *src = ctx;

	if (len > (size_t)1 << 30)
		len = (size_t)1 << 30;
	for (;;) {
		ssize_t n = read(src->fd, buf, len);

		if (n >= 0) {
			src->bytes_read += (uint64_t)n;
			return (long)n;
		}
		if (errno != EINTR)
			return -1;
	}
}

/* A range is found with the trace's index and read from its first
 * generation on: the input must be one that can be read again. */
static int need_file(cli_run *run)
{
	fprintf(stderr, "gotrace: %s: %s reads the trace from where the range "
	        "starts: it needs a file, not a pipe (redirect standard input "
	        "from the file, or name it)\n", run->name,
	        range_name(&run->opt.range));
	return -1;
}

static int open_input(cli_run *run, gotrace_input **in)
{
	struct stat st;
	int rc, ranged = run->opt.range.kind != CLI_RANGE_NONE;

	if (strcmp(run->path, "-") == 0) {
		if (ranged) {
			/* Standard input redirected from a file can be seeked. */
			off_t pos;

			if (fstat(0, &st) != 0 || !S_ISREG(st.st_mode) ||
			    (pos = lseek(0, 0, SEEK_CUR)) < 0)
				return need_file(run);
			/* The input counts from where standard input stands. */
			run->src.cut_base = (uint64_t)pos;
			run->src.size = (uint64_t)st.st_size > (uint64_t)pos
			                ? (uint64_t)st.st_size - (uint64_t)pos : 0;
			rc = gotrace_input_open_fd(in, 0, 0);
			goto opened;
		}
		run->src.fd = 0;
		run->src.is_stream = 1;
	} else {
		if (stat(run->path, &st) != 0) {
			fprintf(stderr, "gotrace: %s: %s\n", run->name, strerror(errno));
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			fprintf(stderr, "gotrace: %s: %s\n", run->name,
			        strerror(EISDIR));
			return -1;
		}
		if (S_ISREG(st.st_mode)) {
			run->src.size = (uint64_t)st.st_size;
			rc = run->opt.use_mmap ? gotrace_input_open_mmap(in, run->path)
			                       : GOTRACE_ERR_UNSUPPORTED;
			if (rc == GOTRACE_ERR_UNSUPPORTED)
				rc = gotrace_input_open_path(in, run->path);
			goto opened;
		}
		if (ranged)
			return need_file(run);
		/* A named pipe, device or socket: a stream, read to the end. */
		run->src.fd = open(run->path, O_RDONLY);
		if (run->src.fd < 0) {
			fprintf(stderr, "gotrace: %s: %s\n", run->name, strerror(errno));
			return -1;
		}
		run->src.own_fd = 1;
		run->src.is_stream = 1;
	}
	rc = gotrace_input_open_callback(in, read_counted, NULL, &run->src);
opened:
	if (rc == GOTRACE_ERR_IO) {
		fprintf(stderr, "gotrace: %s: %s\n", run->name, strerror(errno));
		return -1;
	}
	if (rc != GOTRACE_OK) {
		fprintf(stderr, "gotrace: %s: %s\n", run->name,
		        gotrace_status_string(rc));
		return -1;
	}
	return 0;
}

/* The cut trace a ranged wire reader reads (cli_source): the header, then
 * the generations' bytes. */
static long read_cut(void *ctx, void *buf, size_t len)
{
	cli_source *src = ctx;
	uint64_t size = src->cut_header + (src->cut_end - src->cut_start);
	uint64_t pos = src->cut_pos, off;
	ssize_t n;

	if (pos >= size)
		return 0;
	if (pos < src->cut_header) {
		off = pos;
		if (len > src->cut_header - pos)
			len = (size_t)(src->cut_header - pos);
	} else {
		off = src->cut_start + (pos - src->cut_header);
		if (len > size - pos)
			len = (size_t)(size - pos);
	}
	if (len > (size_t)1 << 30)
		len = (size_t)1 << 30;
	do
		n = pread(src->fd, buf, len, (off_t)(src->cut_base + off));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	src->cut_pos += (uint64_t)n;
	return (long)n;
}

/* A cut trace's offset as an offset in the file. */
static uint64_t file_offset(const cli_source *src, uint64_t off)
{
	if (!src->is_cut || off < src->cut_header)
		return off;
	return off - src->cut_header + src->cut_start;
}

/*
 * The range's generations for the reader: seeks it to the first and
 * stops it after the last. Returns 0 or -1 after printing why not.
 */
static int apply_range(cli_run *run)
{
	gotrace_selection sel;
	int rc = gotrace_reader_select(run->r, &run->opt.range.sel, &sel);
	int status;

	if (rc == GOTRACE_OK)
		return 0;
	/* Made already, if it can be: for the scan's error. */
	status = range_failure(run->cmd, run->name, &run->opt.range,
	                       gotrace_reader_index(run->r, NULL), rc, &sel);
	run->usage_failed = status == CLI_USAGE;
	return -1;
}

/*
 * A ranged wire reader's input: the file is indexed (through a second
 * input of it) and the wire reader reads the cut trace's bytes with
 * pread(2), so that it sees what Go's -d=wire sees of the cut trace.
 * Returns 0 or -1 after printing why not.
 */
static int open_cut_input(cli_run *run, gotrace_input **in)
{
	gotrace_input *scan = NULL;
	gotrace_index *idx = NULL;
	gotrace_generation_info a, b;
	size_t first, last;
	int rc, to_end, status;

	if (open_input(run, &scan) != 0)
		return -1;
	rc = gotrace_index_new(&idx, scan);
	if (idx == NULL) {
		gotrace_input_free(scan);
		fprintf(stderr, "gotrace: %s: %s\n", run->name,
		        gotrace_status_string(rc));
		return -1;
	}
	status = cli_range_resolve(run->cmd, run->name, &run->opt.range, idx,
	                           &first, &last, &to_end);
	if (status != CLI_OK || gotrace_index_at(idx, first, &a) != 0 ||
	    gotrace_index_at(idx, last, &b) != 0) {
		run->usage_failed = status == CLI_USAGE;
		gotrace_index_free(idx);
		return -1;
	}
	run->src.is_cut = 1;
	run->src.cut_header = gotrace_index_header_size(idx);
	run->src.cut_start = a.start_offset;
	run->src.cut_end = to_end ? run->src.size : b.end_offset;
	run->src.cut_pos = 0;
	gotrace_index_free(idx);
	if (strcmp(run->path, "-") == 0) {
		run->src.fd = 0;
	} else {
		run->src.fd = open(run->path, O_RDONLY);
		if (run->src.fd < 0) {
			fprintf(stderr, "gotrace: %s: %s\n", run->name, strerror(errno));
			return -1;
		}
		run->src.own_fd = 1;
	}
	rc = gotrace_input_open_callback(in, read_cut, NULL, &run->src);
	if (rc != GOTRACE_OK) {
		fprintf(stderr, "gotrace: %s: %s\n", run->name,
		        gotrace_status_string(rc));
		return -1;
	}
	return 0;
}

/* ---- progress ---------------------------------------------------------- */

/* Checking the clock costs a system call at worst: every this many events. */
#define PROGRESS_EVENTS 65536

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_tick(cli_run *run)
{
	cli_progress *p = &run->progress;
	double t = now_seconds(), elapsed = t - p->start;
	uint64_t off = run->r != NULL
	               ? gotrace_reader_offset(run->r)
	               : file_offset(&run->src, gotrace_wire_reader_offset(run->wr));

	p->next_check = p->events + PROGRESS_EVENTS;
	/* A short read stays quiet; a long one redraws a few times a second. */
	if (elapsed < 0.5 || t - p->last < 0.2)
		return;
	p->last = t;
	p->shown = 1;
	if (run->src.size > 0)
		fprintf(stderr, "\rgotrace: %s: %.1f of %.1f MB (%.0f%%), "
		        "%.2fM events/s\033[K", run->name, (double)off / 1e6,
		        (double)run->src.size / 1e6,
		        (double)off * 100 / (double)run->src.size,
		        (double)p->events / elapsed / 1e6);
	else
		fprintf(stderr, "\rgotrace: %s: %.1f MB read, %.2fM events/s\033[K",
		        run->name, (double)off / 1e6,
		        (double)p->events / elapsed / 1e6);
	fflush(stderr);
}

static void progress_clear(cli_run *run)
{
	if (run->progress.shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		run->progress.shown = 0;
	}
}

/* ---- readers ----------------------------------------------------------- */

int cli_run_open(cli_run *run, const cli_command *cmd,
                 const cli_reader_opts *opt, const char *path, int wire,
                 int streaming_output)
{
	gotrace_input *in = NULL;
	int rc;

	memset(run, 0, sizeof *run);
	run->cmd = cmd;
	run->opt = *opt;
	run->path = path;
	run->name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	run->src.fd = -1;
	/* The default: $GOTRACE_THREADS, else by CPUs and load. */
	if (run->opt.threads < 0)
		run->opt.threads = gotrace_default_threads();
	if (run->opt.progress < 0)
		run->progress.enabled = isatty(2) &&
		                        !(streaming_output && isatty(1));
	else
		run->progress.enabled = run->opt.progress;
	run->progress.start = run->progress.enabled ? now_seconds() : 0;
	run->progress.next_check = PROGRESS_EVENTS;

	if ((wire && run->opt.range.kind != CLI_RANGE_NONE
	     ? open_cut_input(run, &in) : open_input(run, &in)) != 0) {
		run->open_failed = 1;
		return -1;
	}
	if (wire) {
		rc = gotrace_wire_reader_new(&run->wr, in);
		if (run->wr == NULL) {
			gotrace_input_free(in);
			fprintf(stderr, "gotrace: %s: %s\n", run->name,
			        gotrace_status_string(rc));
			run->open_failed = 1;
			return -1;
		}
	} else {
		gotrace_reader_options ro = GOTRACE_READER_OPTIONS_INIT;

		ro.max_memory = run->opt.max_memory;
		ro.ordering = run->opt.ordering;
		ro.threads = run->opt.threads;
		rc = gotrace_reader_new_opts(&run->r, in, &ro);
		if (run->r == NULL) {
			gotrace_input_free(in);
			fprintf(stderr, "gotrace: %s: %s\n", run->name,
			        gotrace_status_string(rc));
			run->open_failed = 1;
			return -1;
		}
		/* A bad header is the trace's error, with or without a range. */
		if (rc == GOTRACE_OK && run->opt.range.kind != CLI_RANGE_NONE &&
		    apply_range(run) != 0) {
			run->open_failed = 1;
			return -1;
		}
	}
	return rc;
}

int cli_run_open_index(cli_run *run, const cli_command *cmd,
                       const cli_reader_opts *opt, const char *path)
{
	gotrace_input *in = NULL;
	gotrace_version v;
	int rc;

	memset(run, 0, sizeof *run);
	run->cmd = cmd;
	run->opt = *opt;
	run->path = path;
	run->name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	run->src.fd = -1;
	if (open_input(run, &in) != 0) {
		run->open_failed = 1;
		return -1;
	}
	rc = gotrace_index_new(&run->idx, in);
	if (run->idx == NULL) {
		gotrace_input_free(in);
		fprintf(stderr, "gotrace: %s: %s\n", run->name,
		        gotrace_status_string(rc));
		run->open_failed = 1;
		return -1;
	}
	v = gotrace_index_version(run->idx);
	if (rc == GOTRACE_ERR_UNSUPPORTED && !gotrace_version_is_v2(v) &&
	    v != GOTRACE_VERSION_UNKNOWN) {
		fprintf(stderr, "gotrace: %s: a go 1.%d trace (the v1 format of "
		        "Go 1.11 to 1.21) has no generations\n", run->name,
		        (int)v);
		run->open_failed = 1;
		return -1;
	}
	if (rc != GOTRACE_OK && rc != GOTRACE_EOF) {
		const gotrace_error *e = gotrace_index_error(run->idx);
		cli_trace_error *err = &run->err;

		err->code = rc;
		if (e != NULL) {
			err->offset = gotrace_error_offset(e);
			err->go_message_len = gotrace_error_go_message_len(e);
			err->go_message = dup_bytes(gotrace_error_go_message(e),
			                            err->go_message_len);
			err->message = dup_bytes(gotrace_error_message(e),
			                         strlen(gotrace_error_message(e)));
		}
		if (err->go_message == NULL) {
			const char *why = gotrace_status_string(rc);

			err->go_message_len = strlen(why);
			err->go_message = dup_bytes(why, err->go_message_len);
			if (err->go_message == NULL)
				err->go_message_len = 0;
		}
		/* What the index holds is what was not lost, counted as a
		 * reader counts it (dump -v prints the same line). */
		err->have_lost = 1;
		err->valid_bytes = gotrace_index_valid_bytes(run->idx);
	}
	return rc;
}

int cli_run_next_wire(cli_run *run, gotrace_wire_event *ev)
{
	int rc = gotrace_wire_reader_next(run->wr, ev);

	if (run->progress.enabled && ++run->progress.events >= run->progress.next_check)
		cli_progress_tick(run);
	return rc;
}

int cli_run_refill(cli_run *run)
{
	int rc = gotrace_reader_next_batch(run->r, run->batch, CLI_BATCH,
	                                   &run->batch_len);

	run->batch_at = 0;
	if (rc == GOTRACE_OK && run->progress.enabled &&
	    (run->progress.events += run->batch_len) >= run->progress.next_check)
		cli_progress_tick(run);
	return rc;
}

int cli_run_feed(cli_run *run, int rc,
                 int (*feed)(void *ctx, const gotrace_event *ev), void *ctx)
{
	const gotrace_event *ev;
	int frc = GOTRACE_OK;

	while (rc == GOTRACE_OK && (rc = cli_run_next(run, &ev)) == GOTRACE_OK)
		if ((frc = feed(ctx, ev)) != GOTRACE_OK)
			break;
	cli_run_end(run, frc != GOTRACE_OK ? GOTRACE_EOF : rc);
	return frc != GOTRACE_OK ? frc : rc;
}

static char *dup_bytes(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

void cli_run_end(cli_run *run, int rc)
{
	const gotrace_error *e;
	cli_trace_error *err = &run->err;

	progress_clear(run);
	if (run->r == NULL && run->wr == NULL)
		return;
	if (run->wr != NULL && rc == GOTRACE_EOF && run->opt.verbose &&
	    gotrace_wire_reader_truncated(run->wr)) {
		char line[128];

		snprintf(line, sizeof line, "input ended inside the event at "
		         "byte offset %llu",
		         (unsigned long long)file_offset(&run->src,
		                      gotrace_wire_reader_offset(run->wr)));
		err->extra = dup_bytes(line, strlen(line));
	}
	if (rc == GOTRACE_OK || rc == GOTRACE_EOF || err->code != 0)
		return;
	e = run->r != NULL ? gotrace_reader_error(run->r)
	                   : gotrace_wire_reader_error(run->wr);
	err->code = rc;
	err->offset = file_offset(&run->src, gotrace_error_offset(e));
	err->go_message_len = gotrace_error_go_message_len(e);
	err->go_message = dup_bytes(gotrace_error_go_message(e),
	                            err->go_message_len);
	err->message = dup_bytes(gotrace_error_message(e),
	                         strlen(gotrace_error_message(e)));
	if (err->go_message == NULL || err->message == NULL)
		err->go_message_len = 0;
	if (run->r != NULL) {
		err->have_lost = 1;
		err->valid_bytes = gotrace_reader_valid_bytes(run->r);
	}
}

/* What is left of a stream after the reader stopped: read to its end, so
 * that the total is what the file would have held. */
static uint64_t drain(int fd)
{
	char buf[65536];
	uint64_t n = 0;

	for (;;) {
		ssize_t k = read(fd, buf, sizeof buf);

		if (k > 0)
			n += (uint64_t)k;
		else if (k == 0 || errno != EINTR)
			return n;
	}
}

void cli_run_free(cli_run *run)
{
	gotrace_reader_free(run->r);
	run->r = NULL;
	gotrace_wire_reader_free(run->wr);
	run->wr = NULL;
	gotrace_index_free(run->idx);
	run->idx = NULL;
	if (run->src.own_fd && run->src.fd >= 0)
		close(run->src.fd);
	run->src.fd = -1;
	run->src.own_fd = 0;
	free(run->err.go_message);
	free(run->err.message);
	free(run->err.extra);
	memset(&run->err, 0, sizeof run->err);
}

int cli_write_error(void)
{
	fprintf(stderr, "gotrace: writing output: %s\n",
	        errno != 0 ? strerror(errno) : "write error");
	return CLI_FAIL;
}

int cli_flush_stdout(void)
{
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout))
		return cli_write_error();
	return CLI_OK;
}

int cli_nomem(void)
{
	fflush(stdout);
	fprintf(stderr, "gotrace: %s\n", gotrace_status_string(GOTRACE_ERR_NOMEM));
	return CLI_FAIL;
}

int cli_run_finish(cli_run *run)
{
	cli_trace_error *err = &run->err;
	int status = CLI_OK;

	if (run->open_failed) {
		cli_run_free(run);
		return run->usage_failed ? CLI_USAGE : CLI_FAIL;
	}
	/* The reader goes first: a worker thread may still hold the input. */
	gotrace_reader_free(run->r);
	run->r = NULL;
	gotrace_wire_reader_free(run->wr);
	run->wr = NULL;
	if (err->code != 0 && err->have_lost)
		err->total_bytes = run->src.is_stream
		                   ? run->src.bytes_read + drain(run->src.fd)
		                   : run->src.size;
	if (cli_flush_stdout() != CLI_OK)
		status = CLI_FAIL;
	if (err->code != 0) {
		status = CLI_FAIL;
		if (run->opt.go_errors) {
			/* Go's messages may quote trace strings holding NULs. */
			fwrite(err->go_message, 1, err->go_message_len, stderr);
			fputc('\n', stderr);
		} else {
			/* One line: Go's "failed to advance" goes on with a dump
			 * of its state, which -v prints. */
			const char *nl = memchr(err->go_message, '\n',
			                        err->go_message_len);
			size_t n = nl != NULL ? (size_t)(nl - err->go_message)
			                      : err->go_message_len;

			fprintf(stderr, "gotrace: %s: offset %llu: ", run->name,
			        (unsigned long long)err->offset);
			fwrite(err->go_message, 1, n, stderr);
			fputc('\n', stderr);
		}
		if (run->opt.verbose && err->message != NULL)
			fprintf(stderr, "gotrace: %s\n", err->message);
		if (err->have_lost && (run->opt.verbose || !run->opt.go_errors) &&
		    err->total_bytes > 0 && err->valid_bytes <= err->total_bytes) {
			uint64_t lost = err->total_bytes - err->valid_bytes;

			fprintf(stderr, "gotrace: lost %.2f%% of the trace data due to "
			        "the error (%llu of %llu bytes)\n",
			        (double)lost / (double)err->total_bytes * 100,
			        (unsigned long long)lost,
			        (unsigned long long)err->total_bytes);
		}
	}
	if (err->extra != NULL)
		fprintf(stderr, "gotrace: %s\n", err->extra);
	cli_run_free(run);
	return status;
}

/* ---- formatting -------------------------------------------------------- */

/* Go's fmtFrac: the fraction's digits without trailing zeros. */
static size_t fmt_frac(char *buf, size_t w, uint64_t *v, int prec)
{
	int i, print = 0;

	for (i = 0; i < prec; i++) {
		unsigned digit = (unsigned)(*v % 10);

		print = print || digit != 0;
		if (print)
			buf[--w] = (char)('0' + digit);
		*v /= 10;
	}
	if (print)
		buf[--w] = '.';
	return w;
}

static size_t fmt_int(char *buf, size_t w, uint64_t v)
{
	if (v == 0)
		buf[--w] = '0';
	while (v > 0) {
		buf[--w] = (char)('0' + v % 10);
		v /= 10;
	}
	return w;
}

void cli_format_duration(char *out, size_t size, int64_t d)
{
	char buf[32];
	size_t w = sizeof buf;
	uint64_t u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;

	if (u < 1000000000) {
		int prec;

		if (u == 0) {
			snprintf(out, size, "0s");
			return;
		}
		buf[--w] = 's';
		if (u < 1000) {
			prec = 0;
			buf[--w] = 'n';
		} else if (u < 1000000) {
			prec = 3;
			buf[--w] = '\xb5';
			buf[--w] = '\xc2';
		} else {
			prec = 6;
			buf[--w] = 'm';
		}
		w = fmt_frac(buf, w, &u, prec);
		w = fmt_int(buf, w, u);
	} else {
		buf[--w] = 's';
		w = fmt_frac(buf, w, &u, 9);
		w = fmt_int(buf, w, u % 60);
		u /= 60;
		if (u > 0) {
			buf[--w] = 'm';
			w = fmt_int(buf, w, u % 60);
			u /= 60;
			if (u > 0) {
				buf[--w] = 'h';
				w = fmt_int(buf, w, u);
			}
		}
	}
	if (d < 0)
		buf[--w] = '-';
	snprintf(out, size, "%.*s", (int)(sizeof buf - w), buf + w);
}

static int summary_feed(void *obj, const gotrace_event *ev)
{
	return gotrace_summary_feed(obj, ev);
}

static int summary_finish(void *obj)
{
	return gotrace_summary_finish(obj);
}

static int gc_feed(void *obj, const gotrace_event *ev)
{
	return gotrace_gc_feed(obj, ev);
}

static int gc_finish(void *obj)
{
	return gotrace_gc_finish(obj);
}

static int mmu_feed(void *obj, const gotrace_event *ev)
{
	return gotrace_mmu_feed(obj, ev);
}

static int mmu_finish(void *obj)
{
	return gotrace_mmu_finish(obj);
}

const cli_analysis cli_summary_analysis = { summary_feed, summary_finish };
const cli_analysis cli_gc_analysis = { gc_feed, gc_finish };
const cli_analysis cli_mmu_analysis = { mmu_feed, mmu_finish };

int cli_analyse(cli_run *run, const cli_command *cmd,
                const cli_reader_opts *opt, const char *file,
                const cli_analysis *an, void *obj, int *status)
{
	int rc = cli_run_open(run, cmd, opt, file, 0, 0);

	if (rc < 0 && run->open_failed) {
		*status = cli_run_finish(run);
		return 0;
	}
	rc = cli_run_feed(run, rc, an->feed, obj);
	if (rc == GOTRACE_ERR_NOMEM || an->finish(obj) != GOTRACE_OK) {
		cli_run_free(run);
		*status = cli_nomem();
		return 0;
	}
	return 1;
}

/* ---- damaged traces, cut back as go tool trace cuts them --------------- */

/* cli_run_cut's feed: counts, notes each Sync's position, and hands the
 * event on. */
typedef struct cut_count {
	int (*feed)(void *ctx, const gotrace_event *ev);
	void *ctx;
	uint64_t events;
	uint64_t through_sync;
} cut_count;

static int cut_count_feed(void *ctx, const gotrace_event *ev)
{
	cut_count *k = ctx;

	k->events++;
	if (ev->kind == GOTRACE_EVENT_SYNC)
		k->through_sync = k->events;
	return k->feed != NULL ? k->feed(k->ctx, ev) : GOTRACE_OK;
}

int cli_run_cut(cli_run *run, const cli_command *cmd,
                const cli_reader_opts *opt, const char *file,
                int (*feed)(void *ctx, const gotrace_event *ev), void *ctx,
                uint64_t *events, uint64_t *limit, int *status)
{
	cut_count k = { feed, ctx, 0, 0 };
	int rc = cli_run_open(run, cmd, opt, file, 0, 0);

	if (rc < 0 && run->open_failed) {
		*status = cli_run_finish(run);
		return 0;
	}
	rc = cli_run_feed(run, rc, cut_count_feed, &k);
	if (rc != GOTRACE_EOF && run->err.code == 0) {
		/* Not the trace's error (cli_run_end captured none): feed's. */
		cli_run_free(run);
		if (rc == GOTRACE_ERR_NOMEM) {
			*status = cli_nomem();
		} else {
			fflush(stdout);
			fprintf(stderr, "gotrace: %s: %s\n", file,
			        gotrace_status_string(rc));
			*status = CLI_FAIL;
		}
		return 0;
	}
	*events = k.events;
	*limit = rc == GOTRACE_EOF ? UINT64_MAX : k.through_sync;
	return 1;
}
