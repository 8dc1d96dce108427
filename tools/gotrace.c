/*
 * gotrace — the command-line front end of libgotrace.
 *
 *   gotrace dump --wire FILE|-   print raw wire events like `go tool trace -d=wire`
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

#include <gotrace/gotrace.h>

static const char usage_text[] =
	"usage: gotrace <command> [options] FILE|-\n"
	"\n"
	"commands:\n"
	"  dump --wire FILE   print every raw wire event, as `go tool trace -d=wire`\n"
	"  version            print the library version\n"
	"\n"
	"options:\n"
	"  -v, --verbose      on error, also print the byte offset and context\n"
	"\n"
	"FILE may be - for standard input (pipes and sockets are read as streams).\n";

static int usage(int rc)
{
	fputs(usage_text, rc == 0 ? stdout : stderr);
	return rc;
}

static int open_input(const char *path, gotrace_input **in)
{
	int rc;

	if (strcmp(path, "-") == 0)
		rc = gotrace_input_open_fd(in, 0, 0);
	else
		rc = gotrace_input_open_path(in, path);
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
	fprintf(stderr, "%s\n", gotrace_error_go_message(err));
	if (verbose)
		fprintf(stderr, "gotrace: %s\n", gotrace_error_message(err));
}

static int dump_wire(const char *path, int verbose)
{
	gotrace_input *in;
	gotrace_wire_reader *wr;
	gotrace_wire_event ev;
	int rc;

	if (open_input(path, &in) != 0)
		return 1;
	rc = gotrace_wire_reader_new(&wr, in);
	if (wr == NULL) {
		gotrace_input_free(in);
		fprintf(stderr, "gotrace: %s\n", gotrace_status_string(rc));
		return 1;
	}
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
	if (strcmp(cmd, "dump") == 0) {
		if (!wire) {
			fprintf(stderr, "gotrace: dump of ordered events is not "
			                "available yet; use dump --wire\n");
			return 2;
		}
		return dump_wire(file, verbose);
	}
	fprintf(stderr, "gotrace: unknown command %s\n", cmd);
	return usage(2);
}
