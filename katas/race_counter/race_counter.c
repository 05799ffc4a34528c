/*
 * race_counter: count to nthreads * iters with nthreads threads.
 *
 * Every thread runs `counter = counter + 1` on the same global. That line is three
 * steps (read counter, add one, write it back), and two threads can read the same old
 * value: one of the two increments is then lost. Run `make kata NAME=race_counter`
 * and the three race detectors will show you the line.
 *
 * Your job: make the total always exact, with the threads still doing the counting.
 * Read katas/race_counter/README.md first.
 */
#include "race_counter.h"

#include <pthread.h>

static long counter; /* shared by every thread */

struct work {
    long iters;
};

static void *worker(void *arg)
{
    const struct work *w = arg;
    for (long i = 0; i < w->iters; i++) {
        /* TODO: two threads can be here at once; protect the counter. */
        counter = counter + 1;
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
    int started = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&threads[started], NULL, worker, &w) != 0)
            break;
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    return started == nthreads ? counter : -1;
}
