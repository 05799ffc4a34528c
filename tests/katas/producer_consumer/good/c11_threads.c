/* good: C11 <threads.h>: a ring buffer under an mtx_t, with two cnd_t (room, items).
 * expect: status=pass
 */
#include "producer_consumer.h"

#include <stdlib.h>
#include <threads.h>

/* The pthread design spelled in C11: the same lock and the same two conditions, each waited
 * on in a loop (a wakeup is a hint, not a promise), and a close that wakes everyone. */
struct queue {
    mtx_t lock;
    cnd_t room;  /* signalled when an item leaves */
    cnd_t items; /* signalled when an item arrives */
    long *ring;
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
    q->ring = malloc(capacity * sizeof *q->ring);
    if (!q->ring)
        goto no_ring;
    if (mtx_init(&q->lock, mtx_plain) != thrd_success)
        goto no_lock;
    if (cnd_init(&q->room) != thrd_success)
        goto no_room;
    if (cnd_init(&q->items) != thrd_success)
        goto no_items;
    q->capacity = capacity;
    return q;
no_items:
    cnd_destroy(&q->room);
no_room:
    mtx_destroy(&q->lock);
no_lock:
    free(q->ring);
no_ring:
    free(q);
    return NULL;
}

int queue_put(struct queue *q, long item)
{
    mtx_lock(&q->lock);
    while (q->count == q->capacity && !q->closed)
        cnd_wait(&q->room, &q->lock);
    if (q->closed) {
        mtx_unlock(&q->lock);
        return -1;
    }
    q->ring[(q->head + q->count) % q->capacity] = item;
    q->count++;
    cnd_signal(&q->items);
    mtx_unlock(&q->lock);
    return 0;
}

int queue_get(struct queue *q, long *item)
{
    mtx_lock(&q->lock);
    while (q->count == 0 && !q->closed)
        cnd_wait(&q->items, &q->lock);
    if (q->count == 0) {
        mtx_unlock(&q->lock);
        return 1;
    }
    *item = q->ring[q->head];
    q->head = (q->head + 1) % q->capacity;
    q->count--;
    cnd_signal(&q->room);
    mtx_unlock(&q->lock);
    return 0;
}

void queue_close(struct queue *q)
{
    mtx_lock(&q->lock);
    q->closed = 1;
    cnd_broadcast(&q->room);
    cnd_broadcast(&q->items);
    mtx_unlock(&q->lock);
}

void queue_destroy(struct queue *q)
{
    if (!q)
        return;
    cnd_destroy(&q->items);
    cnd_destroy(&q->room);
    mtx_destroy(&q->lock);
    free(q->ring);
    free(q);
}
