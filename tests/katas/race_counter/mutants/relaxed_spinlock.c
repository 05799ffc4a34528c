/* mutant: an atomic_flag spinlock with relaxed orders: it excludes, but orders nothing
 * rejected-by: helgrind */
#include "race_counter.h"

#include <pthread.h>
#include <stdatomic.h>

/* Exclusion alone is not enough: without acquire and release, the next thread to take the flag
 * is not promised to see the counter the last one wrote (x86 happens to keep it; the C11 model
 * and the detectors do not). */
static long counter;
static atomic_flag counter_lock = ATOMIC_FLAG_INIT;

static void *worker(void *arg)
{
    long iters = *(const long *)arg;
    for (long i = 0; i < iters; i++) {
        while (atomic_flag_test_and_set_explicit(&counter_lock, memory_order_relaxed))
            ;
        counter = counter + 1;
        atomic_flag_clear_explicit(&counter_lock, memory_order_relaxed);
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
