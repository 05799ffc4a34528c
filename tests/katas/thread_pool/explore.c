/* explore.c: thread_pool under the explore stage's scheduler: a pool of two workers runs
 * three tasks; the main thread and a helper both wait on the first task's future, the main
 * thread on the second's, and the third's is read only after pool_shutdown. Every
 * interleaving a schedule can reach is judged by what came back (each result fn(arg), each
 * task run once, and on a worker) and by what never came back: a lost wakeup (a waiter of
 * two left asleep, a worker never woken for a queued task, a queued task dropped at
 * shutdown) shows as every thread blocked. */
#include "thread_pool.h"

#include "explore.h" /* harness/runtime/explore.h */

#include <pthread.h>
#include <stdio.h>

enum { WORKERS = 2, TASKS = 3 };

static long ran[TASKS];         /* how often each task ran (each has its own slot) */
static pthread_t ran_on[TASKS]; /* the thread it ran on */
static struct future *futures[TASKS];
static long helper_got;
static pthread_t main_thread, helper_thread;

static long task(long i)
{
    ran[i]++;
    ran_on[i] = pthread_self();
    return i * 10 + 7;
}

static void *helper(void *arg)
{
    (void)arg;
    helper_got = future_get(futures[0]);
    return NULL;
}

/* out: each future's result as the main thread got it, the helper's, each task's run count,
 * and 1 for each task that ran on a thread that was not a worker */
static int body(long *out, int max)
{
    (void)max;
    main_thread = pthread_self();
    struct pool *p = pool_create(WORKERS);
    if (!p)
        return -1;
    for (long i = 0; i < TASKS; i++)
        if (!(futures[i] = pool_submit(p, task, i)))
            return -1;
    pthread_create(&helper_thread, NULL, helper, NULL);
    long got0 = future_get(futures[0]);
    long got1 = future_get(futures[1]);
    pthread_join(helper_thread, NULL);
    pool_shutdown(p);
    long got2 = future_get(futures[2]);
    int n = 0;
    out[n++] = got0;
    out[n++] = got1;
    out[n++] = got2;
    out[n++] = helper_got;
    for (int i = 0; i < TASKS; i++)
        out[n++] = ran[i];
    for (int i = 0; i < TASKS; i++)
        out[n++] = ran[i] && (pthread_equal(ran_on[i], main_thread) ||
                              pthread_equal(ran_on[i], helper_thread));
    for (int i = 0; i < TASKS; i++)
        future_free(futures[i]);
    return n;
}

static const char *judge(const long *v, int n, char *buf, size_t len)
{
    if (n < 0)
        return "pool_create(2) or pool_submit returned NULL";
    if (n < 4 + 2 * TASKS)
        return "the body sent too few values";
    for (int i = 0; i < TASKS; i++)
        if (v[i] != i * 10 + 7) {
            snprintf(buf, len, "future_get on task %d's future returned %ld, not %d%s", i + 1, v[i],
                     i * 10 + 7, i == 2 ? " (read after pool_shutdown)" : "");
            return buf;
        }
    if (v[3] != 7) {
        snprintf(buf, len,
                 "a second thread waiting on task 1's future got %ld, not 7 (the main thread "
                 "got 7)",
                 v[3]);
        return buf;
    }
    for (int i = 0; i < TASKS; i++)
        if (v[4 + i] != 1) {
            snprintf(buf, len, "task %d ran %ld times, not once", i + 1, v[4 + i]);
            return buf;
        }
    for (int i = 0; i < TASKS; i++)
        if (v[4 + TASKS + i]) {
            snprintf(buf, len, "task %d ran on the thread that waited for it, not on a worker",
                     i + 1);
            return buf;
        }
    return NULL;
}

int main(void)
{
    static const struct explore_kata k = {body, judge};
    return explore_main(&k);
}
