/* test_spawn_join.c: the functional tests of kata 01, spawn_join. */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include "spawn_join.h"

#include "kata_test.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#define UNSET (-123456789L) /* what out[] holds before the call: no fn below returns it */

static long square_plus_one(long x)
{
    return x * x + 1;
}

static long *new_array(size_t n, long fill)
{
    long *v = malloc((n ? n : 1) * sizeof *v);
    cr_assert_not_null(v, "out of memory for %zu longs", n);
    for (size_t i = 0; i < n; i++)
        v[i] = fill;
    return v;
}

/* in[i] = i, so a function can tell which input it was called with */
static long *iota(size_t n)
{
    long *v = new_array(n, 0);
    for (size_t i = 0; i < n; i++)
        v[i] = (long)i;
    return v;
}

/* Every call counts, per input: calls[x] for fn(x), with in[i] = i. */
static atomic_long total_calls;
static atomic_int *calls;

static long counted(long x)
{
    atomic_fetch_add(&total_calls, 1);
    atomic_fetch_add(&calls[x], 1);
    return x + 1;
}

/* Which threads ran fn, and on which inputs (in[i] = i): one row per thread. */
struct seen {
    pthread_t id;
    long count, lo, hi;
};
static struct seen seen[SPAWN_JOIN_MAX_THREADS];
static int nseen, overflow;
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;

static long record_thread(long x)
{
    pthread_t self = pthread_self();
    pthread_mutex_lock(&seen_lock);
    int k = 0;
    while (k < nseen && !pthread_equal(seen[k].id, self))
        k++;
    if (k == nseen && nseen < SPAWN_JOIN_MAX_THREADS)
        seen[nseen++] = (struct seen){self, 0, x, x};
    if (k < nseen) {
        seen[k].count++;
        seen[k].lo = x < seen[k].lo ? x : seen[k].lo;
        seen[k].hi = x > seen[k].hi ? x : seen[k].hi;
    } else {
        overflow = 1;
    }
    pthread_mutex_unlock(&seen_lock);
    return x;
}

/* Takes about 2 ms per input: a thread that was not joined is still busy when the call
 * returns. */
static atomic_int running;

static long slow(long x)
{
    atomic_fetch_add(&running, 1);
    struct timespec ts = {0, 2 * 1000 * 1000};
    nanosleep(&ts, NULL);
    atomic_fetch_sub(&running, 1);
    return 2 * x + 1;
}

Test(spawn_join, results_come_back_in_input_order)
{
    size_t n = (size_t)kata_rand_range(1000, 20000);
    int t = (int)kata_rand_range(2, 8);
    long *in = new_array(n, 0), *out = new_array(n, UNSET);
    for (size_t i = 0; i < n; i++)
        in[i] = kata_rand_range(-100000, 100000);
    cr_assert_eq(spawn_join_map(t, square_plus_one, in, out, n), 0,
                 "spawn_join_map(%d threads, %zu inputs) should return 0", t, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(out[i], in[i] * in[i] + 1,
                     "%d threads, %zu inputs: out[%zu] should be fn(in[%zu]) = %ld, got %ld", t, n,
                     i, i, in[i] * in[i] + 1, out[i]);
    free(in);
    free(out);
}

Test(spawn_join, starts_exactly_the_threads_it_was_asked_for)
{
    size_t n = (size_t)kata_rand_range(1000, 20000);
    int t = (int)kata_rand_range(2, 8);
    long *in = iota(n), *out = new_array(n, UNSET);
    kata_threads_reset();
    spawn_join_map(t, square_plus_one, in, out, n);
    cr_assert_eq(kata_threads_started(), t,
                 "asked for %d threads on %zu inputs, pthread_create ran %ld %s", t, n,
                 kata_threads_started(), kata_plural(kata_threads_started(), "time", "times"));
    free(in);
    free(out);
}

Test(spawn_join, one_thread_is_still_a_thread_of_its_own)
{
    size_t n = (size_t)kata_rand_range(10, 1000);
    long *in = iota(n), *out = new_array(n, UNSET);
    kata_threads_reset();
    cr_assert_eq(spawn_join_map(1, square_plus_one, in, out, n), 0);
    cr_assert_eq(kata_threads_started(), 1,
                 "asked for 1 thread on %zu inputs, pthread_create ran %ld %s", n,
                 kata_threads_started(), kata_plural(kata_threads_started(), "time", "times"));
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(out[i], in[i] * in[i] + 1, "out[%zu] should be %ld, got %ld", i,
                     in[i] * in[i] + 1, out[i]);
    free(in);
    free(out);
}

Test(spawn_join, starts_only_one_thread_per_input_when_inputs_are_fewer)
{
    int t = (int)kata_rand_range(4, 16);
    size_t n = (size_t)kata_rand_range(1, t - 1);
    long *in = iota(n), *out = new_array(n, UNSET);
    kata_threads_reset();
    cr_assert_eq(spawn_join_map(t, square_plus_one, in, out, n), 0);
    cr_assert_eq(kata_threads_started(), (long)n,
                 "%d threads for only %zu inputs: start %zu threads (one per input), "
                 "pthread_create ran %ld %s",
                 t, n, n, kata_threads_started(),
                 kata_plural(kata_threads_started(), "time", "times"));
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(out[i], in[i] * in[i] + 1, "out[%zu] should be %ld, got %ld", i,
                     in[i] * in[i] + 1, out[i]);
    free(in);
    free(out);
}

Test(spawn_join, computes_each_input_exactly_once)
{
    size_t n = (size_t)kata_rand_range(1000, 20000);
    int t = (int)kata_rand_range(2, 8);
    long *in = iota(n), *out = new_array(n, UNSET);
    calls = calloc(n, sizeof *calls);
    cr_assert_not_null(calls);
    atomic_store(&total_calls, 0);
    cr_assert_eq(spawn_join_map(t, counted, in, out, n), 0);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(atomic_load(&calls[i]), 1,
                     "%d threads, %zu inputs: fn(in[%zu]) ran %d %s, it should run once", t, n, i,
                     atomic_load(&calls[i]),
                     kata_plural((long)(atomic_load(&calls[i])), "time", "times"));
    cr_assert_eq(atomic_load(&total_calls), (long)n, "fn ran %ld %s for %zu inputs",
                 atomic_load(&total_calls),
                 kata_plural((long)(atomic_load(&total_calls)), "time", "times"), n);
    free(calls);
    free(in);
    free(out);
}

Test(spawn_join, spreads_the_work_over_every_thread_and_not_the_caller)
{
    size_t n = (size_t)kata_rand_range(1000, 20000);
    int t = (int)kata_rand_range(2, 8);
    long *in = iota(n), *out = new_array(n, UNSET);
    nseen = overflow = 0;
    cr_assert_eq(spawn_join_map(t, record_thread, in, out, n), 0);
    for (int k = 0; k < nseen; k++)
        cr_assert(!pthread_equal(seen[k].id, pthread_self()),
                  "fn ran on the calling thread: the work belongs to the threads you start");
    cr_assert_eq(nseen, t,
                 "%d threads, %zu inputs: fn ran on %d distinct thread%s, it should run on %d "
                 "(threads started and joined one at a time can share an id: start them all, "
                 "then join them all)",
                 t, n, nseen, nseen == 1 ? "" : "s", t);
    free(in);
    free(out);
}

Test(spawn_join, gives_each_thread_one_contiguous_slice_of_nearly_equal_size)
{
    size_t n = (size_t)kata_rand_range(1000, 20000);
    int t = (int)kata_rand_range(2, 8);
    long *in = iota(n), *out = new_array(n, UNSET);
    nseen = overflow = 0;
    cr_assert_eq(spawn_join_map(t, record_thread, in, out, n), 0);
    cr_assert_eq(nseen, t, "fn ran on %d distinct thread%s, it should run on %d", nseen,
                 nseen == 1 ? "" : "s", t);
    long small = (long)(n / (size_t)t);
    for (int k = 0; k < nseen; k++) {
        cr_assert_eq(seen[k].hi - seen[k].lo + 1, seen[k].count,
                     "a thread computed %ld inputs between in[%ld] and in[%ld]: a slice is "
                     "one run of neighbouring inputs",
                     seen[k].count, seen[k].lo, seen[k].hi);
        cr_assert(seen[k].count == small || seen[k].count == small + 1,
                  "%zu inputs on %d threads: each slice should hold %ld or %ld inputs, one "
                  "held %ld",
                  n, t, small, small + 1, seen[k].count);
    }
    free(in);
    free(out);
}

/* The seeded draw above may give a remainder of 0 or 1, where "the last thread takes what is
 * left over" cannot be told from slices that differ by at most one. Here every thread count
 * from 2 to 8 meets the largest remainder it can have, n % t == t - 1, on every run. */
Test(spawn_join, keeps_slices_within_one_of_each_other_even_with_the_largest_remainder)
{
    for (int t = 2; t <= 8; t++) {
        size_t n = (size_t)t * (size_t)kata_rand_range(50, 500) + (size_t)(t - 1);
        long *in = iota(n), *out = new_array(n, UNSET);
        nseen = overflow = 0;
        cr_assert_eq(spawn_join_map(t, record_thread, in, out, n), 0);
        cr_assert_eq(nseen, t, "fn ran on %d distinct thread%s, it should run on %d", nseen,
                     nseen == 1 ? "" : "s", t);
        long small = (long)(n / (size_t)t);
        for (int k = 0; k < nseen; k++)
            cr_assert(seen[k].count == small || seen[k].count == small + 1,
                      "%zu inputs on %d threads leave a remainder of %d: spread it one input "
                      "each over %d slices, so each holds %ld or %ld inputs; one held %ld",
                      n, t, t - 1, t - 1, small, small + 1, seen[k].count);
        free(in);
        free(out);
    }
}

/* The contract's error path: pthread_create fails (the test support makes it fail after
 * `ok` threads), and the call must join the threads that did start before it returns -1.
 * fn takes 2 ms per input, so a thread left unjoined is still running when the call returns. */
Test(spawn_join, joins_the_threads_it_started_when_another_cannot_be_started)
{
    int t = (int)kata_rand_range(2, 6);
    for (long ok = 0; ok < t; ok++) {
        size_t n = (size_t)t * 5;
        long *in = iota(n), *out = new_array(n, UNSET);
        atomic_store(&running, 0);
        kata_threads_reset();
        kata_threads_fail_after(ok);
        int rc = spawn_join_map(t, slow, in, out, n);
        long still = kata_threads_running();
        kata_threads_fail_after(-1);
        cr_assert_eq(rc, -1,
                     "%d threads asked for, pthread_create failed after %ld of them started: "
                     "the call should return -1, it returned %d",
                     t, ok, rc);
        cr_assert_eq(kata_threads_started(), ok,
                     "pthread_create could start only %ld thread%s, yet %ld started", ok,
                     ok == 1 ? "" : "s", kata_threads_started());
        cr_assert_eq(still, 0,
                     "pthread_create failed after %ld thread%s started, and %ld %s still "
                     "running when the call returned -1: join the threads that did start "
                     "before returning",
                     ok, ok == 1 ? "" : "s", still, still == 1 ? "was" : "were");
        /* not freed: were a thread still running, it would write into freed memory */
    }
}

Test(spawn_join, waits_for_every_thread_before_returning)
{
    int t = (int)kata_rand_range(2, 4);
    size_t n = (size_t)t * 5; /* 5 inputs of 2 ms each per thread */
    long *in = iota(n), *out = new_array(n, UNSET);
    atomic_store(&running, 0);
    cr_assert_eq(spawn_join_map(t, slow, in, out, n), 0);
    int still = atomic_load(&running);
    cr_assert_eq(still, 0,
                 "fn was still running on %d threads after the call returned: join every "
                 "thread before returning",
                 still);
    for (size_t i = 0; i < n; i++) {
        cr_assert_neq(out[i], UNSET,
                      "right after the call returned, out[%zu] was not written yet: a thread "
                      "was still working (join every thread before returning)",
                      i);
        cr_assert_eq(out[i], 2 * in[i] + 1, "out[%zu] should be %ld, got %ld", i, 2 * in[i] + 1,
                     out[i]);
    }
    /* not freed: were a thread still running, it would write into freed memory */
}

Test(spawn_join, an_empty_input_starts_no_thread)
{
    long in[1] = {7}, out[1] = {UNSET};
    kata_threads_reset();
    cr_assert_eq(spawn_join_map(4, square_plus_one, in, out, 0), 0, "n == 0 should return 0");
    cr_assert_eq(spawn_join_map(4, NULL, NULL, NULL, 0), 0,
                 "n == 0 should return 0, even with NULL fn, in and out");
    cr_assert_eq(kata_threads_started(), 0, "n == 0, yet pthread_create ran %ld %s",
                 kata_threads_started(), kata_plural(kata_threads_started(), "time", "times"));
    cr_assert_eq(out[0], UNSET, "n == 0, yet out[0] was written");
}

Test(spawn_join, rejects_a_thread_count_out_of_range)
{
    long in[4] = {1, 2, 3, 4}, out[4];
    kata_threads_reset();
    cr_assert_eq(spawn_join_map(0, square_plus_one, in, out, 4), -1,
                 "0 threads is not a valid request");
    cr_assert_eq(spawn_join_map(-3, square_plus_one, in, out, 4), -1,
                 "a negative thread count is not a valid request");
    cr_assert_eq(spawn_join_map(SPAWN_JOIN_MAX_THREADS + 1, square_plus_one, in, out, 4), -1,
                 "more than SPAWN_JOIN_MAX_THREADS threads is not a valid request");
    cr_assert_eq(kata_threads_started(), 0,
                 "a rejected request should start no thread, pthread_create ran %ld %s",
                 kata_threads_started(), kata_plural(kata_threads_started(), "time", "times"));
}

Test(spawn_join, rejects_a_missing_function_or_array)
{
    long in[4] = {1, 2, 3, 4}, out[4];
    kata_threads_reset();
    cr_assert_eq(spawn_join_map(2, NULL, in, out, 4), -1, "fn == NULL with n > 0 is an error");
    cr_assert_eq(spawn_join_map(2, square_plus_one, NULL, out, 4), -1,
                 "in == NULL with n > 0 is an error");
    cr_assert_eq(spawn_join_map(2, square_plus_one, in, NULL, 4), -1,
                 "out == NULL with n > 0 is an error");
    cr_assert_eq(kata_threads_started(), 0,
                 "a rejected request should start no thread, pthread_create ran %ld %s",
                 kata_threads_started(), kata_plural(kata_threads_started(), "time", "times"));
}
