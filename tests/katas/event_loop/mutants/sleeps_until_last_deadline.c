/* mutant: when every task is asleep, the loop blocks until the last deadline instead of the earliest
 * rejected-by: test */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, clock_nanosleep */
#include "event_loop.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

/* The loop's record of one running task. */
struct entry {
    struct entry *next; /* in the ready line or the sleeping list */
    long long wake;     /* CLOCK_MONOTONIC nanoseconds; while asleep, when to wake up */
    struct task *task;
    size_t index; /* where its result goes */
};

struct loop {
    struct entry *head, *tail; /* the ready line: step the head, append at the tail */
    struct entry *sleeping;    /* the parked tasks, earliest deadline first */
    struct entry *current;     /* the task being stepped */
    int parked;                /* the current task called loop_sleep */
};

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void append_ready(struct loop *loop, struct entry *e)
{
    e->next = NULL;
    if (loop->tail)
        loop->tail->next = e;
    else
        loop->head = e;
    loop->tail = e;
}

static struct entry *pop_ready(struct loop *loop)
{
    struct entry *e = loop->head;
    loop->head = e->next;
    if (!loop->head)
        loop->tail = NULL;
    return e;
}

/* Sorted by deadline; after the sleepers with the same deadline, so ties keep their order. */
static void insert_sleeping(struct loop *loop, struct entry *e)
{
    struct entry **p = &loop->sleeping;
    while (*p && (*p)->wake <= e->wake)
        p = &(*p)->next;
    e->next = *p;
    *p = e;
}

/* Moves every sleeper whose deadline has passed to the end of the ready line. */
static void wake_due(struct loop *loop)
{
    if (!loop->sleeping)
        return;
    long long now = now_ns();
    while (loop->sleeping && loop->sleeping->wake <= now) {
        struct entry *e = loop->sleeping;
        loop->sleeping = e->next;
        append_ready(loop, e);
    }
}

/* Nothing is ready: block until the earliest sleeper's deadline. */
static void wait_for_first_deadline(const struct loop *loop)
{
    struct entry *last = loop->sleeping;
    while (last->next)
        last = last->next;
    long long wake = last->wake; /* the bug: the latest deadline, not the earliest */
    struct timespec until = {(time_t)(wake / 1000000000LL), (long)(wake % 1000000000LL)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
        ; /* a signal woke us early: the deadline has not moved */
}

static void free_list(struct entry *e)
{
    while (e) {
        struct entry *next = e->next;
        free(e);
        e = next;
    }
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
    for (size_t i = 0; i < n; i++) {
        struct entry *e = malloc(sizeof *e);
        if (!e) {
            free_list(loop.head);
            return -1;
        }
        *e = (struct entry){.task = &tasks[i], .index = i};
        append_ready(&loop, e);
    }

    while (loop.head || loop.sleeping) {
        wake_due(&loop);
        if (!loop.head) {
            wait_for_first_deadline(&loop);
            continue;
        }
        struct entry *e = pop_ready(&loop);
        loop.current = e;
        loop.parked = 0;
        int rc = e->task->step(e->task, &loop);
        loop.current = NULL;
        if (rc == TASK_DONE) {
            results[e->index] = e->task->result;
            free(e);
        } else if (loop.parked) {
            insert_sleeping(&loop, e);
        } else {
            append_ready(&loop, e);
        }
    }
    return 0;
}

int loop_sleep(struct loop *loop, struct task *self, long ms)
{
    if (!loop || !loop->current || loop->current->task != self)
        return TASK_YIELD;
    loop->parked = ms > 0; /* ms <= 0 is a plain yield: the back of the line */
    loop->current->wake = now_ns() + (long long)ms * 1000000LL;
    return TASK_YIELD;
}
