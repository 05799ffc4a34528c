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
                 "%d threads x %ld increments should give %ld, got %ld: %ld updates were lost",
                 n, iters, n * iters, got, n * iters - got);
}

Test(race_counter, starts_the_threads_it_was_asked_for)
{
    int n = (int)kata_rand_range(2, 16);
    kata_threads_reset();
    race_counter_run(n, 1000);
    cr_assert_eq(kata_threads_started(), n, "asked for %d threads, pthread_create ran %ld times",
                 n, kata_threads_started());
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
