/*
 * The hand-off between the reader's ordering thread and the caller's
 * (pipe.h): every item arrives once and in order, across many laps of the
 * queue and with either side stalled long enough for the other to sleep;
 * a generation's buffer is only refilled after the consumer has moved
 * past it; stopping frees a producer that waits for room.
 *
 * The producer thread cannot use cmocka's asserts (they jump), so it
 * counts what went wrong and the test asserts on the counts after joining.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "reader/pipe.h"

/* More than the queue holds several times over. */
#define ITEMS 600000u
_Static_assert(ITEMS > 4 * GT_PIPE_ITEMS, "ITEMS must lap the queue");
/* Items per generation in the release test. */
#define PER_GEN 50000u

typedef struct producer {
	gt_pipe *pipe;
	uint64_t items;
	uint64_t stall_every;      /* sleep after this many items (0: never) */
	int generations;           /* follow the release protocol */
	atomic_uint_least64_t consumer_gen; /* generation the consumer is on */
	uint64_t early;            /* refills before the consumer moved on */
	int stopped;               /* a slot request returned NULL */
} producer;

static void pause_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000L};

	nanosleep(&ts, NULL);
}

static void *produce(void *arg)
{
	producer *pr = arg;
	uint64_t i;

	for (i = 0; i < pr->items; i++) {
		gt_event *slot;
		uint64_t gen = i / PER_GEN + 1;

		if (pr->generations && i % PER_GEN == 0 && gen > 2) {
			/* About to refill the buffer generation gen - 2 used. */
			if (gt_pipe_wait_released(pr->pipe, gen - 1) != 0) {
				pr->stopped = 1;
				return NULL;
			}
			if (atomic_load(&pr->consumer_gen) < gen - 1)
				pr->early++;
		}
		if (pr->stall_every && i > 0 && i % pr->stall_every == 0) {
			gt_pipe_publish(pr->pipe);
			pause_ms(30); /* long enough for the consumer to sleep */
		}
		if ((slot = gt_pipe_slot(pr->pipe)) == NULL) {
			pr->stopped = 1;
			return NULL;
		}
		memset(slot, 0, sizeof *slot);
		slot->type = 1;
		slot->time = (int64_t)i;
		slot->args[0] = i * 3;
		slot->args[1] = gen;
		gt_pipe_commit(pr->pipe);
	}
	{
		gt_event *end = gt_pipe_slot(pr->pipe);

		if (end == NULL) {
			pr->stopped = 1;
			return NULL;
		}
		memset(end, 0, sizeof *end);
		end->type = GT_EV_END;
		gt_pipe_commit(pr->pipe);
		gt_pipe_publish(pr->pipe);
	}
	return NULL;
}

/*
 * Starts a producer of pr->items items and reads them all, checking each;
 * the consumer stalls every consumer_stall items (0: never). Returns the
 * number of items read in order.
 */
static uint64_t run(producer *pr, uint64_t consumer_stall)
{
	uint64_t n = 0;

	assert_int_equal(gt_pipe_start(&pr->pipe, produce, pr), 0);
	for (;;) {
		const gt_event *ev = gt_pipe_next(pr->pipe);

		if (ev->type == GT_EV_END)
			break;
		if (ev->type != 1 || ev->time != (int64_t)n || ev->args[0] != n * 3)
			break;
		if (pr->generations && ev->args[1] != atomic_load(&pr->consumer_gen)) {
			/* Moving on to a generation: the one before is done. */
			atomic_store(&pr->consumer_gen, ev->args[1]);
			gt_pipe_release(pr->pipe, ev->args[1]);
		}
		n++;
		if (consumer_stall && n % consumer_stall == 0)
			pause_ms(30); /* long enough for the producer to sleep */
	}
	gt_pipe_stop(pr->pipe);
	return n;
}

/* ITEMS items, the producer stalling every producer_stall items and the
 * consumer every consumer_stall (0: never), all arrive in order. */
static void check_all_arrive(uint64_t producer_stall, uint64_t consumer_stall)
{
	producer pr;

	memset(&pr, 0, sizeof pr);
	pr.items = ITEMS;
	pr.stall_every = producer_stall;
	assert_int_equal(run(&pr, consumer_stall), ITEMS);
	assert_false(pr.stopped);
}

static void test_every_item_in_order(void **state)
{
	(void)state;
	check_all_arrive(0, 0);
}

/* The consumer stalls: the producer fills the queue and sleeps. */
static void test_producer_waits_for_room(void **state)
{
	(void)state;
	check_all_arrive(0, 200000);
}

/* The producer stalls: the consumer empties the queue and sleeps. */
static void test_consumer_waits_for_items(void **state)
{
	(void)state;
	check_all_arrive(150000, 0);
}

/* A generation's buffer is refilled only once the consumer has moved past
 * the generation that used it. */
static void test_release_protocol(void **state)
{
	producer pr;

	(void)state;
	memset(&pr, 0, sizeof pr);
	pr.items = 8 * PER_GEN;
	pr.generations = 1;
	atomic_init(&pr.consumer_gen, 0);
	assert_int_equal(run(&pr, 70000), 8 * PER_GEN);
	assert_int_equal(pr.early, 0);
	assert_false(pr.stopped);
}

/* Stopping while the producer waits for room ends it. */
static void test_stop_frees_a_waiting_producer(void **state)
{
	producer pr;
	const gt_event *ev;

	(void)state;
	memset(&pr, 0, sizeof pr);
	pr.items = ITEMS;
	assert_int_equal(gt_pipe_start(&pr.pipe, produce, &pr), 0);
	ev = gt_pipe_next(pr.pipe);
	assert_int_equal(ev->time, 0);
	pause_ms(100); /* the queue fills; the producer waits */
	gt_pipe_stop(pr.pipe);
	assert_true(pr.stopped);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_item_in_order),
		cmocka_unit_test(test_producer_waits_for_room),
		cmocka_unit_test(test_consumer_waits_for_items),
		cmocka_unit_test(test_release_protocol),
		cmocka_unit_test(test_stop_frees_a_waiting_producer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
