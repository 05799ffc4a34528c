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

/* The run as JSON in the shape of Exercism's test-runner results, version 3
 * (exercism/docs: building/tooling/test-runners/interface.md):
 *   "version": 3, "status": "pass" | "fail" | "error",
 *   "message": only when the status is "error": the build's messages when it did not pass (a
 *              compile error, a refused file: the tests never ran), or what the harness could
 *              not do;
 *   "tests": in stage order, each Criterion test by its name ("suite/test") with its status
 *            (pass, fail, or error when it crashed or hung rather than failed an assertion),
 *            message and "output" (what it printed on stdout, at most 500 characters, cut with
 *            the interface's note), then the stage itself ("build", "test", "tsan", ...) with
 *            its status and message (its line and the lines under it). A stage that did not
 *            run is left out: the interface has no "skip".
 * Beside those: "kata", "source", "seed", "duration", and per stage "duration",
 * "ignored_reports", "findings" and, for perf, "perf". Invalid UTF-8 in any text becomes
 * U+FFFD. report_json_object returns a new cJSON object (cJSON_Delete it); report_json the
 * printed text (caller frees). */
struct cJSON;
struct cJSON *report_json_object(const struct run *r);
char *report_json(const struct run *r);
/* Prints a cJSON object; a new string, caller frees. */
char *report_json_print(struct cJSON *o);
/* A copy of s with invalid UTF-8 replaced by U+FFFD and, when max_chars is not 0 and s has
 * more characters than that, cut so that with a newline and "Output was truncated. Please
 * limit to 500 chars" it has max_chars. NULL for NULL; caller frees. */
char *json_clean_text(const char *s, size_t max_chars);

#endif
