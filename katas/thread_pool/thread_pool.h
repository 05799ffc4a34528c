/* thread_pool.h: the contract of kata 09, thread_pool. Do not edit: the tests rely on it. */
#ifndef THREAD_POOL_H
#define THREAD_POOL_H

#define POOL_MAX_WORKERS 64

/* A fixed set of worker threads that run submitted tasks, and the futures that hold the
 * tasks' results. Both structs are yours to define in thread_pool.c; callers only ever hold
 * pointers to them. */
struct pool;
struct future;

/* Starts a pool of exactly `nworkers` worker threads, which wait for tasks. Returns the pool,
 * or NULL (with no thread left running) when nworkers is not in 1..POOL_MAX_WORKERS or when
 * memory or a thread cannot be had. While nothing is queued, the workers sleep: an idle pool
 * uses no CPU time. */
struct pool *pool_create(int nworkers);

/* Queues the task fn(arg) and returns at once with its future, or NULL (queueing nothing)
 * when fn is NULL or memory cannot be had. Every submitted task runs exactly once, on one of
 * the pool's workers, never on the thread that submitted it. A task does not wait in the
 * queue while a worker is idle: when fewer than nworkers tasks are running, a new one starts
 * at once. Any thread may submit, also a task running in the pool, but not once
 * pool_shutdown has been called. */
struct future *pool_submit(struct pool *p, long (*fn)(long), long arg);

/* Blocks until the future's task has run, and returns fn(arg). Any number of threads may
 * wait on the same future, at the same time or one after the other, before or after
 * pool_shutdown: each gets the result. It does not free the future. */
long future_get(struct future *f);

/* Frees a future. Call it once per future, when its task has run and no thread waits on it
 * any more: after future_get has returned, or after pool_shutdown. future_free(NULL) does
 * nothing. */
void future_free(struct future *f);

/* Shuts the pool down: every task already submitted still runs (the queued ones too), then
 * the workers exit and are joined, and the pool is freed. When it returns, no worker is left
 * and every future of this pool holds its result. The futures stay valid: free them with
 * future_free. */
void pool_shutdown(struct pool *p);

#endif
