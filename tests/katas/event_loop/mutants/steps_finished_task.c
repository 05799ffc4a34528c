/* mutant: each round walks every task, finished ones too: a task that is done is stepped again
 * rejected-by: test */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, clock_nanosleep */
#include "event_loop.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

struct loop {
    long long *wake; /* per task: not to be stepped before this time */
    size_t current;
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
    long long *wake = calloc(n, sizeof *wake);
    char *done = calloc(n, 1);
    if (!wake || !done) {
        free(wake);
        free(done);
        return -1;
    }
    struct loop loop = {wake, 0};
    size_t left = n;
    while (left > 0) {
        long long now = now_ns(), first = -1;
        int stepped = 0;
        for (size_t i = 0; i < n; i++) {
            if (wake[i] > now) { /* asleep (but a finished task is never skipped) */
                if (!done[i] && (first < 0 || wake[i] < first))
                    first = wake[i];
                continue;
            }
            loop.current = i;
            stepped = 1;
            if (tasks[i].step(&tasks[i], &loop) == TASK_DONE && !done[i]) {
                done[i] = 1;
                results[i] = tasks[i].result;
                left--;
            }
        }
        if (!stepped && first >= 0)
            wait_until(first);
    }
    free(wake);
    free(done);
    return 0;
}

int loop_sleep(struct loop *loop, struct task *self, long ms)
{
    (void)self;
    loop->wake[loop->current] = ms > 0 ? now_ns() + (long long)ms * 1000000LL : 0;
    return TASK_YIELD;
}
