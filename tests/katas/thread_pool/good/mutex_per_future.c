/* good: a mutex per future, destroyed by future_free.
 * expect: status=pass
 * expect: status=pass
 */
#include "thread_pool.h"

#include <pthread.h>
#include <stdlib.h>

/*
 * The reference shares one static mutex among all futures; here each future carries its own,
 * so waiters on different futures never queue for the same lock. The worker that runs a task
 * locks the task's future, stores the result, broadcasts and unlocks; that unlock is its last
 * touch of the future. A waiter locks the same mutex to read the result, so it sees the result
 * after that unlock, and future_free (called by the owner once no thread waits any more) may
 * then destroy the mutex and free the future: nobody else uses it from then on.
 */
struct future {
    pthread_mutex_t lock; /* guards done and result */
    pthread_cond_t done_cv;
    int done;
    long result;
    long (*fn)(long);
    long arg;
    struct future *next; /* the next task in the pool's queue, guarded by the pool's lock */
};

struct pool {
    pthread_mutex_t lock;
    pthread_cond_t work;        /* workers wait here for a task, or for shutdown */
    struct future *head, *tail; /* the queue, oldest first */
    int stopping;
    int nworkers;
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

        long result = f->fn(f->arg);

        pthread_mutex_lock(&f->lock);
        f->result = result;
        f->done = 1;
        pthread_cond_broadcast(&f->done_cv);
        pthread_mutex_unlock(&f->lock); /* from here on the future is its owner's */
    }
}

/* Stops and joins the first `started` workers and frees the pool. */
static void stop_workers(struct pool *p, int started)
{
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < started; i++)
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
    for (; p->nworkers < nworkers; p->nworkers++) {
        if (pthread_create(&p->workers[p->nworkers], NULL, worker, p)) {
            stop_workers(p, p->nworkers);
            return NULL;
        }
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
    if (pthread_mutex_init(&f->lock, NULL)) {
        free(f);
        return NULL;
    }
    if (pthread_cond_init(&f->done_cv, NULL)) {
        pthread_mutex_destroy(&f->lock);
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
    pthread_cond_signal(&p->work); /* one task: one worker */
    pthread_mutex_unlock(&p->lock);
    return f;
}

long future_get(struct future *f)
{
    pthread_mutex_lock(&f->lock);
    while (!f->done)
        pthread_cond_wait(&f->done_cv, &f->lock);
    long result = f->result;
    pthread_mutex_unlock(&f->lock);
    return result;
}

void future_free(struct future *f)
{
    if (!f)
        return;
    pthread_cond_destroy(&f->done_cv);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

void pool_shutdown(struct pool *p)
{
    stop_workers(p, p->nworkers);
}
