/* mutant: the unlock is skipped on one path, so the next thread waits for the lock forever
 * rejected-by: test */
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
        if (counter % 1000 == 999)
            continue; /* the bug: this path keeps the lock */
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
    counter = 0;
    for (int i = 0; i < nthreads; i++)
        pthread_create(&threads[i], NULL, worker, &w);
    for (int i = 0; i < nthreads; i++)
        pthread_join(threads[i], NULL);
    return counter;
}
