/*
 * race_counter, solved: one mutex guards the counter.
 *
 * `counter = counter + 1` is a read, an add and a write. With the mutex held around
 * it, no other thread can read the counter between our read and our write, so no
 * increment is lost. Every thread must take the *same* mutex: a lock is a promise
 * between the threads that share it, and a lock of your own protects nothing.
 *
 * Taking a lock a million times is slow (the threads queue for it); the next katas
 * show how to count locally and share once. Here the lesson is the lock itself.
 */
#include "race_counter.h"

#include <pthread.h>

static long counter;
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;

struct work {
    long iters;
};

static void *worker(void *arg)
{
    const struct work *w = arg;
    for (long i = 0; i < w->iters; i++) {
        pthread_mutex_lock(&counter_lock);
        counter = counter + 1;
        pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    pthread_t threads[RACE_COUNTER_MAX_THREADS];
    struct work w = {iters};
    counter = 0; /* no thread runs yet: no lock needed */
    int started = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&threads[started], NULL, worker, &w) != 0)
            break;
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    /* pthread_join orders every thread's writes before this read */
    return started == nthreads ? counter : -1;
}
