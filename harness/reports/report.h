/* report.h: the verdict of a run, for a person (text) or a program (JSON). */
#ifndef KATA_REPORT_H
#define KATA_REPORT_H

#include "run.h"

#include <stdio.h>

/* Whether to colour: only on a terminal, and never when NO_COLOR is set. */
int report_use_colour(FILE *f);

/* Prints the verdict screen: a line per stage, its findings in the learner's terms, the
 * races side by side, and what to do next. verbose adds each tool's raw output. */
void report_text(FILE *f, const struct run *r, int colour, int verbose);

/* Returns the run as a new JSON string (Exercism test-runner shape: version, status,
 * message, tests[] with one entry per stage and its findings). Caller frees. */
char *report_json(const struct run *r);

#endif
