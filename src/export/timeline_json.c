/* Work in progress (not committed). */
#include "timeline.h"
int tl_format_json_new(void **fmt, const tl_format_ops **ops)
{ (void)fmt; (void)ops; return GOTRACE_ERR_UNSUPPORTED; }
