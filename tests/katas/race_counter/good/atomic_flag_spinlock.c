/* good: a plain counter guarded by an atomic_flag spinlock.
 * expect: status=pass
 */
#include "race_counter.h"

#include <pthread.h>
#include <stdatomic.h>

/* atomic_flag_test_and_set is the one operation C11 promises is lock-free: a thread that
 * sees it return false owns the flag until it clears it. The set acquires and the clear
 * releases (both seq_cst here), so every increment made under the flag is seen by the
 * next thread to take it. */
static long counter;
static atomic_flag counter_lock = ATOMIC_FLAG_INIT;

static void *worker(void *arg)
{
    long iters = *(const long *)arg;
    for (long i = 0; i < iters; i++) {
        while (atomic_flag_test_and_set(&counter_lock))
            ; /* another thread holds it: it lets go after one increment */
        counter = counter + 1;
        atomic_flag_clear(&counter_lock);
    }
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    pthread_t threads[RACE_COUNTER_MAX_THREADS];
    counter = 0; /* no thread runs yet */
    int started = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&threads[started], NULL, worker, &iters) != 0)
            break;
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    return started == nthreads ? counter : -1;
}
