/*
 * state_counts: how many times goroutines entered each state, by reason.
 *
 *   state_counts TRACE|-
 *
 * Reads a Go execution trace with libgotrace and, for every goroutine
 * state transition, counts the (new state, reason) pair: how often
 * goroutines became runnable, started running, blocked on a channel or
 * in select, entered a syscall, and so on.
 *
 * Build against the installed library:
 *
 *   cc -o state_counts state_counts.c $(pkg-config --cflags --libs libgotrace)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gotrace/gotrace.h>

struct count {
	int state;
	char *reason;
	size_t reason_len;
	unsigned long long n;
};

static struct count *counts;
static size_t ncounts, cap_counts;

static void add(int state, gotrace_string reason)
{
	size_t i;

	for (i = 0; i < ncounts; i++) {
		if (counts[i].state == state && counts[i].reason_len == reason.len &&
		    memcmp(counts[i].reason, reason.data, reason.len) == 0) {
			counts[i].n++;
			return;
		}
	}
	if (ncounts == cap_counts) {
		cap_counts = cap_counts ? 2 * cap_counts : 32;
		counts = realloc(counts, cap_counts * sizeof *counts);
		if (counts == NULL) {
			perror("realloc");
			exit(1);
		}
	}
	/* The reason string belongs to the reader only until the next event. */
	counts[ncounts].state = state;
	counts[ncounts].reason = malloc(reason.len + 1);
	if (counts[ncounts].reason == NULL) {
		perror("malloc");
		exit(1);
	}
	memcpy(counts[ncounts].reason, reason.data, reason.len);
	counts[ncounts].reason[reason.len] = '\0';
	counts[ncounts].reason_len = reason.len;
	counts[ncounts].n = 1;
	ncounts++;
}

static int by_state_then_count(const void *a, const void *b)
{
	const struct count *x = a, *y = b;

	if (x->state != y->state)
		return x->state - y->state;
	return (x->n < y->n) - (x->n > y->n);
}

int main(int argc, char **argv)
{
	gotrace_input *in;
	gotrace_reader *r;
	gotrace_event ev;
	size_t i;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: state_counts TRACE|-\n");
		return 2;
	}
	if (strcmp(argv[1], "-") == 0) {
		rc = gotrace_input_open_fd(&in, 0, 0);
	} else {
		/* A regular file is mapped; anything else is read. */
		rc = gotrace_input_open_mmap(&in, argv[1]);
		if (rc == GOTRACE_ERR_UNSUPPORTED)
			rc = gotrace_input_open_path(&in, argv[1]);
	}
	if (rc != GOTRACE_OK) {
		perror(argv[1]);
		return 1;
	}
	rc = gotrace_reader_new(&r, in);
	if (r == NULL) {
		fprintf(stderr, "state_counts: %s\n", gotrace_status_string(rc));
		return 1;
	}
	while (rc == GOTRACE_OK && (rc = gotrace_reader_next(r, &ev)) == GOTRACE_OK) {
		if (ev.kind == GOTRACE_EVENT_STATE_TRANSITION &&
		    ev.u.transition.resource == GOTRACE_RESOURCE_GOROUTINE)
			add(ev.u.transition.new_state, ev.u.transition.reason);
	}
	if (rc != GOTRACE_EOF)
		fprintf(stderr, "state_counts: %s\n",
		        gotrace_error_message(gotrace_reader_error(r)));
	gotrace_reader_free(r);

	qsort(counts, ncounts, sizeof *counts, by_state_then_count);
	for (i = 0; i < ncounts; i++) {
		printf("%-10s %-28s %llu\n",
		       gotrace_goroutine_state_string(counts[i].state),
		       counts[i].reason_len ? counts[i].reason : "-", counts[i].n);
		free(counts[i].reason);
	}
	free(counts);
	return rc == GOTRACE_EOF ? 0 : 1;
}
