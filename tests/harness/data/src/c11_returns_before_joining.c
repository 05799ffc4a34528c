/* c11_returns_before_joining.c: a race_counter submission in C11 <threads.h> that returns -1
 * at once when a thread cannot be started, leaving the started ones running: the test's
 * message names thrd_create, the call this file makes, not pthread_create
 * (tests/harness/stages/test_test.c). */
#include "race_counter.h"

#include <threads.h>

static long counter;
static mtx_t counter_lock;
static once_flag lock_made = ONCE_FLAG_INIT;
static long iterations;

static void make_lock(void)
{
    mtx_init(&counter_lock, mtx_plain);
}

static int worker(void *arg)
{
    (void)arg;
    for (long i = 0; i < iterations; i++) {
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
    iterations = iters;
    for (int i = 0; i < nthreads; i++)
        if (thrd_create(&t[i], worker, NULL) != thrd_success)
            return -1;
    for (int i = 0; i < nthreads; i++)
        thrd_join(t[i], NULL);
    return counter;
}
