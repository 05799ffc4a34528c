/* divide_by_zero.c: a race_counter submission that divides by zero after the threads: the crash
 * is named SIGFPE, at this line (tests/harness/stages/test_test.c). */
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
    volatile long zero = 0;
    counter = counter / (zero * started); /* a division by zero */
    return started == nthreads ? counter : -1;
}
