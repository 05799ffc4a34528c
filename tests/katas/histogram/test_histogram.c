/* test_histogram.c: the functional tests of kata 03, histogram. */
#include "histogram.h"

#include "kata_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>

/* A buffer of n random bytes, drawn from the run's seed (caller frees). */
static unsigned char *random_bytes(size_t n)
{
    unsigned char *data = malloc(n ? n : 1);
    cr_assert_not_null(data);
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char)kata_rand_range(0, 255);
    return data;
}

/* Builds the histogram of data on nthreads threads and compares every bin with a plain
 * sequential count. The bins start out as garbage: the function must zero them. */
static void check_counts(int nthreads, const unsigned char *data, size_t n)
{
    long expected[256] = {0}, bins[256];
    for (size_t i = 0; i < n; i++)
        expected[data[i]]++;
    for (int b = 0; b < 256; b++)
        bins[b] = 1000 + b;
    histogram_build(nthreads, data, n, bins);
    long total = 0;
    for (int b = 0; b < 256; b++) {
        cr_assert_eq(bins[b], expected[b],
                     "%d threads, %zu bytes: bins[%d] is %ld, a sequential count says %ld",
                     nthreads, n, b, bins[b], expected[b]);
        total += bins[b];
    }
    cr_assert_eq(total, (long)n, "the bins add up to %ld, but there are %zu bytes", total, n);
}

Test(histogram, bins_match_a_sequential_count_on_random_data)
{
    int nthreads = (int)kata_rand_range(2, 8);
    size_t n = (size_t)kata_rand_range(500000, 2000000);
    unsigned char *data = random_bytes(n);
    check_counts(nthreads, data, n);
    free(data);
}

Test(histogram, sizes_that_do_not_divide_by_the_thread_count_lose_no_byte)
{
    for (int nthreads = 2; nthreads <= 7; nthreads++) {
        size_t n = (size_t)(kata_rand_range(1000, 5000) * nthreads + nthreads - 1);
        unsigned char *data = random_bytes(n);
        check_counts(nthreads, data, n);
        free(data);
    }
}

Test(histogram, fewer_bytes_than_threads_are_still_all_counted)
{
    int nthreads = (int)kata_rand_range(8, HISTOGRAM_MAX_THREADS);
    size_t n = (size_t)kata_rand_range(1, nthreads - 1);
    unsigned char *data = random_bytes(n);
    check_counts(nthreads, data, n);
    free(data);
}

Test(histogram, an_empty_buffer_gives_all_zero_bins)
{
    unsigned char byte = 7;
    check_counts((int)kata_rand_range(1, 8), &byte, 0);
}

Test(histogram, a_buffer_of_one_repeated_byte_fills_one_bin)
{
    size_t n = (size_t)kata_rand_range(100000, 300000);
    unsigned char *data = malloc(n);
    cr_assert_not_null(data);
    unsigned char value = (unsigned char)kata_rand_range(0, 255);
    for (size_t i = 0; i < n; i++)
        data[i] = value;
    check_counts(4, data, n);
    free(data);
}

Test(histogram, one_thread_counts_alone)
{
    size_t n = (size_t)kata_rand_range(10000, 100000);
    unsigned char *data = random_bytes(n);
    check_counts(1, data, n);
    free(data);
}

Test(histogram, starts_the_threads_it_was_asked_for)
{
    int nthreads = (int)kata_rand_range(2, 16);
    size_t n = 100000;
    unsigned char *data = random_bytes(n);
    long bins[256];
    kata_threads_reset();
    histogram_build(nthreads, data, n, bins);
    cr_assert_eq(kata_threads_started(), nthreads,
                 "asked for %d threads, pthread_create ran %ld %s", nthreads,
                 kata_threads_started(), kata_plural(kata_threads_started(), "time", "times"));
    free(data);
}

Test(histogram, each_call_zeroes_the_bins_first)
{
    size_t n = (size_t)kata_rand_range(1000, 20000);
    unsigned char *data = random_bytes(n);
    long bins[256];
    histogram_build(3, data, n, bins);
    histogram_build(2, data, n, bins); /* the first call's counts must not carry over */
    long total = 0;
    for (int b = 0; b < 256; b++)
        total += bins[b];
    cr_assert_eq(total, (long)n, "after two calls on %zu bytes the bins add up to %ld", n, total);
    free(data);
}

Test(histogram, a_thread_count_out_of_range_counts_nothing)
{
    unsigned char data[16] = {1, 2, 3};
    long bins[256];
    int bad[] = {0, -1, HISTOGRAM_MAX_THREADS + 1};
    for (int i = 0; i < 3; i++) {
        for (int b = 0; b < 256; b++)
            bins[b] = 99;
        histogram_build(bad[i], data, sizeof data, bins);
        for (int b = 0; b < 256; b++)
            cr_assert_eq(bins[b], 0,
                         "%d threads is not a valid request: bins[%d] should be 0, "
                         "it is %ld",
                         bad[i], b, bins[b]);
    }
}
