/* test_process_memory.c: the functional tests of kata 06, process_memory. */
#define _GNU_SOURCE /* getrusage's RUSAGE_CHILDREN, clock_gettime */
#include "process_memory.h"

#include "kata_test.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define UNSET (-123456789L) /* what out[] holds before the call: never a prime */

/* The primes in [from, to), by the sieve of Eratosthenes: a new array of *count primes. */
static long *sieve(long from, long to, long *count)
{
    char *composite = calloc((size_t)to + 1, 1);
    long *primes = malloc(((size_t)(to - from) + 1) * sizeof *primes);
    cr_assert(composite && primes, "out of memory for the sieve of %ld", to);
    long n = 0;
    for (long x = 2; x < to; x++) {
        if (composite[x])
            continue;
        if (x >= from)
            primes[n++] = x;
        for (long m = x * x; x <= to / x && m < to; m += x)
            composite[m] = 1;
    }
    free(composite);
    *count = n;
    return primes;
}

static long *new_out(long n)
{
    long *v = malloc((size_t)(n > 0 ? n : 1) * sizeof *v);
    cr_assert_not_null(v, "out of memory for %ld longs", n);
    for (long i = 0; i < n; i++)
        v[i] = UNSET;
    return v;
}

/* What the parent sees when the children appended to ordinary memory: their own copies. */
#define NOTHING_SEEN "(the children's appends stayed in their own copies of the memory)"

static const char *children(int n)
{
    return n == 1 ? "child" : "children";
}

/* Checks that out[0..got) are exactly the primes in [from, to), in increasing order. */
static void expect_primes(int nprocs, long from, long to, long got, const long *out)
{
    long expected;
    long *want = sieve(from, to, &expected);
    cr_assert_eq(got, expected, "%d %s, primes in [%ld, %ld): expected %ld, got %ld %s", nprocs,
                 children(nprocs), from, to, expected, got, got == 0 ? NOTHING_SEEN : "");
    for (long i = 0; i < got; i++)
        cr_assert_eq(out[i], want[i],
                     "%d %s, primes in [%ld, %ld): out[%ld] should be %ld, got %ld "
                     "(increasing order, each prime once)",
                     nprocs, children(nprocs), from, to, i, want[i], out[i]);
    free(want);
}

/* This process's children, in any state: the ones still running and the zombies. */
static int children_left(void)
{
    return kata_live_children() + kata_zombie_children();
}

/* Mappings of this process that are shared (perms like "rw-s"), from /proc/self/maps. */
static int shared_mappings(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    cr_assert_not_null(f, "cannot read /proc/self/maps");
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        char perms[8];
        if (sscanf(line, "%*s %7s", perms) == 1 && perms[3] == 's')
            n++;
    }
    fclose(f);
    return n;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the children this process has reaped so far. */
static double children_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

Test(process_memory, finds_every_prime_in_the_range_in_increasing_order)
{
    int nprocs = (int)kata_rand_range(2, 8);
    long from = kata_rand_range(0, 100000);
    long to = from + kata_rand_range(20000, 200000);
    long *out = new_out(to - from);
    long got = process_memory_collect(nprocs, from, to, out);
    expect_primes(nprocs, from, to, got, out);
    free(out);
}

/* Lost appends need two children appending at the same moment, on two cores. A round in
 * which the children did not run side by side (the machine was busy, or they happened to
 * share a core) proves little, so the test counts only the rounds whose children kept more
 * than 1.5 cores busy, and runs rounds until it has seen four of those or 2.5 s are up.
 * On two free cores, appending without the lock loses tens to thousands of primes in
 * every such round. */
Test(process_memory, keeps_every_prime_when_many_children_append_at_once)
{
    int parallel = 0, rounds = 0;
    double start = now();
    while (rounds < 1 || (parallel < 4 && now() - start < 2.5)) {
        int nprocs = (int)kata_rand_range(4, 8);
        long from = kata_rand_range(0, 1000);
        long to = from + kata_rand_range(800000, 1000000);
        long *out = new_out(to - from);
        double cpu0 = children_cpu(), t0 = now();
        long got = process_memory_collect(nprocs, from, to, out);
        /* the children linger KATA_EXIT_LINGER_MS at their _exit with no CPU used (the
         * last of them all at once): that is in the wall time, not in their work */
        double work = now() - t0 - KATA_EXIT_LINGER_MS / 1000.0;
        double cores = (children_cpu() - cpu0) / (work > 0.001 ? work : 0.001);
        long expected;
        free(sieve(from, to, &expected));
        cr_assert(got >= expected || got <= 0,
                  "round %d: %d children appending the primes in "
                  "[%ld, %ld) at once lost %ld of %ld (two children read the same count and "
                  "wrote the same slot: append under the process-shared mutex)",
                  rounds + 1, nprocs, from, to, expected - got, expected);
        expect_primes(nprocs, from, to, got, out);
        free(out);
        rounds++;
        parallel += cores > 1.5;
    }
    cr_log_info("%d rounds, %d of them on more than 1.5 cores", rounds, parallel);
}

Test(process_memory, forks_exactly_the_children_it_was_asked_for)
{
    int nprocs = (int)kata_rand_range(2, 12);
    long from = kata_rand_range(0, 1000);
    long to = from + kata_rand_range(10000, 50000);
    long *out = new_out(to - from);
    kata_processes_reset();
    long got = process_memory_collect(nprocs, from, to, out);
    cr_assert_eq(kata_processes_started(), nprocs, "asked for %d %s on [%ld, %ld), fork ran %ld %s",
                 nprocs, children(nprocs), from, to, kata_processes_started(),
                 kata_plural(kata_processes_started(), "time", "times"));
    expect_primes(nprocs, from, to, got, out);
    free(out);
}

/* exit() in a child runs the exit handlers it inherited from the caller and flushes the
 * caller's stdio buffers a second time; the test support counts the handlers' runs. */
Test(process_memory, the_children_end_without_running_the_callers_exit_handlers)
{
    int nprocs = (int)kata_rand_range(2, 8);
    long from = kata_rand_range(0, 1000);
    long to = from + kata_rand_range(1000, 5000);
    long *out = new_out(to - from);
    kata_processes_reset();
    long got = process_memory_collect(nprocs, from, to, out);
    long ran = kata_children_that_ran_exit_handlers();
    cr_assert_eq(ran, 0,
                 "%ld of %d %s ran the calling process's exit handlers (atexit) as %s ended: "
                 "a child that calls exit() runs them and writes out its copy of the caller's "
                 "stdio buffers again; end a forked child with _exit()",
                 ran, nprocs, children(nprocs), ran == 1 ? "it" : "they");
    expect_primes(nprocs, from, to, got, out);
    free(out);
}

Test(process_memory, one_child_still_does_the_work_in_a_process_of_its_own)
{
    long from = kata_rand_range(0, 1000);
    long to = from + kata_rand_range(1000, 20000);
    long *out = new_out(to - from);
    kata_processes_reset();
    long got = process_memory_collect(1, from, to, out);
    cr_assert_eq(kata_processes_started(), 1, "asked for 1 child on [%ld, %ld), fork ran %ld %s",
                 from, to, kata_processes_started(),
                 kata_plural(kata_processes_started(), "time", "times"));
    expect_primes(1, from, to, got, out);
    free(out);
}

Test(process_memory, forks_only_one_child_per_number_when_numbers_are_fewer)
{
    int nprocs = (int)kata_rand_range(6, 16);
    long from = kata_rand_range(0, 40);
    long to = from + kata_rand_range(1, nprocs - 1);
    long *out = new_out(to - from);
    kata_processes_reset();
    long got = process_memory_collect(nprocs, from, to, out);
    cr_assert_eq(kata_processes_started(), to - from,
                 "%d %s for only %ld numbers [%ld, %ld): fork one child per number, "
                 "fork ran %ld %s",
                 nprocs, children(nprocs), to - from, from, to, kata_processes_started(),
                 kata_plural(kata_processes_started(), "time", "times"));
    expect_primes(nprocs, from, to, got, out);
    free(out);
}

Test(process_memory, gets_the_small_ranges_right)
{
    /* the edges: 0, 1 and 2, ranges that start or end on a prime, ranges with none */
    static const long ranges[][2] = {{0, 1},   {0, 2},   {0, 3},   {2, 3},   {3, 4},
                                     {0, 10},  {1, 12},  {4, 5},   {13, 14}, {14, 17},
                                     {24, 29}, {24, 30}, {89, 97}, {90, 98}, {0, 100}};
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        long from = ranges[i][0], to = ranges[i][1];
        int nprocs = (int)kata_rand_range(1, 4);
        long out[100];
        for (long j = 0; j < 100; j++)
            out[j] = UNSET;
        long got = process_memory_collect(nprocs, from, to, out);
        expect_primes(nprocs, from, to, got, out);
    }
}

Test(process_memory, reaps_every_child_before_returning)
{
    int nprocs = (int)kata_rand_range(2, 8);
    long to = kata_rand_range(10000, 50000);
    long *out = new_out(to);
    int before = children_left();
    long got = process_memory_collect(nprocs, 0, to, out);
    int zombies = kata_zombie_children(), live = kata_live_children();
    cr_assert_eq(zombies + live, before,
                 "%d children: after the call returned, %d were zombies and %d still running: "
                 "wait for every child (waitpid) before returning",
                 nprocs, zombies, live);
    expect_primes(nprocs, 0, to, got, out);
    free(out);
}

Test(process_memory, leaves_no_descriptor_or_shared_mapping_behind)
{
    int nprocs = (int)kata_rand_range(2, 8);
    long to = kata_rand_range(10000, 50000);
    long *out = new_out(to);
    int fds = kata_open_fds(), maps = shared_mappings();
    long got = process_memory_collect(nprocs, 0, to, out);
    cr_assert_eq(kata_open_fds(), fds,
                 "%d descriptors were open before the call and %d after: close what you open", fds,
                 kata_open_fds());
    cr_assert_eq(shared_mappings(), maps,
                 "%d shared mappings before the call and %d after: munmap the shared memory "
                 "once the children are done",
                 maps, shared_mappings());
    expect_primes(nprocs, 0, to, got, out);
    free(out);
}

Test(process_memory, an_empty_range_forks_nothing)
{
    long out[1] = {UNSET};
    kata_processes_reset();
    cr_assert_eq(process_memory_collect(4, 100, 100, out), 0, "an empty range holds no prime");
    cr_assert_eq(process_memory_collect(4, 0, 0, NULL), 0,
                 "an empty range holds no prime, even with out == NULL");
    cr_assert_eq(kata_processes_started(), 0, "an empty range, yet fork ran %ld %s",
                 kata_processes_started(), kata_plural(kata_processes_started(), "time", "times"));
    cr_assert_eq(out[0], UNSET, "an empty range, yet out[0] was written");
}

Test(process_memory, rejects_bad_requests)
{
    long out[16];
    kata_processes_reset();
    cr_assert_eq(process_memory_collect(0, 0, 16, out), -1, "0 children is not a valid request");
    cr_assert_eq(process_memory_collect(-2, 0, 16, out), -1,
                 "a negative child count is not a valid request");
    cr_assert_eq(process_memory_collect(PROCESS_MEMORY_MAX_PROCS + 1, 0, 16, out), -1,
                 "more than PROCESS_MEMORY_MAX_PROCS children is not a valid request");
    cr_assert_eq(process_memory_collect(2, -5, 10, out), -1, "from < 0 is not a valid request");
    cr_assert_eq(process_memory_collect(2, 10, 5, out), -1, "from > to is not a valid request");
    cr_assert_eq(process_memory_collect(2, 0, 16, NULL), -1,
                 "out == NULL for a non-empty range is an error");
    cr_assert_eq(kata_processes_started(), 0,
                 "a rejected request should fork no child, fork ran %ld %s",
                 kata_processes_started(), kata_plural(kata_processes_started(), "time", "times"));
}
