/* test_process_pool.c: the functional tests of kata 10, process_pool. */
#define _GNU_SOURCE /* nanosleep, clock_gettime, getpid */
#include "process_pool.h"

#include "kata_test.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define UNSET (-123456789L) /* what out[] holds before the call: no fn below returns it */

static long square_plus_one(long x)
{
    return x * x + 1;
}

/* Which process computed it: the workers' pids come back as the results. */
static long whose(long x)
{
    (void)x;
    return (long)getpid();
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* The input marked SLOW takes 100 ms, every other input none: the worker that has it
 * answers long after the others, so results that are stored in the order they arrive end
 * up out of place. */
#define SLOW (-7L)

static long slow_marked(long x)
{
    if (x == SLOW)
        sleep_ms(100);
    return 3 * x - 1;
}

/* 2 ms per input, spent asleep: the workers wait, and so should the caller. */
static long sleepy(long x)
{
    sleep_ms(2);
    return x + 5;
}

/* fn crashes, in the worker, on the input marked CRASH (and _exits on EXIT_EARLY). */
#define CRASH (-13L)
#define EXIT_EARLY (-17L)

static long crashes_on_mark(long x)
{
    if (x == CRASH)
        raise(SIGSEGV);
    if (x == EXIT_EARLY)
        _exit(0);
    return x / 2;
}

static long *new_array(size_t n, long fill)
{
    long *v = malloc((n ? n : 1) * sizeof *v);
    cr_assert_not_null(v, "out of memory for %zu longs", n);
    for (size_t i = 0; i < n; i++)
        v[i] = fill;
    return v;
}

/* Random inputs, never negative: the negative numbers are the marks above. */
static long *random_inputs(size_t n)
{
    long *v = new_array(n, 0);
    for (size_t i = 0; i < n; i++)
        v[i] = kata_rand_range(0, 200000);
    return v;
}

static const char *workers(int n)
{
    return n == 1 ? "worker" : "workers";
}

/* This process's children, in any state: the ones still running and the zombies. */
static int children_left(void)
{
    return kata_live_children() + kata_zombie_children();
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void expect_results(int nw, const long *in, const long *out, size_t n, long (*fn)(long))
{
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(
            out[i], fn(in[i]), "%d %s, %zu inputs: out[%zu] should be fn(in[%zu]) = %ld, got %ld%s",
            nw, workers(nw), n, i, i, fn(in[i]), out[i], out[i] == UNSET ? " (never written)" : "");
}

Test(process_pool, results_come_back_in_input_order)
{
    size_t n = (size_t)kata_rand_range(1000, 20000);
    int nw = (int)kata_rand_range(2, 8);
    long *in = random_inputs(n), *out = new_array(n, UNSET);
    cr_assert_eq(process_pool_map(nw, square_plus_one, in, out, n), 0,
                 "process_pool_map(%d workers, %zu inputs) should return 0", nw, n);
    expect_results(nw, in, out, n, square_plus_one);
    free(in);
    free(out);
}

Test(process_pool, results_stay_in_place_when_one_worker_is_slow)
{
    size_t n = (size_t)kata_rand_range(2000, 8000);
    int nw = (int)kata_rand_range(2, 4);
    long *in = random_inputs(n), *out = new_array(n, UNSET);
    in[0] = SLOW; /* the first task's worker answers last */
    cr_assert_eq(process_pool_map(nw, slow_marked, in, out, n), 0,
                 "process_pool_map(%d workers, %zu inputs) should return 0", nw, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(out[i], 3 * in[i] - 1,
                     "%d workers, %zu inputs, in[0] slow: out[%zu] should be fn(in[%zu]) = "
                     "%ld, got %ld (store each result at its input's index, not in the order "
                     "the results arrive)",
                     nw, n, i, i, 3 * in[i] - 1, out[i]);
    free(in);
    free(out);
}

Test(process_pool, forks_exactly_the_workers_it_was_asked_for)
{
    size_t n = (size_t)kata_rand_range(1000, 20000);
    int nw = (int)kata_rand_range(2, 12);
    long *in = random_inputs(n), *out = new_array(n, UNSET);
    kata_processes_reset();
    int rc = process_pool_map(nw, square_plus_one, in, out, n);
    cr_assert_eq(kata_processes_started(), nw,
                 "asked for %d workers on %zu inputs, fork ran %ld "
                 "times",
                 nw, n, kata_processes_started());
    cr_assert_eq(rc, 0, "process_pool_map(%d workers, %zu inputs) should return 0", nw, n);
    expect_results(nw, in, out, n, square_plus_one);
    free(in);
    free(out);
}

Test(process_pool, one_worker_is_still_a_process_of_its_own)
{
    size_t n = (size_t)kata_rand_range(10, 2000);
    long *in = random_inputs(n), *out = new_array(n, UNSET);
    kata_processes_reset();
    cr_assert_eq(process_pool_map(1, square_plus_one, in, out, n), 0);
    cr_assert_eq(kata_processes_started(), 1,
                 "asked for 1 worker on %zu inputs, fork ran %ld "
                 "times",
                 n, kata_processes_started());
    expect_results(1, in, out, n, square_plus_one);
    free(in);
    free(out);
}

Test(process_pool, forks_only_one_worker_per_input_when_inputs_are_fewer)
{
    int nw = (int)kata_rand_range(4, 16);
    size_t n = (size_t)kata_rand_range(1, nw - 1);
    long *in = random_inputs(n), *out = new_array(n, UNSET);
    kata_processes_reset();
    cr_assert_eq(process_pool_map(nw, square_plus_one, in, out, n), 0);
    cr_assert_eq(kata_processes_started(), (long)n,
                 "%d workers for only %zu inputs: fork one worker per input, fork ran %ld %s", nw,
                 n, kata_processes_started(),
                 kata_plural(kata_processes_started(), "time", "times"));
    expect_results(nw, in, out, n, square_plus_one);
    free(in);
    free(out);
}

Test(process_pool, fn_runs_in_the_workers_and_never_in_the_caller)
{
    size_t n = (size_t)kata_rand_range(1000, 5000);
    int nw = (int)kata_rand_range(2, 6);
    long *in = random_inputs(n), *out = new_array(n, UNSET);
    cr_assert_eq(process_pool_map(nw, whose, in, out, n), 0);
    for (size_t i = 0; i < n; i++) {
        cr_assert_neq(out[i], UNSET, "out[%zu] was never written", i);
        cr_assert_neq(out[i], (long)getpid(),
                      "fn(in[%zu]) ran in the calling process: fn belongs in the workers", i);
    }
    free(in);
    free(out);
}

/* exit() in a worker runs the exit handlers it inherited from the caller and flushes the
 * caller's stdio buffers a second time; the test support counts the handlers' runs. */
Test(process_pool, the_workers_end_without_running_the_callers_exit_handlers)
{
    size_t n = (size_t)kata_rand_range(1000, 5000);
    int nw = (int)kata_rand_range(2, 8);
    long *in = random_inputs(n), *out = new_array(n, UNSET);
    kata_processes_reset();
    int rc = process_pool_map(nw, square_plus_one, in, out, n);
    long ran = kata_children_that_ran_exit_handlers();
    cr_assert_eq(ran, 0,
                 "%ld of %d %s ran the calling process's exit handlers (atexit) as %s ended: "
                 "a worker that calls exit() runs them and writes out its copy of the "
                 "caller's stdio buffers again; end a forked worker with _exit()",
                 ran, nw, workers(nw), ran == 1 ? "it" : "they");
    cr_assert_eq(rc, 0);
    expect_results(nw, in, out, n, square_plus_one);
    free(in);
    free(out);
}

/* Each worker has three times a pipe's default capacity (64 KiB) of results to send, more
 * than its pipe can hold: a worker blocks in write() until the caller reads, so a caller
 * that waits for the workers to exit before it reads their pipes waits forever. */
Test(process_pool, a_worker_can_send_more_results_than_its_pipe_holds)
{
    int nw = (int)kata_rand_range(1, 2);
    size_t n = (size_t)nw * 3 * (65536 / sizeof(long));
    long *in = random_inputs(n), *out = new_array(n, UNSET);
    cr_assert_eq(process_pool_map(nw, square_plus_one, in, out, n), 0,
                 "process_pool_map(%d %s, %zu inputs) should return 0", nw, workers(nw), n);
    expect_results(nw, in, out, n, square_plus_one);
    free(in);
    free(out);
}

Test(process_pool, reaps_every_worker_before_returning)
{
    size_t n = (size_t)kata_rand_range(1000, 5000);
    int nw = (int)kata_rand_range(2, 8);
    long *in = random_inputs(n), *out = new_array(n, UNSET);
    int before = children_left();
    int rc = process_pool_map(nw, square_plus_one, in, out, n);
    int zombies = kata_zombie_children(), live = kata_live_children();
    cr_assert_eq(zombies + live, before,
                 "%d workers: after the call returned, %d were zombies and %d still running: "
                 "wait for every worker (waitpid) before returning",
                 nw, zombies, live);
    cr_assert_eq(rc, 0);
    expect_results(nw, in, out, n, square_plus_one);
    free(in);
    free(out);
}

Test(process_pool, leaves_no_descriptor_open)
{
    size_t n = (size_t)kata_rand_range(1000, 5000);
    int nw = (int)kata_rand_range(2, 8);
    long *in = random_inputs(n), *out = new_array(n, UNSET);
    int fds = kata_open_fds();
    int rc = process_pool_map(nw, square_plus_one, in, out, n);
    cr_assert_eq(kata_open_fds(), fds,
                 "%d workers: %d descriptors were open before the call and %d after: close "
                 "every pipe end",
                 nw, fds, kata_open_fds());
    cr_assert_eq(rc, 0);
    expect_results(nw, in, out, n, square_plus_one);
    free(in);
    free(out);
}

/* A worker that dies must be noticed: end-of-file on its result pipe, which comes only if
 * every other copy of that pipe's write end is closed. */
static void expect_failure_reported(long mark, const char *how)
{
    size_t n = (size_t)kata_rand_range(500, 5000);
    int nw = (int)kata_rand_range(2, 6);
    long *in = random_inputs(n), *out = new_array(n, UNSET);
    size_t bad = (size_t)kata_rand_range(0, (long)n - 1);
    in[bad] = mark;
    int before = children_left(), fds = kata_open_fds();
    double t0 = now();
    int rc = process_pool_map(nw, crashes_on_mark, in, out, n);
    double took = now() - t0;
    cr_assert_eq(rc, -1,
                 "%d workers, %zu inputs: fn %s on in[%zu], yet the call returned %d: a worker "
                 "that dies with its task unfinished is a failure (-1)",
                 nw, n, how, bad, rc);
    cr_assert(took < 5.0, "a worker died and the call took %.1f s to say so", took);
    int zombies = kata_zombie_children(), live = kata_live_children();
    cr_assert_eq(zombies + live, before,
                 "after a worker died, %d workers were zombies and %d still running when the "
                 "call returned: stop and reap them all",
                 zombies, live);
    cr_assert_eq(kata_open_fds(), fds,
                 "after a worker died, %d descriptors were open where there were %d before",
                 kata_open_fds(), fds);
    free(in);
    free(out);
}

Test(process_pool, a_crashing_worker_makes_the_call_fail_without_hanging)
{
    expect_failure_reported(CRASH, "raised SIGSEGV");
}

Test(process_pool, a_worker_that_exits_early_makes_the_call_fail_too)
{
    expect_failure_reported(EXIT_EARLY, "called _exit(0)");
}

Test(process_pool, the_caller_sleeps_while_the_workers_compute)
{
    int nw = (int)kata_rand_range(2, 4);
    size_t n = (size_t)nw * 40; /* 80 ms of sleep per worker */
    long *in = random_inputs(n), *out = new_array(n, UNSET);
    double cpu0 = kata_cpu_seconds(), runnable0 = kata_runnable_seconds(), t0 = now();
    cr_assert_eq(process_pool_map(nw, sleepy, in, out, n), 0);
    double cpu = kata_cpu_seconds() - cpu0, wall = now() - t0;
    double runnable = runnable0 < 0 ? 0 : kata_runnable_seconds() - runnable0;
    /* CPU time, and on a busy machine (where a spinning loop gets only a share of a core)
     * the time the caller wanted the CPU: a loop that spins is runnable all along */
    cr_assert(cpu < 0.5 * wall && runnable < 0.5 * wall,
              "while %d workers slept for %.0f ms, the calling process used %.0f ms of CPU "
              "(and wanted a CPU for %.0f ms): wait in poll() or read(), which sleep, not in a "
              "loop that keeps asking",
              nw, wall * 1000, cpu * 1000, runnable * 1000);
    expect_results(nw, in, out, n, sleepy);
    free(in);
    free(out);
}

Test(process_pool, an_empty_input_forks_nothing)
{
    long in[1] = {7}, out[1] = {UNSET};
    kata_processes_reset();
    cr_assert_eq(process_pool_map(4, square_plus_one, in, out, 0), 0, "n == 0 should return 0");
    cr_assert_eq(process_pool_map(4, NULL, NULL, NULL, 0), 0,
                 "n == 0 should return 0, even with NULL fn, in and out");
    cr_assert_eq(kata_processes_started(), 0, "n == 0, yet fork ran %ld %s",
                 kata_processes_started(), kata_plural(kata_processes_started(), "time", "times"));
    cr_assert_eq(out[0], UNSET, "n == 0, yet out[0] was written");
}

Test(process_pool, rejects_bad_requests)
{
    long in[4] = {1, 2, 3, 4}, out[4];
    kata_processes_reset();
    cr_assert_eq(process_pool_map(0, square_plus_one, in, out, 4), -1,
                 "0 workers is not a valid request");
    cr_assert_eq(process_pool_map(-3, square_plus_one, in, out, 4), -1,
                 "a negative worker count is not a valid request");
    cr_assert_eq(process_pool_map(PROCESS_POOL_MAX_WORKERS + 1, square_plus_one, in, out, 4), -1,
                 "more than PROCESS_POOL_MAX_WORKERS workers is not a valid request");
    cr_assert_eq(process_pool_map(2, NULL, in, out, 4), -1, "fn == NULL with n > 0 is an error");
    cr_assert_eq(process_pool_map(2, square_plus_one, NULL, out, 4), -1,
                 "in == NULL with n > 0 is an error");
    cr_assert_eq(process_pool_map(2, square_plus_one, in, NULL, 4), -1,
                 "out == NULL with n > 0 is an error");
    cr_assert_eq(kata_processes_started(), 0,
                 "a rejected request should fork no worker, fork ran %ld %s",
                 kata_processes_started(), kata_plural(kata_processes_started(), "time", "times"));
}
