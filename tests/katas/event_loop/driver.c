/* driver.c: event_loop under AddressSanitizer: `driver NTASKS MAXSTEPS MAXSLEEP_MS`, a plain
 * main. */
#include "event_loop.h"

#include <stdio.h>
#include <stdlib.h>

/* One job's state, on the heap like a generator's frame; the job frees it in its last step,
 * so a loop that steps a finished task again reads freed memory, and ASan says so. */
struct job {
    unsigned long long x; /* its own random numbers: how long to sleep, when */
    unsigned long acc;    /* the answer so far */
    int id, length, done;
};

static int *steps_taken; /* per task, outside the freed state */

static unsigned long long next(unsigned long long *x)
{
    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
    return *x;
}

static long max_sleep_ms;

static int job_step(struct task *self, struct loop *loop)
{
    struct job *j = self->state;
    steps_taken[j->id]++;
    j->done++;
    j->acc = j->acc * 31 + (unsigned long)j->done * (unsigned long)(j->id + 1);
    if (j->done == j->length) {
        self->result = (long)(j->acc >> 1);
        free(j); /* the generator returned: its frame is gone */
        return TASK_DONE;
    }
    unsigned long long r = next(&j->x);
    if (max_sleep_ms > 0 && r % 3 == 0)
        return loop_sleep(loop, self, (long)(r / 3 % (unsigned long long)(max_sleep_ms + 1)));
    return TASK_YIELD;
}

static int job_length(int id, int max_steps)
{
    return 1 + (int)((unsigned)(id * 2654435761u) % (unsigned)max_steps);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 50;
    int max_steps = argc > 2 ? atoi(argv[2]) : 20;
    max_sleep_ms = argc > 3 ? atol(argv[3]) : 3;
    if (n < 1 || max_steps < 1) {
        fprintf(stderr, "usage: driver NTASKS MAXSTEPS MAXSLEEP_MS (NTASKS, MAXSTEPS >= 1)\n");
        return 2;
    }
    struct task *tasks = calloc((size_t)n, sizeof *tasks);
    long *results = calloc((size_t)n, sizeof *results);
    steps_taken = calloc((size_t)n, sizeof *steps_taken);
    if (!tasks || !results || !steps_taken) {
        fprintf(stderr, "driver: out of memory\n");
        return 2;
    }
    for (long i = 0; i < n; i++) {
        struct job *j = malloc(sizeof *j);
        if (!j) {
            fprintf(stderr, "driver: out of memory\n");
            return 2;
        }
        *j = (struct job){.x = 0x9e3779b97f4a7c15ULL + (unsigned long long)i,
                          .id = (int)i,
                          .length = job_length((int)i, max_steps)};
        tasks[i] = (struct task){.step = job_step, .state = j};
    }
    int rc = loop_run(tasks, (size_t)n, results);

    long wrong = 0;
    for (long i = 0; i < n; i++) {
        unsigned long acc = 0;
        int length = job_length((int)i, max_steps);
        for (int k = 1; k <= length; k++)
            acc = acc * 31 + (unsigned long)k * (unsigned long)(i + 1);
        wrong += results[i] != (long)(acc >> 1) || steps_taken[i] != length;
    }
    printf("loop_run(%ld tasks of up to %d steps, sleeps up to %ld ms) = %d, %ld of %ld tasks "
           "wrong\n",
           n, max_steps, max_sleep_ms, rc, wrong, n);
    free(tasks);
    free(results);
    free(steps_taken);
    return rc == 0 && wrong == 0 ? 0 : 1;
}
