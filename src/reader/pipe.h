/*
 * Internal: the hand-off between a reader's ordering thread and its
 * caller's thread.
 *
 * With gotrace_reader_options.threads >= 2, a worker thread reads the
 * input, decodes batches and runs the ordering engine; the caller's thread
 * resolves each ordered event, runs the state machine and returns it. The
 * two meet here: a single-producer, single-consumer ring of ordered events
 * (gt_event), plus one counter going the other way, the generation the
 * consumer has moved on to, so that the producer never refills a
 * generation buffer whose tables an undelivered (or just delivered) event
 * still points into.
 *
 * The fast path is lock-free: the producer publishes its head, and the
 * consumer hands back slots, in runs of thousands of events (below), each
 * reading the other's counter only when it seems to have run out of room
 * or events.
 * A side that has run out spins briefly, then sleeps on a condition
 * variable; the other side wakes it only if it says it sleeps.
 */
#ifndef GT_PIPE_H
#define GT_PIPE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "order/order.h"

/*
 * Items are written with non-temporal (streaming) stores where the target
 * has them (x86-64: MOVNTDQ), except under the sanitizers, which do not see
 * those stores (gcc says so with __SANITIZE_*__, clang with __has_feature).
 * See gt_pipe_store.
 */
#if defined(__has_feature)
#define GT_PIPE_HAS_FEATURE(x) __has_feature(x)
#else
#define GT_PIPE_HAS_FEATURE(x) 0
#endif
#if defined(__x86_64__) && defined(__GNUC__) && \
    !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__) && \
    !GT_PIPE_HAS_FEATURE(thread_sanitizer) && \
    !GT_PIPE_HAS_FEATURE(address_sanitizer) && \
    !GT_PIPE_HAS_FEATURE(memory_sanitizer)
#define GT_PIPE_STREAMING 1
#include <emmintrin.h>
#else
/* The plain copy keeps each value in a general register, so that the
 * compiler does not merge neighbouring word copies into wider vector moves
 * (see gt_pipe_store); 64-bit targets only, where each field fits one. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__aarch64__))
#define GT_IN_REGISTER(x) __asm__("" : "+r"(x))
#else
#define GT_IN_REGISTER(x) ((void)0)
#endif
#endif

/* The type of the item that ends the stream (an error or EOF). */
#define GT_EV_END 254

typedef struct gt_pipe gt_pipe;

/* Items in the ring (80 bytes each, 2.6 MB), handed over in runs of 4096,
 * so that each side works through memory the other finished with a while
 * ago. A ring that fits in the cores' caches (a few thousand items) was
 * slower than no thread at all: every slot's line moved between the two
 * cores' caches on every lap; 16384 items was still slower, and 65536 or
 * more no faster than this while costing RSS (docs/performance.md). */
#define GT_PIPE_ITEMS 32768u
/* The producer publishes its head this often (and whenever it waits). */
#define GT_PIPE_PUBLISH_EVERY 4096u
/* The consumer returns slots this often (and whenever it waits). */
#define GT_PIPE_RETURN_EVERY 4096u

/*
 * Here rather than in pipe.c so that the per-item steps below inline into
 * the read loop; only the pipe's functions touch the fields.
 *
 * Each side's fields, and each shared counter, sit on cache lines of their
 * own (the padding keeps them apart whatever the allocation's alignment):
 * a line written by one core and read by the other moves between them.
 */
struct gt_pipe {
	gt_event *ring;                  /* GT_PIPE_ITEMS slots */
	pthread_mutex_t mu;
	pthread_cond_t consumer_cv;
	pthread_cond_t producer_cv;
	pthread_t thread;
	char pad0[64];

	/* Producer's own. */
	size_t head_local;               /* next slot to write */
	size_t tail_seen;                /* consumer's tail, as last read */
	size_t head_published;
	gt_event *wr;                    /* &ring[head_local % GT_PIPE_ITEMS] */
	size_t budget;                   /* slots writable before the next
	                                    check of room, ring end or
	                                    publication */
	char pad1[64];

	/* Consumer's own. */
	size_t tail_local;               /* next slot to read */
	size_t head_seen;
	const gt_event *rd;              /* &ring[tail_local % GT_PIPE_ITEMS] */
	size_t rbudget;                  /* items readable before the next
	                                    return of slots or look at the
	                                    producer's head */
	uint64_t released_local;
	int holding;                     /* an item is out (tail_local - 1) */
	char pad2[64];

	/* Written by the producer. */
	atomic_size_t head;
	atomic_int producer_sleeps;
	char pad3[64];

	/* Written by the consumer. */
	atomic_size_t tail;
	atomic_uint_least64_t released;
	atomic_int consumer_sleeps;
	atomic_int stopping;
	char pad4[64];
};

/*
 * Creates a pipe, stores it in *out, then starts run(arg) on a new thread
 * as its producer (which may thus find the pipe through *out). Returns 0,
 * or -1 with *out NULL if memory or threads ran out.
 */
int gt_pipe_start(gt_pipe **out, void *(*run)(void *), void *arg);

/*
 * Asks the producer to stop, wakes it if it waits on the pipe, joins it
 * and frees the pipe. A producer blocked reading its input is waited for.
 */
void gt_pipe_stop(gt_pipe *p);

/* ---- producer side -------------------------------------------------------- */

/* gt_pipe_slot's slow path: the budget is spent (the ring may be full, or
 * wrap here); a new one is counted. */
gt_event *gt_pipe_slot_wait(gt_pipe *p);

/*
 * The slot for the next item, waiting for room if the ring is full.
 * Returns NULL if the pipe is being stopped (the producer should return).
 */
static inline gt_event *gt_pipe_slot(gt_pipe *p)
{
	if (p->budget == 0)
		return gt_pipe_slot_wait(p);
	return p->wr;
}

#ifdef GT_PIPE_STREAMING
/* gt_pipe_store writes an item as five 16-byte stores, each a pair of
 * words in field order, the last word packing type, spec, parked and
 * gslot; the ring (calloc: aligned for max_align_t, 16 bytes here) keeps
 * every item 16-byte aligned. */
_Static_assert(offsetof(gt_event, time) == 0 && offsetof(gt_event, m) == 8 &&
               offsetof(gt_event, p) == 16 && offsetof(gt_event, g) == 24 &&
               offsetof(gt_event, args) == 32 &&
               offsetof(gt_event, gen) == 64 &&
               offsetof(gt_event, type) == 72 &&
               offsetof(gt_event, spec) == 73 &&
               offsetof(gt_event, parked) == 74 &&
               offsetof(gt_event, gslot) == 76 && sizeof(gt_event) == 80 &&
               _Alignof(max_align_t) % 16 == 0,
               "gt_pipe_store's layout of gt_event");
#endif

/*
 * Writes ev into the slot gt_pipe_slot gave. Each field is loaded as wide
 * as it was stored: the event was just written by narrower stores (the
 * decoder's, the engine's, byte stores), and the wide loads of a
 * whole-struct copy could not take their data from those stores in flight.
 *
 * On x86-64 the slot is written with streaming stores, which go to memory
 * without first fetching the line into this core's cache. A normal store
 * must first take the line from the consumer's core, which read it one
 * lap ago: with both threads busy that cost half the time of the read on
 * some runs and not others (docs/performance.md). gt_pipe_publish fences
 * the streaming stores before it publishes them. Any field added to
 * gt_event must be named here.
 */
static inline void gt_pipe_store(gt_event *slot, const gt_event *ev)
{
	int64_t time = ev->time, m = ev->m, p = ev->p, g = ev->g;
	uint64_t a0 = ev->args[0], a1 = ev->args[1], a2 = ev->args[2],
	         a3 = ev->args[3];
	uint8_t type = ev->type, parked = ev->parked, spec = ev->spec;
	uint32_t gslot = ev->gslot;
	const gt_generation *gen = ev->gen;

#ifdef GT_PIPE_STREAMING
	{
		__m128i *d = (__m128i *)(void *)slot;
		long long last = (long long)((uint64_t)type |
		                             (uint64_t)spec << 8 |
		                             (uint64_t)parked << 16 |
		                             (uint64_t)gslot << 32);

		_mm_stream_si128(d + 0, _mm_set_epi64x(m, time));
		_mm_stream_si128(d + 1, _mm_set_epi64x(g, p));
		_mm_stream_si128(d + 2, _mm_set_epi64x((long long)a1, (long long)a0));
		_mm_stream_si128(d + 3, _mm_set_epi64x((long long)a3, (long long)a2));
		_mm_stream_si128(d + 4, _mm_set_epi64x(last, (long long)(uintptr_t)gen));
	}
#else
	GT_IN_REGISTER(time); GT_IN_REGISTER(m); GT_IN_REGISTER(p);
	GT_IN_REGISTER(g); GT_IN_REGISTER(a0); GT_IN_REGISTER(a1);
	GT_IN_REGISTER(a2); GT_IN_REGISTER(a3);
	slot->time = time;
	slot->m = m;
	slot->p = p;
	slot->g = g;
	slot->args[0] = a0;
	slot->args[1] = a1;
	slot->args[2] = a2;
	slot->args[3] = a3;
	GT_IN_REGISTER(type); GT_IN_REGISTER(parked); GT_IN_REGISTER(spec);
	slot->gen = gen;
	slot->type = type;
	slot->parked = parked;
	slot->spec = spec;
	slot->gslot = gslot;
#endif
}

/* Makes every committed item visible to the consumer now. */
void gt_pipe_publish(gt_pipe *p);

/* Publishes if GT_PIPE_PUBLISH_EVERY items were committed since the last
 * publication (gt_pipe_commit's slow path, when its budget is spent). */
void gt_pipe_publish_if_due(gt_pipe *p);

/* Makes the slot written last part of the stream (visible by the next
 * publication). */
static inline void gt_pipe_commit(gt_pipe *p)
{
	p->head_local++;
	p->wr++;
	if (--p->budget == 0)
		gt_pipe_publish_if_due(p);
}

/*
 * Waits until the consumer has moved on to generation serial (or later).
 * Returns 0, or -1 if the pipe is being stopped.
 */
int gt_pipe_wait_released(gt_pipe *p, uint64_t serial);

/* ---- consumer side -------------------------------------------------------- */

/* gt_pipe_next's slow path: slots to hand back, or no item in sight. */
const gt_event *gt_pipe_next_wait(gt_pipe *p);

/*
 * The next item, waiting for one if none is ready. It stays valid until
 * the next call. An item of type GT_EV_END is the last one.
 */
static inline const gt_event *gt_pipe_next(gt_pipe *p)
{
	/* Slots go back to the producer in runs (the item handed out last
	 * is done with only now), when the budget is spent. */
	if (p->rbudget == 0)
		return gt_pipe_next_wait(p);
	p->rbudget--;
	p->tail_local++;
	return p->rd++;
}

/*
 * The next item if it can be had without waiting (or handing slots
 * back), else NULL; gt_pipe_skip then takes it. A batch of events reads
 * on while items are in sight (gotrace_reader_next_batch).
 */
static inline const gt_event *gt_pipe_peek(const gt_pipe *p)
{
	return p->rbudget > 0 ? p->rd : NULL;
}

static inline void gt_pipe_skip(gt_pipe *p)
{
	p->rbudget--;
	p->tail_local++;
	p->rd++;
}

/* gt_pipe_release's slow path: a new generation to report. */
void gt_pipe_release_to(gt_pipe *p, uint64_t serial);

/* Tells the producer that no event of a generation older than serial
 * will be looked at again. */
static inline void gt_pipe_release(gt_pipe *p, uint64_t serial)
{
	if (serial > p->released_local)
		gt_pipe_release_to(p, serial);
}

#endif
