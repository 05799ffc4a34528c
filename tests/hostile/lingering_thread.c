/* hostile: counts under a mutex, but also starts a detached thread that keeps adding to the
 * counter after the function returned; the next call's total is too big, so the test stage
 * fails on an assertion (and the process exiting must end the thread: nothing hangs).
 * expect: stage=test status=fail first text="should"
 * expect: status=fail
 * limit: 15
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <pthread.h>
#include <time.h>

static long counter;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    long iters = *(const long *)arg;
    for (long i = 0; i < iters; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void *stray(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&lock);
        counter++; /* nobody joins this thread: it outlives every call */
        pthread_mutex_unlock(&lock);
        nanosleep(&(struct timespec){0, 20000}, NULL); /* 20 us: cheap under Valgrind */
    }
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    static long iters_copy;
    iters_copy = iters;
    pthread_t t[RACE_COUNTER_MAX_THREADS], s;
    pthread_mutex_lock(&lock);
    counter = 0;
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < nthreads; i++)
        pthread_create(&t[i], NULL, worker, &iters_copy);
    if (pthread_create(&s, NULL, stray, NULL) == 0)
        pthread_detach(s);
    for (int i = 0; i < nthreads; i++)
        pthread_join(t[i], NULL);
    pthread_mutex_lock(&lock);
    long total = counter;
    pthread_mutex_unlock(&lock);
    return total;
}
