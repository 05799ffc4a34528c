/* mutant: a static split whose slices end one number too late
 * ([from, to] instead of [from, to): a prime on an edge is counted twice, and so is the
 * limit itself when it is prime)
 * rejected-by: test */
#include "cpu_primes.h"

#include <pthread.h>

struct slice {
    long from, to, count;
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

static void *count_slice(void *arg)
{
    struct slice *s = arg;
    long count = 0;
    for (long n = s->from; n <= s->to; n++)
        count += is_prime(n);
    s->count = count;
    return NULL;
}

long cpu_primes_count(int nthreads, long limit)
{
    if (nthreads < 1 || nthreads > CPU_PRIMES_MAX_THREADS)
        return -1;
    pthread_t threads[CPU_PRIMES_MAX_THREADS];
    struct slice slices[CPU_PRIMES_MAX_THREADS];
    for (int t = 0; t < nthreads; t++) {
        slices[t] = (struct slice){limit * t / nthreads, limit * (t + 1) / nthreads, 0};
        pthread_create(&threads[t], NULL, count_slice, &slices[t]);
    }
    long total = 0;
    for (int t = 0; t < nthreads; t++) {
        pthread_join(threads[t], NULL);
        total += slices[t].count;
    }
    return total;
}
