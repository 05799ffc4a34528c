/* good: two counting semaphores (free slots, queued items) around a ring buffer under a mutex
 * expect: status=pass
 * expect: status=pass
 *
 * A put waits on `slots`, a get on `items`, so each blocks in the kernel while it has to. To
 * close, the queue marks itself closed and posts each semaphore once: whoever wakes and finds
 * nothing to do (a put on a closed queue, a get on a closed and empty one) posts it again
 * before returning, so the wake-up passes from waiter to waiter until every one has left.
 */
#define _POSIX_C_SOURCE 200809L /* sem_t */
#include "producer_consumer.h"

#include <errno.h>
#include <limits.h> /* SEM_VALUE_MAX */
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>

struct queue {
    pthread_mutex_t lock; /* guards the ring and closed */
    sem_t slots, items;
    long *ring;
    size_t capacity, head, count;
    int closed;
};

/* sem_wait, again after a signal handler cut it short */
static void wait_on(sem_t *s)
{
    while (sem_wait(s) != 0 && errno == EINTR)
        ;
}

struct queue *queue_create(size_t capacity)
{
    if (capacity == 0 || capacity > (size_t)SEM_VALUE_MAX)
        return NULL;
    struct queue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->capacity = capacity;
    q->ring = malloc(capacity * sizeof *q->ring);
    if (!q->ring || pthread_mutex_init(&q->lock, NULL)) {
        free(q->ring);
        free(q);
        return NULL;
    }
    if (sem_init(&q->slots, 0, (unsigned)capacity)) {
        pthread_mutex_destroy(&q->lock);
        free(q->ring);
        free(q);
        return NULL;
    }
    if (sem_init(&q->items, 0, 0)) {
        sem_destroy(&q->slots);
        pthread_mutex_destroy(&q->lock);
        free(q->ring);
        free(q);
        return NULL;
    }
    return q;
}

int queue_put(struct queue *q, long item)
{
    wait_on(&q->slots);
    pthread_mutex_lock(&q->lock);
    if (q->closed) {
        pthread_mutex_unlock(&q->lock);
        sem_post(&q->slots); /* pass the wake-up on to the next waiting put */
        return -1;
    }
    q->ring[(q->head + q->count) % q->capacity] = item;
    q->count++;
    pthread_mutex_unlock(&q->lock);
    sem_post(&q->items);
    return 0;
}

int queue_get(struct queue *q, long *item)
{
    wait_on(&q->items);
    pthread_mutex_lock(&q->lock);
    if (q->count == 0) {
        /* only a close posts `items` without an item behind it */
        pthread_mutex_unlock(&q->lock);
        sem_post(&q->items); /* pass the wake-up on to the next waiting get */
        return 1;
    }
    *item = q->ring[q->head];
    q->head = (q->head + 1) % q->capacity;
    q->count--;
    pthread_mutex_unlock(&q->lock);
    sem_post(&q->slots);
    return 0;
}

void queue_close(struct queue *q)
{
    pthread_mutex_lock(&q->lock);
    int was_closed = q->closed;
    q->closed = 1;
    pthread_mutex_unlock(&q->lock);
    if (!was_closed) {
        sem_post(&q->slots);
        sem_post(&q->items);
    }
}

void queue_destroy(struct queue *q)
{
    if (!q)
        return;
    sem_destroy(&q->items);
    sem_destroy(&q->slots);
    pthread_mutex_destroy(&q->lock);
    free(q->ring);
    free(q);
}
