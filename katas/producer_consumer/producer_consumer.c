/*
 * producer_consumer: a bounded queue that producers and consumers share.
 *
 * Producer threads put items in, consumer threads take them out, and the queue in between
 * holds at most `capacity` of them. When it is full, a producer has to wait for a free slot;
 * when it is empty, a consumer has to wait for an item; when the producers are done, they
 * close the queue, and the consumers take what is left and stop.
 *
 * This file works: a mutex guards the ring buffer, and nothing is lost. But look at how it
 * waits. A thread that cannot go on lets go of the mutex, yields, takes it back and looks
 * again, thousands of times a second: it spins, and burns a whole core doing nothing while
 * it waits. Your job: make the waiting threads sleep until there is something to see, with
 * two condition variables (one for "not empty", one for "not full"), and wake them when the
 * state they wait for changes. Read katas/producer_consumer/README.md first.
 */
#include "producer_consumer.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

struct queue {
    pthread_mutex_t lock; /* guards every field below */
    /* TODO: two condition variables: a get waits for "not empty", a put for "not full". */
    long *items; /* a ring of `capacity` slots: the items are items[head], items[head + 1],
                  * ..., `count` of them, wrapping around at the end */
    size_t capacity, head, count;
    int closed;
};

struct queue *queue_create(size_t capacity)
{
    if (capacity == 0)
        return NULL;
    struct queue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->items = malloc(capacity * sizeof *q->items);
    if (!q->items || pthread_mutex_init(&q->lock, NULL)) {
        free(q->items);
        free(q);
        return NULL;
    }
    /* TODO: initialise the condition variables (pthread_cond_init). */
    q->capacity = capacity;
    return q;
}

int queue_put(struct queue *q, long item)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == q->capacity && !q->closed) {
        /* TODO: this spins. Sleep on "not full" instead, until a get makes room. */
        pthread_mutex_unlock(&q->lock);
        sched_yield();
        pthread_mutex_lock(&q->lock);
    }
    if (q->closed) {
        pthread_mutex_unlock(&q->lock);
        return -1;
    }
    q->items[(q->head + q->count) % q->capacity] = item;
    q->count++;
    /* TODO: the queue is not empty any more: wake a consumer that waits for an item. */
    pthread_mutex_unlock(&q->lock);
    return 0;
}

int queue_get(struct queue *q, long *item)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == 0 && !q->closed) {
        /* TODO: this spins. Sleep on "not empty" instead, until a put adds an item. */
        pthread_mutex_unlock(&q->lock);
        sched_yield();
        pthread_mutex_lock(&q->lock);
    }
    if (q->count == 0) { /* closed, and nothing left */
        pthread_mutex_unlock(&q->lock);
        return 1;
    }
    *item = q->items[q->head];
    q->head = (q->head + 1) % q->capacity;
    q->count--;
    /* TODO: the queue is not full any more: wake a producer that waits for a slot. */
    pthread_mutex_unlock(&q->lock);
    return 0;
}

void queue_close(struct queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    /* TODO: every thread asleep in put or get must wake up and see the queue is closed. */
    pthread_mutex_unlock(&q->lock);
}

void queue_destroy(struct queue *q)
{
    if (!q)
        return;
    /* TODO: destroy the condition variables too. */
    pthread_mutex_destroy(&q->lock);
    free(q->items);
    free(q);
}
