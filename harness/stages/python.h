/* python.h: the kata's lesson as the Python tutorials wrote it, timed beside the C. */
#ifndef KATA_PYTHON_H
#define KATA_PYTHON_H

#include "run.h"

struct stage_result;

/* How much of the comparison a `kata run` shows (struct run's python field). */
enum python_mode {
    PYTHON_OFF,  /* nothing: the self-test, class grading, PYTHON=0 */
    PYTHON_LINE, /* one run of the Python program, a line in the perf stage's output */
};

/*
 * `kata run NAME --python` (make kata NAME=x PYTHON=1): times the learner's perf driver,
 * the reference's and the kata's Python program (kata.json "python") on the same argv, in
 * turn, after a warm-up of each, and prints the median times with bars and the median of
 * the rounds' python / reference ratios. When the learner's file is the reference, its row
 * is left out (the benchmark, bench/python_vs_c.sh, grades it that way). The last line is
 * "python/reference: <name> <python s> <reference s> <ratio> <cpu ratio>", for scripts.
 * Returns 0, 1 when a timed run failed (the learner's wrong answer, the Python program's),
 * 2 when the kata has no Python program, and -1 when the harness failed (python3 missing,
 * the reference does not build).
 */
int python_compare_print(struct run *r);

/*
 * The perf stage's hook: when r->python is PYTHON_LINE, the kata has a Python program and
 * python3 is on the PATH, runs the program once on python.line_args (reusing the
 * reference's median time when those are the timed workload's, perf.args, else timing the
 * reference once on them) and appends a line with its time and ratio to out->details. It never
 * changes the stage's status: Python is shown beside the verdict, never part of it. `reference` is
 * the built reference driver; `reference_seconds` its median time on perf.args.
 */
void python_perf_line(struct run *r, const char *reference, double reference_seconds,
                      struct stage_result *out);

#endif
