/*
 * Several generations ordered at once: the workers, the generations'
 * streams, and the caller's side that joins them in order. See
 * parallel.h and docs/parallel.md.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "gen/generation.h"
#include "order/speculate.h"
#include "reader/parallel.h"
#include "reader/pipe.h"
#include "reader/producer.h"
#include "reader/reader_internal.h"

/* Items per chunk of a generation's stream (320 KB). */
#define PAR_CHUNK 4096u
/* A worker publishes its items this often. */
#define PAR_PUBLISH 1024u
/* Chunks a generation may hold ahead of the caller: beyond, its worker
 * waits (the bound on memory; docs/parallel.md). */
#define PAR_CAP_CHUNKS 64u
/* Polls of a worker's progress before the caller sleeps. */
#define PAR_SPINS 2000
/* A sleeping caller is woken when this many items are ready for it (or
 * its generation's stream ends): on a busy machine each wake-up costs a
 * context switch or two. */
#define PAR_WAKE_BATCH 8192u

/* Stream records besides events (gt_event.type; wire types end at 136,
 * GT_EV_ASSUME is 253, GT_EV_SYNC 255). */
#define PAR_EV_DONE 250          /* the generation is exhausted */
#define PAR_EV_GIVEUP 251        /* the speculative engine gave up here
                                    (args[0]: GT_GIVEUP_*) */
#define PAR_EV_ERROR 252         /* the true engine's error (args[0]: its
                                    code; the job's err says it; args[1]:
                                    1 if installing the generation
                                    failed, before its Sync) */

/* A job's state, changed under the mutex. */
enum { JOB_FREE, JOB_READING, JOB_READ, JOB_DONE };
/* What reading found. */
enum { KIND_GEN, KIND_EOF, KIND_ERROR };

/* items first: gt_pipe_store's streaming stores need each item 16-byte
 * aligned, as malloc's block is. */
typedef struct par_chunk {
	gt_event items[PAR_CHUNK];
	struct par_chunk *next;
} par_chunk;

typedef struct par_job {
	/* ---- set by the worker that reads it, read once state >= JOB_READ */
	uint64_t serial;             /* 1 for the first generation read */
	int kind;
	gt_generation gen;
	/* What a read on one thread has when it delivers this generation
	 * (reader.c: next_generation): the Sync's and finish()'s figures. */
	uint64_t cur_gen, sync_valid, sync_offset;
	uint64_t next_start;         /* input offset of what comes after */
	struct gotrace_error err;    /* KIND_ERROR: reading's; else the
	                                true engine's (PAR_EV_ERROR) */
	int state;                   /* JOB_*, under the mutex */
	atomic_int abandoned;        /* the caller orders it itself: stop */

	/* ---- the worker that orders it ---- */
	int speculative;
	gt_order spec_order;
	gt_speculation spec;
	par_chunk *first;
	par_chunk *wchunk;
	size_t wpos, written, wpublished;
	char pad0[64];

	atomic_size_t published;     /* items the caller may read */
	char pad1[64];
	atomic_size_t consumed;      /* items the caller has read */
	char pad2[64];

	/* ---- the caller's ---- */
	par_chunk *rchunk;
	size_t rpos, read, seen;
	int begun;
	int stage;                   /* terminal kinds: the Sync is out */
	gt_event *held;              /* an item taken, not yet handled */
	uint64_t delivered;          /* events delivered (Sync excepted) */
	gt_spec_scratch scratch;
} par_job;

typedef struct par_worker {
	gt_par *p;
	pthread_t thread;
	int started;
	gt_producer prod;
	uint64_t parked_sent;
} par_worker;

struct gt_par {
	gotrace_reader *r;
	pthread_mutex_t mu;
	pthread_cond_t worker_cv;    /* a job is free, a worker has room */
	pthread_cond_t consumer_cv;  /* items, a job read or done */
	atomic_int stopping;
	atomic_uint_least64_t wait_job;  /* the job the caller sleeps on, 0 */
	atomic_size_t wait_items;        /* ... until it has this many */
	atomic_int workers_wait;
	atomic_uint_least64_t release_upto;

	par_job *jobs;
	size_t njobs;
	par_worker *workers;
	size_t nworkers;

	/* ---- under the mutex ---- */
	uint64_t next_serial;        /* the next generation to read */
	int reading;                 /* a worker reads (one at a time) */
	int read_done;               /* nothing left to read */
	par_chunk *free_chunks;

	/* ---- the reading worker's (one at a time, under reading) ---- */
	uint64_t valid_bytes, gen_end, cur_gen;
	uint64_t first_gen;          /* the first generation's number */

	/* ---- the caller's ---- */
	uint64_t head;               /* serial of the job being delivered */
	par_job *head_job;           /* ... and its slot */
	gt_event *rd;                /* its next item, and how many from */
	size_t budget;               /* there gt_par_next may take without
	                                more ado (0: see par_next_slow) */
	uint64_t max_gen;            /* the last generation's number */
	int redo;                    /* the head job is ordered here */
	uint64_t skip;               /* ... its first events already out */
	uint64_t checks;             /* of the true state (par_refute_every) */
	gt_par_stats stats;
};

static par_job *job_of(gt_par *p, uint64_t serial)
{
	return &p->jobs[(serial - 1) % p->njobs];
}

/* ---- chunks ---------------------------------------------------------------- */

static par_chunk *chunk_get(gt_par *p)
{
	par_chunk *c;

	pthread_mutex_lock(&p->mu);
	c = p->free_chunks;
	if (c != NULL)
		p->free_chunks = c->next;
	pthread_mutex_unlock(&p->mu);
	if (c == NULL)
		c = malloc(sizeof *c);
	if (c != NULL)
		c->next = NULL;
	return c;
}

/* Returns chunks c.. (a list) to the pool. Call with the mutex held. */
static void chunks_put_locked(gt_par *p, par_chunk *c)
{
	while (c != NULL) {
		par_chunk *next = c->next;

		c->next = p->free_chunks;
		p->free_chunks = c;
		c = next;
	}
}

/* ---- the workers: reading ------------------------------------------------- */

/* Reads the next generation into job, and what a read on one thread would
 * have known when it delivered it (reader.c: next_generation). */
static void read_job(gt_par *p, par_job *job)
{
	gotrace_reader *r = p->r;
	int rc;

	if (p->gen_end > p->valid_bytes)
		p->valid_bytes = p->gen_end;
	gt_source_release(r->in, atomic_load(&p->release_upto));
	gt_error_clear(&job->err);
	rc = gt_genreader_next(&r->gr, &job->gen, &job->err);
	job->sync_offset = r->s.offset;
	if (rc == GOTRACE_OK) {
		job->kind = KIND_GEN;
		job->gen.serial = job->serial;
		job->gen.read_offset = r->s.offset;
		p->cur_gen = job->gen.gen;
		/* Before Go 1.26 the next generation's first batch was read
		 * too. */
		p->gen_end = r->gr.has_spill ? r->gr.spill.offset
		                             : job->gen.end_offset;
		job->sync_valid = p->valid_bytes;
		job->next_start = gt_genreader_next_start(&r->gr);
		if (job->serial == 1)
			p->first_gen = job->gen.gen;
	} else if (rc == GOTRACE_EOF) {
		job->kind = KIND_EOF;
		job->sync_valid = r->s.offset;
		job->next_start = r->s.offset;
	} else {
		job->kind = KIND_ERROR;
		job->sync_valid = p->valid_bytes;
		job->next_start = r->s.offset;
	}
	job->cur_gen = p->cur_gen;
}

/* ---- the workers: the stream ----------------------------------------------- */

/* Wakes the caller if it sleeps on job and enough is ready (or, last,
 * the stream ends). The caller sets wait_job before it reads published
 * again, the worker stores published before it reads wait_job (both
 * sequentially consistent): one of the two sees the other. */
static void wake_consumer(gt_par *p, par_job *job, int last)
{
	if (atomic_load(&p->wait_job) == job->serial &&
	    (last || job->written >= atomic_load(&p->wait_items))) {
		pthread_mutex_lock(&p->mu);
		pthread_cond_broadcast(&p->consumer_cv);
		pthread_mutex_unlock(&p->mu);
	}
}

static int job_stops(gt_par *p, par_job *job)
{
	return atomic_load(&p->stopping) || atomic_load(&job->abandoned);
}

/* Makes the items written so far visible (last: the stream ends); waits
 * while the job is too far ahead of the caller. Returns 0, or -1 if the
 * job is to stop. */
static int publish(gt_par *p, par_job *job, int last)
{
	job->wpublished = job->written;
#ifdef GT_PIPE_STREAMING
	/* Streaming stores are not ordered by the release below. */
	_mm_sfence();
#endif
	atomic_store(&job->published, job->written);
	wake_consumer(p, job, last);
	if (job_stops(p, job))
		return -1;
	if (job->written - atomic_load(&job->consumed) <
	    (size_t)PAR_CAP_CHUNKS * PAR_CHUNK)
		return 0;
	pthread_mutex_lock(&p->mu);
	atomic_fetch_add(&p->workers_wait, 1);
	while (!job_stops(p, job) && job->written - atomic_load(&job->consumed) >=
	                             (size_t)PAR_CAP_CHUNKS * PAR_CHUNK)
		pthread_cond_wait(&p->worker_cv, &p->mu);
	atomic_fetch_sub(&p->workers_wait, 1);
	pthread_mutex_unlock(&p->mu);
	return job_stops(p, job) ? -1 : 0;
}

/* Appends ev to job's stream. Returns 0, or -1 if the job is to stop (or
 * memory ran out: the caller then orders the generation itself). */
static int emit(gt_par *p, par_job *job, const gt_event *ev)
{
	if (job->wpos == PAR_CHUNK) {
		par_chunk *c = chunk_get(p);

		if (c == NULL)
			return -1;
		job->wchunk->next = c;
		job->wchunk = c;
		job->wpos = 0;
	}
	gt_pipe_store(&job->wchunk->items[job->wpos++], ev);
	job->written++;
	if (job->written - job->wpublished >= PAR_PUBLISH)
		return publish(p, job, 0);
	return 0;
}

/* A record of the stream's own: type, args[0..2] and g. */
static int emit_record_g(gt_par *p, par_job *job, uint8_t type, uint64_t a0,
                         uint64_t a1, uint64_t a2, int64_t g)
{
	gt_event ev;

	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.gslot = GT_NO_SLOT;
	ev.m = ev.p = GT_NO_ID;
	ev.g = g;
	ev.args[0] = a0;
	ev.args[1] = a1;
	ev.args[2] = a2;
	return emit(p, job, &ev);
}

static int emit_record(gt_par *p, par_job *job, uint8_t type, uint64_t a0,
                       uint64_t a1, uint64_t a2)
{
	return emit_record_g(p, job, type, a0, a1, a2, GT_NO_ID);
}

/* Orders job's generation into its stream. */
static void order_job(par_worker *w, par_job *job)
{
	gt_par *p = w->p;
	gotrace_reader *r = p->r;
	gt_producer *pr = &w->prod;
	gt_speculation *sp = &job->spec;
	gt_order *o;
	int rc, spec = job->serial != 1;

	job->speculative = spec;
	job->wchunk = job->first = chunk_get(p);
	job->wpos = 0;
	if (job->first == NULL) {
		/* No memory for even one chunk: the caller sees an empty
		 * stream that says give up (publish() below). */
		return;
	}
	if (spec) {
		/* The first generation is ordered with the true engine;
		 * the others start from unknown state. */
		gt_order_free(&job->spec_order);
		gt_order_init(&job->spec_order, r->version);
		gt_order_speculate(&job->spec_order, sp, p->first_gen);
		o = &job->spec_order;
	} else {
		o = &r->order;
	}
	pr->err = &job->err;
	rc = gt_producer_start(pr, &job->gen, o);
	if (rc != GOTRACE_OK) {
		if (spec)
			emit_record(p, job, PAR_EV_GIVEUP, GT_GIVEUP_ERROR, 0, 0);
		else
			emit_record(p, job, PAR_EV_ERROR, (uint64_t)(int64_t)rc, 1, 0);
		publish(p, job, 1);
		return;
	}
	if (spec && emit_record(p, job, GT_EV_ASSUME, GT_A_INITIAL, 0,
	                        p->first_gen) != 0)
		return;
	for (;;) {
		gt_event *ev = NULL;

		rc = gt_producer_next(pr, o, &ev);
		if (rc == GT_PRODUCER_PARKED)
			rc = GOTRACE_OK; /* counted below, as always */
		if (spec) {
			size_t i;

			/* What the event(s) just decided depend on comes
			 * first. */
			for (i = 0; rc != GT_PRODUCER_GAVE_UP && i < sp->npending; i++) {
				const gt_assumption *a = &sp->pending[i];

				if (emit_record_g(p, job, GT_EV_ASSUME, a->kind,
				                  (uint64_t)a->id, a->val,
				                  a->extra) != 0)
					return;
			}
			sp->npending = 0;
			if (sp->nomem && rc == GOTRACE_OK) {
				sp->reason = GT_GIVEUP_OTHER;
				rc = GT_PRODUCER_GAVE_UP;
			}
		}
		if (rc == GOTRACE_OK) {
			ev->parked = (uint8_t)(pr->parked_gens - w->parked_sent);
			w->parked_sent = pr->parked_gens;
			if (emit(p, job, ev) != 0)
				return;
			/* The event's slot (a cursor's) is decoded into again
			 * with its marks left as they are (producer.h). */
			ev->spec = 0;
			continue;
		}
		if (rc == GT_GEN_EXHAUSTED)
			rc = emit_record(p, job, PAR_EV_DONE, 0, 0, 0);
		else if (spec)
			rc = emit_record(p, job, PAR_EV_GIVEUP,
			                 rc == GT_PRODUCER_GAVE_UP
			                 ? (uint64_t)sp->reason : GT_GIVEUP_ERROR,
			                 0, 0);
		else
			rc = emit_record(p, job, PAR_EV_ERROR,
			                 (uint64_t)(int64_t)rc, 0, 0);
		if (rc == 0)
			publish(p, job, 1);
		return;
	}
}

static void *worker_main(void *arg)
{
	par_worker *w = arg;
	gt_par *p = w->p;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		par_job *job;

		if (atomic_load(&p->stopping))
			break;
		job = job_of(p, p->next_serial);
		if (p->read_done || p->reading || job->state != JOB_FREE) {
			pthread_cond_wait(&p->worker_cv, &p->mu);
			continue;
		}
		/* Generations are read one at a time, in order. */
		job->serial = p->next_serial++;
		job->state = JOB_READING;
		atomic_store(&job->abandoned, 0);
		p->reading = 1;
		pthread_mutex_unlock(&p->mu);
		read_job(p, job);
		pthread_mutex_lock(&p->mu);
		p->reading = 0;
		if (job->kind != KIND_GEN) {
			p->read_done = 1;
			job->state = JOB_DONE;
		} else {
			job->state = JOB_READ;
		}
		pthread_cond_broadcast(&p->worker_cv);
		pthread_cond_broadcast(&p->consumer_cv);
		if (job->kind != KIND_GEN)
			continue;
		pthread_mutex_unlock(&p->mu);
		order_job(w, job);
		pthread_mutex_lock(&p->mu);
		job->state = JOB_DONE;
		pthread_cond_broadcast(&p->consumer_cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* ---- starting and stopping ------------------------------------------------- */

static void job_init(par_job *job, gotrace_version version)
{
	memset(job, 0, sizeof *job);
	gt_generation_init(&job->gen);
	gt_order_init(&job->spec_order, version);
	gt_speculation_init(&job->spec);
	gt_spec_scratch_init(&job->scratch);
	atomic_init(&job->abandoned, 0);
	atomic_init(&job->published, 0);
	atomic_init(&job->consumed, 0);
}

static void job_free_chunks(par_job *job)
{
	par_chunk *c = job->rchunk != NULL ? job->rchunk : job->first;

	while (c != NULL) {
		par_chunk *next = c->next;

		free(c);
		c = next;
	}
	job->first = job->rchunk = job->wchunk = NULL;
}

void gt_par_stop(gt_par *p)
{
	size_t i;

	if (p == NULL)
		return;
	atomic_store(&p->stopping, 1);
	pthread_mutex_lock(&p->mu);
	pthread_cond_broadcast(&p->worker_cv);
	pthread_cond_broadcast(&p->consumer_cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nworkers; i++) {
		if (p->workers[i].started)
			pthread_join(p->workers[i].thread, NULL);
		gt_producer_free(&p->workers[i].prod);
	}
	for (i = 0; i < p->njobs; i++) {
		par_job *job = &p->jobs[i];

		job_free_chunks(job);
		gt_generation_free(&job->gen);
		gt_order_free(&job->spec_order);
		gt_speculation_free(&job->spec);
		gt_spec_scratch_free(&job->scratch);
	}
	while (p->free_chunks != NULL) {
		par_chunk *next = p->free_chunks->next;

		free(p->free_chunks);
		p->free_chunks = next;
	}
	pthread_cond_destroy(&p->worker_cv);
	pthread_cond_destroy(&p->consumer_cv);
	pthread_mutex_destroy(&p->mu);
	free(p->jobs);
	free(p->workers);
	free(p);
}

int gt_par_start(gotrace_reader *r, int workers)
{
	gt_par *p = calloc(1, sizeof *p);
	size_t i;

	if (p == NULL)
		return -1;
	p->r = r;
	p->nworkers = (size_t)workers;
	p->njobs = p->nworkers + 1;
	p->next_serial = 1;
	p->head = 1;
	atomic_init(&p->stopping, 0);
	atomic_init(&p->wait_job, 0);
	atomic_init(&p->wait_items, 0);
	atomic_init(&p->workers_wait, 0);
	atomic_init(&p->release_upto, 0);
	p->jobs = calloc(p->njobs, sizeof *p->jobs);
	p->workers = calloc(p->nworkers, sizeof *p->workers);
	if (p->jobs == NULL || p->workers == NULL) {
		free(p->jobs);
		free(p->workers);
		free(p);
		return -1;
	}
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p->jobs);
		free(p->workers);
		free(p);
		return -1;
	}
	pthread_cond_init(&p->worker_cv, NULL);
	pthread_cond_init(&p->consumer_cv, NULL);
	for (i = 0; i < p->njobs; i++)
		job_init(&p->jobs[i], r->version);
	for (i = 0; i < p->nworkers; i++) {
		p->workers[i].p = p;
		gt_producer_init(&p->workers[i].prod, NULL, r->opts.ordering,
		                 NULL);
	}
	p->head_job = job_of(p, 1);
	/* Everything above is visible to the threads created below. */
	r->par = p;
	for (i = 0; i < p->nworkers; i++) {
		if (pthread_create(&p->workers[i].thread, NULL, worker_main,
		                   &p->workers[i]) != 0)
			break;
		p->workers[i].started = 1;
	}
	if (i == 0) {
		r->par = NULL;
		gt_par_stop(p);
		return -1;
	}
	return 0;
}

/* ---- the caller's side ------------------------------------------------------ */

/* Waits until the head job has been read. */
static par_job *head_job(gt_par *p)
{
	par_job *job = job_of(p, p->head);

	pthread_mutex_lock(&p->mu);
	while (job->serial != p->head || job->state < JOB_READ)
		pthread_cond_wait(&p->consumer_cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
	return job;
}

/* The job's next item, waiting for it if need be. */
static gt_event *next_item(gt_par *p, par_job *job)
{
	gt_event *item;

	if (job->held != NULL) {
		item = job->held;
		job->held = NULL;
		return item;
	}
	if (job->read == job->seen) {
		int i;

		for (i = 0; i < PAR_SPINS; i++) {
			job->seen = atomic_load(&job->published);
			if (job->read != job->seen)
				break;
		}
		if (job->read == job->seen) {
			/* Sleep until a batch is ready, the stream ends, or
			 * the job does (state, under the mutex). */
			pthread_mutex_lock(&p->mu);
			atomic_store(&p->wait_items, job->read + PAR_WAKE_BATCH);
			atomic_store(&p->wait_job, job->serial);
			while ((job->seen = atomic_load(&job->published)) ==
			       job->read && job->state != JOB_DONE)
				pthread_cond_wait(&p->consumer_cv, &p->mu);
			atomic_store(&p->wait_job, 0);
			pthread_mutex_unlock(&p->mu);
			if (job->read == job->seen)
				return NULL; /* the worker ended without a word */
		}
	}
	if (job->rchunk == NULL) {
		job->rchunk = job->first;
		job->rpos = 0;
	} else if (job->rpos == PAR_CHUNK) {
		/* Past the chunk: every item of it is done with (the last
		 * one was delivered by the previous call at the latest). */
		par_chunk *done = job->rchunk;

		job->rchunk = done->next;
		job->rpos = 0;
		done->next = NULL;
		pthread_mutex_lock(&p->mu);
		chunks_put_locked(p, done);
		pthread_mutex_unlock(&p->mu);
		atomic_store(&job->consumed, job->read);
		if (atomic_load(&p->workers_wait) > 0) {
			pthread_mutex_lock(&p->mu);
			pthread_cond_broadcast(&p->worker_cv);
			pthread_mutex_unlock(&p->mu);
		}
	}
	item = &job->rchunk->items[job->rpos++];
	job->read++;
	return item;
}

/* Done with the head job: its slot goes back to the workers. */
static void retire(gt_par *p, par_job *job)
{
	pthread_mutex_lock(&p->mu);
	atomic_store(&job->abandoned, 1);
	pthread_cond_broadcast(&p->worker_cv);
	while (job->state != JOB_DONE)
		pthread_cond_wait(&p->consumer_cv, &p->mu);
	if (job->rchunk != NULL)
		chunks_put_locked(p, job->rchunk);
	else
		chunks_put_locked(p, job->first);
	job->first = job->rchunk = job->wchunk = NULL;
	job->rpos = job->read = job->seen = job->written = job->wpublished = 0;
	job->wpos = 0;
	atomic_store(&job->published, 0);
	atomic_store(&job->consumed, 0);
	job->begun = job->stage = 0;
	job->held = NULL;
	job->delivered = 0;
	job->state = JOB_FREE;
	p->head++;
	p->head_job = job_of(p, p->head);
	atomic_store(&p->release_upto, job->next_start);
	pthread_cond_broadcast(&p->worker_cv);
	pthread_mutex_unlock(&p->mu);
	gt_spec_scratch_reset(&job->scratch);
}

/* The reader's figures, as a read on one thread has them in this job,
 * for finish(). */
static void job_context(gotrace_reader *r, const par_job *job)
{
	r->valid_bytes = job->sync_valid;
	r->cur_gen = job->cur_gen;
	r->par_offset = job->sync_offset;
}

/* A Sync, as reader.c's make_sync: the generation, valid bytes and
 * offset ride in args[1..3]. */
static void make_sync(gotrace_reader *r, gt_event *ev, const par_job *job,
                      const gt_generation *g, int64_t ts)
{
	memset(ev, 0, sizeof *ev);
	ev->gslot = GT_NO_SLOT;
	ev->type = GT_EV_SYNC;
	ev->time = ts;
	ev->m = ev->p = ev->g = GT_NO_ID;
	ev->gen = g;
	r->syncs++;
	ev->args[0] = r->syncs;
	ev->args[1] = job->cur_gen;
	ev->args[2] = job->sync_valid;
	ev->args[3] = job->sync_offset;
}

/* Go's parser makes time strictly increasing. */
static void fix_time(gotrace_reader *r, gt_event *ev)
{
	if (ev->time <= r->last_ts)
		ev->time = r->last_ts + 1;
	r->last_ts = ev->time;
}

static int deliver_sync(gotrace_reader *r, par_job *job,
                        const gt_generation *g, int64_t ts,
                        gotrace_event *out)
{
	gt_event *ev = &r->scratch;

	make_sync(r, ev, job, g, ts);
	fix_time(r, ev);
	return gt_reader_deliver(r, ev, out);
}

/* A check of the true state came out as held: unless a test asks for it
 * to fail now (gotrace_reader.par_refute_every). */
static int held(gotrace_reader *r, int held)
{
	gt_par *p = r->par;

	if (held && r->par_refute_every != 0 &&
	    ++p->checks % r->par_refute_every == 0)
		return 0;
	return held;
}

/* From here the head job is ordered on this thread with the true engine,
 * its first skip events (already delivered) left out. */
static int start_redo(gotrace_reader *r, par_job *job, uint64_t skip)
{
	gt_par *p = r->par;
	int rc;

	atomic_store(&job->abandoned, 1);
	pthread_mutex_lock(&p->mu);
	pthread_cond_broadcast(&p->worker_cv);
	pthread_mutex_unlock(&p->mu);
	p->stats.fallbacks++;
	r->parked_sent = r->prod.parked_gens;
	rc = gt_producer_start(&r->prod, &job->gen, &r->order);
	if (rc != GOTRACE_OK)
		return rc;
	p->redo = 1;
	p->skip = skip;
	return GOTRACE_OK;
}

/* The head job, begun: its Sync, unless its generation cannot even be
 * installed (then, as on one thread, the error without a Sync). */
static int begin_job(gotrace_reader *r, par_job *job, gotrace_event *out)
{
	gt_par *p = r->par;
	const gt_generation *g = &job->gen;
	gt_event *first;
	int rc, redo = 0;

	job->begun = 1;
	job_context(r, job);
	if (job->kind == KIND_EOF)
		return deliver_sync(r, job, NULL, r->last_ts, out);
	if (job->kind == KIND_ERROR)
		return deliver_sync(r, job, NULL, r->last_ts, out);
	p->stats.generations++;
	first = next_item(p, job);
	if (first == NULL && !job->speculative) {
		/* The true engine's worker stopped short (memory): its
		 * generation cannot be ordered again. */
		gt_error_set(&r->perr, GOTRACE_ERR_NOMEM, job->sync_offset, NULL,
		             "out of memory");
		return gt_reader_finish(r, GOTRACE_ERR_NOMEM);
	}
	if (first == NULL) {
		redo = 1;
	} else if (first->type == PAR_EV_ERROR && first->args[1]) {
		r->perr = job->err;
		return gt_reader_finish(r, (int)(int64_t)first->args[0]);
	} else if (job->speculative) {
		p->stats.speculated++;
		/* Sequence numbers of earlier generations are taken never
		 * to follow: generations must come in increasing order. */
		if (first->type == PAR_EV_GIVEUP || g->gen <= p->max_gen)
			redo = 1;
		if (first->type == PAR_EV_GIVEUP)
			p->stats.gave_up[first->args[0] & 15]++;
	}
	p->max_gen = g->gen;
	if (redo) {
		rc = start_redo(r, job, 0);
		if (rc != GOTRACE_OK)
			return gt_reader_finish(r, rc);
	} else {
		job->held = first;
	}
	return deliver_sync(r, job, g, gt_ticks_to_ns(g->ns_per_tick, g->min_ts),
	                    out);
}

/* gt_par_next's general case. */
static int par_next_loop(gotrace_reader *r, gotrace_event *out)
{
	gt_par *p = r->par;

	for (;;) {
		par_job *job;
		gt_event *item;
		int rc;

		if (p->redo) {
			job = job_of(p, p->head);
			rc = gt_producer_next(&r->prod, &r->order, &item);
			if (rc == GT_PRODUCER_PARKED)
				rc = GOTRACE_OK; /* counted below, as always */
			if (rc == GOTRACE_OK) {
				if (p->skip > 0) {
					p->skip--;
					r->parked_sent = r->prod.parked_gens;
					continue;
				}
				fix_time(r, item);
				item->parked = (uint8_t)(r->prod.parked_gens -
				                         r->parked_sent);
				r->parked_sent = r->prod.parked_gens;
				return gt_reader_deliver(r, item, out);
			}
			if (rc != GT_GEN_EXHAUSTED)
				return gt_reader_finish(r, rc);
			p->redo = 0;
			retire(p, job);
			continue;
		}
		job = head_job(p);
		if (!job->begun)
			return begin_job(r, job, out);
		if (job->kind == KIND_EOF)
			return gt_reader_finish(r, GOTRACE_EOF);
		if (job->kind == KIND_ERROR) {
			r->perr = job->err;
			if (r->perr.go_eof) {
				/* Go's parser stops here as if the trace
				 * ended. */
				r->incomplete = 1;
				return gt_reader_finish(r, GOTRACE_EOF);
			}
			return gt_reader_finish(r, job->err.code);
		}
		item = next_item(p, job);
		if (item == NULL && !job->speculative) {
			gt_error_set(&r->perr, GOTRACE_ERR_NOMEM, job->sync_offset,
			             NULL, "out of memory");
			return gt_reader_finish(r, GOTRACE_ERR_NOMEM);
		}
		if (item == NULL) {
			rc = start_redo(r, job, job->delivered);
			if (rc != GOTRACE_OK)
				return gt_reader_finish(r, rc);
			continue;
		}
		switch (item->type) {
		case GT_EV_ASSUME:
			p->stats.assumptions++;
			p->stats.by_kind[item->args[0] & 15]++;
			rc = gt_spec_check(&r->order, &job->scratch, item);
			if (rc >= 0)
				rc = held(r, rc);
			if (rc > 0)
				continue;
			if (rc < 0) {
				gt_error_set(&r->perr, GOTRACE_ERR_NOMEM,
				             job->sync_offset, NULL, "out of memory");
				return gt_reader_finish(r, GOTRACE_ERR_NOMEM);
			}
			p->stats.failed_checks++;
			rc = start_redo(r, job, job->delivered);
			if (rc != GOTRACE_OK)
				return gt_reader_finish(r, rc);
			continue;
		case PAR_EV_GIVEUP:
			p->stats.gave_up[item->args[0] & 15]++;
			rc = start_redo(r, job, job->delivered);
			if (rc != GOTRACE_OK)
				return gt_reader_finish(r, rc);
			continue;
		case PAR_EV_ERROR:
			r->perr = job->err;
			return gt_reader_finish(r, (int)(int64_t)item->args[0]);
		case PAR_EV_DONE:
			if (job->speculative &&
			    gt_spec_merge(&r->order, &job->spec_order,
			                  &job->scratch) != 0) {
				gt_error_set(&r->perr, GOTRACE_ERR_NOMEM,
				             job->sync_offset, NULL, "out of memory");
				return gt_reader_finish(r, GOTRACE_ERR_NOMEM);
			}
			retire(p, job);
			continue;
		default:
			break;
		}
		if (item->spec != 0) {
			p->stats.patched++;
			rc = gt_spec_patch(&r->order, &job->scratch, item);
			if (rc >= 0)
				rc = held(r, rc);
			if (rc == 0) {
				p->stats.failed_checks++;
				rc = start_redo(r, job, job->delivered);
				if (rc != GOTRACE_OK)
					return gt_reader_finish(r, rc);
				continue;
			}
			if (rc < 0) {
				gt_error_set(&r->perr, GOTRACE_ERR_NOMEM,
				             job->sync_offset, NULL, "out of memory");
				return gt_reader_finish(r, GOTRACE_ERR_NOMEM);
			}
		}
		fix_time(r, item);
		job->delivered++;
		return gt_reader_deliver(r, item, out);
	}
}

/* The items of the head job in sight, in its current chunk, that
 * gt_par_next may take itself: none while a generation is begun, held
 * back, or ordered again here. */
static void set_budget(gt_par *p)
{
	par_job *job = p->head_job;

	p->budget = 0;
	if (p->redo || !job->begun || job->held != NULL ||
	    job->rchunk == NULL || job->rpos >= PAR_CHUNK)
		return;
	p->rd = &job->rchunk->items[job->rpos];
	p->budget = job->seen - job->read;
	if (p->budget > PAR_CHUNK - job->rpos)
		p->budget = PAR_CHUNK - job->rpos;
}

/* gt_par_next but for its common case (kept out of line, so that the
 * common case does not pay for this one's frame). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int par_next_slow(gotrace_reader *r, gotrace_event *out)
{
	int rc = par_next_loop(r, out);

	if (r->par != NULL)
		set_budget(r->par);
	return rc;
}

int gt_par_next(gotrace_reader *r, gotrace_event *out)
{
	gt_par *p = r->par;

	/* The common case: the next item is a plain event, in sight. (A
	 * new goroutine's mark, the commonest, is checked here when it is
	 * larger than any the true engine had.) */
	if (p->budget > 0) {
		gt_event *item = p->rd;

#if defined(__GNUC__)
		/* Items come from memory (streaming stores, and a worker
		 * may be far ahead): ask for a few ahead. */
		__builtin_prefetch(item + 6);
#endif
		if (item->type < PAR_EV_DONE &&
		    (item->spec == 0 ||
		     (item->spec == GT_SPEC_NEWG &&
		      (item->type == GOTRACE_WIRE_GO_CREATE ||
		       item->type == GOTRACE_WIRE_GO_CREATE_BLOCKED ||
		       item->type == GOTRACE_WIRE_GO_CREATE_SYSCALL) &&
		      gt_spec_new_g_absent(&r->order, item->args[0]) &&
		      r->par_refute_every == 0))) {
			par_job *head = p->head_job;

			item->spec = 0;
			p->rd++;
			p->budget--;
			head->rpos++;
			head->read++;
			head->delivered++;
			fix_time(r, item);
			return gt_reader_deliver(r, item, out);
		}
	}
	return par_next_slow(r, out);
}

void gt_par_get_stats(const gotrace_reader *r, gt_par_stats *out)
{
	if (r != NULL && r->par != NULL)
		*out = r->par->stats;
	else
		memset(out, 0, sizeof *out);
}
