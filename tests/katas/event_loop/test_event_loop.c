/* test_event_loop.c: the functional tests of kata 12, event_loop. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "event_loop.h"

#include "kata_test.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_TASKS 6000
#define MAX_LOG 40000
#define UNSET (-123456789L) /* what results[] holds before the call: no task returns it */

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double ms_between(long long from, long long to)
{
    return (double)(to - from) / 1e6;
}

/* Every step the loop takes, in order: which task, and which of its steps (1, 2, ...). And
 * whether each one ran on the thread that called loop_run. */
struct rec {
    int task, step;
};
static struct rec steps_log[MAX_LOG];
static size_t nlog;
static pthread_t caller;
static long off_thread; /* steps that ran on another thread */

static void log_reset(void)
{
    nlog = 0;
    off_thread = 0;
    caller = pthread_self();
}

static void note(int task, int step)
{
    if (!pthread_equal(pthread_self(), caller))
        off_thread++;
    if (nlog < MAX_LOG)
        steps_log[nlog++] = (struct rec){task, step};
}

/* A task that takes `length` steps, yielding after all but the last, and then returns its
 * result. Steps after its last one are counted: the loop should never take them. */
struct counter {
    int id, length, steps, after_done;
    long answer;
};

static int counter_step(struct task *self, struct loop *loop)
{
    (void)loop;
    struct counter *c = self->state;
    if (c->steps >= c->length) {
        c->after_done++;
        note(c->id, c->steps + c->after_done);
        return TASK_DONE;
    }
    c->steps++;
    note(c->id, c->steps);
    if (c->steps < c->length)
        return TASK_YIELD;
    self->result = c->answer;
    return TASK_DONE;
}

/* The same, but each step ends with loop_sleep(0), which is a plain yield. */
static int zero_sleeper_step(struct task *self, struct loop *loop)
{
    struct counter *c = self->state;
    if (c->steps >= c->length) {
        c->after_done++;
        return TASK_DONE;
    }
    c->steps++;
    note(c->id, c->steps);
    if (c->steps < c->length)
        return loop_sleep(loop, self, 0);
    self->result = c->answer;
    return TASK_DONE;
}

static struct counter counters[MAX_TASKS];
static struct task tasks[MAX_TASKS];
static long results[MAX_TASKS];

static void make_counters(size_t n, int min_len, int max_len,
                          int (*step)(struct task *, struct loop *))
{
    for (size_t i = 0; i < n; i++) {
        counters[i] = (struct counter){.id = (int)i,
                                       .length = (int)kata_rand_range(min_len, max_len),
                                       .answer = kata_rand_range(-1000000000L, 1000000000L)};
        tasks[i] = (struct task){.step = step, .state = &counters[i], .result = UNSET};
        results[i] = UNSET;
    }
}

/* Compares the log with round-robin: every task's step 1 in task order, then step 2 of the
 * tasks that are not done yet, and so on. */
static void check_round_robin(size_t n)
{
    static struct rec expected[MAX_LOG];
    size_t m = 0;
    int rounds = 0;
    for (size_t i = 0; i < n; i++)
        rounds = counters[i].length > rounds ? counters[i].length : rounds;
    for (int k = 1; k <= rounds; k++)
        for (size_t i = 0; i < n; i++)
            if (counters[i].length >= k && m < MAX_LOG)
                expected[m++] = (struct rec){(int)i, k};
    for (size_t s = 0; s < m && s < nlog; s++) {
        if (expected[s].task == steps_log[s].task && expected[s].step == steps_log[s].step)
            continue;
        char want[200] = "", got[200] = "";
        for (size_t j = 0, w = 0, g = 0; j < 8 && s + j < m; j++) {
            w += (size_t)snprintf(want + w, sizeof want - w, " %d.%d", expected[s + j].task,
                                  expected[s + j].step);
            if (s + j < nlog)
                g += (size_t)snprintf(got + g, sizeof got - g, " %d.%d", steps_log[s + j].task,
                                      steps_log[s + j].step);
        }
        cr_assert_fail("%zu tasks of lengths %d, %d, ...: step %zu of the loop should be task "
                       "%d's step %d (round-robin: each task's step 1, then each unfinished "
                       "task's step 2, ...), but it was task %d's step %d; from there "
                       "(task.step) expected%s, got%s",
                       n, counters[0].length, counters[1].length, s + 1, expected[s].task,
                       expected[s].step, steps_log[s].task, steps_log[s].step, want, got);
    }
    cr_assert_eq(nlog, m, "%zu tasks took %zu steps in all, the loop took %zu", n, m, nlog);
}

Test(event_loop, steps_the_tasks_round_robin)
{
    size_t n = (size_t)kata_rand_range(2, 8);
    make_counters(n, 1, 20, counter_step);
    counters[0].length = (int)kata_rand_range(2, 20); /* someone has a second step */
    log_reset();
    cr_assert_eq(loop_run(tasks, n, results), 0, "loop_run(%zu tasks) should return 0", n);
    check_round_robin(n);
}

Test(event_loop, keeps_round_robin_order_over_thousands_of_tasks)
{
    size_t n = (size_t)kata_rand_range(2000, 5000);
    make_counters(n, 1, 6, counter_step);
    log_reset();
    cr_assert_eq(loop_run(tasks, n, results), 0, "loop_run(%zu tasks) should return 0", n);
    check_round_robin(n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(results[i], counters[i].answer,
                     "%zu tasks: results[%zu] should be task %zu's result %ld, got %ld", n, i, i,
                     counters[i].answer, results[i]);
}

Test(event_loop, collects_every_result_in_task_order)
{
    size_t n = (size_t)kata_rand_range(3, 12);
    make_counters(n, 1, 20, counter_step);
    counters[0].length = 25; /* the longest: the tasks never finish in task order */
    log_reset();
    cr_assert_eq(loop_run(tasks, n, results), 0, "loop_run(%zu tasks) should return 0", n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(results[i], counters[i].answer,
                     "results[%zu] should be task %zu's result %ld, got %ld (results go in task "
                     "order, like asyncio.gather's, not in the order the tasks finished)",
                     i, i, counters[i].answer, results[i]);
}

Test(event_loop, never_steps_a_finished_task_again)
{
    size_t n = (size_t)kata_rand_range(50, 300);
    make_counters(n, 1, 30, counter_step);
    log_reset();
    cr_assert_eq(loop_run(tasks, n, results), 0, "loop_run(%zu tasks) should return 0", n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(counters[i].after_done, 0,
                     "task %zu returned TASK_DONE at step %d, and the loop stepped it %d more "
                     "time%s: a finished task is never stepped again",
                     i, counters[i].length, counters[i].after_done,
                     counters[i].after_done == 1 ? "" : "s");
        cr_assert_eq(counters[i].steps, counters[i].length,
                     "task %zu needs %d steps to finish, the loop took %d", i, counters[i].length,
                     counters[i].steps);
    }
}

Test(event_loop, treats_a_sleep_of_zero_as_a_plain_yield)
{
    size_t n = (size_t)kata_rand_range(2, 8);
    make_counters(n, 1, 15, zero_sleeper_step);
    counters[0].length = (int)kata_rand_range(2, 15);
    log_reset();
    cr_assert_eq(loop_run(tasks, n, results), 0, "loop_run(%zu tasks) should return 0", n);
    check_round_robin(n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(results[i], counters[i].answer, "results[%zu] should be %ld, got %ld", i,
                     counters[i].answer, results[i]);
}

/* A task that sleeps once, for ms, and then finishes. It notes when it went to sleep (t0
 * just before loop_sleep, t0b just after) and when it was stepped again (t1). */
struct sleeper {
    int id, phase, woke_as, after_done, sleep_rc;
    long ms;
    long long t0, t0b, t1;
};
static struct sleeper sleepers[64];
static int woken; /* how many sleepers have been stepped again so far */

static int sleeper_step(struct task *self, struct loop *loop)
{
    struct sleeper *s = self->state;
    note(s->id, s->phase + 1);
    if (s->phase == 0) {
        s->phase = 1;
        s->t0 = now_ns();
        s->sleep_rc = loop_sleep(loop, self, s->ms);
        s->t0b = now_ns();
        return s->sleep_rc;
    }
    if (s->phase == 1) {
        s->t1 = now_ns();
        s->woke_as = woken++;
        s->phase = 2;
        self->result = 1000 + s->ms;
        return TASK_DONE;
    }
    s->after_done++;
    return TASK_DONE;
}

static void make_sleeper(size_t i, struct sleeper *s, long ms)
{
    *s = (struct sleeper){.id = (int)i, .ms = ms, .woke_as = -1};
    tasks[i] = (struct task){.step = sleeper_step, .state = s, .result = UNSET};
    results[i] = UNSET;
}

/* How late a sleeper may be stepped again after its deadline. A loop that blocks until the
 * right deadline is late by well under a millisecond; this allows for a machine so loaded
 * that the test process waits a long time for a core, and is still far below the lateness
 * of a loop that sleeps until some later deadline (the tests below set the deadlines apart
 * by more than this). */
#define MAX_LATENESS_NS 400000000LL

/* Yields until every sleeper has woken (or 1.5 s have passed): the loop is never idle while
 * the sleepers sleep, so it has to check their deadlines between steps. */
static int nsleepers;
static long long ticker_until;

static int ticker_step(struct task *self, struct loop *loop)
{
    (void)loop;
    if (woken < nsleepers && now_ns() < ticker_until)
        return TASK_YIELD;
    self->result = 7;
    return TASK_DONE;
}

/* n sleepers of different lengths, in shuffled order, and with a ticker after them if asked;
 * checks that each slept long enough, woke not much later, and in deadline order. */
static void check_sleepers(int with_ticker)
{
    size_t n = (size_t)kata_rand_range(3, 7);
    int order[8];
    for (size_t i = 0; i < n; i++)
        order[i] = (int)i;
    for (size_t i = n - 1; i > 0; i--) { /* shuffled: deadline order is not task order */
        size_t j = (size_t)kata_rand_range(0, (long)i);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    log_reset();
    woken = 0;
    nsleepers = (int)n;
    for (size_t i = 0; i < n; i++)
        make_sleeper(i, &sleepers[i], 10 + 15L * order[i]);
    tasks[n] = (struct task){.step = ticker_step, .result = UNSET};
    ticker_until = now_ns() + 1500000000LL;
    cr_assert_eq(loop_run(tasks, n + (size_t)with_ticker, results), 0, "loop_run should return 0");

    struct sleeper *by_wake[8] = {0};
    for (size_t i = 0; i < n; i++) {
        struct sleeper *s = &sleepers[i];
        cr_assert_eq(s->sleep_rc, TASK_YIELD, "loop_sleep should return TASK_YIELD, got %d",
                     s->sleep_rc);
        cr_assert(s->woke_as >= 0 && s->woke_as < (int)n, "task %zu was never stepped again", i);
        by_wake[s->woke_as] = s;
        cr_assert(s->t1 - s->t0 >= s->ms * 1000000LL,
                  "task %zu asked to sleep %ld ms and was stepped again after %.2f ms: a sleeping "
                  "task is not stepped before its deadline",
                  i, s->ms, ms_between(s->t0, s->t1));
        cr_assert(s->t1 - s->t0b - s->ms * 1000000LL < MAX_LATENESS_NS,
                  "task %zu asked to sleep %ld ms and was stepped again only after %.0f ms%s", i,
                  s->ms, ms_between(s->t0b, s->t1),
                  with_ticker ? ", while another task kept yielding: check the sleepers' "
                                "deadlines between steps, not only when nothing else is ready"
                              : "");
        cr_assert_eq(results[i], 1000 + s->ms, "results[%zu] should be %ld, got %ld", i,
                     1000 + s->ms, results[i]);
    }
    for (size_t k = 0; k + 1 < n; k++) {
        const struct sleeper *a = by_wake[k], *b = by_wake[k + 1];
        cr_assert(a->t0 + a->ms * 1000000LL <= b->t0b + b->ms * 1000000LL,
                  "task %d (asleep for %ld ms) woke before task %d (asleep for %ld ms), whose "
                  "deadline was %.1f ms earlier: sleepers wake in the order of their deadlines",
                  a->id, a->ms, b->id, b->ms,
                  ms_between(b->t0b + b->ms * 1000000LL, a->t0 + a->ms * 1000000LL));
    }
}

Test(event_loop, sleepers_wake_in_deadline_order_and_not_before_their_time)
{
    check_sleepers(0);
}

Test(event_loop, sleepers_wake_on_time_while_another_task_keeps_yielding)
{
    check_sleepers(1);
}

/* A task that yields `length` times, each step taking about 50 microseconds (so the loop
 * checks the clock between steps, at most one check falls in the short time it takes
 * loop_sleep to read the clock) and noting when it started. */
static long long step_started[MAX_LOG];

static void spin_us(long us)
{
    long long until = now_ns() + us * 1000LL;
    while (now_ns() < until)
        ;
}

static int timed_counter_step(struct task *self, struct loop *loop)
{
    (void)loop;
    struct counter *c = self->state;
    if (nlog < MAX_LOG)
        step_started[nlog] = now_ns();
    c->steps++;
    note(c->id, c->steps);
    spin_us(50);
    if (c->steps < c->length)
        return TASK_YIELD;
    self->result = c->answer;
    return TASK_DONE;
}

static int timed_sleeper_step(struct task *self, struct loop *loop)
{
    if (nlog < MAX_LOG)
        step_started[nlog] = now_ns();
    return sleeper_step(self, loop);
}

/* Task 0 sleeps 20 ms while m other tasks keep yielding. When its deadline passes it joins
 * the back of the line, behind the m tasks already in it, so each of them takes a step
 * after the loop last saw the sleeper not yet due and before the sleeper's next step. */
Test(event_loop, a_woken_task_joins_the_back_of_the_line)
{
    size_t m = (size_t)kata_rand_range(3, 6);
    size_t n = m + 1;
    make_counters(n, 2000, 2000, timed_counter_step); /* 100 ms of steps, past the wake-up */
    log_reset();
    woken = 0;
    make_sleeper(0, &sleepers[0], 20);
    tasks[0].step = timed_sleeper_step;
    cr_assert_eq(loop_run(tasks, n, results), 0, "loop_run should return 0");
    const struct sleeper *s = &sleepers[0];
    /* the deadline is no earlier than t0 + 20 ms: a step that started before that was
     * preceded by a check of the clock that found the sleeper not yet due */
    long long due = s->t0 + s->ms * 1000000LL;
    size_t last_not_due = 0, wake_at = nlog;
    for (size_t k = 0; k < nlog && k < MAX_LOG; k++) {
        if (steps_log[k].task == 0 && steps_log[k].step == 2) {
            wake_at = k;
            break;
        }
        if (step_started[k] < due)
            last_not_due = k;
    }
    cr_assert(wake_at < nlog, "the sleeping task was never stepped again");
    size_t between = wake_at - last_not_due - 1;
    cr_assert(between >= m,
              "task 0 slept 20 ms while %zu other tasks took turns; once due, it should join "
              "the back of the line and wait for each of them to take a step, but it was "
              "stepped again after only %zu step%s of theirs since its deadline: a woken task "
              "goes to the back of the line, not the front",
              m, between, between == 1 ? "" : "s");
}

/* A task that takes one long step (it blocks for `ms` in it, as a task doing slow work
 * would), so that every sleeper's deadline passes during it. */
static long hog_ms;

static int hog_step(struct task *self, struct loop *loop)
{
    (void)loop;
    if (self->result == UNSET) {
        self->result = 0;
        struct timespec ts = {hog_ms / 1000, (hog_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        return TASK_YIELD;
    }
    self->result = 11;
    return TASK_DONE;
}

/* The sleepers, in shuffled order, all fall due during one long step of the last task: the
 * loop finds them due together and lines them up earliest deadline first. */
Test(event_loop, tasks_due_together_join_the_line_earliest_deadline_first)
{
    size_t n = (size_t)kata_rand_range(4, 7);
    /* shuffled, and never task order nor its reverse, which a loop that keeps its sleepers in
     * task order would produce by luck (pushing each woken one at the front, reversed) */
    int order[8], plain, reversed;
    do {
        for (size_t i = 0; i < n; i++)
            order[i] = (int)i;
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = (size_t)kata_rand_range(0, (long)i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        plain = reversed = 1;
        for (size_t i = 0; i < n; i++) {
            plain &= order[i] == (int)i;
            reversed &= order[i] == (int)(n - 1 - i);
        }
    } while (plain || reversed);
    log_reset();
    woken = 0;
    for (size_t i = 0; i < n; i++)
        make_sleeper(i, &sleepers[i], 2 + 3L * order[i]);
    hog_ms = 60;
    tasks[n] = (struct task){.step = hog_step, .result = UNSET};
    results[n] = UNSET;
    cr_assert_eq(loop_run(tasks, n + 1, results), 0, "loop_run should return 0");
    /* by the deadlines loop_sleep really set: each lies between t0 + ms and t0b + ms, so a
     * sleeper that a busy machine set aside before it fell asleep is judged by its own */
    struct sleeper *by_wake[8] = {0};
    char want[160] = "", got[160] = "";
    for (size_t i = 0; i < n; i++) {
        cr_assert(sleepers[i].woke_as >= 0 && sleepers[i].woke_as < (int)n,
                  "task %zu was never stepped again", i);
        by_wake[sleepers[i].woke_as] = &sleepers[i];
    }
    for (size_t k = 0, w = 0, g = 0; k < n; k++) {
        for (size_t i = 0; i < n; i++)
            if (order[i] == (int)k)
                w += (size_t)snprintf(want + w, sizeof want - w, " %zu", i);
        g += (size_t)snprintf(got + g, sizeof got - g, " %d", by_wake[k]->id);
    }
    for (size_t k = 0; k + 1 < n; k++) {
        const struct sleeper *a = by_wake[k], *b = by_wake[k + 1];
        cr_assert(a->t0 + a->ms * 1000000LL <= b->t0b + b->ms * 1000000LL,
                  "%zu tasks slept 2 to %zu ms each, and all became due during another task's "
                  "60 ms step: tasks due together join the line earliest deadline first, so "
                  "they should be stepped again in the order%s, not%s",
                  n, (size_t)2 + 3 * (n - 1), want, got);
    }
}

/* Two sleepers, 10 ms and 1000 ms, and nothing else to do: the loop blocks until the first
 * deadline, steps that task, and only then blocks again. A loop that blocks until the last
 * deadline steps the first task 990 ms late, well past the lateness allowed. */
Test(event_loop, blocks_only_until_the_earliest_deadline)
{
    log_reset();
    woken = 0;
    int first = (int)kata_rand_range(0, 1); /* which of the two tasks has the short sleep */
    make_sleeper(0, &sleepers[0], first == 0 ? 10 : 1000);
    make_sleeper(1, &sleepers[1], first == 0 ? 1000 : 10);
    cr_assert_eq(loop_run(tasks, 2, results), 0, "loop_run should return 0");
    const struct sleeper *s = &sleepers[first];
    double late = ms_between(s->t0b + s->ms * 1000000LL, s->t1);
    cr_assert(late * 1e6 < (double)MAX_LATENESS_NS,
              "with every task asleep, task %d (10 ms) was stepped again %.0f ms after its "
              "deadline, while task %d slept 1000 ms: when every task is asleep, block only "
              "until the earliest deadline",
              first, late, 1 - first);
}

Test(event_loop, a_sleeping_task_does_not_hold_up_the_others)
{
    size_t others = (size_t)kata_rand_range(2, 5);
    size_t n = others + 1;
    make_counters(n, 20, 40, counter_step);
    log_reset();
    woken = 0;
    make_sleeper(0, &sleepers[0], 150);
    cr_assert_eq(loop_run(tasks, n, results), 0, "loop_run should return 0");
    size_t wake_at = nlog, late = 0;
    for (size_t s = 0; s < nlog; s++) {
        if (steps_log[s].task == 0 && steps_log[s].step == 2)
            wake_at = s;
        else if (steps_log[s].task != 0 && wake_at < nlog)
            late++;
    }
    cr_assert(wake_at < nlog, "the sleeping task was never stepped again");
    cr_assert_eq(late, 0,
                 "task 0 slept 150 ms, yet %zu steps of the other tasks came only after it woke: "
                 "while a task sleeps the others run (loop_sleep parks the task and returns at "
                 "once; it does not wait)",
                 late);
    cr_assert(sleepers[0].t1 - sleepers[0].t0 >= 150000000LL,
              "task 0 asked to sleep 150 ms and was stepped again after %.2f ms",
              ms_between(sleepers[0].t0, sleepers[0].t1));
    for (size_t i = 1; i < n; i++)
        cr_assert_eq(results[i], counters[i].answer, "results[%zu] should be %ld, got %ld", i,
                     counters[i].answer, results[i]);
}

Test(event_loop, a_loop_with_only_sleeping_tasks_blocks_instead_of_spinning)
{
    size_t n = (size_t)kata_rand_range(3, 6);
    log_reset();
    woken = 0;
    for (size_t i = 0; i < n; i++)
        make_sleeper(i, &sleepers[i], 300);
    double cpu0 = kata_cpu_seconds(), runnable0 = kata_runnable_seconds();
    long long t0 = now_ns();
    cr_assert_eq(loop_run(tasks, n, results), 0, "loop_run should return 0");
    double cpu = kata_cpu_seconds() - cpu0;
    double runnable = runnable0 < 0 ? 0 : kata_runnable_seconds() - runnable0;
    double wall = ms_between(t0, now_ns());
    cr_assert(wall >= 300.0, "%zu tasks slept 300 ms each, and loop_run returned after %.1f ms", n,
              wall);
    /* CPU time, and on a busy machine (where a spinning loop gets only a share of a core)
     * the time it wanted the CPU: a loop that spins is runnable all along */
    cr_assert(cpu < 0.030 && runnable * 1000 < 0.5 * wall,
              "%zu tasks were all asleep for 300 ms, and loop_run used %.0f ms of CPU time "
              "(and wanted a CPU for %.0f ms) in %.0f ms: something spins on the clock; park "
              "the tasks and block until the earliest deadline instead (clock_nanosleep, or "
              "poll with a timeout)",
              n, cpu * 1000, runnable * 1000, wall);
}

/* A task that follows a script: before each of its steps but the last, it yields or sleeps
 * a few milliseconds, as the script says. It checks each sleep lasted long enough. */
#define MAX_OPS 10
struct scripted {
    int id, nops, done, after_done, early;
    long ms[MAX_OPS]; /* 0: yield */
    long long asleep_at, asleep_for;
    long answer;
};
static struct scripted scripts[64];

static int scripted_step(struct task *self, struct loop *loop)
{
    struct scripted *s = self->state;
    if (s->done >= s->nops + 1) {
        s->after_done++;
        return TASK_DONE;
    }
    if (s->asleep_for && now_ns() - s->asleep_at < s->asleep_for)
        s->early++;
    s->asleep_for = 0;
    note(s->id, ++s->done);
    if (s->done == s->nops + 1) {
        self->result = s->answer;
        return TASK_DONE;
    }
    long ms = s->ms[s->done - 1];
    if (!ms)
        return TASK_YIELD;
    s->asleep_at = now_ns();
    s->asleep_for = ms * 1000000LL;
    return loop_sleep(loop, self, ms);
}

static size_t make_scripts(void)
{
    size_t n = (size_t)kata_rand_range(5, 15);
    for (size_t i = 0; i < n; i++) {
        struct scripted *s = &scripts[i];
        *s = (struct scripted){.id = (int)i,
                               .nops = (int)kata_rand_range(3, MAX_OPS),
                               .answer = kata_rand_range(-1000000L, 1000000L)};
        for (int k = 0; k < s->nops; k++)
            s->ms[k] = kata_rand_range(0, 1) ? kata_rand_range(1, 8) : 0;
        tasks[i] = (struct task){.step = scripted_step, .state = s, .result = UNSET};
        results[i] = UNSET;
    }
    return n;
}

Test(event_loop, tasks_that_yield_and_sleep_by_turns_all_finish)
{
    size_t n = make_scripts();
    log_reset();
    cr_assert_eq(loop_run(tasks, n, results), 0, "loop_run(%zu tasks) should return 0", n);
    for (size_t i = 0; i < n; i++) {
        const struct scripted *s = &scripts[i];
        cr_assert_eq(s->done, s->nops + 1, "task %zu needs %d steps, the loop took %d", i,
                     s->nops + 1, s->done);
        cr_assert_eq(s->after_done, 0, "task %zu was stepped %d %s after it was done", i,
                     s->after_done, kata_plural((long)s->after_done, "time", "times"));
        cr_assert_eq(s->early, 0, "task %zu was stepped %d time%s before its sleep was over", i,
                     s->early, s->early == 1 ? "" : "s");
        cr_assert_eq(results[i], s->answer, "results[%zu] should be %ld, got %ld", i, s->answer,
                     results[i]);
    }
}

Test(event_loop, runs_every_step_on_the_calling_thread)
{
    size_t n = make_scripts();
    log_reset();
    kata_threads_reset();
    kata_processes_reset();
    cr_assert_eq(loop_run(tasks, n, results), 0, "loop_run(%zu tasks) should return 0", n);
    cr_assert_eq(kata_threads_started(), 0,
                 "loop_run started %ld thread%s: an event loop runs every task on the one "
                 "thread that called it",
                 kata_threads_started(), kata_threads_started() == 1 ? "" : "s");
    cr_assert_eq(kata_processes_started(), 0, "loop_run started %ld processes",
                 kata_processes_started());
    cr_assert_eq(off_thread, 0,
                 "%ld of %zu steps ran on a thread other than the one that called loop_run",
                 off_thread, nlog);
    cr_assert(nlog > 0, "no step was taken");
}

Test(event_loop, an_empty_task_list_returns_at_once)
{
    cr_assert_eq(loop_run(NULL, 0, NULL), 0, "loop_run(NULL, 0, NULL) should return 0");
    long r[1] = {UNSET};
    struct task t[1] = {{.step = counter_step}};
    cr_assert_eq(loop_run(t, 0, r), 0, "loop_run with n == 0 should return 0");
    cr_assert_eq(r[0], UNSET, "n == 0, yet results[0] was written");
}

Test(event_loop, rejects_missing_tasks_results_or_step_before_stepping_any)
{
    size_t n = 4;
    make_counters(n, 1, 5, counter_step);
    log_reset();
    cr_assert_eq(loop_run(NULL, n, results), -1, "tasks == NULL with n > 0 is an error");
    cr_assert_eq(loop_run(tasks, n, NULL), -1, "results == NULL with n > 0 is an error");
    tasks[n - 1].step = NULL;
    cr_assert_eq(loop_run(tasks, n, results), -1, "a task whose step is NULL is an error");
    cr_assert_eq(nlog, 0,
                 "a rejected call stepped %zu %s: check every task before the first "
                 "step",
                 nlog, kata_plural((long)nlog, "time", "times"));
}
