/* good: pool_create returns once every worker has checked in
 * expect: status=pass
 * expect: status=pass
 *
 * Each worker, once started, counts itself in under the lock and wakes pool_create, which
 * waits for the count before starting the next worker: a pool that is returned has all its
 * workers waiting for work. When a worker cannot be started, the ones that checked in are
 * told to stop and joined. A handshake like this blocks the creating thread while workers
 * run, which a test that holds new threads must let through.
 */
#include "thread_pool.h"

#include <pthread.h>
#include <stdlib.h>

struct future {
    long (*fn)(long);
    long arg, result;
    int done; /* guarded by `lock` */
    pthread_mutex_t lock;
    pthread_cond_t ready;
    struct future *next; /* in the pool's queue, under the pool's lock */
};

struct pool {
    pthread_mutex_t lock;   /* guards everything below */
    pthread_cond_t changed; /* a task was queued, a worker checked in, or the pool stops */
    struct future *head, *tail;
    int checked_in, stopping, nworkers;
    pthread_t workers[POOL_MAX_WORKERS];
};

static void *worker(void *arg)
{
    struct pool *p = arg;
    pthread_mutex_lock(&p->lock);
    p->checked_in++;
    pthread_cond_broadcast(&p->changed);
    for (;;) {
        while (!p->head && !p->stopping)
            pthread_cond_wait(&p->changed, &p->lock);
        struct future *f = p->head;
        if (!f)
            break;
        p->head = f->next;
        if (!p->head)
            p->tail = NULL;
        pthread_mutex_unlock(&p->lock);
        long r = f->fn(f->arg);
        pthread_mutex_lock(&f->lock);
        f->result = r;
        f->done = 1;
        pthread_cond_broadcast(&f->ready);
        pthread_mutex_unlock(&f->lock);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static void stop_and_free(struct pool *p)
{
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nworkers; i++)
        pthread_join(p->workers[i], NULL);
    pthread_cond_destroy(&p->changed);
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
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    while (p->nworkers < nworkers) {
        if (pthread_create(&p->workers[p->nworkers], NULL, worker, p) != 0) {
            stop_and_free(p);
            return NULL;
        }
        p->nworkers++;
        pthread_mutex_lock(&p->lock);
        while (p->checked_in < p->nworkers)
            pthread_cond_wait(&p->changed, &p->lock);
        pthread_mutex_unlock(&p->lock);
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
    f->fn = fn;
    f->arg = arg;
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->ready, NULL);
    pthread_mutex_lock(&p->lock);
    if (p->tail)
        p->tail->next = f;
    else
        p->head = f;
    p->tail = f;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return f;
}

long future_get(struct future *f)
{
    pthread_mutex_lock(&f->lock);
    while (!f->done)
        pthread_cond_wait(&f->ready, &f->lock);
    long r = f->result;
    pthread_mutex_unlock(&f->lock);
    return r;
}

void future_free(struct future *f)
{
    if (!f)
        return;
    pthread_cond_destroy(&f->ready);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

void pool_shutdown(struct pool *p)
{
    stop_and_free(p);
}
