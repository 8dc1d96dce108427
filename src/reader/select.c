/*
 * Ranges of generations: parsing the textual forms the CLI's --gen,
 * --from and --to and the Python package's selectors take, and resolving
 * a range against a trace's index (gotrace_index_select). The reader's
 * side, seeking and stopping, is gotrace_reader_select in seek.c.
 *
 * The messages are the front ends' shared part: each adds what names
 * its own options ("--gen: ", "from_: ") around them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/decimal.h"
#include "gotrace/index.h"

/* Every field of gotrace_range is in its first version: a caller's struct
 * is whole when struct_size covers it. A later version that adds fields
 * compares with the first version's size and reads the new ones only
 * when struct_size covers them. */
static int gt_range_size_ok(const gotrace_range *range)
{
	return range->struct_size >= sizeof(gotrace_range);
}

/* ---- parsing ------------------------------------------------------------- */

static int fail_parse(const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
	return GOTRACE_ERR_ARG;
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

static const char *parse_duration(const char *s, int64_t *ns)
{
	uint64_t total = 0;
	const char *p;
	int all_digits = *s != '\0';

	if (*s == '\0')
		return "empty";
	if (*s == '-')
		return "must not be negative";
	for (p = s; *p != '\0'; p++)
		all_digits &= gt_is_digit(*p);
	if (all_digits) {
		uint64_t v;
		const char *why = gt_parse_u64(s, 0, INT64_MAX, &v);

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

		for (; gt_is_digit(*p); p++, pre++) {
			unsigned d = (unsigned)(*p - '0');

			if (v > ((uint64_t)INT64_MAX - d) / 10)
				return "too large";
			v = v * 10 + d;
		}
		if (*p == '.') {
			/* As Go's time.ParseDuration, digits past int64
			 * precision are dropped and the fraction is scaled in
			 * floating point. */
			for (p++; gt_is_digit(*p); p++, post++)
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

int gotrace_parse_duration(const char *text, int64_t *ns, const char **why)
{
	const char *reason;
	int64_t v;

	if (text == NULL || ns == NULL)
		return fail_parse(why, "no text");
	if ((reason = parse_duration(text, &v)) != NULL)
		return fail_parse(why, reason);
	*ns = v;
	return GOTRACE_OK;
}

int gotrace_range_parse_generations(gotrace_range *range, const char *text,
                                    const char **why)
{
	const char *colon, *reason;
	char a[32];
	size_t alen;
	int has_first, has_last;
	uint64_t first = 0, last = 0;

	if (range == NULL || text == NULL)
		return fail_parse(why, "no text");
	if (!gt_range_size_ok(range))
		return fail_parse(why, "struct_size too small");
	colon = strchr(text, ':');
	alen = colon != NULL ? (size_t)(colon - text) : strlen(text);
	if (*text == '\0')
		return fail_parse(why, "empty");
	if (colon != NULL && alen == 0 && colon[1] == '\0')
		return fail_parse(why, "neither A nor B given (A:B, A:, :B or A)");
	if (colon != NULL && strchr(colon + 1, ':') != NULL)
		return fail_parse(why, "more than one ':' (A:B, A:, :B or A)");
	has_first = alen > 0;
	has_last = colon == NULL || colon[1] != '\0';
	if (has_first) {
		if (alen >= sizeof a)
			return fail_parse(why, "too large");
		memcpy(a, text, alen);
		a[alen] = '\0';
		if ((reason = gt_parse_u64(a, 1, UINT64_MAX, &first)) != NULL)
			return fail_parse(why, reason);
	}
	if (has_last) {
		if (colon == NULL)
			last = first;
		else if ((reason = gt_parse_u64(colon + 1, 1, UINT64_MAX,
		                             &last)) != NULL)
			return fail_parse(why, reason);
	}
	if (has_first && has_last && first > last)
		return fail_parse(why, "A is after B");
	range->kind = GOTRACE_RANGE_GENERATIONS;
	range->has_first = has_first;
	range->has_last = has_last;
	range->first_gen = first;
	range->last_gen = last;
	return GOTRACE_OK;
}

/* n digits at *p into *v; 0 if they are not there. */
static int fixed_digits(const char **p, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!gt_is_digit((*p)[i]))
			return 0;
		*v = *v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return 1;
}

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* RFC 3339: YYYY-MM-DDTHH:MM:SS[.F](Z|+HH:MM|-HH:MM) as Unix ns. */
static const char *parse_rfc3339(const char *s, int64_t *ns)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	                            30, 31};
	const char *p = s;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0, leap;
	int64_t frac = 0, scale = 1000000000, secs;

	if (!fixed_digits(&p, 4, &y) || *p++ != '-' ||
	    !fixed_digits(&p, 2, &mo) || *p++ != '-' ||
	    !fixed_digits(&p, 2, &d) || (*p != 'T' && *p != 't') ||
	    (p++, !fixed_digits(&p, 2, &h)) || *p++ != ':' ||
	    !fixed_digits(&p, 2, &mi) || *p++ != ':' ||
	    !fixed_digits(&p, 2, &sec))
		return "not an RFC 3339 time (e.g. 2026-12-03T10:15:00.5Z)";
	if (*p == '.') {
		if (!gt_is_digit(p[1]))
			return "not an RFC 3339 time (e.g. 2026-12-03T10:15:00.5Z)";
		/* Digits past nanoseconds are dropped. */
		for (p++; gt_is_digit(*p); p++)
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (!fixed_digits(&p, 2, &oh) || *p++ != ':' ||
		    !fixed_digits(&p, 2, &om) || oh > 23 || om > 59)
			return "bad zone offset (Z, +HH:MM or -HH:MM)";
	} else
		return "missing zone (Z, +HH:MM or -HH:MM)";
	if (*p != '\0')
		return "not an RFC 3339 time (e.g. 2026-12-03T10:15:00.5Z)";
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || sec > 59)
		return "no such date or time";
	secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	       sign * (oh * 3600 + om * 60);
	/* int64 nanoseconds span 1677-09-21 to 2262-04-11. */
	if (secs > INT64_MAX / 1000000000 - 1 || secs < INT64_MIN / 1000000000 + 1)
		return "out of range (years 1678 to 2261)";
	*ns = secs * 1000000000 + frac;
	return NULL;
}

int gotrace_range_parse_time(gotrace_range *range, int end, const char *text,
                             const char **why)
{
	gotrace_clock_kind clock;
	const char *reason;
	uint64_t v;
	int64_t t = 0;

	if (range == NULL || text == NULL ||
	    (end != GOTRACE_RANGE_FIRST && end != GOTRACE_RANGE_LAST))
		return fail_parse(why, "no text");
	if (!gt_range_size_ok(range))
		return fail_parse(why, "struct_size too small");
	if (*text == '@') {
		clock = GOTRACE_CLOCK_TRACE;
		if ((reason = gt_parse_u64(text + 1, 0, INT64_MAX, &v)) != NULL)
			return fail_parse(why, reason);
		t = (int64_t)v;
	} else if (strlen(text) >= 5 && gt_is_digit(text[0]) &&
	           gt_is_digit(text[1]) && gt_is_digit(text[2]) &&
	           gt_is_digit(text[3]) && text[4] == '-') {
		/* A date starts with its year and a '-'; no duration does. */
		clock = GOTRACE_CLOCK_WALL;
		if ((reason = parse_rfc3339(text, &t)) != NULL)
			return fail_parse(why, reason);
	} else {
		clock = GOTRACE_CLOCK_START;
		reason = parse_duration(text, &t);
		if (reason != NULL && strncmp(reason, "not a duration", 14) == 0)
			reason = "not a time: a duration since the start (1.5s), "
			         "@NS on the trace clock, or an RFC 3339 time "
			         "(2026-12-03T10:15:00Z)";
		if (reason != NULL)
			return fail_parse(why, reason);
	}
	if (range->kind != GOTRACE_RANGE_TIMES) {
		/* The other end was not given (yet). */
		range->has_first = range->has_last = 0;
		range->kind = GOTRACE_RANGE_TIMES;
	}
	if (end == GOTRACE_RANGE_FIRST) {
		range->has_first = 1;
		range->from_clock = clock;
		range->from = t;
	} else {
		range->has_last = 1;
		range->to_clock = clock;
		range->to = t;
	}
	return GOTRACE_OK;
}

/* ---- resolving ----------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int fail(gotrace_selection *sel, int rc, int end, const char *fmt, ...)
{
	va_list ap;

	sel->failed_end = end;
	va_start(ap, fmt);
	vsnprintf(sel->message, sizeof sel->message, fmt, ap);
	va_end(ap);
	return rc;
}

static int index_damaged(const gotrace_index *idx)
{
	const gotrace_error *e = gotrace_index_error(idx);

	return e != NULL && gotrace_error_code(e) != 0;
}

static int find_gen(const gotrace_index *idx, uint64_t gen, int end,
                    size_t *pos, gotrace_selection *sel)
{
	long p = gotrace_index_find_generation(idx, gen);
	size_t n = gotrace_index_count(idx);
	gotrace_generation_info a, b;
	char span[64];

	if (p >= 0) {
		*pos = (size_t)p;
		return GOTRACE_OK;
	}
	if (n == 0 || gotrace_index_at(idx, 0, &a) != 0 ||
	    gotrace_index_at(idx, n - 1, &b) != 0)
		snprintf(span, sizeof span, "none");
	else if (n == 1)
		snprintf(span, sizeof span, "only %llu",
		         (unsigned long long)a.number);
	else
		snprintf(span, sizeof span, "%llu to %llu",
		         (unsigned long long)a.number,
		         (unsigned long long)b.number);
	return fail(sel, GOTRACE_ERR_ARG, end,
	            "no generation %llu in the trace (%s: %s)",
	            (unsigned long long)gen,
	            index_damaged(idx) ? "its intact generations"
	                               : "its generations", span);
}

static int find_time(const gotrace_index *idx, gotrace_clock_kind clock,
                     int64_t t, int end, size_t *pos, gotrace_selection *sel)
{
	long p = gotrace_index_find_time(idx, clock, t);

	if (p >= 0) {
		*pos = (size_t)p;
		return GOTRACE_OK;
	}
	if (gotrace_index_count(idx) == 0)
		return fail(sel, GOTRACE_ERR_ARG, end,
		            "the trace has no complete generation");
	return fail(sel, GOTRACE_ERR_UNSUPPORTED, end,
	            "the trace has no clock snapshots to place a wall-clock "
	            "time (Go writes them from 1.25 on)");
}

static int known_clock(gotrace_clock_kind c)
{
	return c == GOTRACE_CLOCK_TRACE || c == GOTRACE_CLOCK_START ||
	       c == GOTRACE_CLOCK_WALL;
}

int gotrace_index_select(const gotrace_index *idx, const gotrace_range *range,
                         gotrace_selection *sel)
{
	size_t n, first = 0, last;
	gotrace_generation_info a, b;
	int rc = GOTRACE_OK;

	if (idx == NULL || range == NULL || sel == NULL)
		return GOTRACE_ERR_ARG;
	memset(sel, 0, sizeof *sel);
	if (!gt_range_size_ok(range))
		return fail(sel, GOTRACE_ERR_ARG, 0,
		            "struct_size too small for a gotrace_range");
	n = gotrace_index_count(idx);
	last = n > 0 ? n - 1 : 0;
	sel->last = last;
	sel->to_end = range->kind == GOTRACE_RANGE_ALL || !range->has_last;
	if (range->kind != GOTRACE_RANGE_ALL &&
	    range->kind != GOTRACE_RANGE_GENERATIONS &&
	    range->kind != GOTRACE_RANGE_TIMES)
		return fail(sel, GOTRACE_ERR_ARG, 0, "unknown kind of range");
	if (range->kind == GOTRACE_RANGE_TIMES &&
	    ((range->has_first && !known_clock(range->from_clock)) ||
	     (range->has_last && !known_clock(range->to_clock))))
		return fail(sel, GOTRACE_ERR_ARG,
		            range->has_first && !known_clock(range->from_clock)
		            ? GOTRACE_RANGE_FIRST : GOTRACE_RANGE_LAST,
		            "unknown clock");
	if (gotrace_index_version(idx) != GOTRACE_VERSION_UNKNOWN &&
	    !gotrace_version_is_v2(gotrace_index_version(idx)))
		return fail(sel, GOTRACE_ERR_UNSUPPORTED, 0,
		            "a go 1.%d trace (the v1 format of Go 1.11 to 1.21) "
		            "has no generations", (int)gotrace_index_version(idx));
	if (n == 0 && index_damaged(idx)) {
		/* Damaged before its first generation ends: that is the
		 * news, whatever the range. */
		const gotrace_error *e = gotrace_index_error(idx);

		return fail(sel, gotrace_error_code(e), 0, "%s",
		            gotrace_error_message(e));
	}
	if (range->kind == GOTRACE_RANGE_GENERATIONS) {
		if (range->has_first)
			rc = find_gen(idx, range->first_gen, GOTRACE_RANGE_FIRST,
			              &first, sel);
		if (rc == GOTRACE_OK && range->has_last)
			rc = find_gen(idx, range->last_gen, GOTRACE_RANGE_LAST,
			              &last, sel);
	} else if (range->kind == GOTRACE_RANGE_TIMES) {
		if (range->has_first)
			rc = find_time(idx, range->from_clock, range->from,
			               GOTRACE_RANGE_FIRST, &first, sel);
		if (rc == GOTRACE_OK && range->has_last)
			rc = find_time(idx, range->to_clock, range->to,
			               GOTRACE_RANGE_LAST, &last, sel);
	}
	if (rc != GOTRACE_OK)
		return rc;
	if (n == 0)
		return fail(sel, GOTRACE_ERR_ARG, 0,
		            "the trace has no complete generation");
	sel->first = first;
	sel->last = last;
	/* Two times on one clock are compared as given: both past the end
	 * of the trace, or within one generation, still the wrong way round. */
	if (first > last ||
	    (range->kind == GOTRACE_RANGE_TIMES && range->has_first &&
	     range->has_last && range->from_clock == range->to_clock &&
	     range->from > range->to))
		return fail(sel, GOTRACE_ERR_ARG,
		            GOTRACE_RANGE_FIRST | GOTRACE_RANGE_LAST,
		            "the range's start comes after its end (the trace's "
		            "generations %zu and %zu)", first + 1, last + 1);
	if (gotrace_index_at(idx, first, &a) != 0 ||
	    gotrace_index_at(idx, last, &b) != 0)
		return fail(sel, GOTRACE_ERR_ARG, 0, "index position out of range");
	sel->first_gen = a.number;
	sel->last_gen = b.number;
	return GOTRACE_OK;
}
