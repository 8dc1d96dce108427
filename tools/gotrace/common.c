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

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Go's units, longest spelling first where one is a prefix of another. */
static const struct {
	const char *name;
	uint64_t ns;
} duration_units[] = {
	{"ns", 1},
	{"us", 1000},
	{"\xc2\xb5s", 1000},   /* U+00B5 micro sign */
	{"\xce\xbcs", 1000},   /* U+03BC Greek mu */
	{"ms", 1000000},
	{"s", 1000000000},
	{"m", 60000000000ULL},
	{"h", 3600000000000ULL},
};

const char *cli_parse_duration(const char *s, int64_t *ns)
{
	uint64_t total = 0;
	const char *p;
	int all_digits = *s != '\0';

	if (*s == '\0')
		return "empty";
	if (*s == '-')
		return "must not be negative";
	for (p = s; *p != '\0'; p++)
		all_digits &= is_digit(*p);
	if (all_digits) {
		uint64_t v;
		const char *why = cli_parse_u64(s, 0, INT64_MAX, &v);

		if (why == NULL)
			*ns = (int64_t)v;
		return why;
	}
	p = s;
	while (*p != '\0') {
		uint64_t v = 0, unit = 0;
		double frac = 0, scale = 1;
		int pre = 0, post = 0;
		size_t i, ulen = 0;

		for (; is_digit(*p); p++, pre++) {
			unsigned d = (unsigned)(*p - '0');

			if (v > ((uint64_t)INT64_MAX - d) / 10)
				return "too large";
			v = v * 10 + d;
		}
		if (*p == '.') {
			/* Like Go, digits past int64 precision are dropped. */
			for (p++; is_digit(*p); p++, post++)
				if (scale < 1e18) {
					frac = frac * 10 + (*p - '0');
					scale *= 10;
				}
		}
		if (pre == 0 && post == 0)
			return "not a duration (e.g. 10ms, 1.5s, 100us)";
		for (i = 0; i < sizeof duration_units / sizeof duration_units[0]; i++) {
			size_t n = strlen(duration_units[i].name);

			/* "m" must not take the "m" of "ms". */
			if (strncmp(p, duration_units[i].name, n) == 0 && n > ulen &&
			    !(n == 1 && p[0] == 'm' && p[1] == 's')) {
				unit = duration_units[i].ns;
				ulen = n;
			}
		}
		if (unit == 0)
			return *p == '\0' ? "missing unit (ns, us, ms, s, m, h)"
			                  : "unknown unit (ns, us, ms, s, m, h)";
		p += ulen;
		if (v > (uint64_t)INT64_MAX / unit)
			return "too large";
		v *= unit;
		if (post > 0) {
			double f = frac * ((double)unit / scale);

			if (f >= 9.2e18 || v + (uint64_t)f > (uint64_t)INT64_MAX)
				return "too large";
			v += (uint64_t)f;
		}
		if (total > (uint64_t)INT64_MAX - v)
			return "too large";
		total += v;
	}
	*ns = (int64_t)total;
	return NULL;
}

/* ---- reader options ---------------------------------------------------- */

void cli_reader_opts_init(cli_reader_opts *o)
{
	memset(o, 0, sizeof *o);
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
		return 0;
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

static int open_input(cli_run *run, gotrace_input **in)
{
	struct stat st;
	int rc;

	if (strcmp(run->path, "-") == 0) {
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

/* ---- progress ---------------------------------------------------------- */

/* Checking the clock costs a system call at worst: every this many events. */
#define PROGRESS_EVENTS 65536

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_tick(cli_run *run)
{
	cli_progress *p = &run->progress;
	double t = now_seconds(), elapsed = t - p->start;
	uint64_t off = run->r != NULL ? gotrace_reader_offset(run->r)
	                              : gotrace_wire_reader_offset(run->wr);

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
	if (run->opt.threads < 0) {
		/* The default: $GOTRACE_THREADS (1 to 64), else by CPUs. */
		const char *env = getenv("GOTRACE_THREADS");
		uint64_t v;

		if (env != NULL && cli_parse_u64(env, 1, 64, &v) == NULL) {
			run->opt.threads = (int)v;
		} else {
			long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

			run->opt.threads = ncpu > 1 ? 2 : 1;
		}
	}
	if (run->opt.progress < 0)
		run->progress.enabled = isatty(2) &&
		                        !(streaming_output && isatty(1));
	else
		run->progress.enabled = run->opt.progress;
	run->progress.start = run->progress.enabled ? now_seconds() : 0;
	run->progress.next_check = PROGRESS_EVENTS;

	if (open_input(run, &in) != 0) {
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
	}
	return rc;
}

int cli_run_next(cli_run *run, gotrace_event *ev)
{
	int rc = gotrace_reader_next(run->r, ev);

	if (run->progress.enabled && ++run->progress.events >= run->progress.next_check)
		progress_tick(run);
	return rc;
}

int cli_run_next_wire(cli_run *run, gotrace_wire_event *ev)
{
	int rc = gotrace_wire_reader_next(run->wr, ev);

	if (run->progress.enabled && ++run->progress.events >= run->progress.next_check)
		progress_tick(run);
	return rc;
}

int cli_run_feed(cli_run *run, int rc,
                 int (*feed)(void *ctx, const gotrace_event *ev), void *ctx)
{
	gotrace_event ev;
	int frc = GOTRACE_OK;

	while (rc == GOTRACE_OK && (rc = cli_run_next(run, &ev)) == GOTRACE_OK)
		if ((frc = feed(ctx, &ev)) != GOTRACE_OK)
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
		         (unsigned long long)gotrace_wire_reader_offset(run->wr));
		err->extra = dup_bytes(line, strlen(line));
	}
	if (rc == GOTRACE_OK || rc == GOTRACE_EOF || err->code != 0)
		return;
	e = run->r != NULL ? gotrace_reader_error(run->r)
	                   : gotrace_wire_reader_error(run->wr);
	err->code = rc;
	err->offset = gotrace_error_offset(e);
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
		return CLI_FAIL;
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
