/* hostile: a global definition of atoi and atol, the C library functions the kata's driver
 * reads its arguments with: in the driver they replaced libc's, so every detector ran one
 * thread for one increment and saw no race. The learner's object now exports only the
 * names the kata's header declares: its atoi stays its own, the driver reads 4 threads and
 * ThreadSanitizer sees the race.
 * expect: stage=tsan status=fail first text="data race"
 * expect: status=fail
 * limit: 15
 */
#include "race_counter.h"

#include <pthread.h>
#include <stdlib.h>

int atoi(const char *s)
{
    (void)s;
    return 1;
}

long atol(const char *s)
{
    (void)s;
    return 1;
}

#define RACY_ADD(x) (total += (x))
#define BEFORE_THREADS (void)0

static long total;

/* Each thread counts on its own and adds its count to the shared total once, with no lock:
 * the tests almost never see an update lost, every race detector sees the race. */
static void *worker(void *arg)
{
    long n = *(const long *)arg, local = 0;
    for (long i = 0; i < n; i++)
        local++;
    RACY_ADD(local);
    return NULL;
}

long race_counter_run(int nthreads, long iters)
{
    if (nthreads < 1 || nthreads > RACE_COUNTER_MAX_THREADS || iters < 0)
        return -1;
    pthread_t t[RACE_COUNTER_MAX_THREADS];
    total = 0;
    BEFORE_THREADS;
    /* the contract: when a thread cannot be started, join those that were and fail */
    int started = 0;
    while (started < nthreads && pthread_create(&t[started], NULL, worker, &iters) == 0)
        started++;
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    return started == nthreads ? total : -1;
}
