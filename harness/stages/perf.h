/* perf.h: timing a built driver, for the perf stage and the `kata curve` view. */
#ifndef KATA_PERF_H
#define KATA_PERF_H

#include "run.h"

/* One timed run of a built driver with `args`: wall and CPU seconds and peak RSS in *s.
 * Returns 0 when it exited 0, 1 when it ran but failed (*why, if given, gets a new string
 * saying how), -1 when it could not be started. Every call gets a fresh latency server when
 * the kata has one. With `vary`, the driver is told the grading's seed as KATA_WORKLOAD_SEED,
 * and a driver whose answer is a function of its arguments alone moves its workload by it
 * (cpu_primes' limit, histogram's bytes), the same for the learner's and the reference's
 * runs: the perf stage's runs vary, so that no answer written into the code for the
 * arguments in kata.json survives; the floor, the curve and the Python comparison do not.
 * (timed.c) */
struct perf_sample {
    double wall, cpu;
    long rss_kb;
};
int perf_run(struct run *r, const char *bin, char *const *args, int nargs, double timeout, int vary,
             struct perf_sample *s, char **why);

/* `kata curve`: times the learner's and the reference's perf driver at 1, 2, 4 and 8 threads
 * (perf.args with the thread count replaced) and prints both speedup curves beside the
 * ideal. Returns 0, or -1 when the harness failed. (curve.c) */
int curve_print(struct run *r);

#endif
