/* hostile: two polite threads each hold their own mutex, trylock the other's, fail, let go
 * and retry, in lockstep forever: both spin and neither blocks, so only the deadline ends it.
 * expect: stage=test status=fail first text="did not finish"
 * expect: stage=test status=fail text="still running, not blocked"
 * expect: stage=test status=fail match="running \(not blocked\) in [a-z_]+, called from polite at [^ ]*livelock\.c:[0-9]+"
 * expect: status=fail
 * solo: both threads spin for the whole deadline
 * limit: 9
 */
#define _GNU_SOURCE
#include "race_counter.h"

#include <pthread.h>
#include <stdatomic.h>

static pthread_mutex_t locks[2] = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER};
/* the round each thread has reached in each step, so that the two stay in lockstep */
static atomic_long holding[2], tried[2], released[2];
static long counter;

static void wait_for(atomic_long *step, long round)
{
    while (atomic_load(step) < round)
        ; /* spin: both threads stay on the CPU */
}

static void *polite(void *arg)
{
    int me = (int)(long)arg, other = 1 - me;
    for (long round = 1;; round++) {
        pthread_mutex_lock(&locks[me]);
        atomic_store(&holding[me], round);
        wait_for(&holding[other], round);
        int got = pthread_mutex_trylock(&locks[other]) == 0; /* always busy */
        atomic_store(&tried[me], round);
        wait_for(&tried[other], round);
        if (got) {
            counter++;
            pthread_mutex_unlock(&locks[other]);
            pthread_mutex_unlock(&locks[me]);
            return NULL;
        }
        pthread_mutex_unlock(&locks[me]); /* after you */
        atomic_store(&released[me], round);
        wait_for(&released[other], round);
    }
}

long race_counter_run(int nthreads, long iters)
{
    (void)nthreads;
    (void)iters;
    pthread_t t[2];
    for (long i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, polite, (void *)i);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    return counter;
}
