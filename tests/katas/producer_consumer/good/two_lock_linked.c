/* good: a two-lock linked queue, counted with fetch_add.
 * expect: status=pass
 * expect: status=pass
 */
#include "producer_consumer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

/*
 * Putters only take tail_lock and getters only take head_lock, so a put and a get run at the
 * same time. The list always starts with a dummy node: head points at it, and the first item
 * is head->next, so a put (which links after tail) and a get (which moves head along) never
 * write the same node.
 *
 * The two sides meet only in `count`. A put links its node, then raises the count with
 * atomic_fetch_add; a get reads the count before it follows head->next. The add is a release
 * and the read an acquire (both are seq_cst), so a getter that sees the count raised also sees
 * the node that was linked before. The value each fetch-op returns says whether the other side
 * may be asleep: a put that finds the queue was empty wakes a getter, a get that finds it was
 * full wakes a putter, and a woken thread that leaves work behind wakes the next one of its
 * kind. Those wake-ups take the other side's lock, so they cannot slip in between a waiter's
 * check and its sleep. No code holds both locks but queue_close, so they cannot deadlock.
 */
struct node {
    struct node *next;
    long value;
};

struct queue {
    pthread_mutex_t head_lock, tail_lock;
    pthread_cond_t not_empty; /* getters wait here, with head_lock */
    pthread_cond_t not_full;  /* putters wait here, with tail_lock */
    struct node *head;        /* the dummy node; guarded by head_lock */
    struct node *tail;        /* the last node; guarded by tail_lock */
    atomic_size_t count;      /* items linked and not yet taken */
    size_t capacity;
    int closed; /* written under both locks, so either one is enough to read it */
};

struct queue *queue_create(size_t capacity)
{
    if (capacity == 0)
        return NULL;
    struct queue *q = calloc(1, sizeof *q);
    struct node *dummy = calloc(1, sizeof *dummy);
    if (!q || !dummy)
        goto fail;
    if (pthread_mutex_init(&q->head_lock, NULL))
        goto fail;
    if (pthread_mutex_init(&q->tail_lock, NULL))
        goto fail_head_lock;
    if (pthread_cond_init(&q->not_empty, NULL))
        goto fail_tail_lock;
    if (pthread_cond_init(&q->not_full, NULL))
        goto fail_not_empty;
    q->head = q->tail = dummy;
    q->capacity = capacity;
    atomic_init(&q->count, 0);
    return q;

fail_not_empty:
    pthread_cond_destroy(&q->not_empty);
fail_tail_lock:
    pthread_mutex_destroy(&q->tail_lock);
fail_head_lock:
    pthread_mutex_destroy(&q->head_lock);
fail:
    free(dummy);
    free(q);
    return NULL;
}

int queue_put(struct queue *q, long item)
{
    struct node *n = malloc(sizeof *n);
    if (!n)
        return -1;
    n->next = NULL;
    n->value = item;
    pthread_mutex_lock(&q->tail_lock);
    while (atomic_load(&q->count) >= q->capacity && !q->closed)
        pthread_cond_wait(&q->not_full, &q->tail_lock);
    if (q->closed) {
        pthread_mutex_unlock(&q->tail_lock);
        free(n);
        return -1;
    }
    q->tail->next = n;
    q->tail = n;
    size_t before = atomic_fetch_add(&q->count, 1); /* publishes the node to the getters */
    if (before + 1 < q->capacity)
        pthread_cond_signal(&q->not_full); /* room for another waiting putter */
    pthread_mutex_unlock(&q->tail_lock);
    if (before == 0) { /* it was empty: a getter may be asleep */
        pthread_mutex_lock(&q->head_lock);
        pthread_cond_signal(&q->not_empty);
        pthread_mutex_unlock(&q->head_lock);
    }
    return 0;
}

int queue_get(struct queue *q, long *item)
{
    pthread_mutex_lock(&q->head_lock);
    while (atomic_load(&q->count) == 0 && !q->closed)
        pthread_cond_wait(&q->not_empty, &q->head_lock);
    if (atomic_load(&q->count) == 0) { /* closed, and nothing left */
        pthread_mutex_unlock(&q->head_lock);
        return 1;
    }
    struct node *old = q->head, *first = old->next;
    *item = first->value;
    q->head = first; /* the first item's node is the new dummy */
    size_t before = atomic_fetch_sub(&q->count, 1);
    if (before > 1)
        pthread_cond_signal(&q->not_empty); /* items left for another waiting getter */
    pthread_mutex_unlock(&q->head_lock);
    free(old);
    if (before == q->capacity) { /* it was full: a putter may be asleep */
        pthread_mutex_lock(&q->tail_lock);
        pthread_cond_signal(&q->not_full);
        pthread_mutex_unlock(&q->tail_lock);
    }
    return 0;
}

void queue_close(struct queue *q)
{
    pthread_mutex_lock(&q->tail_lock);
    pthread_mutex_lock(&q->head_lock);
    q->closed = 1;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->head_lock);
    pthread_mutex_unlock(&q->tail_lock);
}

void queue_destroy(struct queue *q)
{
    if (!q)
        return;
    for (struct node *n = q->head, *next; n; n = next) {
        next = n->next;
        free(n);
    }
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    pthread_mutex_destroy(&q->tail_lock);
    pthread_mutex_destroy(&q->head_lock);
    free(q);
}
