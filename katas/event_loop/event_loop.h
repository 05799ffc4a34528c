/* event_loop.h: the contract of kata 12, event_loop. Do not edit: the tests rely on it. */
#ifndef EVENT_LOOP_H
#define EVENT_LOOP_H

#include <stddef.h>

/* The loop's own bookkeeping. You define it in event_loop.c; a task only ever gets a pointer
 * to it, to hand back to loop_sleep. */
struct loop;

/* What a step returns. */
enum {
    TASK_YIELD = 0, /* not finished: step me again later */
    TASK_DONE = 1   /* finished: my result is in self->result; never step me again */
};

/* A task: a resumable state machine, the C form of a Python generator. Each call of step
 * does one piece of the task's work, keeps whatever it needs to carry on in *state (the
 * generator's frame: its local variables and where it stopped), and returns: TASK_YIELD to
 * be stepped again later, or TASK_DONE after storing its answer in self->result. The caller
 * fills in step and state; the loop does not look inside state. */
struct task {
    int (*step)(struct task *self, struct loop *loop);
    void *state;
    long result; /* set by the task before it returns TASK_DONE */
};

/* Runs the n tasks until every one of them is done, all on the calling thread (it starts no
 * thread and no process), and stores each task's result in results[i] = tasks[i].result, in
 * task order (not the order they finished in).
 *
 * The loop takes turns, round-robin: it steps each ready task once, in the order of tasks[],
 * then comes back to the first task not yet done, and so on. A task that yields goes to the
 * back of the line; with no task asleep, task i's k-th step is taken in round k, after the
 * k-th steps of the tasks before it that are still running. A task is never stepped again
 * once it has returned TASK_DONE.
 *
 * A task parked by loop_sleep is not stepped until its time has come; when it has, it joins
 * the back of the line, and tasks whose times come together join it in the order of their
 * deadlines (earliest first). While other tasks are ready the loop keeps stepping them; when
 * every task left is asleep, the loop blocks (it does not spin) until the earliest deadline.
 *
 * Returns 0 when every task has finished and its result is in results[]. Returns -1 when
 * tasks or results is NULL with n > 0, or some task's step is NULL, before stepping any task;
 * and -1 when the loop runs out of memory (results[] is then only partly written). n == 0
 * returns 0 at once, and tasks and results may then be NULL. */
int loop_run(struct task *tasks, size_t n, long *results);

/* Parks the task self, whose step is running now, for ms milliseconds: the loop does not step
 * it again until at least ms milliseconds after this call (measured on CLOCK_MONOTONIC). Call
 * it from inside self's step and then return TASK_YIELD; loop_sleep itself returns at once
 * (it does not wait), and returns TASK_YIELD, so a step can end with
 * `return loop_sleep(loop, self, 50);`, the `await asyncio.sleep(0.05)` of C. With ms <= 0 it
 * is a plain yield: the task goes to the back of the line. If the step then returns TASK_DONE
 * instead, the task is finished and the sleep is forgotten. */
int loop_sleep(struct loop *loop, struct task *self, long ms);

#endif
