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
 * consumer hands back slots, in runs of thousands of events (pipe.c), each
 * reading the other's counter only when it seems to have run out of room
 * or events.
 * A side that has run out spins briefly, then sleeps on a condition
 * variable; the other side wakes it only if it says it sleeps.
 */
#ifndef GT_PIPE_H
#define GT_PIPE_H

#include <stddef.h>
#include <stdint.h>

#include "order.h"

/* The type of the item that ends the stream (an error or EOF). */
#define GT_EV_END 254

typedef struct gt_pipe gt_pipe;

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

/*
 * The slot for the next item, waiting for room if the ring is full.
 * Returns NULL if the pipe is being stopped (the producer should return).
 */
gt_event *gt_pipe_slot(gt_pipe *p);

/* Makes the slot written last part of the stream (visible by the next
 * publication). */
void gt_pipe_commit(gt_pipe *p);

/* Makes every committed item visible to the consumer now. */
void gt_pipe_publish(gt_pipe *p);

/*
 * Waits until the consumer has moved on to generation serial (or later).
 * Returns 0, or -1 if the pipe is being stopped.
 */
int gt_pipe_wait_released(gt_pipe *p, uint64_t serial);

/* ---- consumer side -------------------------------------------------------- */

/*
 * The next item, waiting for one if none is ready. It stays valid until
 * the next call. An item of type GT_EV_END is the last one.
 */
const gt_event *gt_pipe_next(gt_pipe *p);

/* Tells the producer that no event of a generation older than serial
 * will be looked at again. */
void gt_pipe_release(gt_pipe *p, uint64_t serial);

#endif
