/*
 * Speculative ordering: the reader's side — checking assumptions,
 * filling in marked events, merging a generation's final state into the
 * true engine. See speculate.h and docs/parallel.md.
 */
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "order/speculate.h"
#include "gotrace/wire.h"

#define NO_TASK UINT64_MAX

void gt_speculation_init(gt_speculation *sp)
{
	memset(sp, 0, sizeof *sp);
	gt_idmap_init(&sp->g_absent);
	gt_idmap_init(&sp->task_absent);
}

void gt_speculation_free(gt_speculation *sp)
{
	gt_idmap_free(&sp->g_absent);
	gt_idmap_free(&sp->task_absent);
	free(sp->ended);
	free(sp->pending);
	free(sp->dead);
	memset(sp, 0, sizeof *sp);
}

/* ---- checking ------------------------------------------------------------ */

int gt_spec_check(const gt_order *truth, gt_spec_scratch *sc,
                  const gt_event *rec)
{
	int64_t id = (int64_t)rec->args[1];
	uint64_t val = rec->args[2];
	const gt_gstate *gs;
	const gt_pstate *ps;
	const gt_mstate *ms;

	switch (rec->args[0]) {
	case GT_A_INITIAL:
		return truth->initial_gen == val;
	case GT_A_G_STATUS:
		gs = gt_order_find_g(truth, id);
		return gs != NULL && gs->status == val;
	case GT_A_G_EXISTS:
		return gt_order_find_g(truth, id) != NULL;
	case GT_A_G_ABSENT_OR_RUNNING:
		gs = gt_order_find_g(truth, id);
		return gs == NULL || gs->status == GOTRACE_GO_RUNNING;
	case GT_A_P_ABSENT_OR:
		ps = gt_order_find_p(truth, id);
		return ps == NULL || ps->status == val;
	case GT_A_M_G:
		ms = gt_order_find_m(truth, id);
		return (ms != NULL ? ms->g : GT_NO_ID) == (int64_t)val;
	case GT_A_M_P:
		ms = gt_order_find_m(truth, id);
		return (ms != NULL ? ms->p : GT_NO_ID) == (int64_t)val;
	case GT_A_M_G_SOME:
		ms = gt_order_find_m(truth, id);
		return ms != NULL && ms->g != GT_NO_ID;
	case GT_A_M_P_SOME:
		ms = gt_order_find_m(truth, id);
		return ms != NULL && ms->p != GT_NO_ID;
	case GT_A_M_SYSCALL:
		ms = gt_order_find_m(truth, id);
		return ms == NULL || ms->g == (int64_t)val;
	case GT_A_M_STEAL:
		ms = gt_order_find_m(truth, id);
		return ms != NULL && ms->p == (int64_t)val;
	case GT_A_GC:
		return gt_order_gc_accepts(truth, (uint8_t)val, (uint64_t)id);
	case GT_A_P_SYSCALL:
		sc->nknown = 0;
		ps = gt_order_find_p(truth, id);
		return ps != NULL && ps->status == GT_WIRE_PROC_SYSCALL;
	case GT_A_M_KNOWN:
		if (GT_GROW(sc->known, sc->known_cap, sc->nknown + 1) != 0)
			return GOTRACE_ERR_NOMEM;
		sc->known[sc->nknown].m = id;
		sc->known[sc->nknown].g = rec->g;
		sc->known[sc->nknown++].flags = (uint8_t)val;
		return 1;
	default:
		return 0;
	}
}

/* ---- the true ranges and regions of resources from before --------------- */

void gt_spec_scratch_init(gt_spec_scratch *sc)
{
	memset(sc, 0, sizeof *sc);
	gt_idmap_init(&sc->g_index);
	gt_idmap_init(&sc->p_index);
}

void gt_spec_scratch_free(gt_spec_scratch *sc)
{
	size_t i;

	for (i = 0; i < sc->res_cap; i++) {
		free(sc->res[i].ranges.items);
		free(sc->res[i].regions);
	}
	free(sc->res);
	free(sc->known);
	gt_idmap_free(&sc->g_index);
	gt_idmap_free(&sc->p_index);
	memset(sc, 0, sizeof *sc);
}

void gt_spec_scratch_reset(gt_spec_scratch *sc)
{
	gt_idmap_clear(&sc->g_index);
	gt_idmap_clear(&sc->p_index);
	sc->nres = 0;             /* the arrays' memory is kept */
	sc->nknown = 0;
}

/* The scratch copy of G or P id, made from truth's on first use (empty if
 * truth has none). NULL if memory ran out. */
static gt_spec_res *scratch_res(gt_spec_scratch *sc, const gt_order *truth,
                                int is_p, int64_t id)
{
	gt_idmap *index = is_p ? &sc->p_index : &sc->g_index;
	const gt_ranges *from = NULL;
	const gt_region *regions = NULL;
	size_t nregions = 0;
	gt_spec_res *r;
	uint32_t i;

	if (gt_idmap_get(index, (uint64_t)id, &i))
		return &sc->res[i];
	if (sc->nres == sc->res_cap) {
		size_t ncap = sc->res_cap ? 2 * sc->res_cap : 16;
		gt_spec_res *nr = realloc(sc->res, ncap * sizeof *nr);

		if (nr == NULL)
			return NULL;
		memset(nr + sc->res_cap, 0, (ncap - sc->res_cap) * sizeof *nr);
		sc->res = nr;
		sc->res_cap = ncap;
	}
	r = &sc->res[sc->nres];
	r->ranges.n = 0;
	r->nregions = 0;
	r->has_ranges = r->has_regions = 0;
	r->is_p = (uint8_t)is_p;
	r->id = id;
	if (is_p) {
		const gt_pstate *ps = gt_order_find_p(truth, id);

		if (ps != NULL)
			from = &ps->ranges;
	} else {
		const gt_gstate *gs = gt_order_find_g(truth, id);

		if (gs != NULL) {
			from = &gs->ranges;
			regions = gs->regions;
			nregions = gs->nregions;
		}
	}
	if (from != NULL && from->n > 0) {
		if (GT_GROW(r->ranges.items, r->ranges.cap, from->n) != 0)
			return NULL;
		memcpy(r->ranges.items, from->items, from->n * sizeof *from->items);
		r->ranges.n = from->n;
	}
	if (nregions > 0) {
		if (GT_GROW(r->regions, r->regions_cap, nregions) != 0)
			return NULL;
		memcpy(r->regions, regions, nregions * sizeof *regions);
		r->nregions = nregions;
	}
	if (gt_idmap_put(index, (uint64_t)id, (uint32_t)sc->nres) != 0)
		return NULL;
	sc->nres++;
	return r;
}

static int has_range(const gt_ranges *r, uint8_t type, uint64_t desc)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->items[i].type == type && r->items[i].desc == desc)
			return 1;
	return 0;
}

/* A GT_SPEC_RANGE event's operation on the true ranges: as the engine's
 * rules do it (order.c: begin_range, active_range, end_range). Returns 1,
 * 0 where the rule fails or ends another range than the engine chose, or
 * GOTRACE_ERR_NOMEM. */
static int patch_range(gt_order *truth, gt_spec_scratch *sc, gt_event *ev,
                       uint8_t marks)
{
	int is_p = 0;
	int64_t id = ev->g;
	uint8_t begin = 0, op; /* op: 'b'egin, 'a'ctive, 'e'nd */
	gt_spec_res *r;
	size_t i;

	switch (ev->type) {
	case GOTRACE_WIRE_STW_BEGIN:
	case GOTRACE_WIRE_GC_MARK_ASSIST_BEGIN:
		begin = ev->type;
		op = 'b';
		break;
	case GOTRACE_WIRE_STW_END:
		begin = GOTRACE_WIRE_STW_BEGIN;
		op = 'e';
		break;
	case GOTRACE_WIRE_GC_MARK_ASSIST_END:
		begin = GOTRACE_WIRE_GC_MARK_ASSIST_BEGIN;
		op = 'e';
		break;
	case GOTRACE_WIRE_GC_MARK_ASSIST_ACTIVE:
		begin = GOTRACE_WIRE_GC_MARK_ASSIST_BEGIN;
		id = (int64_t)ev->args[0];
		op = 'a';
		break;
	case GOTRACE_WIRE_GC_SWEEP_BEGIN:
		begin = ev->type;
		is_p = 1;
		id = ev->p;
		op = 'b';
		break;
	case GOTRACE_WIRE_GC_SWEEP_END:
		begin = GOTRACE_WIRE_GC_SWEEP_BEGIN;
		is_p = 1;
		id = ev->p;
		op = 'e';
		break;
	case GOTRACE_WIRE_GC_SWEEP_ACTIVE:
		begin = GOTRACE_WIRE_GC_SWEEP_BEGIN;
		is_p = 1;
		id = (int64_t)ev->args[0];
		op = 'a';
		break;
	default:
		return 0;
	}
	if ((r = scratch_res(sc, truth, is_p, id)) == NULL)
		return GOTRACE_ERR_NOMEM;
	r->has_ranges = 1;
	if (op == 'b') {
		uint64_t desc = begin == GOTRACE_WIRE_STW_BEGIN ? ev->args[0] : 0;

		if (has_range(&r->ranges, begin, desc))
			return 0;
		if (GT_GROW(r->ranges.items, r->ranges.cap, r->ranges.n + 1) != 0)
			return GOTRACE_ERR_NOMEM;
		r->ranges.items[r->ranges.n].type = begin;
		r->ranges.items[r->ranges.n++].desc = desc;
		return 1;
	}
	if (op == 'a')
		return has_range(&r->ranges, begin, 0);
	for (i = 0; i < r->ranges.n; i++) {
		if (r->ranges.items[i].type == begin) {
			uint64_t desc = r->ranges.items[i].desc;

			if (ev->type == GOTRACE_WIRE_STW_END) {
				/* The engine's choice, if it made one, must
				 * be the same kind of stop. */
				if ((marks & GT_SPEC_RANGE_LOCAL) &&
				    desc != ev->args[0])
					return 0;
				ev->args[0] = desc;
			}
			r->ranges.items[i] = r->ranges.items[r->ranges.n - 1];
			r->ranges.n--;
			return 1;
		}
	}
	return 0;
}

/* A GT_SPEC_REGION event: the region end pops the goroutine's innermost
 * region from before the generation, which must match, if it has one. */
static int patch_region(gt_order *truth, gt_spec_scratch *sc, gt_event *ev)
{
	gt_spec_res *r = scratch_res(sc, truth, 0, ev->g);
	const gt_interned *top;
	gt_string name;

	if (r == NULL)
		return GOTRACE_ERR_NOMEM;
	r->has_regions = 1;
	if (r->nregions == 0)
		return 1;
	top = gt_order_string(truth, r->regions[r->nregions - 1].name);
	if (!gt_generation_string(ev->gen, ev->args[1], &name) ||
	    r->regions[r->nregions - 1].task != ev->args[0] || top == NULL ||
	    top->len != name.len ||
	    (name.len > 0 && memcmp(top->data, name.data, name.len) != 0))
		return 0;
	r->nregions--;
	return 1;
}

/* A GT_SPEC_HOLDER ProcStatus: the context is that of the M holding the
 * P (order.c: proc_status), which the engine did not know — one whose P
 * the engine has not seen change (GT_A_M_KNOWN), with the G the engine
 * knew it had, else the one it had before. */
static int patch_holder(gt_order *truth, gt_spec_scratch *sc, gt_event *ev)
{
	const gt_mstate *ms;
	uint32_t slot;
	size_t i;

	if (!gt_idmap_get(&truth->p_holders, ev->args[0], &slot))
		return 0;
	ms = &truth->ms[slot];
	ev->m = ms->id;
	ev->g = ms->g;
	for (i = 0; i < sc->nknown; i++) {
		if (sc->known[i].m != ms->id)
			continue;
		if (sc->known[i].flags & 1)
			return 0;
		if (sc->known[i].flags & 2)
			ev->g = sc->known[i].g;
	}
	return 1;
}

int gt_spec_patch(gt_order *truth, gt_spec_scratch *sc, gt_event *ev)
{
	uint8_t marks = ev->spec;
	int rc = 1;

	ev->spec = 0;
	if (marks & (GT_SPEC_CTX_P | GT_SPEC_CTX_G)) {
		const gt_mstate *ms = gt_order_find_m(truth, ev->m);

		if (marks & GT_SPEC_CTX_P)
			ev->p = ms != NULL ? ms->p : GT_NO_ID;
		if (marks & GT_SPEC_CTX_G)
			ev->g = ms != NULL ? ms->g : GT_NO_ID;
	}
	marks &= (uint8_t)~(GT_SPEC_CTX_P | GT_SPEC_CTX_G);
	if (marks == 0)
		return 1;
	/* The other marks mean what the event's type says. */
	switch (ev->type) {
	case GOTRACE_WIRE_PROC_STATUS:
		if (marks & GT_SPEC_PROC_OLD)
			ev->args[2] = gt_order_proc_old_state(
				ev->args[1],
				gt_order_find_p(truth, (int64_t)ev->args[0]) != NULL);
		if (marks & GT_SPEC_HOLDER)
			rc = patch_holder(truth, sc, ev);
		break;
	case GOTRACE_WIRE_USER_TASK_BEGIN: {
		uint32_t idx;

		if (gt_idmap_get(&truth->task_index, ev->args[0], &idx))
			return 0;
		break;
	}
	case GOTRACE_WIRE_USER_TASK_END: {
		uint32_t idx;

		if (gt_idmap_get(&truth->task_index, ev->args[0], &idx)) {
			ev->args[2] = truth->tasks[idx].parent;
			ev->args[3] = (uint64_t)(uintptr_t)gt_order_string(
				truth, truth->tasks[idx].name);
		}
		break;
	}
	case GOTRACE_WIRE_GO_STATUS:
	case GOTRACE_WIRE_GO_STATUS_STACK:
		if (marks & GT_SPEC_GSTATUS) {
			/* (args[2] has the old state above the status.) */
			const gt_gstate *gs =
				gt_order_find_g(truth, (int64_t)ev->args[0]);

			if (gs == NULL || gs->status != (uint8_t)ev->args[2])
				return 0;
		}
		if ((marks & GT_SPEC_SYSM) &&
		    gt_order_find_m(truth, (int64_t)ev->args[1]) != NULL)
			ev->g = (int64_t)ev->args[0];
		break;
	case GOTRACE_WIRE_GO_CREATE:
	case GOTRACE_WIRE_GO_CREATE_BLOCKED:
	case GOTRACE_WIRE_GO_CREATE_SYSCALL:
		if (!gt_spec_new_g_absent(truth, ev->args[0]) &&
		    gt_order_find_g(truth, (int64_t)ev->args[0]) != NULL)
			return 0;
		break;
	case GOTRACE_WIRE_USER_REGION_END:
		rc = patch_region(truth, sc, ev);
		break;
	default:
		rc = patch_range(truth, sc, ev, marks);
		break;
	}
	return rc;
}

/* ---- merging --------------------------------------------------------------- */

/* spec's interned string id, interned in truth; UINT32_MAX if memory ran
 * out. */
static uint32_t reintern(gt_order *truth, const gt_order *spec, uint32_t id)
{
	const gt_interned *s = gt_order_string(spec, id);

	return gt_order_intern(truth, (const uint8_t *)s->data, s->len);
}

static int copy_ranges(gt_ranges *to, const gt_ranges *from)
{
	if (from->n > 0) {
		if (GT_GROW(to->items, to->cap, from->n) != 0)
			return -1;
		memcpy(to->items, from->items, from->n * sizeof *from->items);
	}
	to->n = from->n;
	return 0;
}

/* Sets tg's regions to base[0..nbase) (truth's names; base NULL: tg's
 * own first nbase) followed by the regions spec's goroutine sg began in
 * the generation. */
static int set_regions(gt_order *truth, const gt_order *spec, gt_gstate *tg,
                       const gt_region *base, size_t nbase,
                       const gt_gstate *sg)
{
	size_t n = nbase + sg->nregions, i;

	if (n > 0 && GT_GROW(tg->regions, tg->regions_cap, n) != 0)
		return -1;
	if (nbase > 0 && base != NULL)
		memcpy(tg->regions, base, nbase * sizeof *base);
	for (i = 0; i < sg->nregions; i++) {
		gt_region r = sg->regions[i];

		r.name = reintern(truth, spec, r.name);
		if (r.name == UINT32_MAX)
			return -1;
		tg->regions[nbase + i] = r;
	}
	tg->nregions = n;
	return 0;
}

static int merge_gs(gt_order *truth, const gt_order *spec,
                    const gt_spec_scratch *sc)
{
	const gt_speculation *sp = spec->spec;
	size_t i;

	/* Those from before that ended, then those alive now. (Which slot
	 * each gets differs from what ordering with truth would have given:
	 * slots are only hints, and dumps list goroutines by ID.) */
	for (i = 0; i < sp->ndead; i++) {
		gt_gstate *gs = gt_order_find_g(truth, sp->dead[i]);

		if (gs != NULL)
			gt_order_remove_g(truth, gs);
	}
	for (i = 0; i < spec->ngs; i++) {
		const gt_gstate *sg = &spec->gs[i];
		gt_gstate *tg;
		uint32_t k;

		if (!sg->live)
			continue;
		tg = gt_order_find_g(truth, sg->id);
		if (tg == NULL) {
			gt_seq z = {0, 0};

			if (sg->sflags & GT_SF_INHERITED)
				continue; /* cannot be: it was checked */
			if ((tg = gt_order_add_g(truth, sg->id, 0, z)) == NULL)
				return -1;
		}
		if (!(sg->sflags & GT_SF_INHERITED)) {
			/* Born in the generation: all of it is known. */
			tg->status = sg->status;
			tg->seq = sg->seq;
			if (set_regions(truth, spec, tg, NULL, 0, sg) != 0 ||
			    copy_ranges(&tg->ranges, &sg->ranges) != 0)
				return -1;
			continue;
		}
		if (!(sg->sflags & GT_SF_STATUS_UNK))
			tg->status = sg->status;
		if (!(sg->sflags & GT_SF_SEQ_UNK))
			tg->seq = sg->seq;
		if (gt_idmap_get(&sc->g_index, (uint64_t)sg->id, &k)) {
			const gt_spec_res *r = &sc->res[k];

			if (r->has_ranges &&
			    copy_ranges(&tg->ranges, &r->ranges) != 0)
				return -1;
			if (r->has_regions) {
				if (set_regions(truth, spec, tg, r->regions,
				                r->nregions, sg) != 0)
					return -1;
				continue;
			}
		}
		if (set_regions(truth, spec, tg, NULL, tg->nregions, sg) != 0)
			return -1;
	}
	return 0;
}

static int merge_ps(gt_order *truth, const gt_order *spec,
                    const gt_spec_scratch *sc)
{
	size_t i;

	/* In the order spec met them: a P new to truth comes after the
	 * others, where the rules would have added it. */
	for (i = 0; i < spec->nps; i++) {
		const gt_pstate *sp = &spec->ps[i];
		gt_pstate *tp = gt_order_find_p(truth, sp->id);
		uint32_t k;

		if (tp == NULL &&
		    (tp = gt_order_add_p(truth, sp->id, sp->status, sp->seq)) == NULL)
			return -1;
		if (!(sp->sflags & GT_SF_STATUS_UNK))
			tp->status = sp->status;
		if (!(sp->sflags & GT_SF_SEQ_UNK))
			tp->seq = sp->seq;
		if (gt_idmap_get(&sc->p_index, (uint64_t)sp->id, &k) &&
		    sc->res[k].has_ranges &&
		    copy_ranges(&tp->ranges, &sc->res[k].ranges) != 0)
			return -1;
	}
	return 0;
}

static int by_pseq(const void *a, const void *b)
{
	uint32_t x = (*(const gt_mstate *const *)a)->pseq;
	uint32_t y = (*(const gt_mstate *const *)b)->pseq;

	return x < y ? -1 : x > y;
}

static int merge_ms(gt_order *truth, const gt_order *spec)
{
	const gt_mstate **changed;
	size_t i, n = 0;

	changed = malloc((spec->nms > 0 ? spec->nms : 1) * sizeof *changed);
	if (changed == NULL)
		return -1;
	for (i = 0; i < spec->nms; i++) {
		const gt_mstate *sm = &spec->ms[i];
		gt_mstate *tm = gt_order_find_m(truth, sm->id);

		if (tm == NULL && (tm = gt_order_add_m(truth, sm->id)) == NULL)
			goto fail;
		if (!(sm->unk & GT_MU_G))
			tm->g = sm->g;
		if (sm->pseq != 0)
			changed[n++] = sm;
	}
	/* Ps change hands in the order they did: the last M to take a P
	 * heads its list of holders, as in the rules. */
	qsort(changed, n, sizeof *changed, by_pseq);
	for (i = 0; i < n; i++) {
		gt_mstate *tm = gt_order_find_m(truth, changed[i]->id);

		/* A change from a P the engine did not know was none if it
		 * was the same P: the M keeps its place among its holders. */
		if ((changed[i]->unk & GT_MU_P_WAS_UNK) && tm->p == changed[i]->p)
			continue;
		if (gt_order_set_m_proc(truth, tm, GT_NO_ID) != 0 ||
		    gt_order_set_m_proc(truth, tm, changed[i]->p) != 0)
			goto fail;
	}
	free(changed);
	return 0;
fail:
	free(changed);
	return -1;
}

static int merge_tasks(gt_order *truth, const gt_order *spec)
{
	const gt_speculation *sp = spec->spec;
	size_t i;

	for (i = 0; i < sp->nended; i++)
		gt_order_drop_task(truth, sp->ended[i]);
	for (i = 0; i < spec->ntasks; i++) {
		const gt_task *t = &spec->tasks[i];
		uint32_t name = reintern(truth, spec, t->name);

		if (name == UINT32_MAX ||
		    gt_order_put_task(truth, t->id, t->parent, name) != 0)
			return -1;
	}
	return 0;
}

int gt_spec_merge(gt_order *truth, const gt_order *spec,
                  const gt_spec_scratch *sc)
{
	if (merge_gs(truth, spec, sc) != 0 || merge_ps(truth, spec, sc) != 0 ||
	    merge_ms(truth, spec) != 0 || merge_tasks(truth, spec) != 0)
		return GOTRACE_ERR_NOMEM;
	if (spec->spec->gc_known) {
		truth->gc_seq = spec->gc_seq;
		truth->gc_state = spec->gc_state;
	}
	return 0;
}
