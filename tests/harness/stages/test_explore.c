/* test_explore.c: the explore runtime (harness/runtime/explore.c) finds what a schedule can
 * break and passes what none can, and a schedule it prints replays exactly.
 *
 * tests/harness/data/src/explore_counter.c counts to four with two threads in five ways,
 * built as the explore stage builds a learner's file (stages/stage.c, DRIVER_EXPLORE): the
 * racy count and the count read and written under two holds of one lock (an atomicity
 * violation no race detector reports) are found, each time from the same seed the same
 * way; the printed schedule replays to the same steps; locks taken in opposite orders end in
 * a deadlock that names both mutexes; the locked count and an atomic_flag spinlock (a thread
 * that spins must yield, or the run never ends) pass.
 *
 * Orders (explore_race.c): a write both threads make unlocked, and a hand-off by relaxed
 * atomics, are data races though the count comes out right; the same hand-off by release
 * and acquire passes, and so does a recursive mutex locked twice. A wait under `if` is
 * broken by the spurious wake-ups some schedules make; under `while` it passes. */
#include "spawn.h"
#include "stages/stage.h"
#include "util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEARNER "tests/harness/data/src/explore_counter.c"
#define DRIVER "tests/harness/data/src/explore_counter_driver.c"
#define RUNTIME "harness/runtime/explore.c"
#define RACES "harness/runtime/explore_race.c"
#define GUARD "harness/runtime/report_guard.c"

static char dir[64];
static char *bin;

static void run_ok(const char *const *argv, const char *what)
{
    char *log = xasprintf("%s/build.log", dir);
    struct child c = {.argv = argv, .stdout_path = log, .stderr_path = log, .timeout = 120};
    cr_assert_eq(child_run(&c), 0);
    char *text = read_file(log, 1 << 20, NULL);
    cr_assert(c.exited && c.exit_code == 0, "%s failed: %s", what, text ? text : "");
    free(text);
    free(log);
}

static void build(void)
{
    snprintf(dir, sizeof dir, "/tmp/kata-test-explore-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    bin = xasprintf("%s/program", dir);
    char *obj = xasprintf("%s/learner.o", dir);
    const char *cc[] = {"gcc",   "-std=c11", "-O0", "-g", "-fsanitize=thread", "-w", "-c",
                        LEARNER, "-o",       obj,   NULL};
    run_ok(cc, "the instrumented compile");
    const char *ld[] = {
        "gcc",         "-std=c11",  "-O2",      "-g",  "-no-pie", "-w", "-Iharness/runtime",
        DRIVER,        obj,         RUNTIME,    RACES, GUARD,     "-o", bin,
        explore_wraps, "-lpthread", "-latomic", NULL};
    run_ok(ld, "the link with the runtime");
    free(obj);
}

static void cleanup(void)
{
    remove_tree(dir);
    free(bin);
}

/* Runs the program with the variant and a schedule (or NULL); returns its report (a new
 * string) and its exit code in *code. */
static char *explore(int variant, const char *seed, const char *schedule, int *code)
{
    char *v = xasprintf("EXPLORE_VARIANT=%d", variant);
    char *s = xasprintf("KATA_SEED=%s", seed);
    char *sch = xasprintf("KATA_SCHEDULE=%s", schedule ? schedule : "");
    char *out = xasprintf("%s/report", dir);
    const char *env[] = {
        v,   s, sch, "KATA_REPORT_FD=1", "KATA_EXPLORE_MAX=300", "KATA_EXPLORE_BUDGET_MS=20000",
        NULL};
    const char *argv[] = {bin, NULL};
    struct child c = {
        .argv = argv, .env = env, .stdout_path = out, .stderr_path = "/dev/null", .timeout = 60};
    cr_assert_eq(child_run(&c), 0);
    cr_assert(c.exited, "the explore run did not end by itself");
    *code = c.exit_code;
    char *text = read_file(out, 16 << 20, NULL);
    cr_assert_not_null(text);
    cr_assert(strstr(text, "\nend\n"), "the report has no end: %s", text);
    free(v);
    free(s);
    free(sch);
    free(out);
    return text;
}

/* The steps of a report (its E lines), a new string. */
static char *steps(const char *report)
{
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    for (const char *l = report; *l;) {
        size_t n = strcspn(l, "\n");
        if (l[0] == 'E')
            sb_addf(&sb, "%.*s\n", (int)n, l);
        l += n + (l[n] == '\n');
    }
    return sb_detach(&sb);
}

static char *schedule_of(const char *report)
{
    const char *s = strstr(report, "\nschedule ");
    cr_assert_not_null(s, "no schedule in: %s", report);
    return xstrndup(s + 10, strcspn(s + 10, "\n"));
}

/* The schedule report r printed, run again from another seed: it fails again, with the
 * same verdict line and the same steps. */
static void expect_replays(int variant, const char *r)
{
    char *sched = schedule_of(r);
    int code;
    char *replay = explore(variant, "12345", sched, &code);
    cr_expect_eq(code, 1, "%s", replay);
    const char *v1 = strstr(r, "\nverdict "), *v2 = strstr(replay, "\nverdict ");
    cr_assert(v1 && v2, "%s\n%s", r, replay);
    char *a = xstrndup(v1 + 1, strcspn(v1 + 1, "\n")), *b = xstrndup(v2 + 1, strcspn(v2 + 1, "\n"));
    cr_expect_str_eq(a, b, "the replay of %s says otherwise", sched);
    free(a);
    free(b);
    a = steps(r);
    b = steps(replay);
    cr_expect(*a, "no steps were told");
    cr_expect_str_eq(a, b, "the replay of %s took other steps", sched);
    free(a);
    free(b);
    free(sched);
    free(replay);
}

TestSuite(explore, .init = build, .fini = cleanup, .timeout = 300);

Test(explore, correct_counts_pass_every_schedule)
{
    /* 11 puts /dev/null over every descriptor first: the schedule's pipe is guarded
     * (report_guard.h), so its report still arrives */
    static const int correct[] = {1, 4, 6, 8, 10, 11};
    for (size_t i = 0; i < sizeof correct / sizeof *correct; i++) {
        int variant = correct[i], code;
        char *r = explore(variant, "7", NULL, &code);
        cr_expect_eq(code, 0, "variant %d: %s", variant, r);
        cr_expect(strstr(r, "verdict pass"), "variant %d: %s", variant, r);
        free(r);
    }
}

/* A schedule that ends without its report read as a design explore cannot run (a skip).
 * With its pipe guarded (variant 11 above), such a schedule has exited, which fails. */
Test(explore, a_schedule_that_exits_before_its_report_fails)
{
    int code;
    char *r = explore(12, "7", NULL, &code);
    cr_expect_eq(code, 1, "%s", r);
    cr_expect(strstr(r, "verdict fail the program exited (exit code 0)"), "%s", r);
    free(r);
}

/* Lines written to the schedule's pipe by the code under test, without the runtime's key: the
 * run is not evidence, whatever they say (here: the right count, and the end). */
Test(explore, a_schedule_whose_pipe_carries_lines_of_its_own_is_not_trusted)
{
    int code;
    char *r = explore(13, "7", NULL, &code);
    cr_expect_eq(code, 1, "%s", r);
    cr_expect(strstr(r, "verdict untrusted a schedule's report pipe carried 2 lines the harness "
                        "did not write"),
              "%s", r);
    free(r);
}

Test(explore, a_lost_update_is_found_and_its_schedule_replays_exactly)
{
    for (int variant = 0; variant <= 2; variant += 2) {
        int code;
        char *r = explore(variant, "7", NULL, &code);
        cr_assert_eq(code, 1, "variant %d: %s", variant, r);
        cr_assert(strstr(r, "verdict fail count_with returned"), "variant %d: %s", variant, r);
        /* the same seed, the same finding (all but the first line, which has the time) */
        int again_code;
        char *again = explore(variant, "7", NULL, &again_code);
        cr_expect_str_eq(strchr(again, '\n'), strchr(r, '\n'));
        expect_replays(variant, r);
        free(again);
        free(r);
    }
}

Test(explore, locks_taken_in_opposite_orders_deadlock_and_say_who_holds_what)
{
    int code;
    char *r = explore(3, "7", NULL, &code);
    cr_assert_eq(code, 1, "%s", r);
    cr_assert(strstr(r, "verdict deadlock"), "%s", r);
    int waits = 0, holds = 0;
    for (const char *l = r; (l = strchr(l, '\n')); l++) {
        int tid;
        char wait[16];
        waits += sscanf(l + 1, "D %d %15s", &tid, wait) == 2 && !strcmp(wait, "mutex");
        holds += !strncmp(l + 1, "H ", 2);
    }
    cr_expect_eq(waits, 2, "two threads wait for a mutex: %s", r);
    cr_expect_eq(holds, 2, "each holds one: %s", r);
    free(r);
}

Test(explore, accesses_nothing_orders_are_a_race_even_when_the_count_is_right)
{
    for (int variant = 5; variant <= 7; variant += 2) {
        int code;
        char *r = explore(variant, "7", NULL, &code);
        cr_assert_eq(code, 1, "variant %d: %s", variant, r);
        cr_assert(strstr(r, "verdict race"), "variant %d: %s", variant, r);
        /* the two accesses: both threads' (1 and 2), one of them a write */
        const char *a = strstr(r, "\nA ");
        cr_assert_not_null(a, "no race line: %s", r);
        long step, pstep;
        int t1, t2;
        char k1[8], k2[8];
        size_t size;
        cr_assert_eq(sscanf(a + 1, "A %ld %d %7s %*s %d %7s %*s %*s %zu %ld", &step, &t1, k1, &t2,
                            k2, &size, &pstep),
                     7, "%s", a);
        cr_expect(t1 != t2 && t1 >= 1 && t2 >= 1, "%s", a);
        cr_expect(!strcmp(k1, "write") || !strcmp(k2, "write"), "%s", a);
        cr_expect(step > pstep, "%s", a);
        expect_replays(variant, r);
        free(r);
    }
}

Test(explore, a_wait_under_if_is_broken_by_a_spurious_wakeup)
{
    int code;
    char *r = explore(9, "7", NULL, &code);
    cr_assert_eq(code, 1, "%s", r);
    cr_assert(strstr(r, "verdict fail count_with returned"), "%s", r);
    char *sched = schedule_of(r);
    cr_expect_eq(sched[0], 's', "the schedule names its spurious wake-ups: %s", sched);
    cr_expect(strstr(r, " spurious "), "a step is the wake-up with no signal: %s", r);
    expect_replays(9, r);
    free(sched);
    free(r);
}
