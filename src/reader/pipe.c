/*
 * The ordering thread's hand-off to the caller's thread (see pipe.h).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "reader/pipe.h"

/*
 * Polls of the other side's counter before going to sleep: SPINS with a
 * pause between them (~0.1 ms), then YIELDS with sched_yield() between.
 * Spinning alone (200 000 pauses, ~10 ms, until the twelfth session) made
 * a two-thread read 3-7x slower than usual whenever a third busy thread
 * shared the two cores: the waiting side kept its core from the side it
 * waited for. Yielding hands the core over; on an idle machine the read
 * is as fast as before (bench: large trace, alternating runs).
 */
#ifndef SPINS
#define SPINS 2000
#endif
#ifndef YIELDS
#define YIELDS 2000
#endif

/* Budgets end at the ring's end because it is a point of return. */
_Static_assert(GT_PIPE_ITEMS % GT_PIPE_RETURN_EVERY == 0,
               "the ring holds whole runs of returned slots");

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("pause");
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static void pause_or_yield(int i)
{
	if (i < SPINS)
		cpu_relax();
	else
		sched_yield();
}

int gt_pipe_start(gt_pipe **out, void *(*run)(void *), void *arg)
{
	gt_pipe *p = calloc(1, sizeof *p);

	*out = NULL;
	if (p == NULL)
		return -1;
	p->ring = calloc(GT_PIPE_ITEMS, sizeof *p->ring);
	if (p->ring == NULL) {
		free(p);
		return -1;
	}
	atomic_init(&p->head, 0);
	atomic_init(&p->tail, 0);
	atomic_init(&p->released, 0);
	atomic_init(&p->consumer_sleeps, 0);
	atomic_init(&p->producer_sleeps, 0);
	atomic_init(&p->stopping, 0);
	if (pthread_mutex_init(&p->mu, NULL) != 0)
		goto fail_mu;
	if (pthread_cond_init(&p->consumer_cv, NULL) != 0)
		goto fail_ccv;
	if (pthread_cond_init(&p->producer_cv, NULL) != 0)
		goto fail_pcv;
	/* Everything written before pthread_create is visible to the
	 * thread: it may read *out at once. */
	*out = p;
	if (pthread_create(&p->thread, NULL, run, arg) != 0)
		goto fail_thread;
	return 0;
fail_thread:
	*out = NULL;
	pthread_cond_destroy(&p->producer_cv);
fail_pcv:
	pthread_cond_destroy(&p->consumer_cv);
fail_ccv:
	pthread_mutex_destroy(&p->mu);
fail_mu:
	free(p->ring);
	free(p);
	return -1;
}

void gt_pipe_stop(gt_pipe *p)
{
	if (p == NULL)
		return;
	atomic_store(&p->stopping, 1);
	pthread_mutex_lock(&p->mu);
	pthread_cond_broadcast(&p->producer_cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->producer_cv);
	pthread_cond_destroy(&p->consumer_cv);
	pthread_mutex_destroy(&p->mu);
	free(p->ring);
	free(p);
}

/* Wakes the other side if it said it sleeps. The flag is read after the
 * caller's counter store (both sequentially consistent), and the sleeper
 * sets it before re-reading that counter, so one of the two sees the
 * other: no wake-up is lost. */
static void wake(gt_pipe *p, atomic_int *sleeps, pthread_cond_t *cv)
{
	if (atomic_load(sleeps)) {
		pthread_mutex_lock(&p->mu);
		pthread_cond_signal(cv);
		pthread_mutex_unlock(&p->mu);
	}
}

/* ---- producer ------------------------------------------------------------- */

void gt_pipe_publish(gt_pipe *p)
{
	if (p->head_published == p->head_local)
		return;
	p->head_published = p->head_local;
#ifdef GT_PIPE_STREAMING
	/* Streaming stores are not ordered by the release below. */
	_mm_sfence();
#endif
	atomic_store(&p->head, p->head_local);
	wake(p, &p->consumer_sleeps, &p->consumer_cv);
}

/* Sleeps until ready(p, arg) holds or the pipe is stopping; returns 0 or
 * -1 if stopping. */
static int producer_wait(gt_pipe *p, int (*ready)(gt_pipe *, uint64_t),
                         uint64_t arg)
{
	int i;

	gt_pipe_publish(p);
	for (i = 0; i < SPINS + YIELDS; i++) {
		if (ready(p, arg))
			return 0;
		if (atomic_load_explicit(&p->stopping, memory_order_relaxed))
			return -1;
		pause_or_yield(i);
	}
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->producer_sleeps, 1);
	while (!ready(p, arg) && !atomic_load(&p->stopping))
		pthread_cond_wait(&p->producer_cv, &p->mu);
	atomic_store(&p->producer_sleeps, 0);
	pthread_mutex_unlock(&p->mu);
	return atomic_load(&p->stopping) ? -1 : 0;
}

static int has_room(gt_pipe *p, uint64_t unused)
{
	(void)unused;
	p->tail_seen = atomic_load(&p->tail);
	return p->head_local - p->tail_seen < GT_PIPE_ITEMS;
}

void gt_pipe_publish_if_due(gt_pipe *p)
{
	if (p->head_local - p->head_published >= GT_PIPE_PUBLISH_EVERY)
		gt_pipe_publish(p);
}

gt_event *gt_pipe_slot_wait(gt_pipe *p)
{
	size_t at, n, room, unpublished;

	if (!has_room(p, 0) && producer_wait(p, has_room, 0) != 0)
		return NULL;
	gt_pipe_publish_if_due(p);
	/* The slots up to the first of: the ring's end, the consumer's tail,
	 * the next publication. */
	at = p->head_local % GT_PIPE_ITEMS;
	n = GT_PIPE_ITEMS - at;
	room = GT_PIPE_ITEMS - (p->head_local - p->tail_seen);
	if (room < n)
		n = room;
	unpublished = p->head_local - p->head_published;
	if (GT_PIPE_PUBLISH_EVERY - unpublished < n)
		n = GT_PIPE_PUBLISH_EVERY - unpublished;
	p->budget = n;
	p->wr = &p->ring[at];
	return p->wr;
}

static int released_enough(gt_pipe *p, uint64_t serial)
{
	return atomic_load(&p->released) >= serial;
}

int gt_pipe_wait_released(gt_pipe *p, uint64_t serial)
{
	if (released_enough(p, serial))
		return 0;
	return producer_wait(p, released_enough, serial);
}

/* ---- consumer ------------------------------------------------------------- */

static void consumer_wait(gt_pipe *p)
{
	int i;

	for (i = 0; i < SPINS + YIELDS; i++) {
		p->head_seen = atomic_load(&p->head);
		if (p->head_seen != p->tail_local)
			return;
		pause_or_yield(i);
	}
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->consumer_sleeps, 1);
	while ((p->head_seen = atomic_load(&p->head)) == p->tail_local)
		pthread_cond_wait(&p->consumer_cv, &p->mu);
	atomic_store(&p->consumer_sleeps, 0);
	pthread_mutex_unlock(&p->mu);
}

const gt_event *gt_pipe_next_wait(gt_pipe *p)
{
	const gt_event *item;
	size_t seen, to_return;

	/* The previous item is done with; its slot goes back to the
	 * producer with the next few. */
	if (p->holding && (p->tail_local % GT_PIPE_RETURN_EVERY == 0 ||
	                   p->head_seen == p->tail_local)) {
		atomic_store(&p->tail, p->tail_local);
		wake(p, &p->producer_sleeps, &p->producer_cv);
	}
	if (p->head_seen == p->tail_local)
		consumer_wait(p);
	p->holding = 1;
	item = &p->ring[p->tail_local++ % GT_PIPE_ITEMS];
	/* The items after it up to the first of: the producer's head as
	 * seen, the next return of slots (the ring's end is one). */
	seen = p->head_seen - p->tail_local;
	to_return = GT_PIPE_RETURN_EVERY - p->tail_local % GT_PIPE_RETURN_EVERY;
	to_return %= GT_PIPE_RETURN_EVERY;
	p->rbudget = seen < to_return ? seen : to_return;
	p->rd = &p->ring[p->tail_local % GT_PIPE_ITEMS];
	return item;
}

void gt_pipe_release_to(gt_pipe *p, uint64_t serial)
{
	p->released_local = serial;
	atomic_store(&p->released, serial);
	wake(p, &p->producer_sleeps, &p->producer_cv);
}
