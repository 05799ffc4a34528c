/* mutant: each thread locks a mutex of its own, so no two threads ever exclude each other
 * rejected-by: helgrind */
#include "race_counter.h"

#include <pthread.h>

static long counter;

struct work {
    long iters;
    pthread_mutex_t lock;
};

static void *worker(void *arg)
{
    struct work *w = arg;
    for (long i = 0; i < w->iters; i++) {
        pthread_mutex_lock(&w->lock);
        counter = counter + 1;
        pthread_mutex_unlock(&w->lock);
    }
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    pthread_t threads[RACE_COUNTER_MAX_THREADS];
    struct work w[RACE_COUNTER_MAX_THREADS];
    counter = 0;
    for (int i = 0; i < nthreads; i++) {
        w[i].iters = iters;
        pthread_mutex_init(&w[i].lock, NULL);
        pthread_create(&threads[i], NULL, worker, &w[i]);
    }
    for (int i = 0; i < nthreads; i++) {
        pthread_join(threads[i], NULL);
        pthread_mutex_destroy(&w[i].lock);
    }
    return counter;
}
