/*
 * Go's slices.SortFunc, reproduced step for step on frontier entries: its
 * result for equal keys depends on every choice it makes (pivots, pattern
 * breaking with a fixed pseudo-random sequence, its heap sort fallback),
 * so each of those is made here the same way. The algorithm is Orson
 * Peters' pattern-defeating quicksort as Go configures it.
 */
#include "base/frontier_sort.h"

typedef ptrdiff_t idx;

enum { SMALL = 12, NINTHER_MIN = 50, SHIFT_MIN = 50, SHIFT_STEPS = 5 };
enum hint { UNKNOWN, INCREASING, DECREASING };

static int earlier(const struct gt_front *f, idx i, idx j)
{
	return f[i].time < f[j].time;
}

static void swap(struct gt_front *f, idx i, idx j)
{
	struct gt_front t = f[i];

	f[i] = f[j];
	f[j] = t;
}

static void insertion_sort(struct gt_front *f, idx a, idx b)
{
	idx i, j;

	for (i = a + 1; i < b; i++)
		for (j = i; j > a && earlier(f, j, j - 1); j--)
			swap(f, j, j - 1);
}

/* Max-heap sift within f[base..base+n), from node root. */
static void sift(struct gt_front *f, idx base, idx root, idx n)
{
	for (;;) {
		idx child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && earlier(f, base + child, base + child + 1))
			child++;
		if (!earlier(f, base + root, base + child))
			return;
		swap(f, base + root, base + child);
		root = child;
	}
}

static void heap_sort(struct gt_front *f, idx a, idx b)
{
	idx n = b - a, i;

	for (i = (n - 1) / 2; i >= 0; i--)
		sift(f, a, i, n);
	for (i = n - 1; i >= 0; i--) {
		swap(f, a, a + i);
		sift(f, a, 0, i);
	}
}

static void reverse(struct gt_front *f, idx a, idx b)
{
	for (b--; a < b; a++, b--)
		swap(f, a, b);
}

/* The index of the smaller of two (by value, the first on ties) is put
 * first; a swap of the pair is counted. */
static void order_pair(const struct gt_front *f, idx *x, idx *y, int *swaps)
{
	if (earlier(f, *y, *x)) {
		idx t = *x;

		*x = *y;
		*y = t;
		(*swaps)++;
	}
}

static idx median3(const struct gt_front *f, idx x, idx y, idx z, int *swaps)
{
	order_pair(f, &x, &y, swaps);
	order_pair(f, &y, &z, swaps);
	order_pair(f, &x, &y, swaps);
	return y;
}

/* A pivot index (median of three, or of three medians of neighbours on
 * long ranges), and whether the samples looked sorted either way. */
static idx pick_pivot(const struct gt_front *f, idx a, idx b, enum hint *hint)
{
	idx len = b - a, q = len / 4;
	idx x = a + q, y = a + 2 * q, z = a + 3 * q;
	int swaps = 0;

	if (len >= 8) {
		if (len >= NINTHER_MIN) {
			x = median3(f, x - 1, x, x + 1, &swaps);
			y = median3(f, y - 1, y, y + 1, &swaps);
			z = median3(f, z - 1, z, z + 1, &swaps);
		}
		y = median3(f, x, y, z, &swaps);
	}
	*hint = swaps == 0 ? INCREASING : swaps == 12 ? DECREASING : UNKNOWN;
	return y;
}

/*
 * Fixes up to SHIFT_STEPS out-of-order neighbours by shifting; nonzero if
 * the range is then sorted. (Go bounds the leftward shift by index 1 of
 * the whole array; nothing before a is later than the range, so a shift
 * stops at a either way.)
 */
static int few_shifts(struct gt_front *f, idx a, idx b)
{
	idx i = a + 1, j;
	int step;

	for (step = 0; step < SHIFT_STEPS; step++) {
		while (i < b && !earlier(f, i, i - 1))
			i++;
		if (i == b)
			return 1;
		if (b - a < SHIFT_MIN)
			return 0;
		swap(f, i, i - 1);
		if (i - a >= 2)
			for (j = i - 1; j > a && earlier(f, j, j - 1); j--)
				swap(f, j, j - 1);
		if (b - i >= 2)
			for (j = i + 1; j < b && earlier(f, j, j - 1); j++)
				swap(f, j, j - 1);
	}
	return 0;
}

/* Swaps three middle entries with pseudo-random ones (a xorshift sequence
 * seeded with the length), to break up adversarial patterns. */
static void scramble(struct gt_front *f, idx a, idx b)
{
	idx len = b - a, mid, k;
	uint64_t r = (uint64_t)len, mask = 1;

	/* (Go skips ranges under 8 here; pdq only scrambles longer ones.) */
	while (mask <= (uint64_t)len)
		mask <<= 1;
	mask--;
	mid = a + (len / 4) * 2;
	for (k = mid - 1; k <= mid + 1; k++) {
		idx other;

		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		other = (idx)(r & mask);
		if (other >= len)
			other -= len;
		swap(f, k, a + other);
	}
}

/*
 * Moves the pivot to a, splits the rest into "earlier than the pivot" and
 * "not earlier", and puts the pivot between them; returns its index.
 * *untouched: nothing had to move.
 */
static idx split(struct gt_front *f, idx a, idx b, idx pivot, int *untouched)
{
	idx i = a + 1, j = b - 1;

	swap(f, a, pivot);
	*untouched = 1;
	for (;;) {
		while (i <= j && earlier(f, i, a))
			i++;
		while (i <= j && !earlier(f, j, a))
			j--;
		if (i > j)
			break;
		swap(f, i, j);
		*untouched = 0;
		i++;
		j--;
	}
	swap(f, j, a);
	return j;
}

/* For a range known not to hold anything earlier than the pivot: moves
 * the entries equal to it first; returns where the rest begin. */
static idx split_equal(struct gt_front *f, idx a, idx b, idx pivot)
{
	idx i = a + 1, j = b - 1;

	swap(f, a, pivot);
	for (;;) {
		while (i <= j && !earlier(f, a, i))
			i++;
		while (i <= j && earlier(f, a, j))
			j--;
		if (i > j)
			return i;
		swap(f, i, j);
		i++;
		j--;
	}
}

static void pdq(struct gt_front *f, idx a, idx b, int limit)
{
	int balanced = 1, untouched = 1;

	for (;;) {
		idx len = b - a, pivot, mid;
		enum hint hint;

		if (len <= SMALL) {
			insertion_sort(f, a, b);
			return;
		}
		if (limit == 0) {
			heap_sort(f, a, b);
			return;
		}
		if (!balanced) {
			scramble(f, a, b);
			limit--;
		}
		pivot = pick_pivot(f, a, b, &hint);
		if (hint == DECREASING) {
			reverse(f, a, b);
			pivot = (b - 1) - (pivot - a);
			hint = INCREASING;
		}
		if (balanced && untouched && hint == INCREASING &&
		    few_shifts(f, a, b))
			return;
		/* Nothing before a is later than the rest: if the entry just
		 * before is not earlier than the pivot, all here are >= it. */
		if (a > 0 && !earlier(f, a - 1, pivot)) {
			a = split_equal(f, a, b, pivot);
			continue;
		}
		mid = split(f, a, b, pivot, &untouched);
		if (mid - a < b - mid) {
			balanced = mid - a >= len / 8;
			pdq(f, a, mid, limit);
			a = mid + 1;
		} else {
			balanced = b - mid >= len / 8;
			pdq(f, mid + 1, b, limit);
			b = mid;
		}
	}
}

void gt_frontier_sort(struct gt_front *f, size_t n)
{
	int bits = 0;
	size_t m;

	for (m = n; m != 0; m >>= 1)
		bits++;
	pdq(f, 0, (idx)n, bits);
}
