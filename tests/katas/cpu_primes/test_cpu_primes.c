/* test_cpu_primes.c: the functional tests of kata 08, cpu_primes. */
#include "cpu_primes.h"

#include "kata_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>

/* The primes below limit, the plain sequential way: the sieve of Eratosthenes. */
static long sequential_count(long limit)
{
    if (limit <= 2)
        return 0;
    char *composite = calloc((size_t)limit, 1);
    cr_assert_not_null(composite);
    long count = 0;
    for (long n = 2; n < limit; n++) {
        if (composite[n])
            continue;
        count++;
        for (long m = n * n; n <= limit / n && m < limit; m += n)
            composite[m] = 1;
    }
    free(composite);
    return count;
}

Test(cpu_primes, counts_match_a_sequential_count_for_random_limits)
{
    for (int i = 0; i < 3; i++) {
        int nthreads = (int)kata_rand_range(2, 8);
        long limit = kata_rand_range(50000, 300000);
        long expected = sequential_count(limit);
        long got = cpu_primes_count(nthreads, limit);
        cr_assert_eq(got, expected,
                     "cpu_primes_count(%d, %ld) gave %ld, there are %ld primes "
                     "below %ld",
                     nthreads, limit, got, expected, limit);
    }
}

Test(cpu_primes, small_limits_have_the_known_counts)
{
    /* no prime is below 2; 2 is the only one below 3; 25 below 100, and 25 below 101 too,
     * because "below" leaves the limit out even when it is prime */
    const long limits[] = {0, 1, 2, 3, 4, 5, 100, 101, 102};
    const long counts[] = {0, 0, 0, 1, 2, 2, 25, 25, 26};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        int nthreads = (int)kata_rand_range(1, 8);
        long got = cpu_primes_count(nthreads, limits[i]);
        cr_assert_eq(got, counts[i], "cpu_primes_count(%d, %ld) gave %ld, expected %ld", nthreads,
                     limits[i], got, counts[i]);
    }
}

Test(cpu_primes, every_split_counts_each_number_exactly_once)
{
    /* Small limits, where every other number near a slice boundary is prime: a number
     * counted twice, or skipped, where two threads' shares meet shows up here. */
    long expected[151];
    for (long limit = 0; limit <= 150; limit++)
        expected[limit] = sequential_count(limit);
    const int threads[] = {2, 3, 4, 7};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++)
        for (long limit = 0; limit <= 150; limit++) {
            long got = cpu_primes_count(threads[t], limit);
            cr_assert_eq(got, expected[limit],
                         "cpu_primes_count(%d, %ld) gave %ld, there are %ld primes below %ld",
                         threads[t], limit, got, expected[limit], limit);
        }
}

Test(cpu_primes, more_threads_than_numbers_still_count_right)
{
    long limit = kata_rand_range(3, 30);
    cr_assert_eq(cpu_primes_count(CPU_PRIMES_MAX_THREADS, limit), sequential_count(limit),
                 "%d threads for the numbers below %ld", CPU_PRIMES_MAX_THREADS, limit);
}

Test(cpu_primes, one_thread_counts_alone)
{
    long limit = kata_rand_range(10000, 100000);
    cr_assert_eq(cpu_primes_count(1, limit), sequential_count(limit), "one thread, limit %ld",
                 limit);
}

Test(cpu_primes, starts_the_threads_it_was_asked_for)
{
    int nthreads = (int)kata_rand_range(2, 16);
    kata_threads_reset();
    cpu_primes_count(nthreads, 200000);
    cr_assert_eq(kata_threads_started(), nthreads,
                 "asked for %d threads, pthread_create ran %ld %s", nthreads,
                 kata_threads_started(), kata_plural(kata_threads_started(), "time", "times"));
}

Test(cpu_primes, each_call_starts_again_from_zero)
{
    long limit = kata_rand_range(1000, 20000);
    cpu_primes_count(3, limit);
    long got = cpu_primes_count(2, limit);
    cr_assert_eq(got, sequential_count(limit), "the second call for the primes below %ld gave %ld",
                 limit, got);
}

Test(cpu_primes, rejects_a_thread_count_out_of_range)
{
    cr_assert_eq(cpu_primes_count(0, 100), -1, "0 threads is not a valid request");
    cr_assert_eq(cpu_primes_count(CPU_PRIMES_MAX_THREADS + 1, 100), -1,
                 "more than CPU_PRIMES_MAX_THREADS threads is not a valid request");
}
