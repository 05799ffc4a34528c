/* race_rwlock_without_posix.c: a race_counter whose write lock is a pthread rwlock, without the
 * feature macro that declares it under -std=c11: the build fails, and says how to ask for it
 * (tests/harness/stages/test_build.c). */
#include "race_counter.h"
#include <pthread.h>
static long counter;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static void *worker(void *arg)
{
    long n = *(long *)arg;
    for (long i = 0; i < n; i++) {
        pthread_rwlock_wrlock(&rw);
        counter++;
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}
long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    pthread_t t[RACE_COUNTER_MAX_THREADS];
    counter = 0;
    int started = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&t[started], NULL, worker, &iters))
            break;
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    return started == nthreads ? counter : -1;
}
