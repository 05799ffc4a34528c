/*
 * event_loop: many tasks on one thread, taking turns.
 *
 * A task here is a state machine: its step function does a little work, remembers in
 * self->state where it got to, and returns TASK_YIELD ("step me again later") or TASK_DONE
 * ("finished, my result is in self->result"). That is what a Python generator is under the
 * hood: each `yield` hands control back to whoever called next() on it.
 *
 * This file gives the right results, but it runs each task to the end before it starts the
 * next one, so nothing interleaves: one long task holds up all the others. And its
 * loop_sleep waits by spinning on the clock, so a sleeping task burns a core and stops the
 * whole loop while it sleeps.
 *
 * Your job: step the tasks round-robin (each ready task once, then round again, until all
 * are done), make loop_sleep park the task instead of waiting, and let the loop block in the
 * kernel, not spin, when every task left is asleep. Read katas/event_loop/README.md first.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, clock_nanosleep */
#include "event_loop.h"

#include <time.h>

/* TODO: what the loop needs to know while it runs: which tasks are ready and in what order,
 * which are asleep and until when, and which one is being stepped right now. */
struct loop {
    struct task *current;
};

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int loop_run(struct task *tasks, size_t n, long *results)
{
    if (n == 0)
        return 0;
    if (!tasks || !results)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!tasks[i].step)
            return -1;

    struct loop loop = {0};
    /* TODO: take turns. This runs task 0 until it is done, then task 1, and so on. Step each
     * ready task once per round instead, and skip (or drop) the ones that are done. */
    for (size_t i = 0; i < n; i++) {
        loop.current = &tasks[i];
        while (tasks[i].step(&tasks[i], &loop) != TASK_DONE)
            ;
        results[i] = tasks[i].result;
    }
    /* TODO: a task that called loop_sleep must not be stepped before its time; when every
     * task left is asleep, block until the earliest deadline (clock_nanosleep or poll). */
    return 0;
}

int loop_sleep(struct loop *loop, struct task *self, long ms)
{
    (void)loop;
    (void)self;
    /* TODO: do not wait here. Remember when self may run again, return at once, and let
     * loop_run keep self out of the line until then. This spins: a core at 100% for ms
     * milliseconds, and no other task runs meanwhile. */
    long long until = now_ns() + (long long)ms * 1000000LL;
    while (now_ns() < until)
        ;
    return TASK_YIELD;
}
