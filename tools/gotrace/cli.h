/*
 * gotrace — what the commands share: the command table's entry type,
 * option parsing, opening and reading a trace, reporting errors, the
 * progress line and the table/JSON/CSV emitters.
 *
 * Every command is a function int run(const cli_command *, argc, argv)
 * returning the exit status: 0 success, 1 a trace, input or output
 * error, 2 a usage error. All per-invocation state lives in structures
 * the command owns (cli_run, cli_out); nothing here is global.
 */
#ifndef GOTRACE_CLI_H
#define GOTRACE_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gotrace/gotrace.h>
#include <gotrace/index.h>

/* Exit statuses. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

typedef struct cli_command cli_command;

struct cli_command {
	const char *name;
	const char *summary;    /* one line, for `gotrace help` */
	int (*run)(const cli_command *cmd, int argc, char **argv);
	const char *help;       /* the full text of `gotrace help NAME` */
};

/* The command table (main.c) and the handlers it points to. */
extern const cli_command cli_commands[];
extern const size_t cli_command_count;

int cmd_dump(const cli_command *cmd, int argc, char **argv);
int cmd_stats(const cli_command *cmd, int argc, char **argv);
int cmd_version(const cli_command *cmd, int argc, char **argv);
int cmd_help(const cli_command *cmd, int argc, char **argv);
int cmd_goroutines(const cli_command *cmd, int argc, char **argv);
int cmd_tasks(const cli_command *cmd, int argc, char **argv);
int cmd_regions(const cli_command *cmd, int argc, char **argv);
int cmd_gc(const cli_command *cmd, int argc, char **argv);
int cmd_mmu(const cli_command *cmd, int argc, char **argv);
int cmd_top(const cli_command *cmd, int argc, char **argv);
int cmd_index(const cli_command *cmd, int argc, char **argv);
int cmd_cut(const cli_command *cmd, int argc, char **argv);

/* Finds a command by name; NULL if there is none. */
const cli_command *cli_find_command(const char *name);
/* Prints the general usage (the command list) to f. */
void cli_print_usage(FILE *f);

/* ---- usage errors and numbers ---------------------------------------- */

/*
 * Prints "gotrace CMD: REASON" and the --help hint to stderr and returns
 * CLI_USAGE, so that handlers can `return cli_usage_error(...)`.
 * cmd may be NULL for errors before a command is known.
 */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Prints cmd->help to stdout and returns CLI_OK (or CLI_FAIL if stdout
 * could not be written). */
int cli_print_help(const cli_command *cmd);

/*
 * Parses a decimal unsigned integer in [min, max]: digits only (no sign,
 * no spaces, not empty). Returns NULL, or the reason it is not one
 * ("not a number", "out of range", ...).
 */
const char *cli_parse_u64(const char *s, uint64_t min, uint64_t max,
                          uint64_t *out);
/*
 * Parses a duration as Go's time.ParseDuration does, without a sign:
 * "100ns", "1us" (or "1µs"), "10ms", "1.5s", "2m", "1h30m"; a plain
 * integer is nanoseconds. Returns NULL or the reason.
 */
const char *cli_parse_duration(const char *s, int64_t *ns);

/*
 * getopt_long's loop for one command, with the messages and exit status
 * of our conventions. Returns the option (as getopt_long), -1 at the end
 * of the options, or '?' after printing a usage error (the caller
 * returns CLI_USAGE).
 */
int cli_getopt(const cli_command *cmd, int argc, char **argv,
               const char *shortopts, const struct option *longopts);

typedef enum cli_format { CLI_TABLE, CLI_JSON, CLI_CSV } cli_format;

/* ---- reading a trace ------------------------------------------------- */

/* Long-only option values shared by the commands (short ones are chars). */
enum {
	CLI_OPT_ORDERING = 256,
	CLI_OPT_NO_MMAP,
	CLI_OPT_PROGRESS,
	CLI_OPT_NO_PROGRESS,
	CLI_OPT_GO_ERRORS,
	CLI_OPT_WIRE,
	CLI_OPT_JSON,
	CLI_OPT_CSV,
	CLI_OPT_ALL,
	CLI_OPT_GEN,
	CLI_OPT_FROM,
	CLI_OPT_TO,
	CLI_OPT_FIRST_COMMAND_OPTION   /* commands number theirs from here */
};

/* The generation range options (--gen, --from, --to). */
#define CLI_RANGE_LONGOPTS                                               \
	{"gen", required_argument, NULL, CLI_OPT_GEN},                   \
	{"from", required_argument, NULL, CLI_OPT_FROM},                 \
	{"to", required_argument, NULL, CLI_OPT_TO}

/* The reader options every reading command takes, for getopt_long. */
#define CLI_READER_SHORTOPTS "vm:j:h"
#define CLI_READER_LONGOPTS                                              \
	CLI_RANGE_LONGOPTS,                                              \
	{"verbose", no_argument, NULL, 'v'},                             \
	{"max-memory", required_argument, NULL, 'm'},                    \
	{"threads", required_argument, NULL, 'j'},                       \
	{"ordering", required_argument, NULL, CLI_OPT_ORDERING},         \
	{"no-mmap", no_argument, NULL, CLI_OPT_NO_MMAP},                 \
	{"progress", no_argument, NULL, CLI_OPT_PROGRESS},               \
	{"no-progress", no_argument, NULL, CLI_OPT_NO_PROGRESS},         \
	{"help", no_argument, NULL, 'h'}

/* The help text of the range options. */
#define CLI_RANGE_HELP                                                          \
	"      --gen=A:B          only generations A to B, numbered as\n"          \
	"                         `gotrace index` prints them (A: to the end,\n"   \
	"                         :B from the start, A alone just A)\n"            \
	"      --from=T           from the generation holding time T on\n"       \
	"      --to=T             up to the generation holding time T\n"         \
	"                         T: a duration since the trace's start (1.5s,\n" \
	"                         250ms, a number of ns), @NS on the trace clock\n" \
	"                         (as dump prints Time=), or a wall-clock time\n"  \
	"                         in RFC 3339 (2026-12-03T10:15:00.5Z, or with\n"  \
	"                         +01:00; traces of Go 1.25 and later)\n"          \
	"                         A range reads a v2 trace (Go 1.22+) from a\n"    \
	"                         file, not a pipe, as if cut to those\n"          \
	"                         generations (gotrace cut)\n"

/* The help text of the reader options, for each command's help. */
#define CLI_READER_HELP                                                         \
	"\nreading options:\n"                                                  \
	CLI_RANGE_HELP                                                          \
	"  -v, --verbose          on error, also print the library's full\n"    \
	"                         message, with its context\n"                 \
	"  -m, --max-memory=N     fail instead of holding more than N bytes of\n" \
	"                         trace data at once (suffixes K, M, G: KiB...)\n" \
	"  -j, --threads=N        1: read on one thread; 2 (the default with\n"   \
	"                         more than one CPU, or $GOTRACE_THREADS): order\n" \
	"                         events on a second thread; 3 or more: N - 1\n" \
	"                         threads order generations at once\n"          \
	"      --ordering=MODE    auto (default), exact or parking: how to go on\n" \
	"                         when the earliest event cannot happen yet\n"   \
	"      --no-mmap          read FILE with read(2) instead of mapping it\n" \
	"      --progress         show the progress line even if stderr is not a\n" \
	"                         terminal\n"                                     \
	"      --no-progress      never show it\n"                               \
	"  -h, --help             print this help\n"

/*
 * --gen A:B, or --from T and --to T: which generations to read. A range
 * needs a v2 trace in a file (or standard input redirected from one): it
 * is parsed and resolved by the library (gotrace_range in
 * gotrace/index.h) against the trace's index.
 */
enum {
	CLI_RANGE_NONE = GOTRACE_RANGE_ALL,
	CLI_RANGE_GEN = GOTRACE_RANGE_GENERATIONS,
	CLI_RANGE_TIME = GOTRACE_RANGE_TIMES
};
typedef struct cli_range {
	int kind;                  /* CLI_RANGE_*: whether one is given */
	gotrace_range sel;         /* the range, for the library */
	const char *from_text;     /* --from and --to as given, for messages */
	const char *to_text;
} cli_range;

typedef struct cli_reader_opts {
	uint64_t max_memory;
	int ordering;
	int threads;       /* -1: by the number of CPUs */
	int use_mmap;
	int verbose;
	int progress;      /* -1 auto, 0 off, 1 forced */
	int go_errors;     /* dump: Go's stderr text (see cmd_dump.c) */
	cli_range range;
} cli_reader_opts;

void cli_reader_opts_init(cli_reader_opts *o);

/*
 * Handles one of the CLI_READER_LONGOPTS options: 1 if it was one, 0 if
 * not (the caller's own), or -1 after a usage error was printed.
 */
int cli_reader_option(const cli_command *cmd, cli_reader_opts *o, int c,
                      const char *arg);

/*
 * Handles --gen, --from and --to (CLI_RANGE_LONGOPTS): 1 if c was one of
 * them, 0 if not, -1 after a usage error. cli_reader_option calls it.
 */
int cli_range_option(const cli_command *cmd, cli_range *r, int c,
                     const char *arg);

/*
 * The generations r selects in idx, as positions [*first, *last]
 * (gotrace_index_at), and whether the read goes on after the last one
 * to wherever the trace ends (*to_end: A:, or --from without --to; the
 * rest of a damaged trace is then read, and its error reported, as
 * without a range). Returns CLI_OK, or CLI_FAIL or CLI_USAGE after
 * printing why (no such generation, a wall time without clock
 * snapshots, --from after --to, ...). name is the input as printed.
 */
int cli_range_resolve(const cli_command *cmd, const char *name,
                      const cli_range *r, const gotrace_index *idx,
                      size_t *first, size_t *last, int *to_end);

/*
 * The one FILE operand after the options: NULL after printing a usage
 * error (none, or more than one).
 */
const char *cli_file_operand(const cli_command *cmd, int argc, char **argv);

/* Where the bytes come from, for the lost-bytes figure. */
typedef struct cli_source {
	int fd;              /* a stream we read through the callback, or -1 */
	int own_fd;
	uint64_t bytes_read; /* what the callback has read from fd */
	uint64_t size;       /* of a regular file; 0 if a stream */
	int is_stream;
	/*
	 * The wire reader of a range reads, with pread(2) on fd, the bytes of
	 * the cut trace: the header [0, cut_header) and then the
	 * generations' bytes [cut_start, cut_end) of the file, offsets from
	 * cut_base (where standard input stood when it was opened: the
	 * library's inputs count from there too). Its offsets are in that
	 * cut and are moved back into the file for messages.
	 */
	int is_cut;
	uint64_t cut_header, cut_start, cut_end, cut_pos, cut_base;
} cli_source;

/* A captured trace error: it outlives the reader it came from. */
typedef struct cli_trace_error {
	int code;            /* 0: none */
	uint64_t offset;
	char *go_message;    /* go_message_len bytes, NUL-terminated */
	size_t go_message_len;
	char *message;
	int have_lost;
	uint64_t valid_bytes;
	uint64_t total_bytes;
	char *extra;         /* -v: a further line (wire: truncation) */
} cli_trace_error;

typedef struct cli_progress {
	int enabled;
	int shown;
	double start;
	double last;
	uint64_t events;
	uint64_t next_check;
} cli_progress;

/* Events cli_run_next reads at a time. */
#define CLI_BATCH 64

/* One reading of one trace: what a command opens, reads and closes. */
typedef struct cli_run {
	const cli_command *cmd;
	cli_reader_opts opt;
	const char *path;    /* as given; "-" for standard input */
	const char *name;    /* as printed in messages */
	cli_source src;
	gotrace_reader *r;
	gotrace_wire_reader *wr;
	gotrace_index *idx;  /* cli_run_open_index's */
	cli_progress progress;
	cli_trace_error err;
	int open_failed;     /* the message is already printed */
	int usage_failed;    /* and it was a usage error (exit status 2) */
	/* Events read ahead in one gotrace_reader_next_batch call, handed
	 * out one at a time by cli_run_next. */
	size_t batch_at, batch_len;
	gotrace_event batch[CLI_BATCH];
} cli_run;

/*
 * Opens path and a reader (or a wire reader when wire is set) on it with
 * the options. Returns GOTRACE_OK or the reader's status after the header
 * (an error there is reported by cli_run_finish, like any trace error),
 * or -1 after printing why the input could not be opened: the command
 * then returns CLI_FAIL (after cli_run_free).
 * streaming_output: the command writes to stdout while it reads, so the
 * automatic progress line stays off when stdout is a terminal too.
 * With a range in opt (--gen, --from, --to) the reader is seeked to its
 * first generation and stopped after its last (a wire reader reads the
 * cut trace's bytes instead); a range that cannot be applied (not in the
 * trace, a v1 trace, a pipe) is reported here, -1.
 */
int cli_run_open(cli_run *run, const cli_command *cmd,
                 const cli_reader_opts *opt, const char *path, int wire,
                 int streaming_output);

/*
 * Opens path as cli_run_open does and indexes it (gotrace_index_new) into
 * run->idx. Returns GOTRACE_OK or the scan's error, which is captured in
 * run->err like a reader's (cli_run_finish reports it; the generations
 * before the damage are indexed and the lost bytes are those after
 * them), or -1 after printing why the input could not be opened or is
 * not a v2 trace (the command then returns cli_run_finish's CLI_FAIL).
 * A range in opt is not applied here, but it makes a pipe an error (as
 * for cli_run_open): a caller that only scans clears it. Without one, a
 * stream is scanned as it comes.
 */
int cli_run_open_index(cli_run *run, const cli_command *cmd,
                       const cli_reader_opts *opt, const char *path);

/* The progress line's turn (its event count reached next_check): redraws
 * it now and then. */
void cli_progress_tick(cli_run *run);

/* cli_run_next past the events in hand: the next batch. */
int cli_run_refill(cli_run *run);

/*
 * The next event, in *ev, valid until the next call: the reader's events
 * a batch at a time (gotrace_reader_next_batch), plus the progress line.
 * Returns GOTRACE_OK, or GOTRACE_EOF or an error as gotrace_reader_next.
 * Between calls the reader may stand a few events further on (at most to
 * the end of the event's generation): its getters are those of the
 * batch's last event. Inline: every command's reading loop runs it for
 * every event.
 */
static inline int cli_run_next(cli_run *run, const gotrace_event **ev)
{
	if (run->batch_at == run->batch_len) {
		int rc = cli_run_refill(run);

		if (rc != GOTRACE_OK)
			return rc;
	}
	*ev = &run->batch[run->batch_at++];
	return GOTRACE_OK;
}
/* gotrace_wire_reader_next plus the progress line. */
int cli_run_next_wire(cli_run *run, gotrace_wire_event *ev);

/*
 * Ends the read after status rc (GOTRACE_EOF or an error): clears the
 * progress line and captures the error, so that the reader's getters
 * may still be read and output printed before the error is.
 */
void cli_run_end(cli_run *run, int rc);

/*
 * Frees the reader, flushes stdout (a write error is reported) and then
 * prints the trace error, if any. Returns the exit status.
 */
int cli_run_finish(cli_run *run);

/* Frees everything (idempotent; cli_run_finish calls it). */
void cli_run_free(cli_run *run);

/*
 * Handles --json and --csv (CLI_OPT_JSON, CLI_OPT_CSV): 1 if c was one of
 * them, 0 if not, -1 after a usage error (both given).
 */
int cli_format_option(const cli_command *cmd, cli_format *format, int c);
/* For the analysis commands: a reader option, else --json/--csv. Returns
 * as cli_reader_option. */
int cli_analysis_option(const cli_command *cmd, cli_reader_opts *opt,
                        cli_format *format, int c, const char *arg);

#define CLI_FORMAT_LONGOPTS                                              \
	{"json", no_argument, NULL, CLI_OPT_JSON},                       \
	{"csv", no_argument, NULL, CLI_OPT_CSV}

/*
 * Reads every event after status rc (cli_run_open's), handing each to
 * feed, which returns GOTRACE_OK or an error (out of memory) that stops
 * the read. Ends the read (cli_run_end) and returns the reader's final
 * status, or feed's error.
 */
int cli_run_feed(cli_run *run, int rc,
                 int (*feed)(void *ctx, const gotrace_event *ev), void *ctx);

/*
 * Damaged traces as `go tool trace` reads them: it keeps only the events
 * up to and including the last Sync (generation boundary) before the
 * error, and those are what its views and profiles are made of (none at
 * all when no generation is complete: Go then refuses the trace).
 *
 * cli_run_cut reads FILE once, as cli_run_feed does, handing every event
 * to feed (NULL: none) and counting. *events is how many were delivered;
 * *limit is how many Go keeps: UINT64_MAX when the trace reads to its
 * end, else the count up to the last Sync (0 with none). A caller whose
 * output must hold exactly the kept events feeds all of them when
 * *limit >= *events (the speculative feed was already the right one, so
 * an undamaged file is read once), else reads FILE again feeding only the
 * first *limit events and reading on so that the reader reports its
 * error in the same place. Only for a file that can be read twice (a
 * regular file): a stream is read once by the caller, which then keeps
 * everything delivered before the error.
 *
 * Returns 1 with run ended (cli_run_end; the caller reports a trace error
 * with cli_run_finish, or drops it with cli_run_free before reading
 * again), or 0 with *status to return at once: the input could not be
 * opened, or feed failed with out of memory (both reported).
 */
int cli_run_cut(cli_run *run, const cli_command *cmd,
                const cli_reader_opts *opt, const char *file,
                int (*feed)(void *ctx, const gotrace_event *ev), void *ctx,
                uint64_t *events, uint64_t *limit, int *status);

/* An analysis of gotrace/analysis.h, as the commands run it. */
typedef struct cli_analysis {
	int (*feed)(void *obj, const gotrace_event *ev);
	int (*finish)(void *obj);
} cli_analysis;

extern const cli_analysis cli_summary_analysis;
extern const cli_analysis cli_gc_analysis;
extern const cli_analysis cli_mmu_analysis;

/*
 * Runs analysis an (object obj) over FILE: opens the read, feeds every
 * event, then finishes the analysis, also after a reader error so that
 * the good part is summarized. Returns 1 when the caller should print the
 * results and then return cli_run_finish(run), which reports the
 * reader's error if there was one; or 0 with *status to return at once
 * (the input could not be opened, or memory ran out; both reported).
 */
int cli_analyse(cli_run *run, const cli_command *cmd,
                const cli_reader_opts *opt, const char *file,
                const cli_analysis *an, void *obj, int *status);

/* Reports a write error on stdout: CLI_FAIL. */
int cli_write_error(void);
/* Flushes stdout: CLI_OK, or CLI_FAIL after reporting. */
int cli_flush_stdout(void);

/* Reports an analysis that ran out of memory: CLI_FAIL. */
int cli_nomem(void);

/* ---- formatting -------------------------------------------------------- */

/* Go's time.Duration.String: "0s", "950ns", "1.5µs", "12.3ms", "1m2.5s". */
void cli_format_duration(char *buf, size_t size, int64_t ns);

/* ---- output: table, JSON Lines, CSV ---------------------------------- */

typedef struct cli_out cli_out;

/*
 * An emitter: records are built field by field and written as JSON Lines
 * (streamed, one object per record), CSV (held until cli_out_flush: the
 * header is the union of the records' keys) or an aligned table (held
 * for the column widths). In CSV and tables a nested object's fields are
 * columns named "object.key"; tables skip nested objects.
 */
cli_out *cli_out_new(cli_format format);
/* Writes what is held. Returns 0, or -1 on a write error or no memory. */
int cli_out_flush(cli_out *o);
void cli_out_free(cli_out *o);
cli_format cli_out_format(const cli_out *o);
/* Nonzero after a memory allocation failed. */
int cli_out_failed(const cli_out *o);

void cli_rec_begin(cli_out *o);
void cli_rec_end(cli_out *o);
/*
 * While on, records only declare their columns: nothing is kept or
 * printed. A command declares its columns with one record of zeros
 * first, so that CSV and tables with no records still print the header.
 */
void cli_out_schema(cli_out *o, int on);
void cli_rec_str(cli_out *o, const char *key, const char *s, size_t len);
void cli_rec_cstr(cli_out *o, const char *key, const char *s);
void cli_rec_int(cli_out *o, const char *key, int64_t v);
void cli_rec_uint(cli_out *o, const char *key, uint64_t v);
void cli_rec_float(cli_out *o, const char *key, double v);
/* A duration: a number of ns in JSON and CSV, Go's spelling in tables. */
void cli_rec_dur(cli_out *o, const char *key, int64_t ns);
/* A duration whose key is bytes from the trace (a block reason, a range
 * name), NULs and all: JSON gets them exactly, CSV and tables a printable
 * copy, as cli_rec_str's cells. */
void cli_rec_dur_named(cli_out *o, const char *key, size_t key_len,
                       int64_t ns);
/* A list of integers: an array in JSON, one space-separated cell else. */
void cli_rec_int_list(cli_out *o, const char *key, const int64_t *v,
                      size_t n);
void cli_rec_obj_begin(cli_out *o, const char *key);
void cli_rec_obj_end(cli_out *o);

/*
 * A distribution's fields: total_ns, min_ns, p50_ns, p90_ns, p99_ns,
 * max_ns and histogram ({"bucket lower bound in ns": count} of the
 * nonempty buckets); in a table TOTAL, MIN, P50, P90, P99 and MAX.
 */
void cli_rec_duration_stats(cli_out *o, const gotrace_duration_stats *d);

/* Flushes o: CLI_OK, or CLI_FAIL after reporting no memory. */
int cli_out_done(cli_out *o);

#endif /* GOTRACE_CLI_H */
