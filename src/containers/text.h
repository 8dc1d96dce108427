/*
 * Text helpers shared by the exports (src/export/), which may use only the
 * public API: the UTF-8 rule both timeline formats write strings by.
 */
#ifndef GT_CONTAINERS_TEXT_H
#define GT_CONTAINERS_TEXT_H

#include <stddef.h>

/*
 * Length of the well-formed UTF-8 sequence at s (n > 0 bytes left), as
 * Go's decoder accepts it (no overlongs, surrogates or code points past
 * U+10FFFF), or 0 where it sees an invalid byte: the JSON and Perfetto
 * writers replace that byte with U+FFFD, as Go's encoding/json does.
 */
size_t gt_utf8_len(const unsigned char *s, size_t n);

#endif
