/*
 * Distributions of durations: exact nearest-rank percentiles over the
 * stored samples, and cmd/trace's log-scale histogram.
 */
#include <stdlib.h>

#include "durations.h"

/*
 * cmd/trace puts a duration d > 0 in bucket (int)(ln d / ln 10^(1/5)), in
 * float64 arithmetic. Computing that with the C library's log() could land
 * on the other side of a boundary where the quotient is within an ulp of an
 * integer (d = 100 falls in bucket 9, not 10), so the boundaries are a
 * table: bucket_first[b - 1] is the smallest duration in bucket b, found by
 * bisection over Go's own expression (testdata/analysisref prints it, and
 * the analysis tests compare). bucket_min[b - 1] is Go's label for the
 * bucket, time.Duration(math.Exp(b * ln 10^(1/5))).
 */
static const int64_t bucket_first[] = {
	2LL,
	3LL,
	4LL,
	7LL,
	11LL,
	16LL,
	26LL,
	40LL,
	64LL,
	101LL,
	159LL,
	252LL,
	399LL,
	631LL,
	1001LL,
	1585LL,
	2512LL,
	3982LL,
	6310LL,
	10001LL,
	15849LL,
	25119LL,
	39811LL,
	63096LL,
	100001LL,
	158490LL,
	251189LL,
	398108LL,
	630958LL,
	1000001LL,
	1584894LL,
	2511887LL,
	3981072LL,
	6309574LL,
	10000001LL,
	15848932LL,
	25118865LL,
	39810718LL,
	63095735LL,
	100000001LL,
	158489320LL,
	251188644LL,
	398107171LL,
	630957345LL,
	1000000001LL,
	1584893193LL,
	2511886432LL,
	3981071706LL,
	6309573445LL,
	10000000001LL,
	15848931925LL,
	25118864316LL,
	39810717056LL,
	63095734449LL,
	100000000001LL,
	158489319247LL,
	251188643151LL,
	398107170554LL,
	630957344481LL,
	1000000000001LL,
	1584893192462LL,
	2511886431510LL,
	3981071705535LL,
	6309573444802LL,
	10000000000001LL,
	15848931924612LL,
	25118864315096LL,
	39810717055350LL,
	63095734448020LL,
	100000000000001LL,
	158489319246112LL,
	251188643150959LL,
	398107170553500LL,
	630957344480196LL,
	1000000000000003LL,
	1584893192461115LL,
	2511886431509595LL,
	3981071705534988LL,
	6309573444801944LL,
	10000000000000071LL,
	15848931924611218LL,
	25118864315095883LL,
	39810717055349781LL,
	63095734448019733LL,
	100000000000000457LL,
	158489319246111761LL,
	251188643150959984LL,
	398107170553499616LL,
	630957344480195776LL,
	1000000000000002113LL,
	1584893192461124992LL,
	2511886431509593856LL,
	3981071705534986497LL,
	6309573444801942017LL
};

static const int64_t bucket_min[] = {
	1LL,
	2LL,
	3LL,
	6LL,
	10LL,
	15LL,
	25LL,
	39LL,
	63LL,
	100LL,
	158LL,
	251LL,
	398LL,
	630LL,
	1000LL,
	1584LL,
	2511LL,
	3981LL,
	6309LL,
	10000LL,
	15848LL,
	25118LL,
	39810LL,
	63095LL,
	100000LL,
	158489LL,
	251188LL,
	398107LL,
	630957LL,
	1000000LL,
	1584893LL,
	2511886LL,
	3981071LL,
	6309573LL,
	10000000LL,
	15848931LL,
	25118864LL,
	39810717LL,
	63095734LL,
	100000000LL,
	158489319LL,
	251188643LL,
	398107170LL,
	630957344LL,
	1000000000LL,
	1584893192LL,
	2511886431LL,
	3981071705LL,
	6309573444LL,
	10000000000LL,
	15848931924LL,
	25118864315LL,
	39810717055LL,
	63095734448LL,
	100000000000LL,
	158489319246LL,
	251188643150LL,
	398107170553LL,
	630957344480LL,
	1000000000000LL,
	1584893192461LL,
	2511886431509LL,
	3981071705534LL,
	6309573444801LL,
	10000000000000LL,
	15848931924611LL,
	25118864315095LL,
	39810717055349LL,
	63095734448019LL,
	100000000000000LL,
	158489319246112LL,
	251188643150959LL,
	398107170553501LL,
	630957344480198LL,
	1000000000000005LL,
	1584893192461119LL,
	2511886431509603LL,
	3981071705535001LL,
	6309573444801966LL,
	10000000000000034LL,
	15848931924611272LL,
	25118864315095968LL,
	39810717055349920LL,
	63095734448019960LL,
	100000000000000816LL,
	158489319246112320LL,
	251188643150959104LL,
	398107170553500992LL,
	630957344480198016LL,
	1000000000000005760LL,
	1584893192461130752LL,
	2511886431509602816LL,
	3981071705535000576LL,
	6309573444801965056LL
};

#define NBOUNDS (sizeof bucket_first / sizeof bucket_first[0])

_Static_assert(NBOUNDS < GOTRACE_HISTOGRAM_BUCKETS,
               "every int64 duration has a bucket");

int gt_histogram_bucket(int64_t ns)
{
	size_t lo = 0, hi = NBOUNDS;

	/* The number of boundaries at or below ns. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (bucket_first[mid] <= ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int)lo;
}

int64_t gotrace_histogram_bucket_min(int b)
{
	if (b <= 0)
		return 1; /* Go: time.Duration(math.Exp(0)) */
	if ((size_t)b > NBOUNDS)
		return INT64_MAX;
	return bucket_min[b - 1];
}

int gt_durations_add(gt_durations *d, int64_t ns)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		int64_t *v = realloc(d->v, cap * sizeof *v);

		if (v == NULL)
			return GOTRACE_ERR_NOMEM;
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n++] = ns;
	return GOTRACE_OK;
}

static int compare_ns(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest rank: the smallest sample with at least pct% at or below it. */
static int64_t percentile(const int64_t *sorted, size_t n, unsigned pct)
{
	size_t rank = (n * pct + 99) / 100;

	return sorted[rank > 0 ? rank - 1 : 0];
}

void gt_durations_stats(gt_durations *d, gotrace_duration_stats *out)
{
	size_t i;

	*out = (gotrace_duration_stats){0};
	if (d->n == 0)
		return;
	qsort(d->v, d->n, sizeof d->v[0], compare_ns);
	out->count = d->n;
	out->min = d->v[0];
	out->max = d->v[d->n - 1];
	out->p50 = percentile(d->v, d->n, 50);
	out->p90 = percentile(d->v, d->n, 90);
	out->p99 = percentile(d->v, d->n, 99);
	out->min_bucket = gt_histogram_bucket(out->min);
	out->max_bucket = gt_histogram_bucket(out->max);
	for (i = 0; i < d->n; i++) {
		out->total += d->v[i];
		out->buckets[gt_histogram_bucket(d->v[i])]++;
	}
}

void gt_durations_free(gt_durations *d)
{
	free(d->v);
	*d = (gt_durations){0};
}
