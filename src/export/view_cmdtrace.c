/* Work in progress (not committed). */
#include "timeline.h"
int tl_view_cmdtrace_new(void **view, const tl_view_ops **ops, int which)
{ (void)view; (void)ops; (void)which; return GOTRACE_ERR_UNSUPPORTED; }
