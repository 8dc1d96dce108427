/*
 * gotrace — the command-line front end of libgotrace.
 *
 *   gotrace dump FILE|-          print ordered events like `go tool trace -d=parsed`
 *   gotrace dump --wire FILE|-   print raw wire events like `go tool trace -d=wire`
 *   gotrace stats FILE|-         count events by kind, generations, G/P/M, duration
 *   gotrace version              print the library version
 *
 * On failure the error is printed to stderr exactly as Go's tool prints it
 * (so outputs can be compared byte for byte); -v adds a second line with
 * the byte offset and context.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gotrace/gotrace.h>

static const char usage_text[] =
	"usage: gotrace <command> [options] FILE|-\n"
	"\n"
	"commands:\n"
	"  dump FILE          print every ordered event, as `go tool trace -d=parsed`\n"
	"  dump --wire FILE   print every raw wire event, as `go tool trace -d=wire`\n"
	"  stats FILE         read every event and print a summary\n"
	"  stats --wire FILE  count the raw wire events only\n"
	"  version            print the library version\n"
	"\n"
	"options:\n"
	"  -v, --verbose      on error, also print the byte offset and context\n"
	"  -m, --max-memory N fail instead of holding more than N bytes of trace\n"
	"                     data at once (dump, stats)\n"
	"  --ordering MODE    auto (default), exact (Go's retry loop throughout)\n"
	"                     or parking: how to go on when the earliest event\n"
	"                     cannot happen yet (dump, stats)\n"
	"  -j, --threads N    threads to read with: 1 does everything on one\n"
	"                     thread; 2 (the default on a machine with more\n"
	"                     than one CPU) orders events on a second thread\n"
	"                     (dump, stats)\n"
	"  --no-mmap          read FILE with read(2) instead of mapping it (for\n"
	"                     a file another program may truncate meanwhile)\n"
	"\n"
	"FILE may be - for standard input (pipes and sockets are read as streams).\n";

static int usage(int rc)
{
	fputs(usage_text, rc == 0 ? stdout : stderr);
	return rc;
}

/* Command-line options. */
static uint64_t max_memory;
static int ordering = GOTRACE_ORDERING_AUTO;
static int threads = -1;   /* -1: by the number of CPUs */
static int use_mmap = 1;   /* map FILE when it is a regular file */

static int open_input(const char *path, gotrace_input **in)
{
	int rc;

	if (strcmp(path, "-") == 0)
		rc = gotrace_input_open_fd(in, 0, 0);
	else {
		/* Mapping is the fastest; a pipe or device named by its path
		 * cannot be mapped and is read instead. */
		rc = use_mmap ? gotrace_input_open_mmap(in, path)
		              : GOTRACE_ERR_UNSUPPORTED;
		if (rc == GOTRACE_ERR_UNSUPPORTED)
			rc = gotrace_input_open_path(in, path);
	}
	if (rc == GOTRACE_ERR_IO) {
		fprintf(stderr, "failed to read trace file: open %s: %s\n", path,
		        strerror(errno));
		return -1;
	}
	if (rc != GOTRACE_OK) {
		fprintf(stderr, "gotrace: %s: %s\n", path, gotrace_status_string(rc));
		return -1;
	}
	return 0;
}

static void report(const gotrace_error *err, int verbose)
{
	fflush(stdout);
	/* Go's message may quote trace strings holding NULs. */
	fwrite(gotrace_error_go_message(err), 1,
	       gotrace_error_go_message_len(err), stderr);
	fputc('\n', stderr);
	if (verbose)
		fprintf(stderr, "gotrace: %s\n", gotrace_error_message(err));
}

/* Opens a wire reader on path; *wr is NULL (and a message printed) if
 * that failed before the header could be read. */
static int open_wire_reader(const char *path, gotrace_wire_reader **wr)
{
	gotrace_input *in;
	int rc;

	*wr = NULL;
	if (open_input(path, &in) != 0)
		return -1;
	rc = gotrace_wire_reader_new(wr, in);
	if (*wr == NULL) {
		gotrace_input_free(in);
		fprintf(stderr, "gotrace: %s\n", gotrace_status_string(rc));
	}
	return rc;
}

static int dump_wire(const char *path, int verbose)
{
	gotrace_wire_reader *wr;
	gotrace_wire_event ev;
	int rc;

	rc = open_wire_reader(path, &wr);
	if (wr == NULL)
		return 1;
	while (rc == GOTRACE_OK &&
	       (rc = gotrace_wire_reader_next(wr, &ev)) == GOTRACE_OK) {
		if (gotrace_wire_event_write(&ev, stdout) != 0) {
			fprintf(stderr, "gotrace: writing output: %s\n", strerror(errno));
			gotrace_wire_reader_free(wr);
			return 1;
		}
	}
	if (rc != GOTRACE_EOF) {
		report(gotrace_wire_reader_error(wr), verbose);
		gotrace_wire_reader_free(wr);
		return 1;
	}
	if (verbose && gotrace_wire_reader_truncated(wr))
		fprintf(stderr,
		        "gotrace: input ended inside the event at byte offset %llu\n",
		        (unsigned long long)gotrace_wire_reader_offset(wr));
	gotrace_wire_reader_free(wr);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "gotrace: writing output: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

static int open_reader(const char *path, gotrace_reader **r)
{
	gotrace_reader_options opts;
	gotrace_input *in;
	int rc;

	*r = NULL;
	if (open_input(path, &in) != 0)
		return -1;
	memset(&opts, 0, sizeof opts);
	opts.max_memory = max_memory;
	opts.ordering = ordering;
	opts.threads = threads;
	rc = gotrace_reader_new_opts(r, in, &opts);
	if (*r == NULL) {
		gotrace_input_free(in);
		fprintf(stderr, "gotrace: %s\n", gotrace_status_string(rc));
		return -1;
	}
	return rc;
}

/* Like `go tool trace`: how much of a damaged trace could not be used. */
static void report_lost(const char *path, const gotrace_reader *r)
{
	struct stat st;
	uint64_t size = gotrace_reader_offset(r);
	uint64_t valid = gotrace_reader_valid_bytes(r);

	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && st.st_size > 0)
		size = (uint64_t)st.st_size;
	if (size == 0 || valid > size)
		return;
	fprintf(stderr, "gotrace: lost %.2f%% of the trace data due to the error "
	        "(%llu of %llu bytes)\n", (double)(size - valid) / (double)size * 100,
	        (unsigned long long)(size - valid), (unsigned long long)size);
}

static int dump_parsed(const char *path, int verbose)
{
	gotrace_reader *r;
	gotrace_event ev;
	int rc = open_reader(path, &r);

	if (r == NULL)
		return 1;
	while (rc == GOTRACE_OK && (rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK) {
		if (gotrace_event_write(&ev, stdout) != 0) {
			fprintf(stderr, "gotrace: writing output: %s\n", strerror(errno));
			gotrace_reader_free(r);
			return 1;
		}
	}
	if (rc != GOTRACE_EOF) {
		report(gotrace_reader_error(r), verbose);
		if (verbose)
			report_lost(path, r);
		gotrace_reader_free(r);
		return 1;
	}
	gotrace_reader_free(r);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "gotrace: writing output: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

static uint64_t entered(const gotrace_reader *r, int resource, int to_max)
{
	uint64_t n = 0;
	int to;

	/* Every goroutine or P first appears through a transition out of
	 * Undetermined (already there when tracing began) or NotExist. */
	for (to = 0; to <= to_max; to++)
		n += gotrace_reader_transition_count(r, resource, 0, to) +
		     gotrace_reader_transition_count(r, resource, 1, to);
	return n;
}

/* Counts wire events only: the raw decode, without ordering. */
static int stats_wire(const char *path, int verbose)
{
	gotrace_wire_reader *wr;
	gotrace_wire_event ev;
	uint64_t total = 0;
	int rc;

	rc = open_wire_reader(path, &wr);
	if (wr == NULL)
		return 1;
	while (rc == GOTRACE_OK && (rc = gotrace_wire_reader_next(wr, &ev)) == GOTRACE_OK)
		total++;
	if (rc != GOTRACE_EOF) {
		report(gotrace_wire_reader_error(wr), verbose);
		gotrace_wire_reader_free(wr);
		return 1;
	}
	gotrace_wire_reader_free(wr);
	printf("wire events: %llu\n", (unsigned long long)total);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int stats(const char *path, int verbose)
{
	gotrace_reader *r;
	gotrace_event ev;
	uint64_t by_kind[GOTRACE_EVENT_EXPERIMENTAL + 1] = {0};
	uint64_t total = 0, generations = 0;
	int64_t first = 0, last = 0;
	int rc = open_reader(path, &r), k;

	if (r == NULL)
		return 1;
	while (rc == GOTRACE_OK && (rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK) {
		if (total == 0)
			first = ev.time;
		last = ev.time;
		total++;
		by_kind[ev.kind]++;
		if (ev.kind == GOTRACE_EVENT_SYNC && ev.u.sync.n > 1)
			generations++;
	}
	if (rc != GOTRACE_EOF) {
		report(gotrace_reader_error(r), verbose);
		report_lost(path, r);
		gotrace_reader_free(r);
		return 1;
	}
	printf("events: %llu\n", (unsigned long long)total);
	for (k = 1; k <= GOTRACE_EVENT_EXPERIMENTAL; k++)
		if (by_kind[k] != 0)
			printf("  %-16s %llu\n",
			       gotrace_event_kind_string((gotrace_event_kind)k),
			       (unsigned long long)by_kind[k]);
	printf("generations: %llu\n", (unsigned long long)generations);
	printf("parked generations: %llu\n",
	       (unsigned long long)gotrace_reader_parked_generations(r));
	printf("goroutines: %llu\n",
	       (unsigned long long)entered(r, GOTRACE_RESOURCE_GOROUTINE, 5));
	printf("procs: %llu\n",
	       (unsigned long long)entered(r, GOTRACE_RESOURCE_PROC, 3));
	printf("threads: %llu\n",
	       (unsigned long long)gotrace_reader_thread_count(r));
	printf("duration: %lld ns\n", (long long)(last - first));
	gotrace_reader_free(r);
	return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	const char *cmd, *file = NULL;
	int wire = 0, verbose = 0, i;

	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	if (argc < 2)
		return usage(2);
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "help") == 0)
		return usage(0);
	if (strcmp(cmd, "version") == 0) {
		printf("gotrace %s\n", gotrace_library_version());
		return 0;
	}
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--wire") == 0)
			wire = 1;
		else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
			verbose = 1;
		else if ((strcmp(a, "-m") == 0 || strcmp(a, "--max-memory") == 0) &&
		         i + 1 < argc) {
			char *end;

			max_memory = strtoull(argv[++i], &end, 10);
			if (*end != '\0' || max_memory == 0) {
				fprintf(stderr, "gotrace: bad memory limit %s\n", argv[i]);
				return usage(2);
			}
		}
		else if (strcmp(a, "--ordering") == 0 && i + 1 < argc) {
			const char *m = argv[++i];

			if (strcmp(m, "auto") == 0)
				ordering = GOTRACE_ORDERING_AUTO;
			else if (strcmp(m, "exact") == 0)
				ordering = GOTRACE_ORDERING_EXACT;
			else if (strcmp(m, "parking") == 0)
				ordering = GOTRACE_ORDERING_PARKING;
			else {
				fprintf(stderr, "gotrace: bad ordering %s\n", m);
				return usage(2);
			}
		}
		else if (strcmp(a, "--no-mmap") == 0)
			use_mmap = 0;
		else if ((strcmp(a, "-j") == 0 || strcmp(a, "--threads") == 0) &&
		         i + 1 < argc) {
			char *end;
			long n = strtol(argv[++i], &end, 10);

			if (*end != '\0' || n < 1 || n > 64) {
				fprintf(stderr, "gotrace: bad thread count %s\n", argv[i]);
				return usage(2);
			}
			threads = (int)n;
		}
		else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "gotrace: unknown option %s\n", a);
			return usage(2);
		} else if (file == NULL)
			file = a;
		else
			return usage(2);
	}
	if (file == NULL)
		return usage(2);
	if (threads < 0) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		threads = ncpu > 1 ? 2 : 1;
	}
	if (strcmp(cmd, "dump") == 0)
		return wire ? dump_wire(file, verbose) : dump_parsed(file, verbose);
	if (strcmp(cmd, "stats") == 0)
		return wire ? stats_wire(file, verbose) : stats(file, verbose);
	fprintf(stderr, "gotrace: unknown command %s\n", cmd);
	return usage(2);
}
