/* mutant: put on a closed queue returns without unlocking, so the next call waits forever
 * rejected-by: test */
#include "producer_consumer.h"

#include <pthread.h>
#include <stdlib.h>

struct queue {
    pthread_mutex_t lock;
    pthread_cond_t not_empty; /* a get waits here for an item */
    pthread_cond_t not_full;  /* a put waits here for a free slot */
    long *items;              /* a ring of `capacity` slots */
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
    q->capacity = capacity;
    if (!q->items || pthread_mutex_init(&q->lock, NULL)) {
        free(q->items);
        free(q);
        return NULL;
    }
    if (pthread_cond_init(&q->not_empty, NULL)) {
        pthread_mutex_destroy(&q->lock);
        free(q->items);
        free(q);
        return NULL;
    }
    if (pthread_cond_init(&q->not_full, NULL)) {
        pthread_cond_destroy(&q->not_empty);
        pthread_mutex_destroy(&q->lock);
        free(q->items);
        free(q);
        return NULL;
    }
    return q;
}

int queue_put(struct queue *q, long item)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == q->capacity && !q->closed)
        pthread_cond_wait(&q->not_full, &q->lock);
    if (q->closed)
        return -1; /* the bug: this path keeps the mutex */
    q->items[(q->head + q->count) % q->capacity] = item;
    q->count++;
    pthread_cond_signal(&q->not_empty); /* one item: one getter can use it */
    pthread_mutex_unlock(&q->lock);
    return 0;
}

int queue_get(struct queue *q, long *item)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == 0 && !q->closed)
        pthread_cond_wait(&q->not_empty, &q->lock);
    if (q->count == 0) { /* closed, and nothing left */
        pthread_mutex_unlock(&q->lock);
        return 1;
    }
    *item = q->items[q->head];
    q->head = (q->head + 1) % q->capacity;
    q->count--;
    pthread_cond_signal(&q->not_full); /* one free slot: one putter can use it */
    pthread_mutex_unlock(&q->lock);
    return 0;
}

void queue_close(struct queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->lock);
}

void queue_destroy(struct queue *q)
{
    if (!q)
        return;
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    pthread_mutex_destroy(&q->lock);
    free(q->items);
    free(q);
}
