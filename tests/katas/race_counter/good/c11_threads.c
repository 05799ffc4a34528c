/* good: C11 <threads.h>: thrd_create and thrd_join, and an mtx_t made once with call_once.
 * expect: status=pass
 */
#include "race_counter.h"

#include <threads.h>

static long counter;
static mtx_t counter_lock;
static once_flag lock_made = ONCE_FLAG_INIT;

static void make_lock(void)
{
    mtx_init(&counter_lock, mtx_plain);
}

static int worker(void *arg)
{
    long iters = *(const long *)arg;
    for (long i = 0; i < iters; i++) {
        mtx_lock(&counter_lock);
        counter++;
        mtx_unlock(&counter_lock);
    }
    return 0;
}

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    call_once(&lock_made, make_lock);
    thrd_t t[RACE_COUNTER_MAX_THREADS];
    counter = 0;
    int started = 0;
    for (; started < nthreads; started++)
        if (thrd_create(&t[started], worker, &iters) != thrd_success)
            break;
    for (int i = 0; i < started; i++)
        thrd_join(t[i], NULL);
    return started == nthreads ? counter : -1;
}
