/* test_thread_pool.c: the functional tests of kata 09, thread_pool. */
#define _POSIX_C_SOURCE 200809L /* nanosleep, clock_gettime */
#include "thread_pool.h"

#include "kata_test.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#define WAKE_SECONDS 2.0 /* how long a woken thread may take: generous */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts))
        ;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct pool *new_pool(int n)
{
    struct pool *p = pool_create(n);
    cr_assert_not_null(p, "pool_create(%d) returned NULL", n);
    return p;
}

static struct future *submit(struct pool *p, long (*fn)(long), long arg)
{
    struct future *f = pool_submit(p, fn, arg);
    cr_assert_not_null(f, "pool_submit returned NULL");
    return f;
}

static long square_plus_one(long x)
{
    return x * x + 1;
}

/* Counts its calls per argument: runs[x] for fn(x). */
static atomic_int *runs;
static atomic_long total_runs;

static long counted(long x)
{
    atomic_fetch_add(&runs[x], 1);
    atomic_fetch_add(&total_runs, 1);
    return 3 * x - 7;
}

static void count_runs(size_t n)
{
    runs = calloc(n, sizeof *runs);
    cr_assert_not_null(runs);
    atomic_store(&total_runs, 0);
}

Test(thread_pool, every_task_runs_exactly_once_and_returns_its_result)
{
    int w = (int)kata_rand_range(1, 8);
    size_t n = (size_t)kata_rand_range(1000, 5000);
    count_runs(n);
    struct pool *p = new_pool(w);
    struct future **f = malloc(n * sizeof *f);
    cr_assert_not_null(f);
    for (size_t i = 0; i < n; i++)
        f[i] = submit(p, counted, (long)i);
    for (size_t i = 0; i < n; i++) {
        long got = future_get(f[i]);
        cr_assert_eq(got, 3 * (long)i - 7, "%d workers, %zu tasks: task %zu returned %ld, not %ld",
                     w, n, i, got, 3 * (long)i - 7);
    }
    pool_shutdown(p);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(atomic_load(&runs[i]), 1, "%d workers, %zu tasks: task %zu ran %d %s", w, n, i,
                     atomic_load(&runs[i]),
                     kata_plural((long)(atomic_load(&runs[i])), "time", "times"));
        future_free(f[i]);
    }
    cr_assert_eq(atomic_load(&total_runs), (long)n, "%zu tasks, %ld runs", n,
                 atomic_load(&total_runs));
    free(f);
    free(runs);
}

Test(thread_pool, starts_exactly_nworkers_threads)
{
    int w = (int)kata_rand_range(2, 8);
    size_t n = (size_t)kata_rand_range(200, 1000);
    kata_threads_reset();
    struct pool *p = new_pool(w);
    cr_assert_eq(kata_threads_started(), w,
                 "pool_create(%d) started %ld threads: it should start the %d workers, once", w,
                 kata_threads_started(), w);
    struct future **f = malloc(n * sizeof *f);
    cr_assert_not_null(f);
    for (size_t i = 0; i < n; i++)
        f[i] = submit(p, square_plus_one, (long)i);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(future_get(f[i]), (long)(i * i + 1));
    pool_shutdown(p);
    cr_assert_eq(kata_threads_started(), w,
                 "a pool of %d workers ran %zu tasks and pthread_create ran %ld %s: the "
                 "workers are started once, not per task",
                 w, n, kata_threads_started(),
                 kata_plural(kata_threads_started(), "time", "times"));
    for (size_t i = 0; i < n; i++)
        future_free(f[i]);
    free(f);
}

/* Which threads ran a task. */
static pthread_t ran_on[64];
static int nran_on;
static int ran_on_caller;
static pthread_t caller;
static pthread_mutex_t ran_on_lock = PTHREAD_MUTEX_INITIALIZER;

static long record_thread(long x)
{
    pthread_t self = pthread_self();
    pthread_mutex_lock(&ran_on_lock);
    if (pthread_equal(self, caller))
        ran_on_caller = 1;
    int k = 0;
    while (k < nran_on && !pthread_equal(ran_on[k], self))
        k++;
    if (k == nran_on && nran_on < 64)
        ran_on[nran_on++] = self;
    pthread_mutex_unlock(&ran_on_lock);
    return x;
}

Test(thread_pool, runs_the_tasks_on_its_workers_not_on_the_caller)
{
    int w = (int)kata_rand_range(2, 6);
    size_t n = (size_t)kata_rand_range(200, 1000);
    caller = pthread_self();
    nran_on = ran_on_caller = 0;
    struct pool *p = new_pool(w);
    struct future **f = malloc(n * sizeof *f);
    cr_assert_not_null(f);
    for (size_t i = 0; i < n; i++)
        f[i] = submit(p, record_thread, (long)i);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(future_get(f[i]), (long)i);
    pool_shutdown(p);
    cr_assert(!ran_on_caller, "a task ran on the thread that submitted it: tasks belong to the "
                              "workers");
    cr_assert(nran_on >= 1 && nran_on <= w, "%zu tasks ran on %d threads, for %d workers", n,
              nran_on, w);
    for (size_t i = 0; i < n; i++)
        future_free(f[i]);
    free(f);
}

/* A rendezvous: each task waits until `want` tasks have arrived, or the deadline passes. */
static pthread_mutex_t meet_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t meet_cv = PTHREAD_COND_INITIALIZER;
static int meet_arrived, meet_want;
static struct timespec meet_deadline; /* CLOCK_REALTIME, for pthread_cond_timedwait */

static long meet(long x)
{
    pthread_mutex_lock(&meet_lock);
    struct timespec end = meet_deadline;
    meet_arrived++;
    pthread_cond_broadcast(&meet_cv);
    int rc = 0;
    while (meet_arrived < meet_want && rc == 0)
        rc = pthread_cond_timedwait(&meet_cv, &meet_lock, &end);
    int all = meet_arrived >= meet_want;
    pthread_mutex_unlock(&meet_lock);
    return all ? x : -1;
}

/* Submits `k` rendezvous tasks to p at once and returns how many met all the others. */
static int rendezvous(struct pool *p, int k)
{
    struct future *f[64];
    pthread_mutex_lock(&meet_lock);
    meet_arrived = 0;
    meet_want = k;
    clock_gettime(CLOCK_REALTIME, &meet_deadline);
    meet_deadline.tv_sec += (time_t)WAKE_SECONDS;
    pthread_mutex_unlock(&meet_lock);
    for (int i = 0; i < k; i++)
        f[i] = submit(p, meet, i);
    int met = 0;
    for (int i = 0; i < k; i++) {
        met += future_get(f[i]) == i;
        future_free(f[i]);
    }
    return met;
}

Test(thread_pool, tasks_start_at_once_while_workers_are_idle)
{
    /* Whether a quick second submit finds the first task still queued depends on timing, so
     * the burst is repeated: a pool that leaves a task queued while a worker sleeps is caught
     * in one round or another. */
    int w = (int)kata_rand_range(2, 6);
    struct pool *p = new_pool(w);
    for (int round = 0; round < 20; round++) {
        sleep_ms(2); /* every worker asleep again */
        int met = rendezvous(p, w);
        cr_assert_eq(met, w,
                     "round %d: %d idle workers, %d tasks submitted back to back that each wait "
                     "for all the others: only %d of them met within %.0f s. Every task must "
                     "start while a worker is idle: was a worker never woken (a lost wakeup), or "
                     "does one task at a time run?",
                     round, w, w, met, WAKE_SECONDS);
    }
    pool_shutdown(p);
}

/* Many tiny tasks from several threads, each waiting on its own futures, in batches of
 * random sizes: a lost wakeup leaves a future that never completes (and the test hangs). */
struct submitter {
    struct pool *p;
    long from, n;
    long wrong;
    unsigned seed;
};

static void *submit_and_wait(void *arg)
{
    struct submitter *s = arg;
    struct future *f[64];
    for (long i = 0; i < s->n;) {
        s->seed = s->seed * 1103515245u + 12345u;
        long batch = 1 + (long)((s->seed >> 16) % 64);
        if (batch > s->n - i)
            batch = s->n - i;
        for (long k = 0; k < batch; k++)
            f[k] = pool_submit(s->p, square_plus_one, s->from + i + k);
        for (long k = 0; k < batch; k++) {
            long x = s->from + i + k;
            if (!f[k] || future_get(f[k]) != x * x + 1)
                s->wrong++;
            future_free(f[k]);
        }
        i += batch;
    }
    return NULL;
}

Test(thread_pool, no_task_is_lost_under_a_stress_of_tiny_tasks)
{
    int w = (int)kata_rand_range(2, 4);
    int ns = (int)kata_rand_range(2, 4);
    long per = 20000 / ns;
    struct pool *p = new_pool(w);
    struct submitter s[4];
    pthread_t t[4];
    for (int i = 0; i < ns; i++) {
        s[i] = (struct submitter){p, i * per, per, 0, (unsigned)kata_rand_range(1, 1 << 30)};
        cr_assert_eq(pthread_create(&t[i], NULL, submit_and_wait, &s[i]), 0);
    }
    for (int i = 0; i < ns; i++) {
        pthread_join(t[i], NULL);
        cr_assert_eq(s[i].wrong, 0,
                     "%d workers, %d submitting threads: %ld of %ld tasks gave a "
                     "wrong result",
                     w, ns, s[i].wrong, per);
    }
    pool_shutdown(p);
}

/* Takes about 1 ms, so tasks are still queued when shutdown is called. */
static atomic_long slow_runs;

static long slow(long x)
{
    sleep_ms(1);
    atomic_fetch_add(&slow_runs, 1);
    return x + 1;
}

Test(thread_pool, shutdown_runs_every_task_still_queued)
{
    int w = (int)kata_rand_range(1, 3);
    size_t n = (size_t)kata_rand_range(40, 80);
    atomic_store(&slow_runs, 0);
    struct pool *p = new_pool(w);
    struct future **f = malloc(n * sizeof *f);
    cr_assert_not_null(f);
    for (size_t i = 0; i < n; i++)
        f[i] = submit(p, slow, (long)i);
    pool_shutdown(p); /* most of them are still queued */
    long ran = atomic_load(&slow_runs);
    cr_assert_eq(ran, (long)n,
                 "%zu tasks of 1 ms each were submitted to %d workers, then pool_shutdown: when "
                 "it returned, %ld of them had run. Shutdown must run what is queued, and wait "
                 "for it",
                 n, w, ran);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(future_get(f[i]), (long)i + 1,
                     "after the shutdown, future %zu should "
                     "hold %zu",
                     i, i + 1);
        future_free(f[i]);
    }
    free(f);
}

/* Several threads wait on one future at once. */
struct waiter {
    struct future *f;
    long got;
    atomic_int *returned;
};

static void *wait_future(void *arg)
{
    struct waiter *w = arg;
    w->got = future_get(w->f);
    atomic_fetch_add(w->returned, 1);
    return NULL;
}

static long slow_answer(long x)
{
    sleep_ms(100);
    return x;
}

Test(thread_pool, one_future_can_be_waited_on_by_several_threads)
{
    int k = (int)kata_rand_range(3, 6);
    long answer = kata_rand_range(1, 1000000);
    struct pool *p = new_pool((int)kata_rand_range(1, 4));
    struct future *f = submit(p, slow_answer, answer);
    atomic_int returned = 0;
    struct waiter w[8];
    pthread_t t[8];
    for (int i = 0; i < k; i++) {
        w[i] = (struct waiter){f, -1, &returned};
        cr_assert_eq(pthread_create(&t[i], NULL, wait_future, &w[i]), 0);
    }
    double end = now() + 0.1 + WAKE_SECONDS;
    while (atomic_load(&returned) < k && now() < end)
        sleep_ms(1);
    int woke = atomic_load(&returned);
    cr_assert_eq(woke, k,
                 "%d threads waited on one future; %.0f s after its task was done only %d of "
                 "them had returned: the worker must wake every waiter (broadcast)",
                 k, WAKE_SECONDS, woke);
    for (int i = 0; i < k; i++) {
        pthread_join(t[i], NULL);
        cr_assert_eq(w[i].got, answer, "a waiter got %ld, not %ld", w[i].got, answer);
    }
    cr_assert_eq(future_get(f), answer,
                 "a second future_get on a done future should return "
                 "the result again");
    pool_shutdown(p);
    cr_assert_eq(future_get(f), answer, "after the shutdown the future should still hold %ld",
                 answer);
    future_free(f);
}

/* A task that submits another one to its own pool: the worker that ran it comes back for
 * more at once, and usually takes the new task before the idle worker that was woken for it
 * gets there. That worker must look again and go back to sleep. */
static struct pool *self_pool;
static struct future *_Atomic inner;

static long submits_another(long x)
{
    atomic_store(&inner, pool_submit(self_pool, square_plus_one, x));
    return x;
}

Test(thread_pool, a_worker_woken_for_a_task_taken_by_another_waits_again)
{
    self_pool = new_pool(2);
    sleep_ms(10);
    for (long r = 0; r < 200; r++) {
        struct future *outer = submit(self_pool, submits_another, r);
        cr_assert_eq(future_get(outer), r);
        struct future *in = atomic_load(&inner);
        cr_assert_not_null(in, "a task's pool_submit returned NULL");
        cr_assert_eq(future_get(in), r * r + 1);
        future_free(in);
        future_free(outer);
    }
    /* both workers should still be there, and sleeping properly */
    int met = rendezvous(self_pool, 2);
    cr_assert_eq(met, 2,
                 "after 200 tasks that each submitted another, a pool of 2 workers could no "
                 "longer run 2 tasks at once: did a worker quit, or get stuck? A worker woken "
                 "for a task that another worker took first must look at the queue again (a "
                 "`while` loop around the wait) and go back to sleep");
    pool_shutdown(self_pool);
}

/* The CPU time this process uses while the calling thread sleeps, over 200 ms; when the answer
 * is in doubt (10 to 50 ms: on a busy machine a spinning thread gets only a share of a core),
 * over up to 1 s. *window gets the time it looked. Threads asleep in pthread_cond_wait use next
 * to nothing, however long one looks. */
static double cpu_while_sleeping(double *window)
{
    double cpu0 = kata_cpu_seconds(), t0 = now(), used;
    sleep_ms(200);
    used = kata_cpu_seconds() - cpu0;
    while (used >= 0.010 && used < 0.050 && now() - t0 < 1.0) {
        sleep_ms(50);
        used = kata_cpu_seconds() - cpu0;
    }
    *window = now() - t0;
    return used;
}

Test(thread_pool, idle_workers_sleep_instead_of_spinning)
{
    int w = (int)kata_rand_range(2, 4);
    struct pool *p = new_pool(w);
    struct future *f[8];
    for (int i = 0; i < 2 * w; i++)
        f[i] = submit(p, square_plus_one, i);
    for (int i = 0; i < 2 * w; i++) {
        cr_assert_eq(future_get(f[i]), i * i + 1);
        future_free(f[i]);
    }
    sleep_ms(20); /* the workers are idle now */
    double window, used = cpu_while_sleeping(&window);
    pool_shutdown(p);
    cr_assert(used < 0.050,
              "a pool of %d idle workers used %.0f ms of CPU time in %.0f ms: idle workers "
              "spin (look at the queue, unlock, look again) instead of sleeping in "
              "pthread_cond_wait",
              w, used * 1000, window * 1000);
}

Test(thread_pool, rejects_a_worker_count_out_of_range)
{
    kata_threads_reset();
    cr_assert_null(pool_create(0), "pool_create(0) should return NULL");
    cr_assert_null(pool_create(-2), "pool_create(-2) should return NULL");
    cr_assert_null(pool_create(POOL_MAX_WORKERS + 1),
                   "pool_create(POOL_MAX_WORKERS + 1) should return NULL");
    cr_assert_eq(kata_threads_started(), 0, "a rejected pool_create started %ld threads",
                 kata_threads_started());
}

Test(thread_pool, rejects_a_task_without_a_function)
{
    struct pool *p = new_pool(2);
    cr_assert_null(pool_submit(p, NULL, 1), "pool_submit(p, NULL, 1) should return NULL");
    struct future *f = submit(p, square_plus_one, 5);
    cr_assert_eq(future_get(f), 26);
    future_free(f);
    future_free(NULL); /* does nothing */
    pool_shutdown(p);
}

/* The contract's error path: a worker cannot be started (the test support makes
 * pthread_create fail after `ok` workers started). pool_create returns NULL, and the
 * workers that did start are stopped and joined: none is left waiting for work. */
static void expect_no_pool(int n, long ok)
{
    kata_threads_fail_after(ok);
    struct pool *p = pool_create(n);
    long still = kata_threads_running();
    kata_threads_fail_after(-1);
    cr_assert_null(p,
                   "pool_create(%d): pthread_create failed after %ld worker%s started, yet it "
                   "returned a pool: return NULL when a worker cannot be started",
                   n, ok, ok == 1 ? "" : "s");
    cr_assert_eq(still, 0,
                 "pool_create(%d) returned NULL after %ld worker%s started, and %ld %s still "
                 "running: stop and join the workers that did start",
                 n, ok, ok == 1 ? "" : "s", still, still == 1 ? "was" : "were");
}

Test(thread_pool, a_pool_whose_worker_cannot_start_leaves_no_thread_behind)
{
    int n = (int)kata_rand_range(2, 8);
    expect_no_pool(n, 0);
    expect_no_pool(n, kata_rand_range(1, n - 1));
}
