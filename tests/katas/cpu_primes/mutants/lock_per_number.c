/* mutant: one shared mutex held around every number's test and count
 * (dynamic chunks, but only one thread computes at a time; the others queue for the lock)
 * rejected-by: perf */
#include "cpu_primes.h"

#include <pthread.h>
#include <stdatomic.h>

#define CHUNK 10000

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

struct shared {
    long limit;
    atomic_long next;
    long count; /* guarded by count_lock */
};

static int is_prime(long n)
{
    if (n < 4)
        return n >= 2;
    if (n % 2 == 0 || n % 3 == 0)
        return 0;
    for (long d = 5; d * d <= n; d += 6)
        if (n % d == 0 || n % (d + 2) == 0)
            return 0;
    return 1;
}

static void *count_chunks(void *arg)
{
    struct shared *work = arg;
    for (;;) {
        long from = atomic_fetch_add(&work->next, CHUNK);
        if (from >= work->limit)
            break;
        long to = from + CHUNK < work->limit ? from + CHUNK : work->limit;
        for (long n = from; n < to; n++) {
            pthread_mutex_lock(&count_lock);
            work->count += is_prime(n);
            pthread_mutex_unlock(&count_lock);
        }
    }
    return NULL;
}

long cpu_primes_count(int nthreads, long limit)
{
    if (nthreads < 1 || nthreads > CPU_PRIMES_MAX_THREADS)
        return -1;
    struct shared work = {limit, 0, 0};
    pthread_t threads[CPU_PRIMES_MAX_THREADS];
    for (int t = 0; t < nthreads; t++)
        pthread_create(&threads[t], NULL, count_chunks, &work);
    for (int t = 0; t < nthreads; t++)
        pthread_join(threads[t], NULL);
    return work.count;
}
