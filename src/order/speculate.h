/*
 * Internal: speculative ordering of a generation, and what checks it.
 *
 * The ordering engine needs the state the previous generations left: each
 * goroutine's and P's status, which G and P each M holds, active tasks,
 * regions and ranges, the GC cycle. To order generation k while k-1 is
 * still being ordered (docs/parallel.md), an engine starts from unknown
 * state instead of empty state (gt_order_speculate). Whenever a rule
 * needs state from before the generation that the engine has not
 * established itself, it either
 *
 *   - decides the same whatever that state was (a GoStart whose
 *     goroutine it has not seen cannot follow a sequence number of an
 *     earlier generation: refused either way);
 *   - assumes what makes the event valid, and says so: an assumption
 *     (gt_assumption, below) that the reader checks against the true
 *     state before it delivers any event ordered after it;
 *   - leaves part of the event's output to be filled in from the true
 *     state (marks in gt_event.spec, below: the context an M printed
 *     before it had its own, a ProcStatus's old state, a TaskEnd's name);
 *   - or gives up (GT_ORDER_GIVE_UP): the reader orders the generation
 *     again with the true engine.
 *
 * When the generation is done and every assumption held, gt_spec_merge
 * lays the engine's final state over the true engine, which then holds
 * exactly what ordering the generation with it would have left.
 *
 * Events that depend on the true state are marked, never changed behind
 * the reader's back: the reader applies the marks with gt_spec_patch, in
 * delivery order, and falls back to the true engine when one cannot be
 * applied (the true state makes the event an error there).
 */
#ifndef GT_SPECULATE_H
#define GT_SPECULATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/idmap.h"
#include "order/order.h"

/* gt_event.spec: parts of an event that come from the true state. The
 * first two may mark any event; the others, by event type, share bits. */
#define GT_SPEC_CTX_P 0x01       /* p: what M m held when the generation
                                    began */
#define GT_SPEC_CTX_G 0x02       /* g: likewise */
#define GT_SPEC_PROC_OLD 0x04    /* ProcStatus: the old state, NotExist
                                    unless P args[0] existed */
#define GT_SPEC_HOLDER 0x08      /* ProcStatus(SyscallAbandoned) of a P in
                                    a syscall: m and g are those of the M
                                    that held it (see GT_A_P_SYSCALL) */
#define GT_SPEC_TASK 0x04        /* UserTaskEnd: the parent and name of
                                    task args[0], if it was active */
#define GT_SPEC_SYSM 0x04        /* GoStatus(Syscall) of M args[1], not
                                    the writer: g is args[0] if that M
                                    existed */
#define GT_SPEC_GSTATUS 0x08     /* GoStatus: goroutine args[0] existed,
                                    in the status the event gives (an
                                    assumption carried by the event) */
#define GT_SPEC_NEWG 0x04        /* GoCreate*: goroutine args[0] did not
                                    exist (likewise) */
#define GT_SPEC_NEWTASK 0x04     /* UserTaskBegin: task args[0] was not
                                    active (likewise) */
#define GT_SPEC_RANGE 0x04       /* a range event on a G or P from before
                                    the generation: the reader keeps that
                                    resource's ranges (and fills in an
                                    STWEnd's kind) */
#define GT_SPEC_RANGE_LOCAL 0x08 /* ... ending one that began in the
                                    generation, whose STW kind is in
                                    args[0] */
#define GT_SPEC_REGION 0x04      /* UserRegionEnd on a goroutine with no
                                    region begun in the generation: pops
                                    the region it had before, if any */

/* The type of the records that carry assumptions among events. */
#define GT_EV_ASSUME 253

/* What an assumption says of the state before the generation. */
enum {
	GT_A_INITIAL = 1,        /* the first generation was val */
	GT_A_G_STATUS,           /* goroutine id, in status val */
	GT_A_G_EXISTS,           /* goroutine id, in any status */
	GT_A_G_ABSENT_OR_RUNNING,/* no goroutine id, or running */
	GT_A_P_ABSENT_OR,        /* no P id, or in status val */
	GT_A_M_G,                /* M id held G val (none if no such M) */
	GT_A_M_P,                /* M id held P val (likewise) */
	GT_A_M_G_SOME,           /* M id held a G */
	GT_A_M_P_SOME,           /* M id held a P */
	GT_A_M_SYSCALL,          /* no M id, or one that held G val */
	GT_A_M_STEAL,            /* M id exists and held P val */
	GT_A_GC,                 /* GC event type val with cycle id follows
	                            (gc_active and friends accept it) */
	GT_A_P_SYSCALL,          /* P id was in a syscall, and some M held
	                            it; the GT_A_M_KNOWN records after it
	                            say which Ms it may not be */
	GT_A_M_KNOWN             /* not an assumption: M id's context as the
	                            engine knows it now (val: 1 P known, 2 G
	                            known, that G in extra), for the
	                            GT_SPEC_HOLDER event that follows */
};

typedef struct gt_assumption {
	uint8_t kind;
	int64_t id;
	uint64_t val;
	int64_t extra;
} gt_assumption;

/* Why a speculative engine gave up (for the reader's statistics). */
enum {
	GT_GIVEUP_NONE,
	GT_GIVEUP_ERROR,         /* the engine or the decoder found an error */
	GT_GIVEUP_STUCK,         /* no M could go on */
	GT_GIVEUP_PARKING,       /* the retry budget ran out */
	GT_GIVEUP_CONTEXT,       /* needed the identity of an M's inherited G
	                            or P */
	GT_GIVEUP_PROC,          /* needed an inherited P's status */
	GT_GIVEUP_ABANDONED,     /* a ProcStatus(SyscallAbandoned) */
	GT_GIVEUP_OTHER,
	GT_GIVEUP_REASONS
};

typedef struct gt_speculation {
	uint64_t initial_gen;
	gt_idmap g_absent;       /* goroutines from before known to have
	                            ended */
	gt_idmap task_absent;    /* tasks known not to be active */
	uint64_t *ended;         /* tasks ended, for gt_spec_merge */
	size_t nended, ended_cap;
	int gc_known;            /* gc_seq and gc_state are known */
	int none_g_checked;      /* GT_A_G_ABSENT_OR_RUNNING(GT_NO_ID) made */
	gt_assumption *pending;  /* assumptions not yet taken (gt_spec_take) */
	size_t npending, pending_cap;
	int64_t *dead;           /* the same, for gt_spec_merge */
	size_t ndead, dead_cap;
	uint32_t pseq;           /* changes of Ms' P so far */
	int reason;              /* GT_GIVEUP_*, when it gave up */
	int line;                /* ... where in order.c, on what type of */
	uint8_t type;            /* event (for debugging) */
	int nomem;               /* memory ran out where no error could be
	                            returned: the engine must give up */
} gt_speculation;

void gt_speculation_init(gt_speculation *sp);
void gt_speculation_free(gt_speculation *sp);

/* Makes o, freshly initialized, a speculative engine for a generation
 * after initial_gen (the first generation of the trace). sp must outlive
 * o's use and is reset. */
void gt_order_speculate(gt_order *o, gt_speculation *sp, uint64_t initial_gen);

/* ---- the reader's side: checking, patching, merging ---------------------- */

/* A goroutine's or P's ranges (and a goroutine's regions) as the true
 * state has them while a speculative generation is delivered: copied
 * from the true engine on first use, then changed by each marked event.
 * They replace the true engine's when the generation is merged. */
typedef struct gt_spec_res {
	gt_ranges ranges;
	gt_region *regions;      /* names interned in the true engine */
	size_t nregions, regions_cap;
	uint8_t is_p;
	uint8_t has_ranges;      /* ranges, regions: changed by an event, so */
	uint8_t has_regions;     /* they replace truth's when merged */
	int64_t id;
} gt_spec_res;

/* An M's context as the speculative engine knew it (GT_A_M_KNOWN). */
typedef struct gt_spec_known {
	int64_t m, g;
	uint8_t flags;           /* 1: P known, 2: G known */
} gt_spec_known;

typedef struct gt_spec_scratch {
	gt_idmap g_index, p_index;   /* ID -> index in res */
	gt_spec_res *res;
	size_t nres, res_cap;
	gt_spec_known *known;        /* since the last GT_A_P_SYSCALL */
	size_t nknown, known_cap;
} gt_spec_scratch;

void gt_spec_scratch_init(gt_spec_scratch *sc);
void gt_spec_scratch_free(gt_spec_scratch *sc);
void gt_spec_scratch_reset(gt_spec_scratch *sc);

/* Whether the assumption in record rec (GT_EV_ASSUME) holds in truth, the
 * true engine as the previous generation left it: 1 or 0 (or
 * GOTRACE_ERR_NOMEM). The records' extra is in rec->g. */
int gt_spec_check(const gt_order *truth, gt_spec_scratch *sc,
                  const gt_event *rec);

/* A GT_SPEC_NEWG event's goroutine, id, surely did not exist in truth:
 * larger than any it ever had (Go's goroutine IDs only grow). 0: it must
 * be looked up. */
static inline int gt_spec_new_g_absent(const gt_order *truth, uint64_t id)
{
	return id > truth->gs_max_id;
}

/*
 * Fills in ev's marked parts (ev->spec) from truth and sc, and clears the
 * marks. Returns 1, 0 if truth makes the event an error or a different
 * one (the generation must be ordered again with the true engine), or
 * GOTRACE_ERR_NOMEM.
 */
int gt_spec_patch(gt_order *truth, gt_spec_scratch *sc, gt_event *ev);

/*
 * Lays the final state of spec, a speculative engine that ordered the
 * generation after truth's last one (all of its assumptions held, all of
 * its events patched through sc), over truth. Returns 0, or
 * GOTRACE_ERR_NOMEM (truth is then unusable).
 */
int gt_spec_merge(gt_order *truth, const gt_order *spec,
                  const gt_spec_scratch *sc);

#endif
