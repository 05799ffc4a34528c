/*
 * cpu_primes: count the primes below a limit, with nthreads threads.
 *
 * This version is correct, but it runs on one thread whatever nthreads says, so a machine
 * with two cores does the work on one of them while the other one idles. Counting primes
 * is pure computation (no waiting, no shared data except the total), so it should take
 * half the time on two cores: `make kata NAME=cpu_primes`'s perf stage compares your time
 * with a reference that uses every core.
 *
 * Your job: share the numbers out between nthreads threads, so that all of them stay busy
 * until the end, and add up their counts. Read katas/cpu_primes/README.md first.
 */
#include "cpu_primes.h"

/* Trial division as the Python tutorials' is_prime does it: 2 and 3, then only 6k - 1 and
 * 6k + 1 up to the square root (every other number is a multiple of 2 or 3). Keep this as it
 * is: the lesson is in how the numbers are shared out, not in a faster test, and the same
 * test in C and in Python (katas/cpu_primes/python/) makes their times comparable. */
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

long cpu_primes_count(int nthreads, long limit)
{
    if (nthreads < 1 || nthreads > CPU_PRIMES_MAX_THREADS)
        return -1;
    /* TODO: start nthreads threads, give each a share of the numbers below limit (which
     * share? a big number costs more than a small one), and add up what they count. */
    long count = 0;
    for (long n = 0; n < limit; n++)
        count += is_prime(n);
    return count;
}
