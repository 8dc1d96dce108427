/*
 * The generation index scanned only as far as it is needed.
 *
 * gotrace_index_new scans the whole trace. A reader seeking to a
 * generation needs only the generations up to it: gt_index_open reads
 * the header and lists nothing yet, gt_index_scan_to_generation scans on
 * until the generation is listed, gt_index_finish to the end. Whatever
 * has been listed is exactly what the whole scan lists at those
 * positions, so the public functions on a partly scanned index answer
 * for the generations listed so far; an index is handed to a caller of
 * the public API only once finished.
 */
#ifndef GT_GEN_INDEX_H
#define GT_GEN_INDEX_H

#include <stdint.h>

#include "gotrace/index.h"

/* As gotrace_index_new, scanning nothing past the header: the index
 * takes in; on an error other than GOTRACE_ERR_NOMEM or GOTRACE_ERR_ARG
 * *out is set and finished, with the error. */
int gt_index_open(gotrace_index **out, gotrace_input *in);

/* Scans to the end; returns what gotrace_index_new would have. */
int gt_index_finish(gotrace_index *idx);

/* Scans until generation gen is listed (its position returned, as
 * gotrace_index_find_generation's) or the scan has ended without it
 * (-1). */
long gt_index_scan_to_generation(gotrace_index *idx, uint64_t gen);

/* Nonzero while there is more to scan. */
int gt_index_scanning(const gotrace_index *idx);

#endif
