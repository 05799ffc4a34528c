/* explore.h: what a kata's explore driver (tests/katas/<k>/explore.c) gives the explore
 * runtime (explore.c), and the one call its main makes.
 *
 * The runtime runs the kata's body again and again, each time in a forked child under one
 * schedule, and judges each result in the parent, which never runs learner code. */
#ifndef KATA_EXPLORE_H
#define KATA_EXPLORE_H

#include <stddef.h>

#define EXPLORE_MAX_RESULTS 256

struct explore_kata {
    /* Runs the learner's function once, in a child, under the scheduler; puts what the
     * oracle needs into out[0..max) and returns how many values it put (or -1 when the
     * function itself reported an error). Learner code runs here only. */
    int (*body)(long *out, int max);
    /* In the parent, on what one child sent: NULL when the result is right, else a
     * sentence in the learner's terms (written into buf) of what is wrong. */
    const char *(*judge)(const long *v, int n, char *buf, size_t len);
};

/* The driver's main: explores, and writes its report on the descriptor in KATA_REPORT_FD
 * (the harness reads it as the run goes; stages/explore.c). Returns the exit code: 0 when
 * nothing was found, 1 when a schedule failed, 3 when the program could not be explored.
 * Environment: KATA_SEED (the first schedule's seed), KATA_SCHEDULE (replay that schedule
 * only), KATA_EXPLORE_BUDGET_MS (time for schedules, default 1000), KATA_EXPLORE_MAX
 * (schedules at most, default 2000), KATA_EXPLORE_STRATEGY (pct, random or both: the
 * default, turn about), KATA_EXPLORE_MEASURE=1 (no shrinking, no story: the count only). */
int explore_main(const struct explore_kata *k);

#endif
