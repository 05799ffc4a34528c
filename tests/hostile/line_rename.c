/* hostile: a `#line 1 "other.c"` directive at the top renames the file in the debug info of
 * every line below it; findings were the learner's only when a frame's file name was, so
 * every race became "outside your file" and racy code passed all three detectors. The
 * source may hold no #line and no line marker: the build refuses it and says so.
 * expect: stage=build status=fail first text="#line"
 * expect: status=fail
 * limit: 12
 */
#line 1 "other.c"
#include "race_counter.h"

#include <pthread.h>

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
    for (int i = 0; i < nthreads; i++)
        pthread_create(&t[i], NULL, worker, &iters);
    for (int i = 0; i < nthreads; i++)
        pthread_join(t[i], NULL);
    return total;
}
