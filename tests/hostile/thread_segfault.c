/* hostile: one worker thread writes through a NULL pointer; the whole test process dies of
 * SIGSEGV, so the test stage fails with a crash that names it, and so does every detector
 * (TSan reports the SEGV and exits with its own code: that is no clean run either).
 * expect: stage=test status=fail first text="the signal was SIGSEGV"
 * expect: stage=tsan status=fail text="crashed under tsan: SEGV"
 * expect: status=fail
 * limit: 12
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <pthread.h>
#include <stddef.h>

static void *worker(void *arg)
{
    long *volatile nowhere = arg;
    *nowhere = 42; /* @crash@ */
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    return (long)nthreads * iters;
}
