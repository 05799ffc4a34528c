/* workload.h: how a driver moves its timed workload by the grading's seed (included by the
 * drivers of tests/katas/, whose answer is a function of their arguments). */
#ifndef KATA_WORKLOAD_H
#define KATA_WORKLOAD_H

#include <stdlib.h>

/* The perf stage's runs are told the grading's seed as KATA_WORKLOAD_SEED, the same for the
 * learner's runs and the reference's (harness/stages/perf.h, perf_run): `n` moved up by as
 * much as a 32nd of it, by that seed, so that an answer written into the code for the
 * arguments in kata.json is wrong. Every other run (the detectors, the floor, the Python
 * comparison, a driver run by hand) keeps n. */
static inline long workload_moved(long n)
{
    const char *s = getenv("KATA_WORKLOAD_SEED");
    if (!s || !*s || n < 64)
        return n;
    unsigned long long z = strtoull(s, NULL, 10) + 0x9e3779b97f4a7c15ULL; /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return n + (long)(z % (unsigned long long)(n / 32));
}

#endif
