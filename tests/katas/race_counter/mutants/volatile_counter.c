/* mutant: a volatile counter and no lock (volatile stops caching, not races)
 * rejected-by: tsan */
#include "race_counter.h"

#include <pthread.h>

static volatile long counter;

struct work {
    long iters;
};

static void *worker(void *arg)
{
    const struct work *w = arg;
    for (long i = 0; i < w->iters; i++)
        counter = counter + 1;
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    pthread_t threads[RACE_COUNTER_MAX_THREADS];
    struct work w = {iters};
    counter = 0;
    for (int i = 0; i < nthreads; i++)
        pthread_create(&threads[i], NULL, worker, &w);
    for (int i = 0; i < nthreads; i++)
        pthread_join(threads[i], NULL);
    return counter;
}
