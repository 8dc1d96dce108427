/*
 * Printing events the way Go's trace.Event.String() does, which is what
 * `go tool trace -d=parsed` shows.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gen/generation.h"
#include "wire/spec.h"
#include "base/textbuf.h"
#include "gotrace/reader.h"

static void put_resource(gt_textbuf *b, gotrace_resource_kind kind, int64_t id)
{
	gt_textbuf_puts(b, gotrace_resource_kind_string((int)kind));
	if (kind == GOTRACE_RESOURCE_NONE)
		return;
	gt_textbuf_putc(b, '(');
	gt_textbuf_i64(b, id);
	gt_textbuf_putc(b, ')');
}

static void put_value(gt_textbuf *b, uint64_t v)
{
	gt_textbuf_lit(b, "Value{Uint64(");
	gt_textbuf_u64(b, v);
	gt_textbuf_lit(b, ")}");
}

static void put_quoted(gt_textbuf *b, gotrace_string s)
{
	gt_textbuf_quote(b, (const uint8_t *)s.data, s.len);
}

/* Frames as Go prints them: "\tfunc @ 0xpc\n\t\tfile:line\n". */
static void put_stack(gt_textbuf *b, gotrace_stack stk)
{
	const gt_generation *g = stk.table;
	gt_stack st;
	uint32_t i;

	if (g == NULL || stk.id == 0 || !gt_generation_stack(g, stk.id, &st))
		return;
	for (i = 0; i < st.n; i++) {
		gt_frame f = {0, 0, 0, 0};
		gt_string fn, file;

		/* An unknown PC prints as Go's zero frame. */
		if (!gt_generation_frame(g, g->stack_pcs[st.first + i], &f))
			memset(&f, 0, sizeof f);
		if (!gt_generation_string(g, f.func_id, &fn)) {
			fn.data = (const uint8_t *)"";
			fn.len = 0;
		}
		if (!gt_generation_string(g, f.file_id, &file)) {
			file.data = (const uint8_t *)"";
			file.len = 0;
		}
		gt_textbuf_putc(b, '\t');
		gt_textbuf_append(b, (const char *)fn.data, fn.len);
		gt_textbuf_lit(b, " @ 0x");
		gt_textbuf_hex(b, f.pc);
		gt_textbuf_lit(b, "\n\t\t");
		gt_textbuf_append(b, (const char *)file.data, file.len);
		gt_textbuf_putc(b, ':');
		gt_textbuf_u64(b, f.line);
		gt_textbuf_putc(b, '\n');
	}
}

static void put_2digits(gt_textbuf *b, int v)
{
	gt_textbuf_putc(b, (char)('0' + v / 10 % 10));
	gt_textbuf_putc(b, (char)('0' + v % 10));
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long long days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void put_frac(gt_textbuf *b, int64_t nsec)
{
	char frac[16];
	int n;

	if (nsec == 0)
		return;
	snprintf(frac, sizeof frac, "%09lld", (long long)nsec);
	n = 9;
	while (n > 0 && frac[n - 1] == '0')
		n--;
	gt_textbuf_putc(b, '.');
	gt_textbuf_append(b, frac, (size_t)n);
}

/*
 * Go's time package dates an instant by its seconds since March 1 of year
 * -292277022399, held in a uint64: unix seconds plus this constant, which
 * is a whole number of days. Instants before that origin wrap around and
 * are dated as if 2^64 seconds later.
 */
#define GO_UNIX_TO_ABSOLUTE UINT64_C(9223372028741760000)

/* Times beyond what the C library converts (years past 2^31): proleptic
 * Gregorian calendar in UTC, as Go still prints them. */
static void put_wall_utc(gt_textbuf *b, int64_t sec, int64_t nsec)
{
	uint64_t abs = (uint64_t)sec + GO_UNIX_TO_ABSOLUTE;
	/* Back to days since 1970 (both terms are below 2^48). */
	long long days = (long long)(abs / 86400) -
	                 (long long)(GO_UNIX_TO_ABSOLUTE / 86400);
	long long rem = (long long)(abs % 86400);
	long long z, era, doe, yoe, y, doy, mp, d, m;
	char buf[64];
	int n;

	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	n = snprintf(buf, sizeof buf, y < 0 ? "-%04lld-%02lld-%02lldT%02lld:%02lld:%02lld"
	                                    : "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld",
	             y < 0 ? -y : y, m, d, rem / 3600, rem / 60 % 60, rem % 60);
	gt_textbuf_append(b, buf, (size_t)n);
	put_frac(b, nsec);
	gt_textbuf_putc(b, 'Z');
}

/* RFC 3339 with nanoseconds, trailing zeros trimmed, in local time: Go's
 * time.Unix(sec, nsec).Format(time.RFC3339Nano). */
static void put_wall(gt_textbuf *b, int64_t sec, int64_t nsec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	long off;
	long long year;

	/* Before Go's origin the C library's date would not be Go's. */
	if (sec < -(int64_t)GO_UNIX_TO_ABSOLUTE || localtime_r(&t, &tm) == NULL) {
		put_wall_utc(b, sec, nsec);
		return;
	}
	year = tm.tm_year + 1900LL; /* tm_year may be INT_MAX */
	{
		/* Go pads the year to four digits and lets longer ones run on. */
		char y[32];
		int yn = year < 0 ? snprintf(y, sizeof y, "-%04lld", -year)
		                  : snprintf(y, sizeof y, "%04lld", year);

		gt_textbuf_append(b, y, (size_t)yn);
	}
	gt_textbuf_putc(b, '-');
	put_2digits(b, tm.tm_mon + 1);
	gt_textbuf_putc(b, '-');
	put_2digits(b, tm.tm_mday);
	gt_textbuf_putc(b, 'T');
	put_2digits(b, tm.tm_hour);
	gt_textbuf_putc(b, ':');
	put_2digits(b, tm.tm_min);
	gt_textbuf_putc(b, ':');
	put_2digits(b, tm.tm_sec);
	put_frac(b, nsec);
	off = (long)(days_from_civil(tm.tm_year + 1900LL, tm.tm_mon + 1, tm.tm_mday) *
	             86400 + tm.tm_hour * 3600LL + tm.tm_min * 60LL + tm.tm_sec -
	             (long long)sec);
	if (off == 0) {
		gt_textbuf_putc(b, 'Z');
		return;
	}
	gt_textbuf_putc(b, off < 0 ? '-' : '+');
	if (off < 0)
		off = -off;
	put_2digits(b, (int)(off / 3600));
	gt_textbuf_putc(b, ':');
	put_2digits(b, (int)(off / 60 % 60));
}



static void gt_format_event(gt_textbuf *b, const gotrace_event *ev)
{
	size_t i;

	gt_textbuf_lit(b, "M=");
	gt_textbuf_i64(b, ev->thread);
	gt_textbuf_lit(b, " P=");
	gt_textbuf_i64(b, ev->proc);
	gt_textbuf_lit(b, " G=");
	gt_textbuf_i64(b, ev->goroutine);
	gt_textbuf_putc(b, ' ');
	gt_textbuf_puts(b, gotrace_event_kind_string(ev->kind));
	gt_textbuf_lit(b, " Time=");
	gt_textbuf_i64(b, ev->time);
	switch (ev->kind) {
	case GOTRACE_EVENT_METRIC:
		gt_textbuf_lit(b, " Name=");
		gt_textbuf_quote(b, (const uint8_t *)ev->u.metric.name,
		                 strlen(ev->u.metric.name));
		gt_textbuf_lit(b, " Value=");
		put_value(b, ev->u.metric.value);
		break;
	case GOTRACE_EVENT_LABEL:
		gt_textbuf_lit(b, " Label=");
		put_quoted(b, ev->u.label.label);
		gt_textbuf_lit(b, " Resource=");
		put_resource(b, ev->u.label.resource, ev->u.label.id);
		break;
	case GOTRACE_EVENT_RANGE_BEGIN:
	case GOTRACE_EVENT_RANGE_ACTIVE:
	case GOTRACE_EVENT_RANGE_END:
		gt_textbuf_lit(b, " Name=");
		put_quoted(b, ev->u.range.name);
		gt_textbuf_lit(b, " Scope=");
		put_resource(b, ev->u.range.scope, ev->u.range.scope_id);
		if (ev->kind == GOTRACE_EVENT_RANGE_END) {
			gt_textbuf_lit(b, " Attributes=[");
			for (i = 0; i < ev->u.range.nattrs; i++) {
				if (i != 0)
					gt_textbuf_putc(b, ' ');
				gt_textbuf_quote(b,
				                 (const uint8_t *)ev->u.range.attr_names[i],
				                 strlen(ev->u.range.attr_names[i]));
				gt_textbuf_putc(b, '=');
				put_value(b, ev->u.range.attr_values[i]);
			}
			gt_textbuf_putc(b, ']');
		}
		break;
	case GOTRACE_EVENT_TASK_BEGIN:
	case GOTRACE_EVENT_TASK_END:
		gt_textbuf_lit(b, " ID=");
		gt_textbuf_u64(b, ev->u.task.id);
		gt_textbuf_lit(b, " Parent=");
		gt_textbuf_u64(b, ev->u.task.parent);
		gt_textbuf_lit(b, " Type=");
		put_quoted(b, ev->u.task.type);
		break;
	case GOTRACE_EVENT_REGION_BEGIN:
	case GOTRACE_EVENT_REGION_END:
		gt_textbuf_lit(b, " Task=");
		gt_textbuf_u64(b, ev->u.region.task);
		gt_textbuf_lit(b, " Type=");
		put_quoted(b, ev->u.region.type);
		break;
	case GOTRACE_EVENT_LOG:
		gt_textbuf_lit(b, " Task=");
		gt_textbuf_u64(b, ev->u.log.task);
		gt_textbuf_lit(b, " Category=");
		put_quoted(b, ev->u.log.category);
		gt_textbuf_lit(b, " Message=");
		put_quoted(b, ev->u.log.message);
		break;
	case GOTRACE_EVENT_STATE_TRANSITION: {
		int go = ev->u.transition.resource == GOTRACE_RESOURCE_GOROUTINE;

		gt_textbuf_puts(b, go ? " GoID=" : " ProcID=");
		gt_textbuf_i64(b, ev->u.transition.id);
		gt_textbuf_putc(b, ' ');
		gt_textbuf_puts(b, go ? gotrace_goroutine_state_string(ev->u.transition.old_state)
		                      : gotrace_proc_state_string(ev->u.transition.old_state));
		gt_textbuf_lit(b, "->");
		gt_textbuf_puts(b, go ? gotrace_goroutine_state_string(ev->u.transition.new_state)
		                      : gotrace_proc_state_string(ev->u.transition.new_state));
		gt_textbuf_lit(b, " Reason=");
		put_quoted(b, ev->u.transition.reason);
		if (gotrace_stack_present(ev->u.transition.stack)) {
			gt_textbuf_lit(b, "\nTransitionStack=\n");
			put_stack(b, ev->u.transition.stack);
		}
		break;
	}
	case GOTRACE_EVENT_EXPERIMENTAL:
		gt_textbuf_lit(b, " Name=");
		gt_textbuf_puts(b, ev->u.experimental.name);
		gt_textbuf_lit(b, " Args=[");
		for (i = 0; i < ev->u.experimental.nargs; i++) {
			if (i != 0)
				gt_textbuf_lit(b, ", ");
			gt_textbuf_puts(b, ev->u.experimental.arg_names[i]);
			gt_textbuf_putc(b, '=');
			put_value(b, ev->u.experimental.args[i]);
		}
		gt_textbuf_putc(b, ']');
		break;
	case GOTRACE_EVENT_SYNC:
		gt_textbuf_lit(b, " N=");
		gt_textbuf_u64(b, ev->u.sync.n);
		if (ev->u.sync.has_clock) {
			gt_textbuf_lit(b, " Trace=");
			gt_textbuf_i64(b, ev->u.sync.clock_trace);
			gt_textbuf_lit(b, " Mono=");
			gt_textbuf_u64(b, ev->u.sync.clock_mono);
			gt_textbuf_lit(b, " Wall=");
			put_wall(b, ev->u.sync.wall_sec, ev->u.sync.wall_nsec);
		}
		break;
	default:
		break;
	}
	if (gotrace_stack_present(ev->stack)) {
		gt_textbuf_lit(b, "\nStack=\n");
		put_stack(b, ev->stack);
	}
	gt_textbuf_putc(b, '\n');
}

size_t gotrace_event_go_panic(const gotrace_event *ev, char *buf, size_t size)
{
	int n;

	/* Go's Sync() names each experiment from a table of
	 * GT_NUM_EXPERIMENTS before String() prints anything of the event. */
	if (ev == NULL || ev->kind != GOTRACE_EVENT_SYNC ||
	    ev->u.sync.unnamed_experiment == 0)
		return 0;
	n = snprintf(buf, size, "runtime error: index out of range [%llu] "
	             "with length %d",
	             (unsigned long long)ev->u.sync.unnamed_experiment,
	             GT_NUM_EXPERIMENTS);
	return n > 0 ? (size_t)n : 0;
}

int gotrace_event_write(const gotrace_event *ev, FILE *f)
{
	char local[1024];
	gt_textbuf b;

	if (ev == NULL || f == NULL)
		return -1;
	if (gotrace_event_go_panic(ev, NULL, 0) != 0)
		return GOTRACE_ERR_INVALID;
	/* Most events fit in a small buffer; only large ones allocate. */
	gt_textbuf_init_local(&b, local, sizeof local);
	gt_format_event(&b, ev);
	return gt_textbuf_flush(&b, f);
}
