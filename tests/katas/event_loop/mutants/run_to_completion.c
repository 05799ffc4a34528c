/* mutant: not round-robin: each task is stepped until it is done before the next one starts
 * rejected-by: test */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, clock_nanosleep */
#include "event_loop.h"

#include <errno.h>
#include <time.h>

struct loop {
    struct task *current;
    long long wake; /* when the current task may run again, if it sleeps */
    int parked;
};

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void wait_until(long long wake)
{
    struct timespec until = {(time_t)(wake / 1000000000LL), (long)(wake % 1000000000LL)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
        ;
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
        loop.current = &tasks[i];
        for (;;) {
            loop.parked = 0;
            if (tasks[i].step(&tasks[i], &loop) == TASK_DONE)
                break;
            if (loop.parked)
                wait_until(loop.wake); /* it sleeps without spinning, but nobody else runs */
        }
        results[i] = tasks[i].result;
    }
    return 0;
}

int loop_sleep(struct loop *loop, struct task *self, long ms)
{
    if (!loop || loop->current != self)
        return TASK_YIELD;
    loop->parked = ms > 0;
    loop->wake = now_ns() + (long long)ms * 1000000LL;
    return TASK_YIELD;
}
