/* hostile: counts correctly, but forks a child that sleeps 30 s and then calls _exit, and
 * never waits for it; Criterion must not wait on it, and the harness must kill it and say the
 * code left a process running.
 * expect: stage=test status=fail first text="still running"
 * expect: status=fail
 * limit: 12
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
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    if (fork() == 0) {
        sleep(30);
        _exit(0); /* a child that ends properly, but long after the test */
    }
    pthread_t t[RACE_COUNTER_MAX_THREADS];
    counter = 0;
    for (int i = 0; i < nthreads; i++)
        pthread_create(&t[i], NULL, worker, &iters);
    for (int i = 0; i < nthreads; i++)
        pthread_join(t[i], NULL);
    return counter;
}
