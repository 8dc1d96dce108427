/*
 * goroutine_summary: the goroutines that waited longest, and on what.
 *
 *   goroutine_summary TRACE|- [N]
 *
 * Reads a Go execution trace with libgotrace, feeds every event to a
 * gotrace_summary (the same figures as `go tool trace`'s goroutine pages)
 * from its own reader loop — where a tool would do its own work on each
 * event too — and prints the N goroutines (default 10) with the most
 * scheduler wait, with their time blocked by reason. On a damaged trace it
 * prints the summary of the part before the damage, then the error.
 *
 * Build against the installed library:
 *
 *   cc -o goroutine_summary goroutine_summary.c \
 *       $(pkg-config --cflags --libs libgotrace)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gotrace/gotrace.h>

struct row {
	int64_t id;
	int64_t sched_wait;
};

static int by_sched_wait(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->sched_wait != y->sched_wait)
		return x->sched_wait > y->sched_wait ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

static int open_trace(const char *path, gotrace_reader **r)
{
	gotrace_input *in;
	int rc;

	if (strcmp(path, "-") == 0)
		rc = gotrace_input_open_fd(&in, 0, 0);
	else if ((rc = gotrace_input_open_mmap(&in, path)) == GOTRACE_ERR_UNSUPPORTED)
		rc = gotrace_input_open_path(&in, path); /* a pipe or device */
	if (rc != GOTRACE_OK) {
		fprintf(stderr, "goroutine_summary: %s: %s\n", path,
		        gotrace_status_string(rc));
		return -1;
	}
	gotrace_reader_new(r, in); /* owns in; on a bad header r holds the error */
	return *r == NULL ? -1 : 0;
}

int main(int argc, char **argv)
{
	gotrace_reader *r;
	gotrace_summary *sum;
	gotrace_event ev;
	struct row *rows;
	size_t n, i, limit = argc > 2 ? strtoul(argv[2], NULL, 10) : 10;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: goroutine_summary TRACE|- [N]\n");
		return 2;
	}
	if (open_trace(argv[1], &r) != 0)
		return 1;
	if (gotrace_summary_new(&sum) != GOTRACE_OK) {
		gotrace_reader_free(r);
		return 1;
	}
	while ((rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK) {
		if (gotrace_summary_feed(sum, &ev) != GOTRACE_OK) {
			rc = GOTRACE_ERR_NOMEM;
			break;
		}
	}
	/* Also after an error: the summary of what was read. */
	if (gotrace_summary_finish(sum) != GOTRACE_OK)
		rc = GOTRACE_ERR_NOMEM;

	n = gotrace_summary_goroutine_count(sum);
	rows = calloc(n ? n : 1, sizeof *rows);
	for (i = 0; rows != NULL && i < n; i++) {
		gotrace_goroutine_summary g;

		gotrace_summary_goroutine_at(sum, i, &g);
		rows[i].id = g.id;
		rows[i].sched_wait = g.sched_wait_ns;
	}
	if (rows != NULL)
		qsort(rows, n, sizeof *rows, by_sched_wait);
	printf("%-8s %-40s %14s %14s  %s\n", "GOID", "START FUNCTION",
	       "SCHED WAIT ns", "EXEC ns", "BLOCKED ns BY REASON");
	for (i = 0; rows != NULL && i < n && i < limit; i++) {
		gotrace_goroutine_summary g;
		size_t k;

		gotrace_summary_goroutine(sum, rows[i].id, &g);
		printf("%-8lld %-40.*s %14lld %14lld ", (long long)g.id,
		       (int)(g.name.len > 40 ? 40 : g.name.len), g.name.data,
		       (long long)g.sched_wait_ns, (long long)g.exec_ns);
		for (k = 0; k < g.nblock; k++)
			printf(" %.*s=%lld", (int)g.block[k].name.len,
			       g.block[k].name.data, (long long)g.block[k].ns);
		putchar('\n');
	}
	free(rows);
	if (rc != GOTRACE_EOF) {
		const gotrace_error *err = gotrace_reader_error(r);

		if (rc == GOTRACE_ERR_NOMEM)
			fprintf(stderr, "goroutine_summary: out of memory\n");
		else
			fprintf(stderr, "goroutine_summary: %s: offset %llu: %s\n",
			        argv[1], (unsigned long long)gotrace_error_offset(err),
			        gotrace_error_go_message(err));
	}
	gotrace_summary_free(sum);
	gotrace_reader_free(r);
	return rc == GOTRACE_EOF ? 0 : 1;
}
