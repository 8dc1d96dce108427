/*
 * Duration samples and their distribution (gotrace_duration_stats), shared
 * by the analyses. Internal to src/analysis/.
 */
#ifndef GT_ANALYSIS_DURATIONS_H
#define GT_ANALYSIS_DURATIONS_H

#include <gotrace/analysis.h>

/* A growable list of samples; zero-initialize. */
typedef struct gt_durations {
	int64_t *v;
	size_t n;
	size_t cap;
} gt_durations;

/* Appends a sample. Returns GOTRACE_OK or GOTRACE_ERR_NOMEM. */
int gt_durations_add(gt_durations *d, int64_t ns);

/* Fills *out from the samples (sorting them in place). */
void gt_durations_stats(gt_durations *d, gotrace_duration_stats *out);

void gt_durations_free(gt_durations *d);

/* The histogram bucket of a duration, as cmd/trace's TimeHistogram. */
int gt_histogram_bucket(int64_t ns);

#endif
