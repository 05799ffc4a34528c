/* good: an atomic counter, incremented with atomic_fetch_add.
 * expect: status=pass
 */
#include "race_counter.h"

#include <pthread.h>
#include <stdatomic.h>

/* atomic_fetch_add reads, adds and writes as one step, so no increment is lost and no
 * lock is needed; the join orders every increment before the final load. */
static atomic_long counter;

static void *worker(void *arg)
{
    long iters = *(const long *)arg;
    for (long i = 0; i < iters; i++)
        atomic_fetch_add(&counter, 1);
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    pthread_t threads[RACE_COUNTER_MAX_THREADS];
    atomic_store(&counter, 0);
    int started = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&threads[started], NULL, worker, &iters) != 0)
            break;
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    return started == nthreads ? atomic_load(&counter) : -1;
}
