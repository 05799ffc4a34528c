/* test_producer_consumer.c: the functional tests of kata 04, producer_consumer. */
#define _POSIX_C_SOURCE 200809L /* nanosleep, clock_gettime */
#include "producer_consumer.h"

#include "kata_test.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#define WAKE_SECONDS 2.0 /* how long a woken thread may take to return: generous */
#define MAX_WAITERS 8

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts))
        ;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits until *counter reaches `want` or `seconds` pass; returns the last value seen. */
static int wait_for(atomic_int *counter, int want, double seconds)
{
    double end = now() + seconds;
    int got;
    while ((got = atomic_load(counter)) < want && now() < end)
        sleep_ms(1);
    return got;
}

static struct queue *new_queue(size_t capacity)
{
    struct queue *q = queue_create(capacity);
    cr_assert_not_null(q, "queue_create(%zu) returned NULL", capacity);
    return q;
}

/* One thread that makes one call, put or get, and says when it has returned. */
struct call {
    struct queue *q;
    long item;
    int rc;
    atomic_int *returned; /* incremented once the call has returned */
};

static void *one_put(void *arg)
{
    struct call *c = arg;
    c->rc = queue_put(c->q, c->item);
    atomic_fetch_add(c->returned, 1);
    return NULL;
}

static void *one_get(void *arg)
{
    struct call *c = arg;
    c->rc = queue_get(c->q, &c->item);
    atomic_fetch_add(c->returned, 1);
    return NULL;
}

static void start(pthread_t *t, void *(*fn)(void *), void *arg)
{
    cr_assert_eq(pthread_create(t, NULL, fn, arg), 0, "the test could not start a thread");
}

Test(producer_consumer, put_blocks_while_the_queue_is_full)
{
    size_t cap = (size_t)kata_rand_range(1, 8);
    struct queue *q = new_queue(cap);
    for (size_t i = 0; i < cap; i++)
        cr_assert_eq(queue_put(q, (long)i), 0, "put %zu of %zu into an empty queue failed", i + 1,
                     cap);
    atomic_int returned = 0;
    struct call c = {q, 1000, -5, &returned};
    pthread_t t;
    start(&t, one_put, &c);
    sleep_ms(100);
    cr_assert_eq(atomic_load(&returned), 0,
                 "a put on a full queue (capacity %zu) returned %d at once: it should block "
                 "until a get makes room",
                 cap, c.rc);
    long got = -1;
    cr_assert_eq(queue_get(q, &got), 0);
    cr_assert_eq(got, 0, "the first get should return the first item put, 0, got %ld", got);
    cr_assert_eq(wait_for(&returned, 1, WAKE_SECONDS), 1,
                 "a get made room, yet the put waiting on the full queue was still blocked %.0f s "
                 "later: a get must wake a waiting put",
                 WAKE_SECONDS);
    pthread_join(t, NULL);
    cr_assert_eq(c.rc, 0, "the put that waited for room should return 0, got %d", c.rc);
    for (size_t i = 1; i <= cap; i++) {
        long want = i < cap ? (long)i : 1000;
        cr_assert_eq(queue_get(q, &got), 0);
        cr_assert_eq(got, want, "get %zu should return %ld, got %ld", i + 1, want, got);
    }
    queue_destroy(q);
}

Test(producer_consumer, get_blocks_while_the_queue_is_empty)
{
    struct queue *q = new_queue((size_t)kata_rand_range(1, 8));
    atomic_int returned = 0;
    struct call c = {q, -1, -5, &returned};
    pthread_t t;
    start(&t, one_get, &c);
    sleep_ms(100);
    cr_assert_eq(atomic_load(&returned), 0,
                 "a get on an empty queue returned %d at once: it should block until a put "
                 "adds an item",
                 c.rc);
    long item = kata_rand_range(1, 1000000);
    cr_assert_eq(queue_put(q, item), 0);
    cr_assert_eq(wait_for(&returned, 1, WAKE_SECONDS), 1,
                 "a put added an item, yet the get waiting on the empty queue was still blocked "
                 "%.0f s later: a put must wake a waiting get",
                 WAKE_SECONDS);
    pthread_join(t, NULL);
    cr_assert_eq(c.rc, 0, "the get that waited for an item should return 0, got %d", c.rc);
    cr_assert_eq(c.item, item, "the get that waited should return the item put, %ld, got %ld", item,
                 c.item);
    queue_destroy(q);
}

/* Many producers and consumers. An item is (producer << 32) | sequence number. */
struct producer {
    struct queue *q;
    long id, n;
    long failed; /* puts that did not return 0 */
};

struct consumer {
    struct queue *q;
    long *got; /* what this consumer took, in the order it took it */
    long n, nproducers;
    long out_of_order; /* items older than one already seen from the same producer */
    long bad_item;     /* the first out-of-order or unknown item, for the message */
    int last_rc;
};

static void *produce(void *arg)
{
    struct producer *p = arg;
    for (long i = 0; i < p->n; i++)
        if (queue_put(p->q, p->id << 32 | i) != 0)
            p->failed++;
    return NULL;
}

static void *consume(void *arg)
{
    struct consumer *c = arg;
    long last[MAX_WAITERS];
    for (int p = 0; p < MAX_WAITERS; p++)
        last[p] = -1;
    long item;
    while ((c->last_rc = queue_get(c->q, &item)) == 0) {
        long p = item >> 32, seq = item & 0xffffffffL;
        if (p < 0 || p >= c->nproducers || seq <= last[p]) {
            if (!c->out_of_order++)
                c->bad_item = item;
        } else {
            last[p] = seq;
        }
        c->got[c->n++] = item;
    }
    return NULL;
}

/* Runs nprod producers of n items each and ncons consumers through a queue of capacity cap,
 * checks that every item came out exactly once and in its producer's order, and frees it. */
static void run_producers_and_consumers(int nprod, int ncons, long n, size_t cap)
{
    struct queue *q = new_queue(cap);
    struct producer prod[MAX_WAITERS];
    struct consumer cons[MAX_WAITERS];
    pthread_t pt[MAX_WAITERS], ct[MAX_WAITERS];
    long total = nprod * n;
    for (int i = 0; i < ncons; i++) {
        cons[i] = (struct consumer){q, malloc((size_t)total * sizeof(long)), 0, nprod, 0, 0, 0};
        cr_assert_not_null(cons[i].got);
        start(&ct[i], consume, &cons[i]);
    }
    for (int i = 0; i < nprod; i++) {
        prod[i] = (struct producer){q, i, n, 0};
        start(&pt[i], produce, &prod[i]);
    }
    for (int i = 0; i < nprod; i++)
        pthread_join(pt[i], NULL);
    queue_close(q);
    for (int i = 0; i < ncons; i++)
        pthread_join(ct[i], NULL);

    char *seen = calloc((size_t)total, 1);
    cr_assert_not_null(seen);
    for (int i = 0; i < nprod; i++)
        cr_assert_eq(prod[i].failed, 0, "producer %d: %ld of its %ld puts did not return 0", i,
                     prod[i].failed, n);
    long delivered = 0;
    for (int i = 0; i < ncons; i++) {
        cr_assert_eq(cons[i].last_rc, 1,
                     "after the close, a consumer's get returned %d: a closed, drained queue "
                     "should return 1",
                     cons[i].last_rc);
        cr_assert_eq(cons[i].out_of_order, 0,
                     "%d producers, %d consumers, capacity %zu: a consumer got item %ld of "
                     "producer %ld after a later one of the same producer (or an item nobody "
                     "put): %ld items out of order",
                     nprod, ncons, cap, cons[i].bad_item & 0xffffffffL, cons[i].bad_item >> 32,
                     cons[i].out_of_order);
        for (long k = 0; k < cons[i].n; k++) {
            long p = cons[i].got[k] >> 32, seq = cons[i].got[k] & 0xffffffffL;
            cr_assert(seen[p * n + seq] == 0,
                      "%d producers, %d consumers, capacity %zu: item %ld of producer %ld came "
                      "out twice",
                      nprod, ncons, cap, seq, p);
            seen[p * n + seq] = 1;
        }
        delivered += cons[i].n;
        free(cons[i].got);
    }
    cr_assert_eq(delivered, total,
                 "%d producers put %ld items each, capacity %zu: the consumers got %ld of %ld",
                 nprod, n, cap, delivered, total);
    free(seen);
    queue_destroy(q);
}

Test(producer_consumer, delivers_every_item_exactly_once_to_many_consumers)
{
    int nprod = (int)kata_rand_range(2, 4), ncons = (int)kata_rand_range(2, 4);
    run_producers_and_consumers(nprod, ncons, kata_rand_range(2000, 8000),
                                (size_t)kata_rand_range(1, 16));
}

Test(producer_consumer, keeps_each_producers_order_for_a_single_consumer)
{
    /* one consumer sees everything: each producer's items must come out 0, 1, 2, ... */
    int nprod = (int)kata_rand_range(2, 4);
    run_producers_and_consumers(nprod, 1, kata_rand_range(2000, 8000),
                                (size_t)kata_rand_range(1, 16));
}

Test(producer_consumer, passes_items_through_a_queue_of_one_slot)
{
    run_producers_and_consumers(2, 2, kata_rand_range(1000, 3000), 1);
}

Test(producer_consumer, close_wakes_every_blocked_get)
{
    int k = (int)kata_rand_range(3, 6);
    struct queue *q = new_queue((size_t)kata_rand_range(1, 8));
    atomic_int returned = 0;
    struct call c[MAX_WAITERS];
    pthread_t t[MAX_WAITERS];
    for (int i = 0; i < k; i++) {
        c[i] = (struct call){q, -1, -5, &returned};
        start(&t[i], one_get, &c[i]);
    }
    sleep_ms(100);
    cr_assert_eq(atomic_load(&returned), 0, "a get on an empty, open queue returned");
    queue_close(q);
    int woke = wait_for(&returned, k, WAKE_SECONDS);
    cr_assert_eq(woke, k,
                 "%d threads waited in get on an empty queue; %.0f s after the close only %d of "
                 "them had returned: close must wake every waiter (broadcast), not just one",
                 k, WAKE_SECONDS, woke);
    for (int i = 0; i < k; i++) {
        pthread_join(t[i], NULL);
        cr_assert_eq(c[i].rc, 1,
                     "a get woken by the close of an empty queue should return 1, "
                     "got %d",
                     c[i].rc);
    }
    queue_destroy(q);
}

Test(producer_consumer, close_wakes_every_blocked_put)
{
    int k = (int)kata_rand_range(3, 6);
    size_t cap = (size_t)kata_rand_range(1, 4);
    struct queue *q = new_queue(cap);
    for (size_t i = 0; i < cap; i++)
        cr_assert_eq(queue_put(q, (long)i), 0);
    atomic_int returned = 0;
    struct call c[MAX_WAITERS];
    pthread_t t[MAX_WAITERS];
    for (int i = 0; i < k; i++) {
        c[i] = (struct call){q, 100 + i, -5, &returned};
        start(&t[i], one_put, &c[i]);
    }
    sleep_ms(100);
    cr_assert_eq(atomic_load(&returned), 0, "a put on a full, open queue returned");
    queue_close(q);
    int woke = wait_for(&returned, k, WAKE_SECONDS);
    cr_assert_eq(woke, k,
                 "%d threads waited in put on a full queue; %.0f s after the close only %d of "
                 "them had returned: close must wake every waiter (broadcast), not just one",
                 k, WAKE_SECONDS, woke);
    for (int i = 0; i < k; i++) {
        pthread_join(t[i], NULL);
        cr_assert_eq(c[i].rc, -1, "a put woken by the close should return -1, got %d", c[i].rc);
    }
    long got;
    for (size_t i = 0; i < cap; i++) {
        cr_assert_eq(queue_get(q, &got), 0,
                     "the %zu items put before the close should still "
                     "come out",
                     cap);
        cr_assert_eq(got, (long)i, "get %zu after the close should return %zu, got %ld", i + 1, i,
                     got);
    }
    cr_assert_eq(queue_get(q, &got), 1, "a closed queue, drained, should return 1");
    queue_destroy(q);
}

Test(producer_consumer, a_closed_queue_hands_out_what_is_left_then_says_closed)
{
    size_t cap = (size_t)kata_rand_range(2, 16);
    size_t n = (size_t)kata_rand_range(1, (long)cap);
    struct queue *q = new_queue(cap);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(queue_put(q, 7 * (long)i), 0);
    queue_close(q);
    cr_assert_eq(queue_put(q, 99), -1, "a put after the close should return -1");
    queue_close(q); /* closing twice does nothing */
    long got;
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(queue_get(q, &got), 0,
                     "%zu items were put before the close: get %zu should return 0", n, i + 1);
        cr_assert_eq(got, 7 * (long)i, "get %zu should return %ld, got %ld", i + 1, 7 * (long)i,
                     got);
    }
    got = -42;
    cr_assert_eq(queue_get(q, &got), 1, "a closed, drained queue should return 1");
    cr_assert_eq(queue_get(q, &got), 1, "and 1 again, every time");
    cr_assert_eq(got, -42, "a get that returns 1 should leave *item alone");
    queue_destroy(q);
}

/*
 * The woken thread must look again. A thread sleeps in get on an empty queue. This thread
 * puts one item, which wakes the sleeper, and at once gets it back itself: it holds the CPU,
 * so it almost always takes the mutex before the woken thread does. The woken thread then
 * finds the queue empty again and must go back to sleep; with `if` instead of `while` around
 * the wait it goes ahead and returns an item that is not there.
 */
#define FILLER (-7L)
#define ROUNDS 10

struct looper {
    struct queue *q;
    pthread_mutex_t lock; /* the test's own, guarding the fields below */
    pthread_cond_t changed;
    int returns, acked, last_rc;
    long last_item;
};

static void looper_record(struct looper *l, int rc, long item)
{
    pthread_mutex_lock(&l->lock);
    l->returns++;
    l->last_rc = rc;
    l->last_item = item;
    pthread_cond_broadcast(&l->changed);
    pthread_mutex_unlock(&l->lock);
}

static void looper_wait_ack(struct looper *l)
{
    pthread_mutex_lock(&l->lock);
    while (l->acked < l->returns)
        pthread_cond_wait(&l->changed, &l->lock);
    pthread_mutex_unlock(&l->lock);
}

static int looper_returns(struct looper *l)
{
    pthread_mutex_lock(&l->lock);
    int n = l->returns;
    pthread_mutex_unlock(&l->lock);
    return n;
}

static void looper_ack(struct looper *l)
{
    pthread_mutex_lock(&l->lock);
    l->acked = l->returns;
    pthread_cond_broadcast(&l->changed);
    pthread_mutex_unlock(&l->lock);
}

/* Gets items; when it wins one, it puts FILLER back, so the main thread's get can return,
 * and waits until the main thread has seen that. */
static void *getter_loop(void *arg)
{
    struct looper *l = arg;
    for (;;) {
        long item = 0;
        int rc = queue_get(l->q, &item);
        looper_record(l, rc, item);
        if (rc != 0)
            return NULL;
        if (item != FILLER && queue_put(l->q, FILLER) != 0)
            return NULL;
        looper_wait_ack(l);
    }
}

Test(producer_consumer, a_woken_get_that_finds_the_item_gone_waits_again)
{
    struct looper l = {.q = new_queue((size_t)kata_rand_range(1, 4))};
    pthread_mutex_init(&l.lock, NULL);
    pthread_cond_init(&l.changed, NULL);
    pthread_t t;
    start(&t, getter_loop, &l);
    sleep_ms(20);
    for (int r = 0; r < ROUNDS; r++) {
        int before = looper_returns(&l);
        long item = 1000 + r, got = 0;
        cr_assert_eq(queue_put(l.q, item), 0);
        cr_assert_eq(queue_get(l.q, &got), 0);
        if (got == FILLER) {
            /* the other thread won the item, fairly, and gave back FILLER */
            cr_assert_eq(l.last_item, item,
                         "round %d: the other thread got %ld, not the item "
                         "put, %ld",
                         r, l.last_item, item);
            looper_ack(&l);
            sleep_ms(10); /* let it go back to sleep in get */
            continue;
        }
        cr_assert_eq(got, item, "round %d: put %ld into an empty queue, and get returned %ld", r,
                     item, got);
        sleep_ms(10);
        int after = looper_returns(&l);
        cr_assert_eq(after, before,
                     "round %d: a thread slept in get on an empty queue; a put woke it, but "
                     "another get took the item first. The woken get then returned %d with "
                     "item %ld from an empty queue, instead of waiting again: check the "
                     "condition in a `while` loop around pthread_cond_wait, not an `if`",
                     r, l.last_rc, l.last_item);
    }
    queue_close(l.q);
    pthread_join(t, NULL);
    cr_assert_eq(l.last_rc, 1, "after the close, the sleeping get should return 1");
    queue_destroy(l.q);
}

/* Puts items; after each put that returns it takes one item out again, so the main thread's
 * put can return, and waits until the main thread has looked. */
static void *putter_loop(void *arg)
{
    struct looper *l = arg;
    for (long k = 0;; k++) {
        int rc = queue_put(l->q, 5000 + k);
        looper_record(l, rc, 5000 + k);
        if (rc != 0)
            return NULL;
        long got = 0;
        if (queue_get(l->q, &got) != 0)
            return NULL;
        pthread_mutex_lock(&l->lock);
        l->last_item = got; /* what came out: should be the item it put */
        l->returns++;
        pthread_cond_broadcast(&l->changed);
        pthread_mutex_unlock(&l->lock);
        looper_wait_ack(l);
    }
}

Test(producer_consumer, a_woken_put_that_finds_the_slot_gone_waits_again)
{
    /* capacity 1: one item makes the queue full. The other thread sleeps in put; this one
     * gets the item (which wakes the sleeper) and at once puts one of its own into the slot. */
    struct looper l = {.q = new_queue(1)};
    pthread_mutex_init(&l.lock, NULL);
    pthread_cond_init(&l.changed, NULL);
    long in_queue = 1;
    cr_assert_eq(queue_put(l.q, in_queue), 0);
    pthread_t t;
    start(&t, putter_loop, &l);
    sleep_ms(20);
    for (int r = 0; r < ROUNDS; r++) {
        int before = looper_returns(&l);
        long got = 0, mine = 2000 + r;
        cr_assert_eq(queue_get(l.q, &got), 0);
        cr_assert_eq(got, in_queue,
                     "round %d: get should return %ld, the one item in the "
                     "queue, got %ld",
                     r, in_queue, got);
        cr_assert_eq(queue_put(l.q, mine), 0);
        int after = looper_returns(&l);
        if (after == before) {
            sleep_ms(10);
            after = looper_returns(&l);
        }
        if (after != before) {
            /* the other thread's put returned: fair if it took the slot first, in which case
             * our put waited for its get, and the queue now holds our item */
            pthread_mutex_lock(&l.lock);
            while (l.returns < before + 2)
                pthread_cond_wait(&l.changed, &l.lock);
            pthread_mutex_unlock(&l.lock);
            cr_assert_eq(queue_get(l.q, &got), 0);
            cr_assert_eq(got, mine,
                         "round %d: a thread slept in put on a full queue; a get woke it, but "
                         "another put took the free slot first. The woken put then wrote its "
                         "item into the full queue anyway, over item %ld (the next get returned "
                         "%ld): check the condition in a `while` loop around "
                         "pthread_cond_wait, not an `if`",
                         r, mine, got);
            cr_assert_eq(queue_put(l.q, mine), 0);
            looper_ack(&l);
            sleep_ms(10); /* let it go back to sleep in put */
        }
        in_queue = mine;
    }
    queue_close(l.q);
    pthread_join(t, NULL);
    cr_assert_eq(l.last_rc, -1, "after the close, the sleeping put should return -1");
    queue_destroy(l.q);
}

/* The CPU time this process uses while the calling thread sleeps, over 200 ms; when the answer
 * is in doubt (10 to 50 ms: on a busy machine a spinning thread gets only a share of a core),
 * over up to 1 s. *window gets the time it looked. Threads asleep in pthread_cond_wait use next
 * to nothing, however long one looks. */
static double cpu_while_sleeping(double *window)
{
    double cpu0 = kata_cpu_seconds(), t0 = now(), used;
    sleep_ms(200);
    used = kata_cpu_seconds() - cpu0;
    while (used >= 0.010 && used < 0.050 && now() - t0 < 1.0) {
        sleep_ms(50);
        used = kata_cpu_seconds() - cpu0;
    }
    *window = now() - t0;
    return used;
}

/* Threads blocked in put and get must sleep: process CPU time barely moves while they wait. */
static void check_sleeping(int k, int full)
{
    size_t cap = (size_t)kata_rand_range(1, 4);
    struct queue *q = new_queue(cap);
    for (size_t i = 0; full && i < cap; i++)
        cr_assert_eq(queue_put(q, (long)i), 0);
    atomic_int returned = 0;
    struct call c[MAX_WAITERS];
    pthread_t t[MAX_WAITERS];
    for (int i = 0; i < k; i++) {
        c[i] = (struct call){q, 100 + i, -5, &returned};
        start(&t[i], full ? one_put : one_get, &c[i]);
    }
    sleep_ms(50);
    double window, used = cpu_while_sleeping(&window);
    cr_assert_eq(atomic_load(&returned), 0, "a %s on a%s queue returned", full ? "put" : "get",
                 full ? " full" : "n empty");
    queue_close(q);
    int woke = wait_for(&returned, k, WAKE_SECONDS);
    cr_assert_eq(woke, k, "%d threads waited in %s; %.0f s after the close only %d had returned", k,
                 full ? "put" : "get", WAKE_SECONDS, woke);
    for (int i = 0; i < k; i++)
        pthread_join(t[i], NULL);
    queue_destroy(q);
    cr_assert(used < 0.050,
              "%d threads waited in %s on a%s queue for %.0f ms and used %.0f ms of CPU time "
              "doing it: they spin (check, unlock, check again) instead of sleeping in "
              "pthread_cond_wait",
              k, full ? "put" : "get", full ? " full" : "n empty", window * 1000, used * 1000);
}

Test(producer_consumer, a_blocked_get_sleeps_instead_of_spinning)
{
    check_sleeping(4, 0);
}

Test(producer_consumer, a_blocked_put_sleeps_instead_of_spinning)
{
    check_sleeping(4, 1);
}

Test(producer_consumer, rejects_a_capacity_of_zero)
{
    cr_assert_null(queue_create(0), "queue_create(0) should return NULL: no item would fit");
    queue_destroy(NULL); /* does nothing */
    struct queue *q = new_queue(1);
    long got;
    cr_assert_eq(queue_put(q, 3), 0);
    cr_assert_eq(queue_get(q, &got), 0);
    cr_assert_eq(got, 3, "a queue of capacity 1 should return the item put, 3, got %ld", got);
    queue_destroy(q);
}
