/* mutant: no condition variables: a waiting thread spins on pthread_mutex_trylock
 * rejected-by: test */
#include "producer_consumer.h"

#include <pthread.h>
#include <stdlib.h>

struct queue {
    pthread_mutex_t lock;
    long *items; /* a ring of `capacity` slots */
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
    return q;
}

int queue_put(struct queue *q, long item)
{
    /* the bug: spins on trylock until there is room, instead of sleeping */
    for (;;) {
        while (pthread_mutex_trylock(&q->lock) != 0)
            ;
        if (q->count < q->capacity || q->closed)
            break;
        pthread_mutex_unlock(&q->lock);
    }
    if (q->closed) {
        pthread_mutex_unlock(&q->lock);
        return -1;
    }
    q->items[(q->head + q->count) % q->capacity] = item;
    q->count++;
    pthread_mutex_unlock(&q->lock);
    return 0;
}

int queue_get(struct queue *q, long *item)
{
    /* the bug: spins on trylock until there is an item, instead of sleeping */
    for (;;) {
        while (pthread_mutex_trylock(&q->lock) != 0)
            ;
        if (q->count > 0 || q->closed)
            break;
        pthread_mutex_unlock(&q->lock);
    }
    if (q->count == 0) { /* closed, and nothing left */
        pthread_mutex_unlock(&q->lock);
        return 1;
    }
    *item = q->items[q->head];
    q->head = (q->head + 1) % q->capacity;
    q->count--;
    pthread_mutex_unlock(&q->lock);
    return 0;
}

void queue_close(struct queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    pthread_mutex_unlock(&q->lock);
}

void queue_destroy(struct queue *q)
{
    if (!q)
        return;
    pthread_mutex_destroy(&q->lock);
    free(q->items);
    free(q);
}
