/*
 * thread_pool: an executor with a fixed set of workers, and futures for the results.
 *
 * Starting a thread per task is slow (a thread costs tens of microseconds to start) and
 * unbounded (ten thousand tasks, ten thousand threads). A pool starts its workers once; then
 * pool_submit only queues the task and returns a future, a ticket for the result, and one of
 * the sleeping workers wakes, takes the task off the queue and runs it. future_get waits
 * until the result is there. pool_shutdown lets the workers finish what is queued, joins them
 * and frees the pool.
 *
 * This file keeps the promises about results, but it has no workers: pool_submit runs each
 * task right away, on the caller's thread, so nothing runs in parallel. Your job: start
 * nworkers threads in pool_create, queue the tasks in pool_submit, let the workers take them
 * off the queue, and make future_get wait for a result that is not there yet. Read
 * katas/thread_pool/README.md first.
 */
#include "thread_pool.h"

#include <pthread.h>
#include <stdlib.h>

struct future {
    /* TODO: a condition variable, so future_get can sleep until the task is done, and a
     * `done` flag it waits for; and a mutex that guards them, which must outlive the pool,
     * since a future may be read after pool_shutdown. */
    long result;
    long (*fn)(long);
    long arg;
    struct future *next; /* a future can be its own task, linked into the pool's queue */
};

struct pool {
    /* TODO: a mutex guarding the queue, a condition variable the idle workers sleep on, the
     * queue itself (head and tail), a `stopping` flag, and the workers' pthread_t. */
    int nworkers;
};

struct pool *pool_create(int nworkers)
{
    if (nworkers < 1 || nworkers > POOL_MAX_WORKERS)
        return NULL;
    struct pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->nworkers = nworkers;
    /* TODO: start nworkers threads, each running a worker loop: wait for a task (or for
     * shutdown), take it off the queue, run it without holding the pool's mutex, store the
     * result in its future and wake whoever waits on it. */
    return p;
}

struct future *pool_submit(struct pool *p, long (*fn)(long), long arg)
{
    (void)p;
    if (!fn)
        return NULL;
    struct future *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->fn = fn;
    f->arg = arg;
    /* TODO: queue the task and wake one sleeping worker, instead of running it here. */
    f->result = f->fn(f->arg);
    return f;
}

long future_get(struct future *f)
{
    /* TODO: the task may not have run yet: sleep until it is done. */
    return f->result;
}

void future_free(struct future *f)
{
    free(f);
}

void pool_shutdown(struct pool *p)
{
    /* TODO: tell the workers to stop once the queue is empty, wake them all, and join them. */
    free(p);
}
