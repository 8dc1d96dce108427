/*
 * The v2 wire event table. Type codes, argument lists and shapes are facts
 * of the trace format (Go's runtime writes them; see docs/format.md).
 */
#include "wire/spec.h"
#include "gotrace/wire.h"

#define ARGS(...) (const char *const[]){__VA_ARGS__}
#define NARGS(...) (uint8_t)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
#define A(...) .nargs = NARGS(__VA_ARGS__), .args = ARGS(__VA_ARGS__)
#define NOSTK .stack_args = {-1, -1}
#define NOSTR .string_args = {-1, -1}
#define STK1(i) .stack_args = {i, -1}
#define STK2(i, j) .stack_args = {i, j}
#define STR1(i) .string_args = {i, -1}
#define STR2(i, j) .string_args = {i, j}
#define TIMED .timed = 1
#define EXP .experiment = 1

#define PLAIN(n) {.name = n, NOSTK, NOSTR}

const gt_spec gt_specs[GT_SPEC_SLOTS] = {
	[0] = PLAIN(""),
	[GOTRACE_WIRE_EVENT_BATCH] = {.name = "EventBatch", A("gen", "m", "time", "size"), NOSTK, NOSTR},
	[GOTRACE_WIRE_STACKS] = PLAIN("Stacks"),
	[GOTRACE_WIRE_STACK] = {.name = "Stack", A("id", "nframes"), .is_stack = 1, NOSTK, NOSTR},
	[GOTRACE_WIRE_STRINGS] = PLAIN("Strings"),
	[GOTRACE_WIRE_STRING] = {.name = "String", A("id"), .has_data = 1, NOSTK, NOSTR},
	[GOTRACE_WIRE_CPU_SAMPLES] = PLAIN("CPUSamples"),
	[GOTRACE_WIRE_CPU_SAMPLE] = {.name = "CPUSample", A("time", "m", "p", "g", "stack"), STK1(4), NOSTR},
	[GOTRACE_WIRE_FREQUENCY] = {.name = "Frequency", A("freq"), NOSTK, NOSTR},
	[GOTRACE_WIRE_PROCS_CHANGE] = {.name = "ProcsChange", A("dt", "procs_value", "stack"), TIMED, STK1(2), NOSTR},
	[GOTRACE_WIRE_PROC_START] = {.name = "ProcStart", A("dt", "p", "p_seq"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_PROC_STOP] = {.name = "ProcStop", A("dt"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_PROC_STEAL] = {.name = "ProcSteal", A("dt", "p", "p_seq", "m"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_PROC_STATUS] = {.name = "ProcStatus", A("dt", "p", "pstatus"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_GO_CREATE] = {.name = "GoCreate", A("dt", "new_g", "new_stack", "stack"), TIMED, STK2(3, 2), NOSTR},
	[GOTRACE_WIRE_GO_CREATE_SYSCALL] = {.name = "GoCreateSyscall", A("dt", "new_g"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_GO_START] = {.name = "GoStart", A("dt", "g", "g_seq"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_GO_DESTROY] = {.name = "GoDestroy", A("dt"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_GO_DESTROY_SYSCALL] = {.name = "GoDestroySyscall", A("dt"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_GO_STOP] = {.name = "GoStop", A("dt", "reason_string", "stack"), TIMED, STK1(2), STR1(1)},
	[GOTRACE_WIRE_GO_BLOCK] = {.name = "GoBlock", A("dt", "reason_string", "stack"), TIMED, STK1(2), STR1(1)},
	[GOTRACE_WIRE_GO_UNBLOCK] = {.name = "GoUnblock", A("dt", "g", "g_seq", "stack"), TIMED, STK1(3), NOSTR},
	[GOTRACE_WIRE_GO_SYSCALL_BEGIN] = {.name = "GoSyscallBegin", A("dt", "p_seq", "stack"), TIMED, STK1(2), NOSTR},
	[GOTRACE_WIRE_GO_SYSCALL_END] = {.name = "GoSyscallEnd", A("dt"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_GO_SYSCALL_END_BLOCKED] = {.name = "GoSyscallEndBlocked", A("dt"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_GO_STATUS] = {.name = "GoStatus", A("dt", "g", "m", "gstatus"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_STW_BEGIN] = {.name = "STWBegin", A("dt", "kind_string", "stack"), TIMED, STK1(2), STR1(1)},
	[GOTRACE_WIRE_STW_END] = {.name = "STWEnd", A("dt"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_GC_ACTIVE] = {.name = "GCActive", A("dt", "gc_seq"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_GC_BEGIN] = {.name = "GCBegin", A("dt", "gc_seq", "stack"), TIMED, STK1(2), NOSTR},
	[GOTRACE_WIRE_GC_END] = {.name = "GCEnd", A("dt", "gc_seq"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_GC_SWEEP_ACTIVE] = {.name = "GCSweepActive", A("dt", "p"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_GC_SWEEP_BEGIN] = {.name = "GCSweepBegin", A("dt", "stack"), TIMED, STK1(1), NOSTR},
	[GOTRACE_WIRE_GC_SWEEP_END] = {.name = "GCSweepEnd", A("dt", "swept_value", "reclaimed_value"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_GC_MARK_ASSIST_ACTIVE] = {.name = "GCMarkAssistActive", A("dt", "g"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_GC_MARK_ASSIST_BEGIN] = {.name = "GCMarkAssistBegin", A("dt", "stack"), TIMED, STK1(1), NOSTR},
	[GOTRACE_WIRE_GC_MARK_ASSIST_END] = {.name = "GCMarkAssistEnd", A("dt"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_HEAP_ALLOC] = {.name = "HeapAlloc", A("dt", "heapalloc_value"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_HEAP_GOAL] = {.name = "HeapGoal", A("dt", "heapgoal_value"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_GO_LABEL] = {.name = "GoLabel", A("dt", "label_string"), TIMED, NOSTK, STR1(1)},
	[GOTRACE_WIRE_USER_TASK_BEGIN] = {.name = "UserTaskBegin", A("dt", "task", "parent_task", "name_string", "stack"), TIMED, STK1(4), STR1(3)},
	[GOTRACE_WIRE_USER_TASK_END] = {.name = "UserTaskEnd", A("dt", "task", "stack"), TIMED, STK1(2), NOSTR},
	[GOTRACE_WIRE_USER_REGION_BEGIN] = {.name = "UserRegionBegin", A("dt", "task", "name_string", "stack"), TIMED, STK1(3), STR1(2)},
	[GOTRACE_WIRE_USER_REGION_END] = {.name = "UserRegionEnd", A("dt", "task", "name_string", "stack"), TIMED, STK1(3), STR1(2)},
	[GOTRACE_WIRE_USER_LOG] = {.name = "UserLog", A("dt", "task", "key_string", "value_string", "stack"), TIMED, STK1(4), STR2(2, 3)},
	[GOTRACE_WIRE_GO_SWITCH] = {.name = "GoSwitch", A("dt", "g", "g_seq"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_GO_SWITCH_DESTROY] = {.name = "GoSwitchDestroy", A("dt", "g", "g_seq"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_GO_CREATE_BLOCKED] = {.name = "GoCreateBlocked", A("dt", "new_g", "new_stack", "stack"), TIMED, STK2(3, 2), NOSTR},
	[GOTRACE_WIRE_GO_STATUS_STACK] = {.name = "GoStatusStack", A("dt", "g", "m", "gstatus", "stack"), TIMED, STK1(4), NOSTR},
	[GOTRACE_WIRE_EXPERIMENTAL_BATCH] = {.name = "ExperimentalBatch", A("exp", "gen", "m", "time"), .has_data = 1, NOSTK, NOSTR},
	[GOTRACE_WIRE_SYNC] = PLAIN("Sync"),
	[GOTRACE_WIRE_CLOCK_SNAPSHOT] = {.name = "ClockSnapshot", A("dt", "mono", "sec", "nsec"), TIMED, NOSTK, NOSTR},
	[GOTRACE_WIRE_END_OF_GENERATION] = PLAIN("EndOfGeneration"),
	[53] = PLAIN(""), [54] = PLAIN(""), [55] = PLAIN(""), [56] = PLAIN(""),
	[57] = PLAIN(""), [58] = PLAIN(""), [59] = PLAIN(""), [60] = PLAIN(""),
	[61] = PLAIN(""), [62] = PLAIN(""), [63] = PLAIN(""), [64] = PLAIN(""),
	[65] = PLAIN(""), [66] = PLAIN(""), [67] = PLAIN(""), [68] = PLAIN(""),
	[69] = PLAIN(""), [70] = PLAIN(""), [71] = PLAIN(""), [72] = PLAIN(""),
	[73] = PLAIN(""), [74] = PLAIN(""), [75] = PLAIN(""), [76] = PLAIN(""),
	[77] = PLAIN(""), [78] = PLAIN(""), [79] = PLAIN(""), [80] = PLAIN(""),
	[81] = PLAIN(""), [82] = PLAIN(""), [83] = PLAIN(""), [84] = PLAIN(""),
	[85] = PLAIN(""), [86] = PLAIN(""), [87] = PLAIN(""), [88] = PLAIN(""),
	[89] = PLAIN(""), [90] = PLAIN(""), [91] = PLAIN(""), [92] = PLAIN(""),
	[93] = PLAIN(""), [94] = PLAIN(""), [95] = PLAIN(""), [96] = PLAIN(""),
	[97] = PLAIN(""), [98] = PLAIN(""), [99] = PLAIN(""), [100] = PLAIN(""),
	[101] = PLAIN(""), [102] = PLAIN(""), [103] = PLAIN(""), [104] = PLAIN(""),
	[105] = PLAIN(""), [106] = PLAIN(""), [107] = PLAIN(""), [108] = PLAIN(""),
	[109] = PLAIN(""), [110] = PLAIN(""), [111] = PLAIN(""), [112] = PLAIN(""),
	[113] = PLAIN(""), [114] = PLAIN(""), [115] = PLAIN(""), [116] = PLAIN(""),
	[117] = PLAIN(""), [118] = PLAIN(""), [119] = PLAIN(""), [120] = PLAIN(""),
	[121] = PLAIN(""), [122] = PLAIN(""), [123] = PLAIN(""), [124] = PLAIN(""),
	[125] = PLAIN(""), [126] = PLAIN(""), [127] = PLAIN(""),
	[GOTRACE_WIRE_SPAN] = {.name = "Span", A("dt", "id", "npages_value", "kindclass"), TIMED, EXP, NOSTK, NOSTR},
	[GOTRACE_WIRE_SPAN_ALLOC] = {.name = "SpanAlloc", A("dt", "id", "npages_value", "kindclass"), TIMED, EXP, NOSTK, NOSTR},
	[GOTRACE_WIRE_SPAN_FREE] = {.name = "SpanFree", A("dt", "id"), TIMED, EXP, NOSTK, NOSTR},
	[GOTRACE_WIRE_HEAP_OBJECT] = {.name = "HeapObject", A("dt", "id", "type"), TIMED, EXP, NOSTK, NOSTR},
	[GOTRACE_WIRE_HEAP_OBJECT_ALLOC] = {.name = "HeapObjectAlloc", A("dt", "id", "type"), TIMED, EXP, NOSTK, NOSTR},
	[GOTRACE_WIRE_HEAP_OBJECT_FREE] = {.name = "HeapObjectFree", A("dt", "id"), TIMED, EXP, NOSTK, NOSTR},
	[GOTRACE_WIRE_GOROUTINE_STACK] = {.name = "GoroutineStack", A("dt", "id", "order"), TIMED, EXP, NOSTK, NOSTR},
	[GOTRACE_WIRE_GOROUTINE_STACK_ALLOC] = {.name = "GoroutineStackAlloc", A("dt", "id", "order"), TIMED, EXP, NOSTK, NOSTR},
	[GOTRACE_WIRE_GOROUTINE_STACK_FREE] = {.name = "GoroutineStackFree", A("dt", "id"), TIMED, EXP, NOSTK, NOSTR},
};

size_t gt_spec_count(gotrace_version v)
{
	switch (v) {
	case GOTRACE_GO122: return GOTRACE_WIRE_USER_LOG + 1;
	case GOTRACE_GO123: return GOTRACE_WIRE_EXPERIMENTAL_BATCH + 1;
	case GOTRACE_GO125: return GOTRACE_WIRE_CLOCK_SNAPSHOT + 1;
	case GOTRACE_GO126: return GT_SPEC_TABLE_SIZE;
	default: return 0;
	}
}

int gt_version_known(uint32_t v)
{
	switch (v) {
	case GOTRACE_GO111: case GOTRACE_GO119: case GOTRACE_GO121:
	case GOTRACE_GO122: case GOTRACE_GO123: case GOTRACE_GO125:
	case GOTRACE_GO126:
		return 1;
	default:
		return 0;
	}
}
