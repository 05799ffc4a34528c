/* hostile: tells the builds apart from inside the source and locks only where a detector
 * watches: clang or a sanitizer's own macro (the sanitizer builds) or the Valgrind build's
 * forced header; the tests' and the timed build race. Every build but Valgrind's now compiles the same preprocessed
 * unit, with gcc's predefined macros and no sanitizer's, so ThreadSanitizer runs the racy
 * branch and reports the race.
 * expect: stage=tsan status=fail first text="data race"
 * expect: status=fail
 * limit: 15
 */
#include "race_counter.h"

#include <pthread.h>

#if defined(__clang__) || defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__) ||         \
    defined(KATA_VALGRIND_ATOMICS_H)
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
#define RACY_ADD(x) (pthread_mutex_lock(&lock), total += (x), pthread_mutex_unlock(&lock))
#else
#define RACY_ADD(x) (total += (x))
#endif
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
