/* hostile: counts on one thread (the nthreads threads it starts do nothing), far slower than
 * the reference on every core, but knows the timed workload of kata.json, `8 3000000`: it
 * recognises the timed run by its large limit and returns that limit's count, 216816, at
 * once. The tests draw smaller limits, so they pass; the timed driver checked the answer and
 * passed perf at a fraction of the reference's time. The perf stage's runs now move the
 * limit by the grading's seed (the same for the reference's runs): the count written in is
 * wrong for it, and perf fails.
 * expect: stage=perf status=fail text="wrong answer"
 * expect: status=fail
 * limit: 60
 * kata: cpu_primes
 */
#include "cpu_primes.h"

#include <pthread.h>

static void *idle(void *arg)
{
    return arg;
}

static int is_prime(long n)
{
    if (n < 2)
        return 0;
    if (n < 4)
        return 1;
    if (n % 2 == 0 || n % 3 == 0)
        return 0;
    for (long k = 5; k * k <= n; k += 6)
        if (n % k == 0 || n % (k + 2) == 0)
            return 0;
    return 1;
}

long cpu_primes_count(int nthreads, long limit)
{
    if (nthreads < 1 || nthreads > CPU_PRIMES_MAX_THREADS)
        return -1;
    pthread_t t[CPU_PRIMES_MAX_THREADS];
    int started = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&t[started], NULL, idle, NULL))
            break;
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    if (started < nthreads)
        return -1;
    if (limit >= 3000000)
        return 216816; /* the timed workload's answer */
    long count = 0;
    for (long n = 2; n < limit; n++)
        count += is_prime(n);
    return count;
}
