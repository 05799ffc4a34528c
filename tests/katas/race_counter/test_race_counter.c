/* test_race_counter.c: the functional tests of kata 02, race_counter. */
#include "race_counter.h"

#include "kata_test.h"

#include <criterion/criterion.h>

Test(race_counter, total_is_exactly_threads_times_iterations)
{
    int n = (int)kata_rand_range(2, 8);
    long iters = kata_rand_range(200000, 400000);
    long got = race_counter_run(n, iters);
    cr_assert_eq(got, n * iters,
                 "%d threads x %ld increments should give %ld, got %ld: %ld updates were lost", n,
                 iters, n * iters, got, n * iters - got);
}

Test(race_counter, starts_the_threads_it_was_asked_for)
{
    int n = (int)kata_rand_range(2, 16);
    kata_threads_reset();
    race_counter_run(n, 1000);
    cr_assert_eq(kata_threads_started(), n, "asked for %d threads, pthread_create ran %ld %s", n,
                 kata_threads_started(), kata_plural(kata_threads_started(), "time", "times"));
}

Test(race_counter, each_run_starts_again_from_zero)
{
    long iters = kata_rand_range(1000, 5000);
    race_counter_run(3, iters);
    long got = race_counter_run(2, iters);
    cr_assert_eq(got, 2 * iters, "the second run should count %ld, got %ld", 2 * iters, got);
}

Test(race_counter, one_thread_counts_alone)
{
    long iters = kata_rand_range(1000, 100000);
    cr_assert_eq(race_counter_run(1, iters), iters);
}

Test(race_counter, zero_iterations_count_nothing)
{
    cr_assert_eq(race_counter_run(4, 0), 0);
}

Test(race_counter, rejects_a_thread_count_out_of_range)
{
    cr_assert_eq(race_counter_run(0, 10), -1, "0 threads is not a valid request");
    cr_assert_eq(race_counter_run(RACE_COUNTER_MAX_THREADS + 1, 10), -1,
                 "more than RACE_COUNTER_MAX_THREADS threads is not a valid request");
    cr_assert_eq(race_counter_run(2, -1), -1, "a negative count is not a valid request");
}

/* The contract's error path: pthread_create fails (the test support makes it fail after
 * `ok` threads started), so the count cannot be nthreads * iters: the call says so with -1,
 * after waiting for the threads that did start. The test support holds those threads until
 * the call waits for them, so one left behind is caught however fast it would have been. */
static void expect_start_failure(int n, long ok)
{
    kata_threads_fail_after(ok);
    long got = race_counter_run(n, 1000);
    long still = kata_threads_running();
    kata_threads_fail_after(-1);
    cr_assert_eq(got, -1,
                 "%d threads asked for, pthread_create failed after %ld started: the call "
                 "should return -1, it returned %ld",
                 n, ok, got);
    cr_assert_eq(still, 0,
                 "pthread_create failed after %ld thread%s started, and %ld %s still running "
                 "when the call returned: wait for the threads that did start",
                 ok, ok == 1 ? "" : "s", still, still == 1 ? "was" : "were");
}

Test(race_counter, returns_minus_one_when_a_thread_cannot_be_started)
{
    int n = (int)kata_rand_range(2, 8);
    expect_start_failure(n, 0);
    expect_start_failure(n, kata_rand_range(1, n - 1));
}
