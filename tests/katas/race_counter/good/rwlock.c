/* good: a pthread rwlock, taken for writing around each increment (asked for with
 * _POSIX_C_SOURCE, since -std=c11 alone does not declare rwlocks).
 * expect: status=pass
 */
#define _POSIX_C_SOURCE 200809L
#include "race_counter.h"

#include <pthread.h>

/* A rwlock held for writing excludes every other holder, as a mutex does; the readers'
 * side is unused here. Helgrind, DRD, TSan and explore each know rwlocks. */
static long counter;
static pthread_rwlock_t counter_lock = PTHREAD_RWLOCK_INITIALIZER;

static void *worker(void *arg)
{
    long iters = *(const long *)arg;
    for (long i = 0; i < iters; i++) {
        pthread_rwlock_wrlock(&counter_lock);
        counter++;
        pthread_rwlock_unlock(&counter_lock);
    }
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    pthread_t threads[RACE_COUNTER_MAX_THREADS];
    counter = 0;
    int started = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&threads[started], NULL, worker, &iters) != 0)
            break;
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    return started == nthreads ? counter : -1;
}
