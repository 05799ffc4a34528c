/* mutant: when a worker cannot be started, pool_create returns NULL and leaves the workers already started waiting for work
 * rejected-by: test */
#include "thread_pool.h"

#include <pthread.h>
#include <stdlib.h>

/* One mutex for every future: it is held for a few instructions at a time, and it outlives
 * every pool, so a future can be read after its pool is gone. */
static pthread_mutex_t futures_lock = PTHREAD_MUTEX_INITIALIZER;

struct future {
    pthread_cond_t done_cv;
    int done;
    long result;
    long (*fn)(long);
    long arg;
    struct future *next; /* the next task in the pool's queue */
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

        pthread_mutex_lock(&futures_lock);
        f->result = result;
        f->done = 1;
        pthread_cond_broadcast(&f->done_cv);
        pthread_mutex_unlock(&futures_lock);
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
        if (pthread_create(&p->workers[p->nworkers], NULL, worker, p))
            return NULL; /* the bug: the started workers wait on p for ever (p is leaked) */
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
    if (pthread_cond_init(&f->done_cv, NULL)) {
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
    pthread_mutex_lock(&futures_lock);
    while (!f->done)
        pthread_cond_wait(&f->done_cv, &futures_lock);
    long result = f->result;
    pthread_mutex_unlock(&futures_lock);
    return result;
}

void future_free(struct future *f)
{
    if (!f)
        return;
    pthread_cond_destroy(&f->done_cv);
    free(f);
}

void pool_shutdown(struct pool *p)
{
    stop_workers(p, p->nworkers);
}
