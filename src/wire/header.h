/* Internal: the trace header, "go 1.NN trace\0\0\0". */
#ifndef GT_HEADER_H
#define GT_HEADER_H

#include "base/error.h"
#include "io/stream.h"

/*
 * Reads the header at the stream's position and consumes it. On success
 * stores the version and returns GOTRACE_OK. Otherwise returns
 * GOTRACE_ERR_FORMAT, GOTRACE_ERR_VERSION, GOTRACE_ERR_IO or
 * GOTRACE_ERR_NOMEM, with err describing it.
 *
 * Go reads the header with fmt.Fscanf, whose matching is looser than the
 * fixed 16 bytes the runtime writes (it skips runs of white space and
 * accepts leading zeros); this parser accepts and rejects exactly the same
 * inputs, so that both parsers agree on where the first event starts.
 */
int gt_header_read(gt_stream *s, gotrace_version *version,
                   struct gotrace_error *err);

#endif
