/* good: a task queue under a mutex and condition variable, and a semaphore in each future
 * expect: status=pass
 * expect: status=pass
 *
 * A worker posts the future's semaphore once its result is stored. future_get waits on it
 * and posts it again before returning, so the one post passes from waiter to waiter: every
 * thread that waits on the future, now or later, gets through. The result is written before
 * the first post, and each wait returns after some post, so every waiter reads it whole.
 */
#define _POSIX_C_SOURCE 200809L /* sem_t */
#include "thread_pool.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>

struct future {
    long (*fn)(long);
    long arg, result;
    sem_t done;
    struct future *next; /* in the pool's queue, until a worker takes it */
};

struct pool {
    pthread_mutex_t lock; /* guards the queue and stopping */
    pthread_cond_t work;  /* a task was queued, or the pool is stopping */
    struct future *head, *tail;
    int stopping, nworkers;
    pthread_t workers[POOL_MAX_WORKERS];
};

static void *worker(void *arg)
{
    struct pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (!p->head && !p->stopping)
            pthread_cond_wait(&p->work, &p->lock);
        struct future *f = p->head;
        if (!f) { /* stopping, and nothing left to run */
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        p->head = f->next;
        if (!p->head)
            p->tail = NULL;
        pthread_mutex_unlock(&p->lock);
        f->result = f->fn(f->arg);
        sem_post(&f->done);
    }
}

/* Stops the first n workers (they finish the queue first), joins them, frees the pool. */
static void stop(struct pool *p, int n)
{
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < n; i++)
        pthread_join(p->workers[i], NULL);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

struct pool *pool_create(int nworkers)
{
    if (nworkers < 1 || nworkers > POOL_MAX_WORKERS)
        return NULL;
    struct pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    if (pthread_mutex_init(&p->lock, NULL)) {
        free(p);
        return NULL;
    }
    if (pthread_cond_init(&p->work, NULL)) {
        pthread_mutex_destroy(&p->lock);
        free(p);
        return NULL;
    }
    for (; p->nworkers < nworkers; p->nworkers++)
        if (pthread_create(&p->workers[p->nworkers], NULL, worker, p)) {
            stop(p, p->nworkers);
            return NULL;
        }
    return p;
}

struct future *pool_submit(struct pool *p, long (*fn)(long), long arg)
{
    if (!fn)
        return NULL;
    struct future *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    if (sem_init(&f->done, 0, 0)) {
        free(f);
        return NULL;
    }
    f->fn = fn;
    f->arg = arg;
    pthread_mutex_lock(&p->lock);
    if (p->tail)
        p->tail->next = f;
    else
        p->head = f;
    p->tail = f;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
    return f;
}

long future_get(struct future *f)
{
    while (sem_wait(&f->done) != 0 && errno == EINTR)
        ;
    long result = f->result;
    sem_post(&f->done); /* for the next waiter */
    return result;
}

void future_free(struct future *f)
{
    if (!f)
        return;
    sem_destroy(&f->done);
    free(f);
}

void pool_shutdown(struct pool *p)
{
    stop(p, p->nworkers);
}
