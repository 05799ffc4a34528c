/* hostile: closes stdin, stdout and stderr and then counts correctly with a mutex; losing the
 * output descriptors must not confuse the harness, so this one must pass every stage.
 * expect: status=pass
 * limit: 15
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <pthread.h>
#include <unistd.h>

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

long race_counter_run(int nthreads, long iters)
{
    close(0);
    close(1);
    close(2);
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    pthread_t t[RACE_COUNTER_MAX_THREADS];
    counter = 0;
    /* the contract: when a thread cannot be started, join those that were and fail */
    int started = 0;
    while (started < nthreads && pthread_create(&t[started], NULL, worker, &iters) == 0)
        started++;
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    return started == nthreads ? counter : -1;
}
